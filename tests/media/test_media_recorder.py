"""Recording: consent-gated, muxed from forwarded VP8/Opus into WebM without decoding."""

from __future__ import annotations

import asyncio
import io

import av
import pytest
from conftest import MemorySink
from media_support import Client, KeyPair, wait_for

from media.recording_store import InMemoryRecordingStore
from media.signalling import MediaServer

pytestmark = pytest.mark.asyncio


def _count_frames(data: bytes) -> dict[str, int]:
    counts = {"video": 0, "audio": 0}
    with av.open(io.BytesIO(data)) as container:
        assert {s.codec_context.name for s in container.streams} == {"vp8", "opus"}
        for frame in container.decode(*container.streams):
            counts["video" if isinstance(frame, av.VideoFrame) else "audio"] += 1
    return counts


def _consenting_pair(base_url: str, keys: KeyPair) -> list[Client]:
    """Two participants of booking-1 whose tokens allow recording."""
    return [
        Client(base_url, "booking-1", keys.token(room="booking-1", sub=f"u{i}", rec=True))
        for i in range(2)
    ]


async def _start_recording(server: MediaServer, clients: list[Client]) -> None:
    """Join both, wait for media to flow both ways, start recording."""
    for client in clients:
        assert await client.join()
    names = [server.rooms["booking-1"].public_id(f"u{i}") for i in range(2)]
    await wait_for(
        lambda: all(c.decoded[(names[1 - i], "video")] >= 10 for i, c in enumerate(clients)),
        30,
        "media to flow",
    )
    await clients[0].send({"type": "record", "action": "start"})
    await clients[0].wait_message(lambda m: m == {"type": "recording", "state": "started"})


@pytest.mark.timeout(90)
async def test_recording_webm_has_the_forwarded_frames(
    keys: KeyPair,
    media_server: tuple[MediaServer, str],
    sinks: dict[str, MemorySink],
    recording_store: InMemoryRecordingStore,
) -> None:
    server, base_url = media_server
    recording_store.consents["booking-1"] = (True, True)
    clients = _consenting_pair(base_url, keys)
    try:
        await _start_recording(server, clients)
        start = {
            "video": sum(c.video.frames_sent for c in clients),
            "audio": sum(c.audio.frames_sent for c in clients),
        }
        first = clients[0].video.frames_sent
        await wait_for(lambda: clients[0].video.frames_sent >= first + 120, 30, "4 s of media")
        await clients[1].send({"type": "record", "action": "stop"})
        await clients[0].wait_message(lambda m: m.get("state") == "stopped")
        saved = await clients[1].wait_message(lambda m: m.get("state") == "saved")
        expected = {
            "video": sum(c.video.frames_sent for c in clients) - start["video"],
            "audio": sum(c.audio.frames_sent for c in clients) - start["audio"],
        }
    finally:
        for client in clients:
            await client.close()
    sink = sinks["booking-1"]
    assert sink.closed
    assert saved["recording"] == sink.recording_id
    assert not sink.withdrawn
    counts = _count_frames(b"".join(sink.chunks))
    for kind in ("video", "audio"):
        assert abs(counts[kind] - expected[kind]) <= 0.05 * expected[kind], (counts, expected)


async def test_recording_needs_everyones_consent(
    keys: KeyPair, media_server: tuple[MediaServer, str], sinks: dict[str, MemorySink]
) -> None:
    _, base_url = media_server
    consenting = Client(base_url, "booking-1", keys.token(room="booking-1", sub="a", rec=True))
    refusing = Client(base_url, "booking-1", keys.token(room="booking-1", sub="b", rec=False))
    try:
        assert await consenting.join()
        assert await refusing.join()
        await consenting.send({"type": "record", "action": "start"})
        reply = await consenting.wait_message(lambda m: m["type"] == "recording")
        assert reply == {"type": "recording", "state": "refused", "reason": "consent"}
        assert sinks == {}
    finally:
        await consenting.close()
        await refusing.close()


@pytest.mark.timeout(90)
async def test_withdrawal_mid_call_stops_within_two_seconds_and_keeps_what_was_recorded(
    keys: KeyPair,
    media_server: tuple[MediaServer, str],
    sinks: dict[str, MemorySink],
    recording_store: InMemoryRecordingStore,
) -> None:
    server, base_url = media_server
    recording_store.consents["booking-1"] = (True, True)
    clients = _consenting_pair(base_url, keys)
    loop = asyncio.get_running_loop()
    try:
        await _start_recording(server, clients)
        first = clients[0].video.frames_sent
        await wait_for(lambda: clients[0].video.frames_sent >= first + 60, 30, "2 s of media")

        recording_store.consents["booking-1"] = (True, False)  # the consultant withdraws
        withdrawn_at = loop.time()
        stopped = [
            await c.wait_message(lambda m: m.get("state") == "stopped", timeout=5) for c in clients
        ]
        told_within = loop.time() - withdrawn_at
        saved = await clients[0].wait_message(lambda m: m.get("state") == "saved")
    finally:
        for client in clients:
            await client.close()
    assert told_within <= 2.0
    assert all(m["reason"] == "consent withdrawn" for m in stopped)
    sink = sinks["booking-1"]
    assert sink.withdrawn
    assert saved["recording"] == sink.recording_id
    assert _count_frames(b"".join(sink.chunks))["video"] >= 30


async def test_recording_waits_for_both_sides_consent_in_the_booking(
    keys: KeyPair,
    media_server: tuple[MediaServer, str],
    sinks: dict[str, MemorySink],
    recording_store: InMemoryRecordingStore,
) -> None:
    _, base_url = media_server
    recording_store.consents["booking-1"] = (True, False)
    clients = _consenting_pair(base_url, keys)
    try:
        for client in clients:
            assert await client.join()
        await clients[0].send({"type": "record", "action": "start"})
        reply = await clients[0].wait_message(lambda m: m["type"] == "recording")
    finally:
        for client in clients:
            await client.close()
    assert reply == {"type": "recording", "state": "refused", "reason": "consent"}
    assert sinks == {}
