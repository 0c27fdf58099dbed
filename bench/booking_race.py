"""Booking race: N concurrent clients on one slot, then N on distinct slots, against the
local stack over HTTP. Prints successes, conflicts, p50/p95 latency, and the DynamoDB
write capacity per successful booking.

Capacity: each booking is one TransactWriteItems of three items (the slot claim, the
booking, and the owner's quota ledger, whose version serialises one owner's concurrent
bookings so none slips past the quotas). The emulator (moto) answers
ReturnConsumedCapacity for transactions with an empty list, so the script also prices the
three stored items by DynamoDB's rules (transactional write = 2 WCU per started KB per
item) and says which figure it prints.
Target: one transaction and at most 6 table write units per booking (three items under
1 KB each; it was 4 before the quota ledger joined the transaction).

    python bench/booking_race.py [--clients 32]      # starts its own stack
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local.launcher import launched  # noqa: E402
from tests.integration.clients import Account, add_pet, consultant_named, free_slots, new_owner  # noqa: E402

PREFIX = "vetpet-local-"


def race(
    owners: list[Account], pets: list[str], vet: str, starts: list[str], tag: str
) -> tuple[list[int], list[float], list[str]]:
    barrier = threading.Barrier(len(owners))

    def attempt(i: int) -> tuple[int, float, str]:
        body = {"consultant_id": vet, "pet_id": pets[i], "start": starts[i], "reason": "bench"}
        barrier.wait()
        began = time.perf_counter()
        response = owners[i].call(
            "POST", "/v1/bookings", json=body, headers={"Idempotency-Key": f"{tag}-{i}"}
        )
        elapsed = (time.perf_counter() - began) * 1000
        booking_id = response.json().get("id", "") if response.status_code == 201 else ""
        return response.status_code, elapsed, booking_id

    with ThreadPoolExecutor(len(owners)) as pool:
        results = list(pool.map(attempt, range(len(owners))))
    return [r[0] for r in results], [r[1] for r in results], [r[2] for r in results if r[2]]


def _value_size(value: dict[str, Any]) -> int:
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        return math.ceil(len(raw.lstrip("-").replace(".", "").lstrip("0") or "0") / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) for k, v in raw.items())
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in raw)
    return len(str(raw).encode())


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB item size: attribute names plus values (documented sizing rules)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def capacity(aws: str, booking_ids: list[str]) -> tuple[float, float, list[Any]]:
    import boto3

    client = boto3.client(
        "dynamodb",
        endpoint_url=aws,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the local stack's dummy key
    )
    units, sizes = [], []
    sample: list[dict[str, Any]] = []
    for booking_id in booking_ids:
        booking = client.get_item(
            TableName=PREFIX + "bookings", Key={"booking_id": {"S": booking_id}}
        )["Item"]
        claim = client.get_item(
            TableName=PREFIX + "slot-claims",
            Key={"consultant_id": booking["consultant_id"], "start": booking["start"]},
        )["Item"]
        ledger = client.get_item(
            TableName=PREFIX + "booking-ledgers", Key={"owner_id": booking["owner_id"]}
        )["Item"]
        items = [item_size(booking), item_size(claim), item_size(ledger)]
        sizes.append(sum(items))
        units.append(sum(2 * math.ceil(size / 1024) for size in items))
        sample = [booking, claim, ledger]
    # Ask the emulator too, with a transaction of the same three items under fresh keys.
    booking, claim, ledger = (
        {**sample[0], "booking_id": {"S": "bench-probe"}},
        {**sample[1], "consultant_id": {"S": "bench-probe"}},
        {**sample[2], "owner_id": {"S": "bench-probe"}},
    )
    reported = client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": PREFIX + "slot-claims", "Item": claim}},
            {"Put": {"TableName": PREFIX + "bookings", "Item": booking}},
            {"Put": {"TableName": PREFIX + "booking-ledgers", "Item": ledger}},
        ],
        ReturnConsumedCapacity="TOTAL",
    ).get("ConsumedCapacity", [])
    return statistics.mean(units), statistics.mean(sizes), reported


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, statuses: list[int], latencies: list[float]) -> None:
    print(
        f"{name}: {statuses.count(201)} booked, {statuses.count(409)} slot_taken, "
        f"{len(statuses) - statuses.count(201) - statuses.count(409)} other; "
        f"latency p50 {_pct(latencies, 0.5):.0f} ms, p95 {_pct(latencies, 0.95):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    with launched(echo=False) as stack:
        api, aws, mailbox = stack.api, stack.aws, stack.mailbox
        vet = consultant_named(api, "Dr. Olena Kovalenko")["id"]
        slots = free_slots(api, vet)
        n = min(args.clients, len(slots) - 2)
        with ThreadPoolExecutor(8) as pool:
            owners = list(pool.map(lambda _: new_owner(api, mailbox), range(n)))
            pets = list(pool.map(add_pet, owners))
        print(f"{n} clients, consultant slots of 30 minutes, 2 cores, moto server + chalice local")
        race(owners, pets, vet, [slots[-1]] * n, "warm-up")  # first requests warm the server
        one, one_latency, one_ids = race(owners, pets, vet, [slots[0]] * n, "one")
        report("one slot      ", one, one_latency)
        many, many_latency, many_ids = race(owners, pets, vet, slots[1 : n + 1], "many")
        report("distinct slots", many, many_latency)
        ids = one_ids + many_ids
        units, size, reported = capacity(aws, ids)
        print(
            f"capacity per successful booking: 1 TransactWriteItems, 3 items, "
            f"{size:.0f} bytes, {units:.1f} table write units by DynamoDB's sizing rules "
            f"(target <= 6); emulator's ReturnConsumedCapacity: {reported or 'not reported'}"
        )
        print(
            "index writes (not in the target): by-owner and by-consultant (keys only) "
            "+ pending-holds while unpaid: 3 index write units per unpaid booking"
        )


if __name__ == "__main__":
    main()
