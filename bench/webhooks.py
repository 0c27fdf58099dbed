"""Webhook deliveries against the local stack: 1,000 signed Stripe deliveries (10%
duplicates, shuffled, 8 at a time) for bookings awaiting payment. Each booking gets its
`checkout.session.completed` event among other events of its payment that the API
ignores, as Stripe sends them. Prints bookings confirmed (= distinct successful
payments), duplicates absorbed, p50/p95 latency and DynamoDB write units per confirmed
payment.

Capacity: the confirmation itself is the bookings transaction of two items (booking +
slot claim); the payment adds one conditional update (payment item) and one
conditional put (event id). moto does not report consumed capacity for transactions, so
the stored items are priced by DynamoDB's sizing rules (`booking_race.item_size`).

    python bench/webhooks.py [--deliveries 1000] [--bookings 60]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from booking_race import PREFIX, item_size  # noqa: E402 - a sibling script (bench/ is on sys.path)

from chalicelib.config import MAX_UNPAID_HOLDS_PER_OWNER  # noqa: E402
from local.launcher import Stack, launched  # noqa: E402
from local.payments_standin import STRIPE_WEBHOOK_SECRET, stripe_signature  # noqa: E402
from tests.integration.clients import (  # noqa: E402
    Account,
    add_pet,
    consultant_named,
    free_slots,
    new_owner,
)

OTHER_EVENTS = ("payment_intent.created", "charge.succeeded", "payment_intent.succeeded")
VETS = ("Dr. Olena Kovalenko", "Dr. Emily Tremblay")


def _bookings(stack: Stack, wanted: int) -> list[tuple[str, str]]:
    """(booking id, checkout session id) of ``wanted`` bookings awaiting payment."""
    count = -(-wanted // MAX_UNPAID_HOLDS_PER_OWNER)  # the per-owner quota of unpaid holds
    with ThreadPoolExecutor(4) as pool:
        owners: list[Account] = list(
            pool.map(lambda _: new_owner(stack.api, stack.mailbox), range(count))
        )
        pets = list(pool.map(add_pet, owners))
    plan = [
        (vet["id"], start)
        for vet in (consultant_named(stack.api, name) for name in VETS)
        for start in free_slots(stack.api, vet["id"])
    ][:wanted]

    def book(i: int) -> tuple[str, str]:
        owner, pet = owners[i % len(owners)], pets[i % len(owners)]
        vet, start = plan[i]
        body = {"consultant_id": vet, "pet_id": pet, "start": start, "reason": "bench"}
        made = owner.call("POST", "/v1/bookings", json=body, headers={"Idempotency-Key": f"b{i}"})
        made.raise_for_status()
        booking = made.json()["id"]
        checkout = owner.call(
            "POST", f"/v1/bookings/{booking}/checkout", json={"provider": "stripe"}
        )
        checkout.raise_for_status()
        return booking, checkout.json()["checkout_url"].rsplit("/", 1)[1]

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(book, range(len(plan))))


def _session(stack: Stack, session_id: str) -> dict[str, Any]:
    from local.payments_standin import STRIPE_API_KEY

    response = requests.get(
        f"{stack.payments}/v1/checkout/sessions/{session_id}",
        headers={"Authorization": f"Bearer {STRIPE_API_KEY}"},
        timeout=10,
    )
    response.raise_for_status()
    session: dict[str, Any] = response.json()
    return session


def _events(stack: Stack, bookings: list[tuple[str, str]], distinct: int) -> list[bytes]:
    events = []
    for n, (_, session_id) in enumerate(bookings):
        session = {
            **_session(stack, session_id),
            "payment_status": "paid",
            "status": "complete",
            "payment_intent": f"pi_bench_{n}",
        }
        event = {"object": "event", "type": "checkout.session.completed"}
        events.append({**event, "id": f"evt_paid_{n}", "data": {"object": session}})
    n = 0
    while len(events) < distinct:
        kind = OTHER_EVENTS[n % len(OTHER_EVENTS)]
        intent = {"id": f"pi_bench_{n % len(bookings)}", "object": "payment_intent"}
        events.append(
            {"id": f"evt_other_{n}", "object": "event", "type": kind, "data": {"object": intent}}
        )
        n += 1
    return [json.dumps(event).encode() for event in events]


def _deliver(stack: Stack, body: bytes) -> tuple[str, float]:
    header = stripe_signature(body, STRIPE_WEBHOOK_SECRET, int(time.time()))
    began = time.perf_counter()
    response = requests.post(
        stack.url("/v1/payments/webhooks/stripe"),
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
        timeout=60,
    )
    elapsed = (time.perf_counter() - began) * 1000
    outcome = response.json().get("outcome", response.json().get("code", "?"))
    return str(outcome), elapsed


def _units(stack: Stack, booking_id: str) -> dict[str, int]:
    import boto3

    client = boto3.client(
        "dynamodb",
        endpoint_url=stack.aws,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the local stack's dummy key
    )

    def get(table: str, key: dict[str, Any]) -> dict[str, Any]:
        item: dict[str, Any] = client.get_item(TableName=PREFIX + table, Key=key)["Item"]
        return item

    booking = get("bookings", {"booking_id": {"S": booking_id}})
    claim = get(
        "slot-claims", {"consultant_id": booking["consultant_id"], "start": booking["start"]}
    )
    payment = get("payments", {"booking_id": {"S": booking_id}})
    kb = [math.ceil(item_size(item) / 1024) for item in (booking, claim, payment)]
    return {
        "confirmation transaction (booking + claim)": 2 * (kb[0] + kb[1]),
        "payment update": kb[2],
        "event record": 1,
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--bookings", type=int, default=60)
    args = parser.parse_args()
    duplicates = args.deliveries // 10
    with launched(echo=False) as stack:
        bookings = _bookings(stack, args.bookings)
        events = _events(stack, bookings, args.deliveries - duplicates)
        rng = random.Random(7)
        deliveries = events + [rng.choice(events) for _ in range(duplicates)]
        rng.shuffle(deliveries)
        began = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda body: _deliver(stack, body), deliveries))
        wall = time.perf_counter() - began
        outcomes = Counter(outcome for outcome, _ in results)
        latencies = [ms for _, ms in results]
        confirmed = outcomes["confirmed"]
        units = _units(stack, bookings[0][0])
        print(
            f"{len(deliveries)} deliveries ({duplicates} duplicates, shuffled, 8 concurrent) "
            f"for {len(bookings)} bookings in {wall:.1f} s; chalice local + moto server"
        )
        print(
            f"bookings confirmed: {confirmed} (distinct successful payments: {len(bookings)}); "
            f"duplicates absorbed: {outcomes['duplicate']} answered as duplicates, the rest "
            f"of the {duplicates} raced their original and changed nothing; outcomes: "
            f"{dict(outcomes)}"
        )
        print(f"latency p50 {_pct(latencies, 0.5):.0f} ms, p95 {_pct(latencies, 0.95):.0f} ms")
        total = sum(units.values())
        print(
            f"write units per confirmed payment: {total} ({units}); the confirmation itself "
            "is one TransactWriteItems; the two e-mails' outbox records come on top"
        )
        if confirmed != len(bookings):
            raise SystemExit("FAIL: confirmations differ from distinct successful payments")


if __name__ == "__main__":
    main()
