"""Recording control for a room: consent from every participant's token, start/stop on request."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from media.aiortc_bridge import negotiated_codec
from media.forwarder import PacketTap, StreamForwarder
from media.recorder import RecordingSink, WebmRecorder
from media.room import KINDS, Participant, Room

logger = logging.getLogger(__name__)

SinkFactory = Callable[[str], RecordingSink]


class RecordingController:
    """Runs at most one WebmRecorder per room, only while every participant allows it."""

    def __init__(self, room: Room, sink_factory: SinkFactory | None) -> None:
        self._room = room
        self._sink_factory = sink_factory
        self._recorder: WebmRecorder | None = None
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
        if reason is not None or self._sink_factory is None:
            await requester.send({"type": "recording", "state": "refused", "reason": reason})
            return
        recorder = WebmRecorder(self._sink_factory(self._room.room_id))
        for participant in self._room.participants.values():
            for kind in KINDS:
                forwarder = participant.forwarders[kind]
                tap = recorder.track(kind)
                forwarder.add_tap(tap)
                self._taps.append((forwarder, tap))
                if kind == "video":
                    await forwarder.request_keyframe(now=True)
        self._recorder = recorder
        await self._broadcast({"type": "recording", "state": "started"})

    async def stop(self, reason: str) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return
        for forwarder, tap in self._taps:
            forwarder.remove_tap(tap)
        self._taps.clear()
        await recorder.close()
        logger.info("recording of a room stopped: %s", reason)
        await self._broadcast({"type": "recording", "state": "stopped", "reason": reason})

    async def membership_changed(self) -> None:
        """Whoever joins or leaves, the recording's tracks are fixed: stop it."""
        if self._recorder is not None:
            await self.stop("participants changed")

    async def _broadcast(self, message: dict[str, str]) -> None:
        for participant in list(self._room.participants.values()):
            with contextlib.suppress(ConnectionError):
                await participant.send(message)
