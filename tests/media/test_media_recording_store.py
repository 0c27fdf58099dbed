"""The media server's recordings store: the DynamoDB adapter against the items the API's
models really write (and read back what it writes), the in-memory one held to the same
contract; and the encrypting sink that stores a recording through it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from recording_world import END, aws_vault, dynamo_store, put_booking

from chalicelib.config import get_settings
from chalicelib.recordings.models import RecordingConsent, RecordingGrant
from chalicelib.recordings.stored import Recording
from chalicelib.recordings.vault import RecordingScope, Vault
from chalicelib.store.expiry import PURGE, bucket_of
from media.recording_sink import RecordingFailedError, VaultSink
from media.recording_store import (
    InMemoryRecordingStore,
    Parties,
    RecordingStore,
    StoredRecording,
)

pytestmark = pytest.mark.asyncio
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
EBML = b"\x1a\x45\xdf\xa3"


@dataclass
class Seeded:
    """A store, and how to put into it what the API would have written."""

    store: RecordingStore
    booking: Callable[[str, str, str], None]
    consent: Callable[[str, bool, bool], None]
    grant: Callable[[str, str, bool, datetime], None]


def _dynamo_seeded() -> Seeded:
    def booking(booking_id: str, owner: str, consultant: str) -> None:
        put_booking(booking_id, owner, consultant)

    def consent(booking_id: str, owner: bool, consultant: bool) -> None:
        RecordingConsent(
            booking_id,
            owner_id="owner-1",
            owner_granted=owner,
            consultant_granted=consultant,
            updated_at=NOW,
        ).save()

    def grant(grant_id: str, recording_id: str, revoked: bool, expires_at: datetime) -> None:
        RecordingGrant(
            grant_id,
            recording_id=recording_id,
            booking_id="b-1",
            owner_id="owner-1",
            recipient_email="vet2@example.test",
            purpose="second opinion",
            expires_at=expires_at,
            revoked=revoked,
            consent_hash="0" * 64,
            consent_event_id="e-1",
            key_digest="1" * 64,
            created_at=NOW,
        ).save()

    return Seeded(dynamo_store(), booking, consent, grant)


def _memory_seeded() -> Seeded:
    store = InMemoryRecordingStore()

    def booking(booking_id: str, owner: str, consultant: str) -> None:
        store.bookings[booking_id] = Parties(owner, consultant, END)

    def consent(booking_id: str, owner: bool, consultant: bool) -> None:
        store.consents[booking_id] = (owner, consultant)

    def grant(grant_id: str, recording_id: str, revoked: bool, expires_at: datetime) -> None:
        store.grants[grant_id] = (recording_id, revoked, expires_at)

    return Seeded(store, booking, consent, grant)


@pytest.fixture(params=["dynamo", "memory"])
def seeded(request: pytest.FixtureRequest) -> Iterator[Seeded]:
    for _ in aws_vault():
        yield _dynamo_seeded() if request.param == "dynamo" else _memory_seeded()


async def test_parties_of_a_booking(seeded: Seeded) -> None:
    seeded.booking("b-1", "owner-1", "vet-1")
    assert await seeded.store.parties("b-1") == Parties("owner-1", "vet-1", END)
    assert await seeded.store.parties("b-2") is None


@pytest.mark.parametrize(
    ("owner", "consultant", "both"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
async def test_both_sides_must_consent(
    seeded: Seeded, owner: bool, consultant: bool, both: bool
) -> None:
    assert await seeded.store.both_consent("b-1") is False  # nothing decided yet
    seeded.consent("b-1", owner, consultant)
    assert await seeded.store.both_consent("b-1") is both


def _recording(recording_id: str = "r-1") -> StoredRecording:
    return StoredRecording(
        recording_id=recording_id,
        booking_id="b-1",
        owner_id="owner-1",
        consultant_id="vet-1",
        object_key="bookings/b-1/r-1",
        started_at=NOW,
        duration_s=12.5,
        size_bytes=12345,
        status="complete",
        purge_at=END + timedelta(days=1096),
    )


async def test_a_saved_recording_is_found(seeded: Seeded) -> None:
    await seeded.store.save(_recording())
    assert await seeded.store.find("r-1") == _recording()
    assert await seeded.store.find("r-2") is None


@pytest.mark.parametrize(
    ("recording_id", "revoked", "expires_in", "allows"),
    [
        ("r-1", False, timedelta(days=1), True),
        ("r-1", True, timedelta(days=1), False),
        ("r-1", False, timedelta(seconds=-1), False),
        ("r-2", False, timedelta(days=1), False),
    ],
)
async def test_a_grant_allows_only_its_recording_while_live(
    seeded: Seeded, recording_id: str, revoked: bool, expires_in: timedelta, allows: bool
) -> None:
    seeded.grant("g-1", recording_id, revoked, NOW + expires_in)
    assert await seeded.store.grant_allows("g-1", "r-1", NOW) is allows
    assert await seeded.store.grant_allows("g-2", "r-1", NOW) is False


@pytest.fixture
def vault() -> Iterator[Vault]:
    yield from aws_vault()


async def test_the_saved_item_is_the_apis_recording_model(vault: Vault) -> None:
    await dynamo_store().save(_recording())
    item = Recording.get("r-1")
    assert (item.booking_id, item.owner_id, item.consultant_id) == ("b-1", "owner-1", "vet-1")
    assert (item.started_at, item.duration_s, item.size_bytes) == (NOW, 12.5, 12345)
    assert item.purge_at == END + timedelta(days=1096)
    assert item.purge_bucket == bucket_of(PURGE, END + timedelta(days=1096))
    assert [r.recording_id for r in Recording.by_booking.query("b-1")] == ["r-1"]


@pytest.mark.parametrize("withdrawn", [False, True])
async def test_the_sink_stores_an_encrypted_recording_and_its_item(
    vault: Vault, withdrawn: bool
) -> None:
    put_booking("b-1", "owner-1", "vet-1")
    webm = EBML + bytes(range(256)) * 3000
    sink = VaultSink("b-1", vault, dynamo_store(), timedelta(days=1096))
    for at in range(0, len(webm), 1000):
        await sink.write(webm[at : at + 1000])
    if withdrawn:
        sink.mark_withdrawn()
    await sink.close()

    item = Recording.get(sink.recording_id)
    settings = get_settings()
    stored = (
        boto3.client("s3", region_name=settings.region)
        .get_object(Bucket=settings.recordings_bucket, Key=item.object_key)["Body"]
        .read()
    )
    assert EBML not in stored
    assert item.size_bytes == len(webm)
    assert item.status == ("withdrawn" if withdrawn else "complete")
    assert item.purge_at == END + timedelta(days=1096)
    scope = RecordingScope("b-1", "owner-1")
    assert b"".join(vault.decrypt(item.object_key, scope)) == webm


async def test_a_sink_for_an_unknown_booking_stores_nothing(vault: Vault) -> None:
    sink = VaultSink("b-unknown", vault, dynamo_store(), timedelta(days=1))
    await sink.write(EBML + b"x" * 100)
    with pytest.raises(RecordingFailedError):
        await sink.close()
    await sink.write(b"more")  # a late chunk is dropped, not an error
    settings = get_settings()
    s3 = boto3.client("s3", region_name=settings.region)
    assert s3.list_objects_v2(Bucket=settings.recordings_bucket)["KeyCount"] == 0
    assert list(Recording.scan()) == []


async def test_more_recordings_than_executor_workers_all_complete(vault: Vault) -> None:
    """Uploads last as long as their recordings: they must not hold the loop's executor
    workers that the recorders' writes need."""
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=2))
    store = dynamo_store()
    sinks = []
    for i in range(5):
        put_booking(f"b-{i}", f"owner-{i}", "vet-1")
        sinks.append(VaultSink(f"b-{i}", vault, store, timedelta(days=1)))
    for _ in range(40):
        for sink in sinks:
            await asyncio.wait_for(sink.write(EBML + bytes(8192)), 10)
    await asyncio.wait_for(asyncio.gather(*(sink.close() for sink in sinks)), 60)
    assert sorted(r.booking_id for r in Recording.scan()) == [f"b-{i}" for i in range(5)]
