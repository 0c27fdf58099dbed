"""Crypto-shredding (P10, P17): erasing an owner destroys their recordings key, so a
ciphertext kept aside (a backup, an old object version) no longer decrypts; export
lists the owner's recordings, shares and consent pairs."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from cryptography.exceptions import InvalidTag

from chalicelib.config import get_settings
from chalicelib.media_nodes.contract import RECORDING_KEYS_TABLE
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.registry import holders
from chalicelib.recordings.errors import RecordingKeyShredded, RecordingUnreadable
from chalicelib.recordings.models import RecordingConsent, RecordingGrant
from chalicelib.recordings.personal_data import recordings
from chalicelib.recordings.stored import Recording
from chalicelib.recordings.vault import OwnerKeys, RecordingScope, Vault
from tests.unit.booking_world import World
from tests.unit.recordings.conftest import later, share, store_recording, versions_of

pytestmark = pytest.mark.usefixtures("media_node")
PLAINTEXT = b"\x1a\x45\xdf\xa3" + b"consultation video frames " * 4000


@pytest.fixture
def vault(recordings_bucket: Any) -> Vault:
    settings = get_settings()
    kms = boto3.client("kms", region_name=settings.region)
    return Vault(
        keys=OwnerKeys(
            boto3.client("dynamodb", region_name=settings.region),
            settings.table_name(RECORDING_KEYS_TABLE),
        ),
        kms=kms,
        s3=recordings_bucket,
        bucket=settings.recordings_bucket,
        key_arn=kms.create_key(Description="recordings")["KeyMetadata"]["Arn"],
    )


def test_erasure_shreds_the_key_so_a_kept_ciphertext_never_decrypts(
    world: World,
    booking: dict[str, str],
    vault: Vault,
    recordings_bucket: Any,
    owner_password: str,
) -> None:
    owner = world.users["owner_a"]
    recording = store_recording(
        booking["id"], owner.user_id, world.users["vet_b"].user_id, later(booking["start"], 2)
    )
    scope = RecordingScope(booking["id"], owner.user_id)
    vault.upload(recording.object_key, io.BytesIO(PLAINTEXT), scope)
    assert b"".join(vault.decrypt(recording.object_key, scope)) == PLAINTEXT
    bucket = get_settings().recordings_bucket
    kept = recordings_bucket.get_object(Bucket=bucket, Key=recording.object_key)["Body"].read()
    world.call(
        "PUT", f"/v1/bookings/{booking['id']}/recording-consent", "owner_a", {"granted": True}
    )
    share(world, recording, owner_password)

    subject = Subject(owner.user_id, owner.email, "owner", owner.name)
    recordings.erase(subject, datetime.now(UTC))
    recordings.erase(subject, datetime.now(UTC))  # safe to repeat

    assert versions_of(recordings_bucket, recording.object_key) == []
    assert Recording.count(recording.recording_id) == 0
    assert list(RecordingGrant.scan()) == []
    assert list(RecordingConsent.scan()) == []
    # A copy kept aside (a backup, an old version) comes back: it does not decrypt.
    recordings_bucket.put_object(Bucket=bucket, Key=recording.object_key, Body=kept)
    with pytest.raises(RecordingKeyShredded):
        b"".join(vault.decrypt(recording.object_key, scope))
    # Nor under a new key made for the same owner id: the old key is gone for good (the
    # wrong key fails the data key's authentication tag).
    vault.data_key(owner.user_id, create=True)
    with pytest.raises((RecordingUnreadable, InvalidTag)):
        b"".join(vault.decrypt(recording.object_key, scope))


def test_export_lists_recordings_shares_and_consents(
    world: World, booking: dict[str, str], owner_password: str
) -> None:
    owner = world.users["owner_a"]
    recording = store_recording(
        booking["id"], owner.user_id, world.users["vet_b"].user_id, later(booking["start"], 2)
    )
    world.call(
        "PUT", f"/v1/bookings/{booking['id']}/recording-consent", "owner_a", {"granted": True}
    )
    share(world, recording, owner_password)

    exported = recordings.export(Subject(owner.user_id, owner.email, "owner", owner.name))
    assert [r["id"] for r in exported["recordings"]] == [recording.recording_id]
    [grant] = exported["recording_grants"]
    assert (grant["recording_id"], grant["recipient_email"]) == (
        recording.recording_id,
        "second@clinic.example",
    )
    assert exported["recording_consents"] == [
        {
            "booking_id": booking["id"],
            "owner_granted": True,
            "consultant_granted": False,
            "updated_at": "2026-05-31T12:00:00Z",
        }
    ]
    other = world.users["owner_b"]
    assert recordings.export(Subject(other.user_id, other.email, "owner", other.name)) == {
        "recordings": [],
        "recording_grants": [],
        "recording_consents": [],
    }


def test_the_recordings_holder_is_registered() -> None:
    assert recordings in holders()


def test_a_consultants_erasure_unlinks_them_from_the_owners_recordings(
    world: World, booking: dict[str, str]
) -> None:
    owner, vet = world.users["owner_a"], world.users["vet_b"]
    recording = store_recording(
        booking["id"], owner.user_id, vet.user_id, later(booking["start"], 2)
    )
    recordings.erase(Subject(vet.user_id, vet.email, "vet", vet.name), datetime.now(UTC))
    kept = Recording.get(recording.recording_id)
    assert (kept.owner_id, kept.consultant_id) == (owner.user_id, "erased")
    assert (
        world.call("POST", f"/v1/recordings/{recording.recording_id}/playback", "owner_a")[0] == 200
    )
