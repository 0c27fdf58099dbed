"""Shared fixtures. The environment is set before any chalicelib import: unit tests talk
to in-process moto (`mock_aws`), never to a network endpoint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.update(
    {
        "VETPET_STAGE": "test",
        "VETPET_TABLE_PREFIX": "vetpet-test-",
        "VETPET_ISSUER": "http://api.test",
        "VETPET_TURN_SECRET": "test-turn-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

_HERE = Path(__file__).parent
_TIERS = ("unit", "integration", "media")


def _tier(item: pytest.Item) -> str | None:
    parts = item.path.relative_to(_HERE).parts if item.path.is_relative_to(_HERE) else ()
    return parts[0] if parts and parts[0] in _TIERS else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier (so `-m unit` and friends select it) and keep unit
    tests off the network."""
    for item in items:
        tier = _tier(item)
        if tier is None:
            continue
        item.add_marker(tier)
        if tier == "unit":
            if not item.get_closest_marker("allow_hosts"):  # a test may name loopback
                item.add_marker(pytest.mark.disable_socket)
            if "property" in item.path.parts:
                item.add_marker(pytest.mark.property)
