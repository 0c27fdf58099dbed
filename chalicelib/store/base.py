"""The base of every PynamoDB model: table names, region and endpoint from settings,
resolved on first use (importing a model reads no settings)."""

from __future__ import annotations

from typing import Any

from pynamodb.connection import TableConnection
from pynamodb.models import Model

from chalicelib.config import get_settings


class TableName:
    """A ``Meta.table_name`` that reads the stage's table prefix each time it is asked."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: object | None, owner: type[Any]) -> str:
        return get_settings().table_name(self.name)


def table_name(name: str) -> Any:
    """Use as ``table_name = table_name("bookings")`` in a model's Meta."""
    return TableName(name)


class BaseModel(Model):
    """Subclass with `class Meta(BaseModel.Meta): table_name = table_name("...")`."""

    class Meta:
        billing_mode = "PAY_PER_REQUEST"

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """PynamoDB's table connection, with the region and endpoint of the settings."""
        settings = get_settings()
        meta: Any = cls.Meta
        meta.region = settings.region
        meta.host = settings.aws_endpoint_url
        return super()._get_connection()
