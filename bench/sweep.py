"""The retention sweep costs what expired, not what is stored.

Seeds a table (chat-link tokens, which carry the ``purge-due`` time-bucket index) with
10,000 and then 100,000 items of which 100 are due, on the embedded AWS (moto server),
runs the retention job once for each, and prints the read units and the time it took.

Read units are computed from the responses by DynamoDB's rules (moto reports a constant):
a Query costs the size of the items it returns rounded up to 4 KB, half for an eventually
consistent read (every GSI read), at least 0.5; a consistent GetItem 1 per 4 KB, at
least 1. Deletes are counted in write units (1 per KB of the deleted item).

Target: read units at 100,000 items / read units at 10,000 items <= 1.5.
Run: ``.venv/bin/python bench/sweep.py``.
"""

from __future__ import annotations

import math
import socket
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from local.stage import Ports, apply

DUE = 100
SIZES = (10_000, 100_000)
TARGET_RATIO = 1.5
NOW = datetime(2027, 3, 1, 10, 30, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def attribute_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value by DynamoDB's item-size rules."""
    kind, inner = next(iter(value.items()))
    if kind in ("S", "B"):
        return len(inner.encode() if isinstance(inner, str) else inner)
    if kind == "N":
        digits = len(inner.strip("-").replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("L", "M"):
        items = inner if kind == "L" else list(inner.values())
        names = sum(len(k.encode()) for k in inner) if kind == "M" else 0
        return 3 + names + sum(1 + attribute_size(v) for v in items)
    return sum(attribute_size({kind[0]: v}) for v in inner)  # SS, NS, BS


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


@dataclass
class Meter:
    """Read and write units of every DynamoDB call the sweep makes."""

    read_units: float = 0.0
    write_units: float = 0.0
    calls: dict[str, int] = field(default_factory=dict)

    def record(self, operation: str, kwargs: dict[str, Any], response: dict[str, Any]) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        if operation == "Query":
            size = sum(item_size(item) for item in response.get("Items", []))
            consistent = bool(kwargs.get("ConsistentRead"))
            units = max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)
            self.read_units += units
        elif operation == "GetItem":
            size = item_size(response.get("Item", {}))
            factor = 1.0 if kwargs.get("ConsistentRead") else 0.5
            self.read_units += max(1, math.ceil(size / 4096)) * factor
        elif operation in ("DeleteItem", "PutItem", "UpdateItem"):
            self.write_units += 1.0


def metered(meter: Meter) -> Callable[[], None]:
    """Count every call PynamoDB makes; returns the function that stops counting."""
    from pynamodb.connection.base import Connection

    original = Connection._make_api_call

    def call(self: Any, operation_name: str, operation_kwargs: dict[str, Any]) -> Any:
        response = original(self, operation_name, operation_kwargs)
        meter.record(operation_name, operation_kwargs, response or {})
        return response

    Connection._make_api_call = call  # type: ignore[method-assign]

    def stop() -> None:
        Connection._make_api_call = original  # type: ignore[method-assign]

    return stop


def seed(total: int) -> None:
    """``total`` chat-link tokens: ``DUE`` expired in the last hour, the rest expiring
    over the next 90 days (each in its own hour bucket, as real traffic spreads)."""
    import boto3

    from chalicelib.config import get_settings
    from chalicelib.notifications.chatlinks import ChatLinkToken
    from chalicelib.store.expiry import schedule_purge

    def item(i: int) -> dict[str, Any]:
        if i < DUE:
            at = NOW - timedelta(minutes=55) + timedelta(seconds=30 * i)
        else:
            at = NOW + timedelta(minutes=1) + timedelta(days=90) * (i / total)
        token = ChatLinkToken(
            f"bench-{total}-{i:06d}",
            user_id=f"u-{i}",
            channel="telegram",
            expires_at=at,
            expires=at,
        )
        return {"PutRequest": {"Item": schedule_purge(token, at).serialize()}}

    settings = get_settings()
    client = boto3.client("dynamodb", region_name=settings.region)
    table = ChatLinkToken.Meta.table_name

    def write(start: int) -> None:
        batch = [item(i) for i in range(start, min(start + 25, total))]
        while batch:
            left = client.batch_write_item(RequestItems={table: batch}).get("UnprocessedItems")
            batch = (left or {}).get(table, [])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(0, total, 25)))


def sweep(total: int) -> tuple[float, float, float, dict[str, int], int]:
    from chalicelib.jobs import checkpoints, retention
    from chalicelib.jobs.checkpoints import JobCheckpoint
    from chalicelib.notifications.chatlinks import ChatLinkToken

    ChatLinkToken.delete_table()
    ChatLinkToken.create_table(wait=True)
    JobCheckpoint(retention.JOB).delete()
    checkpoints.advance(retention.JOB, NOW - timedelta(hours=2))  # hourly runs so far
    seed(total)
    meter = Meter()
    stop = metered(meter)
    started = time.perf_counter()
    try:
        counts = retention.run(NOW)
    finally:
        stop()
    elapsed = time.perf_counter() - started
    return (
        meter.read_units,
        meter.write_units,
        elapsed,
        meter.calls,
        counts["purged_chat_link_tokens"],
    )


def main() -> None:
    apply(Ports(aws=_free_port()))
    from chalicelib.config import get_settings
    from chalicelib.store.tables import create_tables
    from local.embedded_aws import start_moto

    server = start_moto(int(str(get_settings().aws_endpoint_url).rsplit(":", 1)[1]))
    try:
        create_tables()
        results = {}
        for total in SIZES:
            reads, writes, elapsed, calls, purged = sweep(total)
            results[total] = reads
            print(
                f"{total:>7} items, {DUE} due: purged {purged}, {reads:.1f} read units, "
                f"{writes:.0f} write units, {elapsed * 1000:.0f} ms, calls {calls}",
                flush=True,
            )
        ratio = results[SIZES[1]] / results[SIZES[0]]
        verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
        print(f"read units 100k / 10k = {ratio:.2f} (target <= {TARGET_RATIO}): {verdict}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
