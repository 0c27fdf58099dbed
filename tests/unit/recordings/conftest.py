"""The recordings world: the bookings world, a live SFU node, stored recordings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.accounts.passwords import hash_password
from chalicelib.config import get_settings
from chalicelib.media_nodes.contract import MEDIA_NODES_TABLE
from chalicelib.recordings.stored import Recording
from media.registry import NodeInfo, NodeRegistry
from tests.unit.booking_world import TORONTO_MONDAY_9, World
from tests.unit.booking_world import world as world

OWNER_PASSWORD = "correct horse battery staple"


@pytest.fixture
def media_node(world: World) -> NodeRegistry:
    """One live SFU node, heartbeating as the clock moves (the world's clock is frozen)."""
    settings = get_settings()
    registry = NodeRegistry(
        settings.table_name(MEDIA_NODES_TABLE),
        settings.region,
        NodeInfo("sfu-1", "wss://sfu-1.vetpet.test", "203.0.113.1", capacity=10),
    )
    registry.heartbeat(live_rooms=0, draining=False)
    original = world.clock.move_to

    def move_to(when: datetime) -> None:
        original(when)
        registry.heartbeat(live_rooms=0, draining=False)

    world.clock.move_to = move_to
    return registry


@pytest.fixture
def booking(world: World) -> dict[str, str]:
    """A free (so confirmed) consultation of owner_a with vet_b."""
    status, body = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    assert status == 201, body
    return {"id": body["id"], "start": body["start"]}


@pytest.fixture
def owner_password(world: World) -> str:
    user = world.users["owner_a"]
    user.password_hash = hash_password(OWNER_PASSWORD)
    user.save()
    return OWNER_PASSWORD


def store_recording(
    booking_id: str,
    owner_id: str,
    consultant_id: str,
    started_at: datetime,
    *,
    status: str = "complete",
    minutes: int = 10,
) -> Recording:
    """A recording item as the media server writes it when its upload completes."""
    recording = Recording(
        f"rec_{uuid.uuid4().hex}",
        booking_id=booking_id,
        owner_id=owner_id,
        consultant_id=consultant_id,
        object_key=f"recordings/{owner_id}/{booking_id}/{uuid.uuid4().hex}.webm.enc",
        started_at=started_at,
        duration_s=minutes * 60,
        size_bytes=minutes * 1_000_000,
        status=status,
    )
    recording.save()
    return recording


def share(world: World, recording: Recording, password: str) -> None:
    """owner_a shares the recording with a second-opinion vet until 20 June 2026."""
    status, body = world.call(
        "POST",
        f"/v1/recordings/{recording.recording_id}/grants",
        "owner_a",
        {
            "recipient_email": "second@clinic.example",
            "purpose": "second opinion",
            "expires_at": "2026-06-20T00:00:00Z",
            "consent_text": "I agree.",
            "password": password,
        },
    )
    assert status == 201, body


def later(start: str, minutes: int) -> datetime:
    return datetime.fromisoformat(start.replace("Z", "+00:00")) + timedelta(minutes=minutes)


@pytest.fixture
def recordings_bucket(aws: None) -> Iterator[Any]:
    """The versioned recordings bucket, emptied after the test (and removed again if this
    test made it: the shared AWS has none)."""
    s3 = boto3.client("s3", region_name=get_settings().region)
    bucket = get_settings().recordings_bucket
    made = bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    if made:
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    yield s3
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
    if made:
        s3.delete_bucket(Bucket=bucket)


def versions_of(s3: Any, key: str) -> list[str]:
    """Every version id and delete marker of ``key`` in the recordings bucket."""
    listed = s3.list_object_versions(Bucket=get_settings().recordings_bucket, Prefix=key)
    found = [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]
    return [v["VersionId"] for v in found if v["Key"] == key]
