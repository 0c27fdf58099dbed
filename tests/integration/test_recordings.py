"""Recordings on the running local stack (P17): both sides consent, a recording is
listed and played back by its owner, shared with a vet of the owner's choice by written
consent, and the share stops working when the owner revokes it."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import boto3
import requests

from chalicelib.media_nodes.contract import RECORDINGS_TABLE
from local.launcher import Stack
from local.seed import DEMO_PASSWORD
from tests.integration.clients import (
    PASSWORD,
    TIMEOUT,
    add_pet,
    consultant_named,
    free_slots,
    new_owner,
    sign_in,
)

RECIPIENT = f"dr-second-{uuid.uuid4().hex[:8]}@clinic.example"


def _store_recording(stack: Stack, booking_id: str, owner_id: str, vet_id: str) -> str:
    """The recordings item, as the media server writes it after its upload."""
    recording_id = f"rec_{uuid.uuid4().hex}"
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.aws,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    dynamodb.put_item(
        TableName=f"vetpet-local-{RECORDINGS_TABLE}",
        Item={
            "recording_id": {"S": recording_id},
            "booking_id": {"S": booking_id},
            "owner_id": {"S": owner_id},
            "consultant_id": {"S": vet_id},
            "object_key": {"S": f"recordings/{owner_id}/{recording_id}"},
            "started_at": {"S": "2030-01-01T10:00:00.000000+0000"},
            "duration_s": {"N": "61"},
            "size_bytes": {"N": "123456"},
            "status": {"S": "complete"},
        },
    )
    return recording_id


def _shared_link(stack: Stack) -> tuple[str, str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for message in stack.messages(RECIPIENT):
            found = re.search(r"/shared-recordings/([\w-]+)#key=([\w-]+)", message["body"])
            if found:
                return found.group(1), found.group(2)
        time.sleep(0.1)
    raise AssertionError(f"no share e-mailed to {RECIPIENT}")


def test_consent_playback_share_and_revoke(stack: Stack) -> None:
    owner = new_owner(stack.api, stack.mailbox)
    vet = sign_in(stack.api, "vet2@vetpet.test", DEMO_PASSWORD)  # the free consultant
    consultant_id = consultant_named(stack.api, "Dr. Marek Nowak")["id"]
    booking = owner.call(
        "POST",
        "/v1/bookings",
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={
            "consultant_id": consultant_id,
            "pet_id": add_pet(owner),
            "start": free_slots(stack.api, consultant_id)[-1],
            "reason": "limping",
        },
    )
    assert booking.status_code == 201, booking.text
    booking_id = booking.json()["id"]

    consent = f"/v1/bookings/{booking_id}/recording-consent"
    first = owner.call("PUT", consent, json={"granted": True})
    assert first.status_code == 200, first.text
    assert first.json()["recording_allowed"] is False
    both = vet.call("PUT", consent, json={"granted": True})
    assert both.json()["recording_allowed"] is True
    ledger = owner.call("GET", "/v1/me/consents/ledger").json()["items"]
    assert [e["reference"] for e in ledger if e["purpose"] == "recording"] == [booking_id]

    recording_id = _store_recording(stack, booking_id, owner.user_id, vet.user_id)
    listed = owner.call("GET", f"/v1/bookings/{booking_id}/recordings").json()
    assert [r["id"] for r in listed["items"]] == [recording_id]
    played = owner.call("POST", f"/v1/recordings/{recording_id}/playback")
    assert played.status_code == 200, played.text
    url = urlsplit(played.json()["url"])
    assert (url.scheme, url.port) == ("http", stack.media_port)
    assert url.path == f"/playback/{recording_id}"
    stranger = new_owner(stack.api, stack.mailbox)
    assert stranger.call("POST", f"/v1/recordings/{recording_id}/playback").status_code == 404

    until = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    shared = owner.call(
        "POST",
        f"/v1/recordings/{recording_id}/grants",
        json={
            "recipient_email": RECIPIENT,
            "purpose": "second opinion on the limp",
            "expires_at": until,
            "consent_text": "I let Dr. Second watch this consultation for a second opinion.",
            "password": PASSWORD,
        },
    )
    assert shared.status_code == 201, shared.text
    grant_id, key = _shared_link(stack)
    assert grant_id == shared.json()["id"]
    redeem = stack.url(f"/v1/shared-recordings/{grant_id}/playback")
    used = requests.post(redeem, json={"key": key}, timeout=TIMEOUT)
    assert used.status_code == 200, used.text
    assert f"/playback/{recording_id}?token=" in used.json()["url"]
    assert requests.post(redeem, json={"key": "wrong"}, timeout=TIMEOUT).status_code == 404
    log = owner.call("GET", "/v1/me/access-log").json()["items"]
    assert [(e["actor_role"], e["recipient"]) for e in log] == [("third_party", RECIPIENT)]

    revoked = owner.call("DELETE", f"/v1/recordings/{recording_id}/grants/{grant_id}")
    assert revoked.status_code == 204, revoked.text
    after = requests.post(redeem, json={"key": key}, timeout=TIMEOUT)
    assert (after.status_code, after.json()["code"]) == (404, "not_found")
