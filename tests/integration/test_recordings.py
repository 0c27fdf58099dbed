"""Recordings on the running local stack (P17): both sides consent, a recording is
listed and played back by its owner, shared with a vet of the owner's choice by written
consent, and the share stops working when the owner revokes it."""

from __future__ import annotations

import io
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import requests

from chalicelib.media_nodes.contract import RECORDING_KEYS_TABLE, RECORDINGS_TABLE
from chalicelib.recordings.errors import RecordingKeyShredded
from chalicelib.recordings.vault import OwnerKeys, RecordingScope, Vault
from local.launcher import Stack
from local.seed import DEMO_PASSWORD
from tests.integration.clients import (
    PASSWORD,
    TIMEOUT,
    Account,
    add_pet,
    consultant_named,
    free_slots,
    new_owner,
    sign_in,
)

BUCKET = "vetpet-local-recordings"
RECIPIENT = f"dr-second-{uuid.uuid4().hex[:8]}@clinic.example"


def _aws(stack: Stack, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=stack.aws,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _store_recording(
    stack: Stack, booking_id: str, owner_id: str, vet_id: str, size: int = 123456
) -> tuple[str, str]:
    """The recordings item, as the media server writes it after its upload: its id and
    object key."""
    recording_id = f"rec_{uuid.uuid4().hex}"
    object_key = f"recordings/{owner_id}/{recording_id}"
    _aws(stack, "dynamodb").put_item(
        TableName=f"vetpet-local-{RECORDINGS_TABLE}",
        Item={
            "recording_id": {"S": recording_id},
            "booking_id": {"S": booking_id},
            "owner_id": {"S": owner_id},
            "consultant_id": {"S": vet_id},
            "object_key": {"S": object_key},
            "started_at": {"S": "2030-01-01T10:00:00.000000+0000"},
            "duration_s": {"N": "61"},
            "size_bytes": {"N": str(size)},
            "status": {"S": "complete"},
            "purge_bucket": {"S": "purge#2033-01-01T10"},
            "purge_at": {"S": "2033-01-01T10:00:00.000000+0000"},
        },
    )
    return recording_id, object_key


def _book_and_consent(stack: Stack, owner: Account, vet: Account) -> str:
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
    booking_id = str(booking.json()["id"])
    consent = f"/v1/bookings/{booking_id}/recording-consent"
    first = owner.call("PUT", consent, json={"granted": True})
    assert first.status_code == 200, first.text
    assert first.json()["recording_allowed"] is False
    both = vet.call("PUT", consent, json={"granted": True})
    assert both.json()["recording_allowed"] is True
    return booking_id


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
    booking_id = _book_and_consent(stack, owner, vet)
    ledger = owner.call("GET", "/v1/me/consents/ledger").json()["items"]
    assert [e["reference"] for e in ledger if e["purpose"] == "recording"] == [booking_id]

    recording_id, _ = _store_recording(stack, booking_id, owner.user_id, vet.user_id)
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


def _encrypted_recording(
    stack: Stack, owner: Account, vet: Account, plaintext: bytes
) -> tuple[str, str, Vault, RecordingScope]:
    """A booking both sides consented to, with a recording encrypted under the owner's
    key as the media server's sink stores it: recording id, object key, vault, scope."""
    booking_id = _book_and_consent(stack, owner, vet)
    recording_id, object_key = _store_recording(
        stack, booking_id, owner.user_id, vet.user_id, size=len(plaintext)
    )
    kms = _aws(stack, "kms")
    vault = Vault(
        keys=OwnerKeys(_aws(stack, "dynamodb"), f"vetpet-local-{RECORDING_KEYS_TABLE}"),
        kms=kms,
        s3=_aws(stack, "s3"),
        bucket=BUCKET,
        key_arn=kms.describe_key(KeyId="alias/vetpet-local-recordings")["KeyMetadata"]["Arn"],
    )
    scope = RecordingScope(booking_id, owner.user_id)
    vault.upload(object_key, io.BytesIO(plaintext), scope)
    return recording_id, object_key, vault, scope


def test_the_owner_plays_it_back_through_the_media_node(stack: Stack) -> None:
    owner = new_owner(stack.api, stack.mailbox)
    vet = sign_in(stack.api, "vet2@vetpet.test", DEMO_PASSWORD)
    plaintext = b"\x1a\x45\xdf\xa3" + uuid.uuid4().bytes * 5000
    recording_id, _, _, _ = _encrypted_recording(stack, owner, vet, plaintext)
    link = owner.call("POST", f"/v1/recordings/{recording_id}/playback").json()["url"]
    played = requests.get(link, timeout=TIMEOUT)
    assert played.status_code == 200, played.text
    assert played.content == plaintext
    part = requests.get(link, headers={"Range": "bytes=100-199"}, timeout=TIMEOUT)
    assert (part.status_code, part.content) == (206, plaintext[100:200])


def test_after_the_owners_erasure_a_kept_ciphertext_is_unreadable(stack: Stack) -> None:
    """Crypto-shredding on the running stack: the erasure job deletes the owner's key, the
    recording's object and item; a copy kept aside no longer decrypts."""
    owner = new_owner(stack.api, stack.mailbox)
    vet = sign_in(stack.api, "vet2@vetpet.test", DEMO_PASSWORD)
    plaintext = b"\x1a\x45\xdf\xa3" + uuid.uuid4().bytes * 5000
    recording_id, object_key, vault, scope = _encrypted_recording(stack, owner, vet, plaintext)
    assert b"".join(vault.decrypt(object_key, scope)) == plaintext
    s3 = _aws(stack, "s3")
    ciphertext = s3.get_object(Bucket=BUCKET, Key=object_key)["Body"].read()
    assert plaintext[:64] not in ciphertext

    erased = owner.call("DELETE", "/v1/me", json={"password": PASSWORD})
    assert erased.status_code == 202, erased.text
    dynamodb = _aws(stack, "dynamodb")
    key = {"owner_id": {"S": owner.user_id}}
    recording = {"recording_id": {"S": recording_id}}

    def left() -> list[str]:
        """What of the owner's recording is still stored (the job shreds the key first,
        then removes every object version, then the item)."""
        listed = s3.list_object_versions(Bucket=BUCKET, Prefix=object_key)
        found = {
            "key": "Item"
            in dynamodb.get_item(
                TableName=f"vetpet-local-{RECORDING_KEYS_TABLE}", Key=key, ConsistentRead=True
            ),
            "object versions": bool(
                [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]
            ),
            "item": "Item"
            in dynamodb.get_item(
                TableName=f"vetpet-local-{RECORDINGS_TABLE}", Key=recording, ConsistentRead=True
            ),
        }
        return [name for name, present in found.items() if present]

    deadline = time.monotonic() + 60
    while remaining := left():
        assert time.monotonic() < deadline, f"the erasure left {remaining} after a minute"
        time.sleep(0.5)
    # A copy kept aside (a backup, an old version) is put back: it does not decrypt.
    put_back = s3.put_object(Bucket=BUCKET, Key=object_key, Body=ciphertext)
    with pytest.raises(RecordingKeyShredded):
        b"".join(vault.decrypt(object_key, scope))
    s3.delete_object(Bucket=BUCKET, Key=object_key, VersionId=put_back["VersionId"])
