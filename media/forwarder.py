"""Forwarding without transcoding: one publisher stream fanned out to subscriber legs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

from aiortc import RTCRtpReceiver, RTCRtpTransceiver

from media import h264, vp8
from media.aiortc_bridge import (
    Feedback,
    InboundTap,
    KeyframeRequest,
    Nack,
    OutboundTap,
    Remb,
    RtpPacket,
    SourcePacket,
    negotiated_codec,
)
from media.rtp_rewrite import LegNumbering, PacketHistory, ntp_now

# Keyframe detection per forwarded video codec (mime type).
KEYFRAME_START: dict[str, Callable[[bytes], bool]] = {
    "video/VP8": vp8.is_keyframe_start,
    "video/H264": h264.is_keyframe_start,
}

KEYFRAME_REQUEST_INTERVAL = 1.0


class PacketTap(Protocol):
    """Sees every packet a stream forwards (the recorder)."""

    def on_packet(self, packet: RtpPacket) -> None: ...


class SubscriberLeg:
    """One subscriber's copy of a stream: own SSRC, numbering and NACK history."""

    def __init__(self, stream: StreamForwarder, transceiver: RTCRtpTransceiver) -> None:
        self._stream = stream
        self._transceiver = transceiver
        self._out = OutboundTap(transceiver, self._on_feedback)
        self._numbering = LegNumbering()
        self._history: PacketHistory[tuple[SourcePacket, int]] = PacketHistory()
        self.remb_bitrate: int | None = None

    def forward(self, packet: SourcePacket) -> bool:
        """Send ``packet`` on this leg (synchronously: no task or coroutine per packet).

        Returns False when the leg still waits for a keyframe and this packet does not
        start one, so the stream should ask the publisher for a keyframe.
        """
        numbering = self._numbering
        if not numbering.started:
            if not self._out.ready:
                return True
            if self._stream.kind == "video" and not self._keyframe_start(packet.payload):
                return False
        sequence_number, timestamp = numbering.map(packet.sequence_number, packet.timestamp)
        if self._out.forward(packet, sequence_number, timestamp):
            self._history.store(sequence_number, (packet, timestamp))
        return True

    def _keyframe_start(self, payload: bytes) -> bool:
        """Whether ``payload`` starts a keyframe, in the codec this leg carries (always its
        publisher's: the room renegotiates a leg whose codec differs)."""
        detect = KEYFRAME_START.get(negotiated_codec(self._transceiver) or "")
        return detect is not None and detect(payload)

    async def _on_feedback(self, feedback: Feedback) -> None:
        if isinstance(feedback, Nack):
            for sequence_number in feedback.lost:
                sent = self._history.get(sequence_number)
                if sent is not None:
                    self._out.resend(sent[0], sequence_number, sent[1])
        elif isinstance(feedback, KeyframeRequest):
            await self._stream.request_keyframe()
        elif isinstance(feedback, Remb):
            self.remb_bitrate = feedback.bitrate
            await self._stream.relay_remb()


class StreamForwarder:
    """Takes a publisher's RTP before decoding and forwards it to every leg and tap."""

    def __init__(
        self,
        kind: str,
        receiver: RTCRtpReceiver,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.kind = kind
        self._inbound = InboundTap(receiver, self.on_packet)
        self._legs: dict[str, SubscriberLeg] = {}
        self._taps: list[PacketTap] = []
        self._monotonic = monotonic
        self._last_keyframe_request = float("-inf")
        self._deferred_request: asyncio.TimerHandle | None = None
        self._deferred_task: asyncio.Future[None] | None = None
        self._last_remb: int | None = None

    def add_leg(self, subscriber_id: str, transceiver: RTCRtpTransceiver) -> None:
        self._legs[subscriber_id] = SubscriberLeg(self, transceiver)

    def remove_leg(self, subscriber_id: str) -> None:
        self._legs.pop(subscriber_id, None)

    def add_tap(self, tap: PacketTap) -> None:
        self._taps.append(tap)

    def remove_tap(self, tap: PacketTap) -> None:
        self._taps.remove(tap)

    async def on_packet(self, packet: RtpPacket) -> None:
        if self._legs:
            source = SourcePacket(packet, ntp_now())
            waiting = False
            for leg in list(self._legs.values()):
                if not leg.forward(source):
                    waiting = True
            if waiting:
                await self.request_keyframe()
        for tap in self._taps:
            tap.on_packet(packet)

    async def request_keyframe(self, *, now: bool = False) -> None:
        """Ask the publisher for a keyframe, at most once per KEYFRAME_REQUEST_INTERVAL.

        A request inside the interval is not dropped: one PLI is sent when it ends. ``now``
        skips the interval, for rare explicit events (a recording starting) that must not
        wait for subscribers' earlier requests.
        """
        if self.kind != "video":
            return
        current = self._monotonic()
        wait = self._last_keyframe_request + KEYFRAME_REQUEST_INTERVAL - current
        if wait > 0 and not now:
            if self._deferred_request is None:
                self._deferred_request = asyncio.get_running_loop().call_later(
                    wait, self._request_deferred_keyframe
                )
            return
        self._last_keyframe_request = current
        await self._inbound.send_pli()

    def _request_deferred_keyframe(self) -> None:
        self._deferred_request = None
        self._deferred_task = asyncio.ensure_future(self.request_keyframe())

    async def relay_remb(self) -> None:
        """Tell the publisher the lowest bitrate any subscriber can take."""
        rates = [leg.remb_bitrate for leg in self._legs.values() if leg.remb_bitrate is not None]
        if not rates or min(rates) == self._last_remb:
            return
        self._last_remb = min(rates)
        await self._inbound.send_remb(self._last_remb)
