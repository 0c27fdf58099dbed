"""Privacy rights on the running local stack (P10): a user exports their data and
downloads it, erases their account (a future paid consultation is cancelled and
refunded, the consultant told, a receipt e-mailed) and can no longer sign in; then a Scan
of every table and index and every object version of every bucket of the embedded AWS
finds nothing of them: not their id, e-mail, phone or name."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import requests

from local.launcher import Stack
from tests.integration.clients import (
    PASSWORD,
    TIMEOUT,
    Account,
    add_pet,
    consultant_named,
    free_slots,
    new_owner,
)
from tests.residue import residue

VET_EMAIL = "vet1@vetpet.test"  # Dr. Olena Kovalenko, 600.00 UAH
WITHIN = 60  # seconds: exports and erasures are done within a minute on the local stack


def _until(what: str, check: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + WITHIN
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not within {WITHIN} s: {what}")


def _paid_booking(stack: Stack, owner: Account, pet_id: str) -> str:
    vet = consultant_named(stack.api, "Dr. Olena Kovalenko")
    earliest = datetime.now(UTC) + timedelta(hours=26)
    start = next(
        s for s in free_slots(stack.api, vet["id"]) if datetime.fromisoformat(s) > earliest
    )
    body = {"consultant_id": vet["id"], "pet_id": pet_id, "start": start, "reason": "limping"}
    created = owner.call("POST", "/v1/bookings", json=body, headers={"Idempotency-Key": "erase-1"})
    assert created.status_code == 201, created.text
    booking = str(created.json()["id"])
    checkout = owner.call("POST", f"/v1/bookings/{booking}/checkout", json={"provider": "stripe"})
    assert checkout.status_code == 201, checkout.text
    assert requests.post(checkout.json()["checkout_url"] + "/pay", timeout=30).ok
    assert owner.call("GET", f"/v1/bookings/{booking}").json()["status"] == "confirmed"
    return booking


def _use_everything(stack: Stack, owner: Account, phone: str) -> str:
    """Every feature an owner reaches over HTTP; the paid booking's id."""
    assert owner.call("PATCH", "/v1/me", json={"phone": phone, "address": "Lviv 1"}).ok
    pet_id = add_pet(owner)
    booking = _paid_booking(stack, owner, pet_id)
    room = owner.call("PUT", f"/v1/bookings/{booking}/room-password", json={"password": "r00m-pw"})
    assert room.status_code == 204, room.text
    vet = consultant_named(stack.api, "Dr. Olena Kovalenko")
    asked = owner.call(
        "POST",
        "/v1/questions",
        json={"consultant_id": vet["id"], "pet_id": pet_id, "text": "Why does Rex limp?"},
    )
    assert asked.status_code == 201, asked.text
    assert owner.call("PUT", "/v1/me/consents/marketing", json={"granted": True}).ok
    assert owner.call("PUT", "/v1/me/restriction", json={"restricted": False}).ok
    assert owner.call("POST", "/v1/me/chat-links", json={"channel": "telegram"}).ok
    return booking


def _ready(owner: Account, path: str) -> dict[str, Any] | None:
    state: dict[str, Any] = owner.call("GET", path).json()
    return state if state["status"] == "ready" else None


def _export(owner: Account) -> dict[str, Any]:
    started = owner.call("POST", "/v1/me/exports")
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "pending"
    path = f"/v1/me/exports/{started.json()['id']}"
    ready = _until("export ready", lambda: _ready(owner, path))
    expires = datetime.fromisoformat(ready["expires_at"])
    assert expires <= datetime.now(UTC) + timedelta(minutes=15, seconds=5)
    document: dict[str, Any] = requests.get(ready["download_url"], timeout=TIMEOUT).json()
    return document


def test_export_then_erase_leaves_nothing_of_the_user(stack: Stack) -> None:
    name = f"Erasable {uuid.uuid4().hex[:8]}"
    phone = f"+38050{uuid.uuid4().int % 10**7:07d}"
    owner = new_owner(stack.api, stack.mailbox, name=name)
    booking = _use_everything(stack, owner, phone)

    document = _export(owner)
    assert document["schema"] == "vetpet-export"
    assert document["sections"]["account"][0]["email"] == owner.email
    assert [b["booking_id"] for b in document["sections"]["bookings"]] == [booking]
    assert "password_hash" not in document["sections"]["account"][0]

    vet_mails = len(stack.messages(VET_EMAIL))
    erased = owner.call("DELETE", "/v1/me", json={"password": PASSWORD})
    assert erased.status_code == 202, erased.text
    erasure_id = erased.json()["erasure_id"]
    assert owner.call("GET", "/v1/me").status_code == 401  # the session in use ended
    login = requests.post(
        stack.url("/v1/auth/login"),
        json={"email": owner.email, "password": PASSWORD},
        timeout=TIMEOUT,
    )
    assert login.status_code == 401

    receipt = _until(
        "deletion receipt",
        lambda: [m for m in stack.messages(owner.email) if erasure_id in m["body"]],
    )
    assert len(receipt) == 1
    assert len(stack.messages(VET_EMAIL)) > vet_mails  # the consultant was told

    aws = {
        "endpoint_url": stack.aws,
        "region_name": "us-east-1",
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }
    left = residue(
        boto3.client("dynamodb", **aws),
        boto3.client("s3", **aws),
        [owner.user_id, owner.email, phone, name],
    )
    assert left == []
