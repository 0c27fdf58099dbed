"""What the media server reads and writes about recordings, in the API's tables.

Reads: the booking's parties and end (whose key encrypts the recording, when it may be
purged), both sides' recording consent (`recording-consents`, polled while recording), a
stored recording and a written-consent grant (per playback request). Writes: the
`recordings` item, once a recording's upload has completed. Attribute names and formats
are those of the API's PynamoDB models (`chalicelib/recordings/`, `chalicelib/bookings/`).
The in-memory adapter is held to the same contract tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

import boto3

from chalicelib.store.expiry import PURGE, bucket_of
from media.dynamo import get_fields, read_time, stored_time

T = TypeVar("T")


@dataclass(frozen=True)
class Parties:
    owner_id: str
    consultant_id: str
    end: datetime


@dataclass(frozen=True)
class StoredRecording:
    recording_id: str
    booking_id: str
    owner_id: str
    consultant_id: str
    object_key: str
    started_at: datetime
    duration_s: float
    size_bytes: int
    status: str
    purge_at: datetime


class RecordingStore(Protocol):
    async def parties(self, booking_id: str) -> Parties | None: ...

    async def both_consent(self, booking_id: str) -> bool:
        """Whether owner and consultant both allow recording this booking right now."""
        ...

    async def save(self, recording: StoredRecording) -> None: ...

    async def find(self, recording_id: str) -> StoredRecording | None: ...

    async def grant_allows(self, grant_id: str, recording_id: str, now: datetime) -> bool:
        """Whether the grant exists, is not revoked nor expired, and is for this recording."""
        ...


class InMemoryRecordingStore:
    def __init__(self) -> None:
        self.bookings: dict[str, Parties] = {}
        self.consents: dict[str, tuple[bool, bool]] = {}
        self.recordings: dict[str, StoredRecording] = {}
        self.grants: dict[str, tuple[str, bool, datetime]] = {}

    async def parties(self, booking_id: str) -> Parties | None:
        return self.bookings.get(booking_id)

    async def both_consent(self, booking_id: str) -> bool:
        return all(self.consents.get(booking_id, (False, False)))

    async def save(self, recording: StoredRecording) -> None:
        self.recordings[recording.recording_id] = recording

    async def find(self, recording_id: str) -> StoredRecording | None:
        return self.recordings.get(recording_id)

    async def grant_allows(self, grant_id: str, recording_id: str, now: datetime) -> bool:
        grant = self.grants.get(grant_id)
        if grant is None:
            return False
        granted_recording, revoked, expires_at = grant
        return granted_recording == recording_id and not revoked and expires_at > now


@dataclass(frozen=True)
class RecordingTables:
    bookings: str
    consents: str
    recordings: str
    grants: str


class DynamoRecordingStore:
    """boto3 (honours AWS_ENDPOINT_URL); consistent reads, one plain put per recording."""

    def __init__(self, tables: RecordingTables, region: str) -> None:
        self._tables = tables
        self._client = boto3.client("dynamodb", region_name=region)

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, call, *args)

    def _parties(self, booking_id: str) -> Parties | None:
        item = get_fields(
            self._client,
            self._tables.bookings,
            ("booking_id", booking_id),
            ["owner_id", "consultant_id", "end"],
        )
        if not item:
            return None
        return Parties(
            item["owner_id"]["S"], item["consultant_id"]["S"], read_time(item["end"]["S"])
        )

    def _both_consent(self, booking_id: str) -> bool:
        item = get_fields(
            self._client,
            self._tables.consents,
            ("booking_id", booking_id),
            ["owner_granted", "consultant_granted"],
        )
        return all(
            item.get(f, {}).get("BOOL") is True for f in ("owner_granted", "consultant_granted")
        )

    def _save(self, recording: StoredRecording) -> None:
        self._client.put_item(
            TableName=self._tables.recordings,
            Item={
                "recording_id": {"S": recording.recording_id},
                "booking_id": {"S": recording.booking_id},
                "owner_id": {"S": recording.owner_id},
                "consultant_id": {"S": recording.consultant_id},
                "object_key": {"S": recording.object_key},
                "started_at": {"S": stored_time(recording.started_at)},
                "duration_s": {"N": str(round(recording.duration_s, 3))},
                "size_bytes": {"N": str(recording.size_bytes)},
                "status": {"S": recording.status},
                "purge_bucket": {"S": bucket_of(PURGE, recording.purge_at)},
                "purge_at": {"S": stored_time(recording.purge_at)},
            },
            ConditionExpression="attribute_not_exists(recording_id)",
        )

    def _find(self, recording_id: str) -> StoredRecording | None:
        fields = [
            "booking_id",
            "owner_id",
            "consultant_id",
            "object_key",
            "started_at",
            "duration_s",
            "size_bytes",
            "status",
            "purge_at",
        ]
        item = get_fields(
            self._client, self._tables.recordings, ("recording_id", recording_id), fields
        )
        if not item:
            return None
        return StoredRecording(
            recording_id=recording_id,
            booking_id=item["booking_id"]["S"],
            owner_id=item["owner_id"]["S"],
            consultant_id=item["consultant_id"]["S"],
            object_key=item["object_key"]["S"],
            started_at=read_time(item["started_at"]["S"]),
            duration_s=float(item["duration_s"]["N"]),
            size_bytes=int(item["size_bytes"]["N"]),
            status=item["status"]["S"],
            purge_at=read_time(item["purge_at"]["S"]),
        )

    def _grant_allows(self, grant_id: str, recording_id: str, now: datetime) -> bool:
        item = get_fields(
            self._client,
            self._tables.grants,
            ("grant_id", grant_id),
            ["recording_id", "revoked", "expires_at"],
        )
        return (
            bool(item)
            and item["recording_id"]["S"] == recording_id
            and item.get("revoked", {}).get("BOOL", False) is False
            and read_time(item["expires_at"]["S"]) > now
        )

    async def parties(self, booking_id: str) -> Parties | None:
        return await self._run(self._parties, booking_id)

    async def both_consent(self, booking_id: str) -> bool:
        return await self._run(self._both_consent, booking_id)

    async def save(self, recording: StoredRecording) -> None:
        await self._run(self._save, recording)

    async def find(self, recording_id: str) -> StoredRecording | None:
        return await self._run(self._find, recording_id)

    async def grant_allows(self, grant_id: str, recording_id: str, now: datetime) -> bool:
        return await self._run(self._grant_allows, grant_id, recording_id, now)
