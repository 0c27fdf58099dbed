"""H.264 (packetization mode 1) is forwarded like VP8: keyframes found for new legs, the
publisher's codec kept on every subscriber leg."""

from __future__ import annotations

import pytest
from media_support import Client, KeyPair, wait_for

from media.aiortc_bridge import negotiated_codec
from media.h264 import is_keyframe_start
from media.signalling import MediaServer

SPS = bytes([0x67, 0x42, 0x00, 0x1F])
PPS = bytes([0x68, 0xCE, 0x38, 0x80])
IDR = bytes([0x65, 0x88, 0x84])
SLICE = bytes([0x41, 0x9A, 0x02])


def _stap_a(*nals: bytes) -> bytes:
    return bytes([0x78]) + b"".join(len(n).to_bytes(2, "big") + n for n in nals)


def _fu_a(nal: bytes, *, start: bool) -> bytes:
    indicator = (nal[0] & 0xE0) | 28
    header = (0x80 if start else 0x00) | (nal[0] & 0x1F)
    return bytes([indicator, header]) + nal[1:]


@pytest.mark.parametrize(
    ("payload", "keyframe"),
    [
        (SPS, True),
        (IDR, True),
        (SLICE, False),
        (PPS, False),
        (_stap_a(SPS, PPS), True),
        (_stap_a(PPS, SLICE), False),
        (_fu_a(IDR, start=True), True),
        (_fu_a(IDR, start=False), False),
        (_fu_a(SLICE, start=True), False),
        (b"", False),
        (bytes([0x78, 0x00]), False),
    ],
)
def test_h264_keyframe_starts(payload: bytes, keyframe: bool) -> None:
    assert is_keyframe_start(payload) is keyframe


@pytest.mark.asyncio
@pytest.mark.timeout(120)
@pytest.mark.parametrize("h264_joins_first", [True, False])
async def test_h264_publisher_is_forwarded_with_its_codec(
    h264_joins_first: bool, keys: KeyPair, media_server: tuple[MediaServer, str]
) -> None:
    """Joining second, the H.264 publisher's legs exist before it picks its codec: they
    are renegotiated to H.264 once it has."""
    server, base_url = media_server
    h264 = Client(
        base_url, "booking-1", keys.token(room="booking-1", sub="u0"), video_codec="video/H264"
    )
    vp8 = Client(base_url, "booking-1", keys.token(room="booking-1", sub="u1"))
    clients = [h264, vp8]
    try:
        for client in clients if h264_joins_first else reversed(clients):
            assert await client.join()
        room = server.rooms["booking-1"]
        names = [room.public_id(f"u{i}") for i in range(2)]
        await wait_for(
            lambda: all(c.decoded[(names[1 - i], "video")] >= 20 for i, c in enumerate(clients)),
            90,
            "both videos to be decoded",
        )
        publisher, subscriber = room.participants["u0"], room.participants["u1"]
        assert negotiated_codec(publisher.publish["video"]) == "video/H264"
        assert negotiated_codec(subscriber.subscriptions[(names[0], "video")]) == "video/H264"
        assert negotiated_codec(subscriber.publish["video"]) == "video/VP8"
        assert negotiated_codec(publisher.subscriptions[(names[1], "video")]) == "video/VP8"
    finally:
        for client in clients:
            await client.close()


@pytest.mark.asyncio
@pytest.mark.timeout(120)
async def test_recording_a_call_with_an_h264_publisher_is_refused(
    keys: KeyPair, media_server: tuple[MediaServer, str]
) -> None:
    server, base_url = media_server
    clients = [
        Client(
            base_url,
            "booking-1",
            keys.token(room="booking-1", sub=f"u{i}", rec=True),
            video_codec="video/H264" if i == 0 else None,
        )
        for i in range(2)
    ]
    try:
        for client in clients:
            assert await client.join()
        room = server.rooms["booking-1"]
        await wait_for(
            lambda: negotiated_codec(room.participants["u0"].publish["video"]) == "video/H264",
            30,
            "the H.264 publisher to negotiate",
        )
        await clients[1].send({"type": "record", "action": "start"})
        refused = await clients[1].wait_message(lambda m: m["type"] == "recording")
        assert refused == {"type": "recording", "state": "refused", "reason": "codec"}
    finally:
        for client in clients:
            await client.close()
