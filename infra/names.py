"""The names the application code uses in a stage, read from the code's own settings: the
stack creates exactly these resources, and a test holds the two together."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from chalicelib.config import Settings, get_settings, read_settings
from chalicelib.store.tables import all_models
from infra.stages import StageConfig


def lambda_environment(stage: StageConfig) -> dict[str, str]:
    """The Lambda environment of a stage (the TURN secret is added by the stack)."""
    return {
        "VETPET_STAGE": stage.name,
        "VETPET_TABLE_PREFIX": f"vetpet-{stage.name}-",
        "VETPET_ISSUER": stage.issuer,
        "VETPET_WEB_URL": stage.web_origin,
        "VETPET_EMAIL_SENDER": stage.email_sender,
        "VETPET_TURN_URLS": stage.turn_urls,
    }


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def code_settings(stage: StageConfig) -> Settings:
    """The settings the deployed code computes from the stage's Lambda environment."""
    with _environment(lambda_environment(stage)):
        return read_settings()


@dataclass(frozen=True)
class Table:
    name: str
    suffix: str  # the name without the stage prefix ("bookings")
    schema: dict[str, Any]
    ttl_attribute: str | None


def tables(stage: StageConfig) -> list[Table]:
    """One entry per registered PynamoDB model, named for `stage` (the models themselves
    were named for whatever stage this process runs as)."""
    from pynamodb.attributes import TTLAttribute

    here = get_settings().table_prefix
    prefix = code_settings(stage).table_prefix
    result = []
    for model in all_models():
        suffix = model.Meta.table_name.removeprefix(here)
        ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
        result.append(
            Table(prefix + suffix, suffix, dict(model._get_schema()), ttl[0] if ttl else None)
        )
    return result
