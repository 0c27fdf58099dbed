"""The connection DynamoDB transactions (PynamoDB TransactWrite) run on."""

from __future__ import annotations

import threading

from pynamodb.connection import Connection

from chalicelib.config import get_settings

_lock = threading.Lock()
_connection: list[Connection] = []


def transaction_connection() -> Connection:
    """One shared connection, created once even when many threads ask at the same time
    (its botocore client is thread-safe; creating one per thread is what is slow)."""
    with _lock:
        if not _connection:
            settings = get_settings()
            connection = Connection(region=settings.region, host=settings.aws_endpoint_url)
            connection.client  # noqa: B018 - build the client now, under the lock
            _connection.append(connection)
        return _connection[0]
