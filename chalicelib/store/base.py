"""The base of every PynamoDB model: table names, region and endpoint from settings."""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.config import get_settings

_settings = get_settings()


def table_name(name: str) -> str:
    return _settings.table_name(name)


class BaseModel(Model):
    """Subclass with `class Meta(BaseModel.Meta): table_name = table_name("...")`."""

    class Meta:
        region = _settings.region
        host = _settings.aws_endpoint_url
        billing_mode = "PAY_PER_REQUEST"
