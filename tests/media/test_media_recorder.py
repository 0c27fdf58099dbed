"""Recording: consent-gated, muxed from forwarded VP8/Opus into WebM without decoding."""

from __future__ import annotations

import io

import av
import pytest
from conftest import MemorySink
from media_support import Client, KeyPair, wait_for

from media.signalling import MediaServer

pytestmark = pytest.mark.asyncio


def _count_frames(data: bytes) -> dict[str, int]:
    counts = {"video": 0, "audio": 0}
    with av.open(io.BytesIO(data)) as container:
        assert {s.codec_context.name for s in container.streams} == {"vp8", "opus"}
        for frame in container.decode(*container.streams):
            counts["video" if isinstance(frame, av.VideoFrame) else "audio"] += 1
    return counts


@pytest.mark.timeout(90)
async def test_recording_webm_has_the_forwarded_frames(
    keys: KeyPair, media_server: tuple[MediaServer, str], sinks: dict[str, MemorySink]
) -> None:
    server, base_url = media_server
    clients = [
        Client(base_url, "booking-1", keys.token(room="booking-1", sub=f"u{i}", rec=True))
        for i in range(2)
    ]
    try:
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
        start = {
            "video": sum(c.video.frames_sent for c in clients),
            "audio": sum(c.audio.frames_sent for c in clients),
        }
        first = clients[0].video.frames_sent
        await wait_for(lambda: clients[0].video.frames_sent >= first + 120, 30, "4 s of media")
        await clients[1].send({"type": "record", "action": "stop"})
        await clients[0].wait_message(lambda m: m.get("state") == "stopped")
        expected = {
            "video": sum(c.video.frames_sent for c in clients) - start["video"],
            "audio": sum(c.audio.frames_sent for c in clients) - start["audio"],
        }
    finally:
        for client in clients:
            await client.close()
    sink = sinks["booking-1"]
    assert sink.closed
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
