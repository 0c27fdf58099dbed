"""The one place that reaches into aiortc internals (aiortc is pinned to AIORTC_VERSION).

aiortc decodes every received frame and encodes every sent one. The SFU needs RTP packets
instead, so this module:

* replaces ``RTCRtpReceiver._handle_rtp_packet`` on publisher legs by an ``InboundTap`` that
  keeps aiortc's receiver statistics (for RTCP RR) and NACK generation, then hands the
  still-encoded packet to the forwarder; nothing reaches aiortc's jitter buffer or decoder;
* replaces ``RTCRtpSender._handle_rtcp_packet`` on subscriber legs by an ``OutboundTap`` that
  passes NACK / PLI / FIR / REMB to the forwarder, and writes forwarded RTP straight to the
  sender's DTLS transport with the sender's SSRC, updating the counters aiortc's RTCP SR uses;
* parks the sender's own RTP loop on a track that never yields a frame.

``check_compatibility()`` verifies every attribute used here; tests/media/test_aiortc_bridge.py
calls it so that an aiortc upgrade that breaks the hook fails loudly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiortc
from aiortc import MediaStreamTrack, RTCRtpReceiver, RTCRtpTransceiver, clock
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpreceiver import NackGenerator, StreamStatistics
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RTCP_PSFB_FIR,
    RTCP_PSFB_PLI,
    RTCP_RTPFB_NACK,
    AnyRtcpPacket,
    RtcpPsfbPacket,
    RtcpRrPacket,
    RtcpRtpfbPacket,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_remb_fci,
)

AIORTC_VERSION = "1.16.0"

__all__ = [
    "AIORTC_VERSION",
    "BridgeIncompatibleError",
    "Feedback",
    "InboundTap",
    "KeyframeRequest",
    "Nack",
    "OutboundTap",
    "ParkedTrack",
    "Remb",
    "RtpPacket",
    "check_compatibility",
]

PacketHandler = Callable[[RtpPacket], Awaitable[None]]

_REQUIRED: dict[str, tuple[str, ...]] = {
    "receiver": (
        "_handle_rtp_packet",
        "_send_rtcp",
        "_send_rtcp_nack",
        "_send_rtcp_pli",
        "_RTCRtpReceiver__codecs",
        "_RTCRtpReceiver__remote_streams",
        "_RTCRtpReceiver__rtcp_ssrc",
    ),
    "sender": (
        "_handle_rtcp_packet",
        "_ssrc",
        "_RTCRtpSender__ntp_timestamp",
        "_RTCRtpSender__rtp_timestamp",
        "_RTCRtpSender__octet_count",
        "_RTCRtpSender__packet_count",
    ),
    "transport": ("_send_rtp", "_rtp_header_extensions_map"),
    "transceiver": ("_codecs",),
}


class BridgeIncompatibleError(RuntimeError):
    """The installed aiortc does not have the internals this module hooks."""


def check_compatibility(transceiver: RTCRtpTransceiver) -> None:
    """Raise BridgeIncompatibleError unless aiortc has what the hooks rely on."""
    if aiortc.__version__ != AIORTC_VERSION:
        raise BridgeIncompatibleError(f"aiortc {aiortc.__version__} != pinned {AIORTC_VERSION}")
    objects = {
        "receiver": transceiver.receiver,
        "sender": transceiver.sender,
        "transport": transceiver.sender.transport,
        "transceiver": transceiver,
    }
    missing = [
        f"{role}.{name}"
        for role, names in _REQUIRED.items()
        for name in names
        if not hasattr(objects[role], name)
    ]
    if missing:
        raise BridgeIncompatibleError("aiortc internals missing: " + ", ".join(missing))


class ParkedTrack(MediaStreamTrack):
    """Gives a forwarding sender an msid while keeping its encode loop asleep."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self._stopped = asyncio.Event()

    async def recv(self) -> Any:
        await self._stopped.wait()
        raise MediaStreamError

    def stop(self) -> None:
        self._stopped.set()
        super().stop()


class InboundTap:
    """Receives a publisher's RTP before aiortc depacketizes or decodes it."""

    def __init__(self, receiver: RTCRtpReceiver, on_packet: PacketHandler) -> None:
        self._receiver: Any = receiver  # Any: name-mangled private attributes are read
        self._on_packet = on_packet
        self._nacks = NackGenerator()
        self.media_ssrc: int | None = None
        receiver._handle_rtp_packet = self._handle  # type: ignore[method-assign]

    async def _handle(self, packet: RtpPacket, arrival_time_ms: int) -> None:
        codec = self._receiver._RTCRtpReceiver__codecs.get(packet.payload_type)
        if codec is None:
            return
        streams: dict[int, StreamStatistics] = self._receiver._RTCRtpReceiver__remote_streams
        stats = streams.get(packet.ssrc)
        if stats is None:
            stats = streams[packet.ssrc] = StreamStatistics(codec.clockRate)
        stats.add(packet)
        self.media_ssrc = packet.ssrc
        if self._receiver.track.kind == "video" and self._nacks.add(packet):
            await self._receiver._send_rtcp_nack(packet.ssrc, sorted(self._nacks.missing))
        await self._on_packet(packet)

    async def send_pli(self) -> None:
        if self.media_ssrc is not None:
            await self._receiver._send_rtcp_pli(self.media_ssrc)

    async def send_remb(self, bitrate: int) -> None:
        rtcp_ssrc = self._receiver._RTCRtpReceiver__rtcp_ssrc
        if self.media_ssrc is None or rtcp_ssrc is None:
            return
        await self._receiver._send_rtcp(
            RtcpPsfbPacket(
                fmt=RTCP_PSFB_APP,
                ssrc=rtcp_ssrc,
                media_ssrc=0,
                fci=pack_remb_fci(bitrate, [self.media_ssrc]),
            )
        )


@dataclass(frozen=True)
class Nack:
    lost: list[int]


@dataclass(frozen=True)
class KeyframeRequest:
    """PLI or FIR from a subscriber."""


@dataclass(frozen=True)
class Remb:
    bitrate: int


Feedback = Nack | KeyframeRequest | Remb
FeedbackHandler = Callable[[Feedback], Awaitable[None]]


def parse_feedback(packet: AnyRtcpPacket, media_ssrc: int) -> Feedback | None:
    """The subscriber feedback in ``packet`` that concerns ``media_ssrc``, if any."""
    if isinstance(packet, RtcpRtpfbPacket) and packet.fmt == RTCP_RTPFB_NACK:
        return Nack(list(packet.lost)) if packet.media_ssrc == media_ssrc else None
    if isinstance(packet, RtcpPsfbPacket):
        if packet.fmt in (RTCP_PSFB_PLI, RTCP_PSFB_FIR):
            return KeyframeRequest()
        if packet.fmt == RTCP_PSFB_APP:
            try:
                bitrate, ssrcs = unpack_remb_fci(packet.fci)
            except ValueError:
                return None
            return Remb(bitrate) if media_ssrc in ssrcs else None
    return None


class OutboundTap:
    """Sends already-encoded RTP through a subscriber's sender, bypassing its encoder."""

    def __init__(self, transceiver: RTCRtpTransceiver, on_feedback: FeedbackHandler) -> None:
        self._transceiver = transceiver
        self._sender = transceiver.sender
        original = self._sender._handle_rtcp_packet

        async def handle_rtcp(packet: AnyRtcpPacket) -> None:
            if isinstance(packet, RtcpRrPacket | RtcpSrPacket):
                await original(packet)
                return
            feedback = parse_feedback(packet, self._sender._ssrc)
            if feedback is not None:
                await on_feedback(feedback)

        self._sender._handle_rtcp_packet = handle_rtcp  # type: ignore[method-assign]

    @property
    def ready(self) -> bool:
        """The subscriber accepted this leg and its transport is connected."""
        return (
            self._transceiver.currentDirection in ("sendonly", "sendrecv")
            and self._sender.transport.state == "connected"
        )

    async def forward(
        self, source: RtpPacket, sequence_number: int, timestamp: int
    ) -> bytes | None:
        """Send ``source``'s payload renumbered; returns the bytes sent, None if not ready."""
        codecs = self._transceiver._codecs
        payload_type = codecs[0].payloadType if codecs else None
        if payload_type is None:
            return None
        packet = RtpPacket(
            payload_type=payload_type,
            marker=source.marker,
            sequence_number=sequence_number,
            timestamp=timestamp,
            ssrc=self._sender._ssrc,
            payload=source.payload,
        )
        packet.padding_size = source.padding_size
        packet.extensions.mid = self._transceiver.mid
        packet.extensions.abs_send_time = (clock.current_ntp_time() >> 14) & 0x00FFFFFF
        packet.extensions.audio_level = source.extensions.audio_level
        data = packet.serialize(self._sender.transport._rtp_header_extensions_map)
        if not await self.resend(data):
            return None
        sender: Any = self._sender
        sender._RTCRtpSender__ntp_timestamp = clock.current_ntp_time()
        sender._RTCRtpSender__rtp_timestamp = timestamp
        sender._RTCRtpSender__octet_count += len(source.payload)
        sender._RTCRtpSender__packet_count += 1
        return data

    async def resend(self, data: bytes) -> bool:
        """Write serialized RTP; False when the leg's transport is not connected."""
        try:
            await self._sender.transport._send_rtp(data)
        except ConnectionError:
            return False
        return True
