"""StreamForwarder over real aiortc peer connections: legs start on a keyframe, renumbered."""

from __future__ import annotations

import asyncio

import pytest
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection
from media_support import wait_for

from media.aiortc_bridge import InboundTap, ParkedTrack, RtpPacket
from media.forwarder import StreamForwarder
from media.room import forwarded_codecs

pytestmark = pytest.mark.asyncio

KEYFRAME = b"\x10\x00\x9d\x01\x2a" + bytes(300)  # S bit, partition 0, P bit clear
INTERFRAME = b"\x10\x01" + bytes(300)


@pytest.mark.timeout(60)
async def test_leg_waits_for_keyframe_then_forwards_renumbered() -> None:
    config = RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    sfu, subscriber = RTCPeerConnection(config), RTCPeerConnection(config)
    clock_reads: list[float] = []

    def monotonic() -> float:
        clock_reads.append(0.0)
        return 100.0 * len(clock_reads)  # every keyframe request is past the rate limit

    received: list[RtpPacket] = []
    arrived = asyncio.Event()

    async def on_packet(packet: RtpPacket) -> None:
        received.append(packet)
        arrived.set()

    try:
        publisher_side = sfu.addTransceiver("video", direction="recvonly")
        forwarder = StreamForwarder("video", publisher_side.receiver, monotonic=monotonic)
        leg = sfu.addTransceiver(ParkedTrack("video"), direction="sendonly")
        for transceiver in (publisher_side, leg):
            transceiver.setCodecPreferences(forwarded_codecs("video"))
        forwarder.add_leg("sub", leg)
        await sfu.setLocalDescription(await sfu.createOffer())
        await subscriber.setRemoteDescription(sfu.localDescription)
        receiving = next(t for t in subscriber.getTransceivers() if t.mid == leg.mid)
        InboundTap(receiving.receiver, on_packet)
        await subscriber.setLocalDescription(await subscriber.createAnswer())
        await sfu.setRemoteDescription(subscriber.localDescription)
        deadline = asyncio.get_running_loop().time() + 20
        while leg.sender.transport.state != "connected":  # no completion event to await
            assert asyncio.get_running_loop().time() < deadline, "leg never connected"
            await asyncio.sleep(0.05)

        def packet(sequence_number: int, timestamp: int, payload: bytes) -> RtpPacket:
            return RtpPacket(
                payload_type=96,
                sequence_number=sequence_number,
                timestamp=timestamp,
                ssrc=42,
                payload=payload,
            )

        await forwarder.on_packet(packet(10, 1000, INTERFRAME))
        assert len(clock_reads) == 1  # a keyframe was requested, nothing forwarded
        await forwarder.on_packet(packet(11, 4000, KEYFRAME))
        await forwarder.on_packet(packet(12, 7000, INTERFRAME))
        while len(received) < 2:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 10)
        first, second = received
        assert (first.payload, second.payload) == (KEYFRAME, INTERFRAME)
        assert second.sequence_number == (first.sequence_number + 1) & 0xFFFF
        assert first.sequence_number < 0x8000
        assert second.timestamp == (first.timestamp + 3000) & 0xFFFFFFFF
        assert first.ssrc == second.ssrc == leg.sender._ssrc
        assert first.extensions.mid == leg.mid
        assert len(clock_reads) == 1
    finally:
        await sfu.close()
        await subscriber.close()


async def test_keyframe_request_inside_the_interval_is_deferred_not_dropped() -> None:
    pc = RTCPeerConnection()
    now = [10.0]
    forwarder = StreamForwarder(
        "video", pc.addTransceiver("video", direction="recvonly").receiver, monotonic=lambda: now[0]
    )
    plis: list[float] = []

    async def send_pli() -> None:
        plis.append(now[0])

    forwarder._inbound.send_pli = send_pli  # type: ignore[method-assign]
    try:
        await forwarder.request_keyframe()
        assert plis == [10.0]
        now[0] = 10.999  # 1 ms before the interval ends: these two coalesce into one PLI
        await forwarder.request_keyframe()
        await forwarder.request_keyframe()
        assert plis == [10.0]
        now[0] = 11.0
        await wait_for(lambda: len(plis) == 2, 5, "the deferred PLI")
        assert plis == [10.0, 11.0]
        now[0] = 11.5  # an explicit request (recording start) skips the interval
        await forwarder.request_keyframe(now=True)
        assert plis == [10.0, 11.0, 11.5]
    finally:
        await pc.close()
