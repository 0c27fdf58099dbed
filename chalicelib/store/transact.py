"""The connection DynamoDB transactions (PynamoDB TransactWrite) run on."""

from __future__ import annotations

from functools import cache

from pynamodb.connection import Connection

from chalicelib.config import get_settings


@cache
def transaction_connection() -> Connection:
    settings = get_settings()
    return Connection(region=settings.region, host=settings.aws_endpoint_url)
