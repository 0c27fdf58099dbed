"""Shared fixtures. The environment is set before any chalicelib import: unit tests talk
to in-process moto (`mock_aws`), never to a network endpoint."""

from __future__ import annotations

import os

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
