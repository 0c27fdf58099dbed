"""Recording control for a room: consent from every participant's token and, while it
records, from the API's per-booking consent item (polled: a withdrawal stops it within
two seconds, what was recorded before is kept); start/stop on request."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from media.aiortc_bridge import negotiated_codec
from media.forwarder import PacketTap, StreamForwarder
from media.recorder import RecordingSink, WebmRecorder
from media.room import KINDS, Participant, Room

logger = logging.getLogger(__name__)

SinkFactory = Callable[[str], RecordingSink]
# Whether both sides of the booking (the room) allow recording it right now.
ConsentCheck = Callable[[str], Awaitable[bool]]
# How often the consent is read while recording (a withdrawal must stop it within 2 s).
CONSENT_POLL = 0.5


class RecordingController:
    """Runs at most one WebmRecorder per room, only while every participant allows it."""

    def __init__(
        self, room: Room, sink_factory: SinkFactory | None, consents: ConsentCheck | None = None
    ) -> None:
        self._room = room
        self._sink_factory = sink_factory
        self._consents = consents
        self._recorder: WebmRecorder | None = None
        self._sink: RecordingSink | None = None
        self._watch: asyncio.Task[None] | None = None
        self._taps: list[tuple[StreamForwarder, PacketTap]] = []

    @property
    def active(self) -> bool:
        return self._recorder is not None

    def _consented(self) -> bool:
        members = self._room.participants.values()
        return bool(members) and all(p.claims.recording_allowed for p in members)

    def _refusal(self) -> str | None:
        if self._sink_factory is None:
            return "unavailable"
        if not self._consented():
            return "consent"
        # WebM carries VP8, not H.264: a call with an H.264 publisher is not recorded.
        if any(
            negotiated_codec(p.publish["video"]) not in (None, "video/VP8")
            for p in self._room.participants.values()
        ):
            return "codec"
        return None

    async def start(self, requester: Participant) -> None:
        if self._recorder is not None:
            await requester.send({"type": "recording", "state": "started"})
            return
        reason = self._refusal()
        if reason is None and not await self._booking_consents():
            reason = "consent"
        if reason is not None or self._sink_factory is None:
            await requester.send({"type": "recording", "state": "refused", "reason": reason})
            return
        sink = self._sink_factory(self._room.room_id)
        recorder = WebmRecorder(sink)
        for participant in self._room.participants.values():
            for kind in KINDS:
                forwarder = participant.forwarders[kind]
                tap = recorder.track(kind)
                forwarder.add_tap(tap)
                self._taps.append((forwarder, tap))
                if kind == "video":
                    await forwarder.request_keyframe(now=True)
        self._recorder, self._sink = recorder, sink
        if self._consents is not None:
            self._watch = asyncio.create_task(self._watch_consent())
        await self._broadcast({"type": "recording", "state": "started"})

    async def _booking_consents(self) -> bool:
        if self._consents is None:
            return True
        try:
            return await self._consents(self._room.room_id)
        except Exception:  # an unreadable consent is no consent
            logger.exception("recording consent could not be read")
            return False

    async def _watch_consent(self) -> None:
        while self._recorder is not None:
            await asyncio.sleep(CONSENT_POLL)
            if not await self._booking_consents():
                await self.stop("consent withdrawn", withdrawn=True)
                return

    async def stop(self, reason: str, *, withdrawn: bool = False) -> None:
        """Stop capturing at once and tell everyone; then finish storing what was
        recorded (``withdrawn``: it is stored as stopped by a withdrawal)."""
        recorder, self._recorder = self._recorder, None
        sink, self._sink = self._sink, None
        if recorder is None or sink is None:
            return
        watch, self._watch = self._watch, None
        if watch is not None and watch is not asyncio.current_task():
            watch.cancel()
        for forwarder, tap in self._taps:
            forwarder.remove_tap(tap)
        self._taps.clear()
        if withdrawn:
            sink.mark_withdrawn()
        logger.info("recording of a room stopped: %s", reason)
        await self._broadcast({"type": "recording", "state": "stopped", "reason": reason})
        try:
            await recorder.close()
        except Exception:
            logger.exception("recording could not be stored")
            await self._broadcast({"type": "recording", "state": "failed"})
            return
        await self._broadcast(
            {"type": "recording", "state": "saved", "recording": sink.recording_id}
        )

    async def membership_changed(self) -> None:
        """Whoever joins or leaves, the recording's tracks are fixed: stop it."""
        if self._recorder is not None:
            await self.stop("participants changed")

    async def _broadcast(self, message: dict[str, Any]) -> None:
        for participant in list(self._room.participants.values()):
            with contextlib.suppress(ConnectionError):
                await participant.send(message)
