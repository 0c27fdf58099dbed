"""Fails loudly when an aiortc upgrade breaks the internals media/aiortc_bridge.py hooks."""

from __future__ import annotations

import asyncio

import aioice
import aiortc
import pytest
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection

from media import aiortc_bridge
from media.aiortc_bridge import (
    BridgeIncompatibleError,
    InboundTap,
    OutboundTap,
    ParkedTrack,
    RtpPacket,
    SourcePacket,
    check_compatibility,
)
from media.room import forwarded_codecs
from media.rtp_rewrite import ntp_now

pytestmark = pytest.mark.asyncio


def test_requirements_pin_the_bridged_aiortc_version() -> None:
    from pathlib import Path

    requirements = (Path(aiortc_bridge.__file__).parent / "requirements.txt").read_text()
    assert f"aiortc=={aiortc_bridge.AIORTC_VERSION}" in requirements.splitlines()
    assert f"aioice=={aiortc_bridge.AIOICE_VERSION}" in requirements.splitlines()


async def test_installed_aiortc_has_every_hooked_internal() -> None:
    pc = RTCPeerConnection()
    try:
        check_compatibility(pc.addTransceiver(ParkedTrack("video"), direction="sendonly"))
    finally:
        await pc.close()


@pytest.mark.parametrize("module", [aioice, aiortc], ids=["aioice", "aiortc"])
async def test_other_pinned_version_is_refused(
    monkeypatch: pytest.MonkeyPatch, module: object
) -> None:
    monkeypatch.setattr(module, "__version__", "9.9.9")
    pc = RTCPeerConnection()
    try:
        with pytest.raises(BridgeIncompatibleError):
            check_compatibility(pc.addTransceiver("video"))
    finally:
        await pc.close()


async def test_taps_replace_aiortc_handlers() -> None:
    pc = RTCPeerConnection()
    seen: list[RtpPacket] = []

    async def on_packet(packet: RtpPacket) -> None:
        seen.append(packet)

    async def on_feedback(feedback: object) -> None:
        raise AssertionError("no feedback expected")

    try:
        transceiver = pc.addTransceiver("video", direction="sendrecv")
        InboundTap(transceiver.receiver, on_packet)
        OutboundTap(transceiver, on_feedback)
        packet = RtpPacket(payload_type=97, sequence_number=1, timestamp=1, ssrc=5, payload=b"x")
        # Before negotiation the codec is unknown: the tap drops it, aiortc never sees it.
        await transceiver.receiver._handle_rtp_packet(packet, arrival_time_ms=0)
        assert seen == []
        assert transceiver.receiver._handle_rtp_packet.__self__.__class__ is InboundTap  # type: ignore[attr-defined]
    finally:
        await pc.close()


@pytest.mark.timeout(60)
async def test_outbound_tap_sends_srtp_a_real_peer_decrypts() -> None:
    """Packets written by OutboundTap reach a real aiortc peer over DTLS-SRTP, renumbered."""
    config = RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    sfu, peer = RTCPeerConnection(config), RTCPeerConnection(config)
    received: list[RtpPacket] = []
    got = asyncio.Event()

    async def on_packet(packet: RtpPacket) -> None:
        received.append(packet)
        got.set()

    async def on_feedback(feedback: object) -> None:
        return None

    try:
        out = sfu.addTransceiver(ParkedTrack("video"), direction="sendonly")
        out.setCodecPreferences(forwarded_codecs("video"))
        tap = OutboundTap(out, on_feedback)
        receive = peer.addTransceiver("video", direction="recvonly")
        InboundTap(receive.receiver, on_packet)
        assert not tap.ready
        await sfu.setLocalDescription(await sfu.createOffer())
        await peer.setRemoteDescription(sfu.localDescription)
        await peer.setLocalDescription(await peer.createAnswer())
        await sfu.setRemoteDescription(peer.localDescription)
        check_compatibility(out)
        deadline = asyncio.get_running_loop().time() + 20
        while not tap.ready:  # ICE + DTLS handshake: no completion event on the sender side
            assert asyncio.get_running_loop().time() < deadline, "leg never connected"
            await asyncio.sleep(0.05)
        source = RtpPacket(payload_type=1, marker=1, sequence_number=7, timestamp=9, ssrc=3)
        source.payload = b"\x10\x00\x9d\x01\x2a" + bytes(range(200))
        prepared = SourcePacket(source, ntp_now())
        assert tap.forward(prepared, 4000, 123456)
        await asyncio.wait_for(got.wait(), 10)
        packet = received[0]
        assert packet.payload == source.payload
        assert (packet.sequence_number, packet.timestamp, packet.marker) == (4000, 123456, 1)
        assert packet.ssrc == out.sender._ssrc
        assert packet.payload_type == out._codecs[0].payloadType
        assert packet.extensions.mid == out.mid
        stats = await sfu.getStats()
        sent = [s for s in stats.values() if s.type == "outbound-rtp"]
        assert len(sent) == 1
        assert sent[0].packetsSent == 1
        # A NACKed packet is sent again (same sequence number); one older than libsrtp's
        # replay window (1024, as aiortc sets it) cannot be, and is refused without raising.
        for sequence_number in range(4001, 5100):
            assert tap.forward(prepared, sequence_number, 123456)
        got.clear()
        assert tap.resend(prepared, 5099, 123456)
        assert not tap.resend(prepared, 4000, 123456)
    finally:
        await sfu.close()
        await peer.close()
