"""Retention (P9): a recording is kept for `recording_retention` after the consultation,
then the sweep deletes every version of its object, its shares and its item."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.config import get_settings
from chalicelib.jobs import retention
from chalicelib.recordings.models import RecordingGrant
from chalicelib.recordings.stored import Recording
from chalicelib.store.expiry import schedule_purge
from tests.unit.booking_world import World
from tests.unit.recordings.conftest import later, share, store_recording, versions_of

pytestmark = pytest.mark.usefixtures("media_node")


def test_a_recording_past_retention_goes_with_every_version_and_share(
    world: World, booking: dict[str, str], recordings_bucket: Any, owner_password: str
) -> None:
    owner, vet = world.users["owner_a"].user_id, world.users["vet_b"].user_id
    recording = store_recording(booking["id"], owner, vet, later(booking["start"], 2))
    deadline = later(booking["start"], 45) + get_settings().recording_retention
    schedule_purge(recording, deadline).save()
    bucket = get_settings().recordings_bucket
    for body in (b"first upload", b"second upload"):
        recordings_bucket.put_object(Bucket=bucket, Key=recording.object_key, Body=body)
    share(world, recording, owner_password)
    assert len(versions_of(recordings_bucket, recording.object_key)) == 2

    early = retention.run(deadline - timedelta(hours=1))
    assert early["purged_recordings"] == 0
    assert Recording.count(recording.recording_id) == 1

    counts = retention.run(deadline + timedelta(hours=1))
    assert counts["purged_recordings"] == 1
    assert versions_of(recordings_bucket, recording.object_key) == []
    assert Recording.count(recording.recording_id) == 0
    assert list(RecordingGrant.scan()) == []
