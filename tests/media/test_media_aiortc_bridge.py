"""Fails loudly when an aiortc upgrade breaks the internals media/aiortc_bridge.py hooks."""

from __future__ import annotations

import aiortc
import pytest
from aiortc import RTCPeerConnection

from media import aiortc_bridge
from media.aiortc_bridge import (
    BridgeIncompatibleError,
    InboundTap,
    OutboundTap,
    ParkedTrack,
    RtpPacket,
    check_compatibility,
)

pytestmark = pytest.mark.asyncio


def test_requirements_pin_the_bridged_aiortc_version() -> None:
    from pathlib import Path

    requirements = (Path(aiortc_bridge.__file__).parent / "requirements.txt").read_text()
    assert f"aiortc=={aiortc_bridge.AIORTC_VERSION}" in requirements.splitlines()


async def test_installed_aiortc_has_every_hooked_internal() -> None:
    pc = RTCPeerConnection()
    try:
        check_compatibility(pc.addTransceiver(ParkedTrack("video"), direction="sendonly"))
    finally:
        await pc.close()


async def test_other_aiortc_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aiortc, "__version__", "9.9.9")
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
