"""Disclosure only by written consent (P17): the owner shares one recording with a
recipient, with their password; the text goes to the ledger; the recipient's link works
until it is revoked or ends; every use is in the owner's access log."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.access_log.service import page
from chalicelib.config import get_settings
from chalicelib.consent.operations import ledger
from chalicelib.consent.service import verify_chain
from chalicelib.media_nodes.contract import RECORDING_GRANTS_TABLE
from chalicelib.recordings.stored import Recording
from tests.unit.booking_world import NOW, World
from tests.unit.recordings.conftest import later, store_recording
from tests.unit.recordings.test_playback import verified_claims

pytestmark = pytest.mark.usefixtures("media_node")
RECIPIENT = "dr.second@clinic.example"
CONSENT = "I agree that Dr. Second may watch this recording for a second opinion."


@pytest.fixture
def recording(world: World, booking: dict[str, str]) -> Recording:
    owner, vet = world.users["owner_a"].user_id, world.users["vet_b"].user_id
    return store_recording(booking["id"], owner, vet, later(booking["start"], 2))


def _share(
    world: World, recording: Recording, password: str, **changes: Any
) -> tuple[int, dict[str, Any]]:
    body = {
        "recipient_email": RECIPIENT,
        "purpose": "second opinion",
        "expires_at": "2026-06-10T12:00:00Z",
        "consent_text": CONSENT,
        "password": password,
        **changes,
    }
    return world.call("POST", f"/v1/recordings/{recording.recording_id}/grants", "owner_a", body)


def _link_of_last_email() -> tuple[str, str]:
    sent = ses_backends[DEFAULT_ACCOUNT_ID][get_settings().region].sent_messages
    [message] = [m for m in sent if RECIPIENT in m.destinations.get("ToAddresses", [])]
    found = re.search(r"/shared-recordings/([\w-]+)#key=([\w-]+)", message.body)
    assert found, message.body
    return found.group(1), found.group(2)


def _play(world: World, grant_id: str, key: str) -> tuple[int, dict[str, Any]]:
    return world.call("POST", f"/v1/shared-recordings/{grant_id}/playback", None, {"key": key})


def test_a_share_records_the_written_consent_and_mails_a_link(
    world: World, recording: Recording, owner_password: str
) -> None:
    status, grant = _share(world, recording, owner_password)
    assert status == 201, grant
    digest = hashlib.sha256(CONSENT.encode()).hexdigest()
    assert grant["consent_sha256"] == digest
    assert (grant["recording_id"], grant["recipient_email"]) == (recording.recording_id, RECIPIENT)
    [event] = [e for e in ledger(recording.owner_id) if e.purpose == "recording_disclosure"]
    assert (event.decision, event.reference) == ("granted", grant["id"])
    assert (event.statement, event.statement_hash) == (CONSENT, digest)
    assert verify_chain(ledger(recording.owner_id))
    grant_id, key = _link_of_last_email()
    assert grant_id == grant["id"]
    # The key is stored only as its digest.
    settings = get_settings()
    table = boto3.resource("dynamodb", region_name=settings.region).Table(
        settings.table_name(RECORDING_GRANTS_TABLE)
    )
    item = table.get_item(Key={"grant_id": grant_id})["Item"]
    assert key not in str(item)
    assert item["key_digest"] == hashlib.sha256(key.encode()).hexdigest()
    assert (item["revoked"], item["recording_id"]) == (False, recording.recording_id)


def test_a_share_needs_the_owners_password_and_at_most_30_days(
    world: World, recording: Recording, owner_password: str
) -> None:
    status, problem = _share(world, recording, "not the password")
    assert (status, problem["code"]) == (403, "reauthentication_required")
    too_late = (NOW + timedelta(days=30, seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, problem = _share(world, recording, owner_password, expires_at=too_late)
    assert (status, problem["code"]) == (422, "invalid_grant_expiry")
    status, problem = _share(world, recording, owner_password, expires_at="2026-05-31T11:00:00Z")
    assert (status, problem["code"]) == (422, "invalid_grant_expiry")
    status, _ = world.call(
        "POST",
        f"/v1/recordings/{recording.recording_id}/grants",
        "vet_b",
        {
            "recipient_email": RECIPIENT,
            "purpose": "x",
            "expires_at": "2026-06-01T00:00:00Z",
            "consent_text": CONSENT,
            "password": owner_password,
        },
    )
    assert status == 403  # consultants never share
    assert [e for e in ledger(recording.owner_id) if e.purpose == "recording_disclosure"] == []


def test_a_grant_works_until_revoked(
    world: World, recording: Recording, owner_password: str
) -> None:
    assert _share(world, recording, owner_password)[0] == 201
    grant_id, key = _link_of_last_email()
    status, body = _play(world, grant_id, key)
    assert status == 200, body
    claims = verified_claims(body["url"])
    assert (claims["rid"], claims["gid"]) == (recording.recording_id, grant_id)
    assert _play(world, grant_id, key + "x")[0] == 404
    assert _play(world, "grt_unknown", key)[0] == 404
    [entry] = page(recording.owner_id, None, 10)[0]
    assert (entry.actor_role, entry.recipient, entry.reason) == (
        "third_party",
        RECIPIENT,
        "second opinion",
    )
    path = f"/v1/recordings/{recording.recording_id}/grants/{grant_id}"
    assert world.call("DELETE", path, "owner_b")[0] == 404  # not theirs
    assert _play(world, grant_id, key)[0] == 200
    assert world.call("DELETE", path, "owner_a")[0] == 204
    assert world.call("DELETE", path, "owner_a")[0] == 204  # again: nothing changes
    status, problem = _play(world, grant_id, key)
    assert (status, problem["code"]) == (404, "not_found")
    decisions = [
        e.decision for e in ledger(recording.owner_id) if e.purpose == "recording_disclosure"
    ]
    assert decisions == ["granted", "withdrawn"]
    assert len(page(recording.owner_id, None, 10)[0]) == 2  # the two uses, no more


def test_a_grant_ends_at_its_expiry_and_its_playback_never_outlives_it(
    world: World, recording: Recording, owner_password: str
) -> None:
    _share(world, recording, owner_password, expires_at="2026-05-31T12:03:00Z")
    grant_id, key = _link_of_last_email()
    status, body = _play(world, grant_id, key)
    assert status == 200, body
    assert body["expires_at"] == "2026-05-31T12:03:00Z"  # not the token's usual 5 minutes
    world.clock.move_to(NOW + timedelta(minutes=3))
    assert _play(world, grant_id, key)[0] == 404


def test_revoking_names_the_recording_of_the_grant(
    world: World, booking: dict[str, str], recording: Recording, owner_password: str
) -> None:
    other = store_recording(
        booking["id"], recording.owner_id, recording.consultant_id, later(booking["start"], 30)
    )
    _, grant = _share(world, recording, owner_password)
    path = f"/v1/recordings/{other.recording_id}/grants/{grant['id']}"
    assert world.call("DELETE", path, "owner_a")[0] == 404


def test_the_outbox_never_holds_the_link_and_a_resend_replaces_the_key(
    world: World, recording: Recording, owner_password: str
) -> None:
    from chalicelib.notifications.outbox import OutboxMessage, deliver

    assert _share(world, recording, owner_password)[0] == 201
    grant_id, first_key = _link_of_last_email()
    [record] = [m for m in OutboxMessage.scan() if m.address == RECIPIENT]
    assert first_key not in record.body
    assert "[link]" in record.body
    assert record.recipient_id == recording.owner_id  # erased with the owner's data

    # A second delivery of the same record (a retry) makes a new key: only its link works.
    record.update(actions=[OutboxMessage.status.set("failed")])
    deliver(record, NOW)
    sent = ses_backends[DEFAULT_ACCOUNT_ID][get_settings().region].sent_messages
    second_key = re.findall(r"#key=([\w-]+)", sent[-1].body)[-1]
    assert second_key != first_key
    assert _play(world, grant_id, first_key)[0] == 404
    assert _play(world, grant_id, second_key)[0] == 200


def test_a_share_revoked_before_its_e_mail_went_out_is_never_sent(
    world: World, recording: Recording, owner_password: str
) -> None:
    from chalicelib.notifications.outbox import OutboxMessage, deliver

    assert _share(world, recording, owner_password)[0] == 201
    grant_id, _ = _link_of_last_email()
    path = f"/v1/recordings/{recording.recording_id}/grants/{grant_id}"
    assert world.call("DELETE", path, "owner_a")[0] == 204
    [record] = [m for m in OutboxMessage.scan() if m.address == RECIPIENT]
    record.update(actions=[OutboxMessage.status.set("failed")])
    deliver(record, NOW)
    assert OutboxMessage.get(record.message_id).status == "dead"
    sent = ses_backends[DEFAULT_ACCOUNT_ID][get_settings().region].sent_messages
    assert len([m for m in sent if RECIPIENT in m.destinations.get("ToAddresses", [])]) == 1
