"""Recorder tap: muxes forwarded, still-encoded VP8 and Opus into a WebM byte stream.

Nothing is decoded, and nothing touches the disk: PyAV writes into memory and every chunk
goes to a RecordingSink (`media/recording_sink.py` encrypts and uploads it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Protocol

import av
from av.container import OutputContainer

from media.aiortc_bridge import RtpPacket
from media.vp8 import depayload, is_frame_start, keyframe_size

CLOCK_RATES = {"audio": 48000, "video": 90000}
DEFAULT_SIZE = (640, 480)
HEADER_WAIT = 3.0  # seconds to wait for every video track's first keyframe
MAX_PENDING = 2000


class RecordingSink(Protocol):
    """Where one recording's bytes go; ``close`` returns once the recording is stored."""

    recording_id: str

    async def write(self, chunk: bytes) -> None: ...

    def mark_withdrawn(self) -> None:
        """The recording stops because consent was withdrawn (stored with that status)."""
        ...

    async def close(self) -> None: ...


class _Chunks:
    """A write-only, non-seekable file object for PyAV (so the WebM is streamed live)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)


class _Frame:
    __slots__ = ("data", "keyframe", "pts")

    def __init__(self, data: bytes, pts: int, keyframe: bool) -> None:
        self.data = data
        self.pts = pts
        self.keyframe = keyframe


class TrackRecorder:
    """Turns one forwarded stream's RTP packets into timestamped encoded frames."""

    def __init__(self, recorder: WebmRecorder, kind: str) -> None:
        self.kind = kind
        self.size: tuple[int, int] | None = None
        self._recorder = recorder
        self._clock_rate = CLOCK_RATES[kind]
        self._first_ts: int | None = None
        self._pts_origin = 0
        self._last_ts = 0
        self._wraps = 0
        self._last_pts = -1
        self._parts: list[bytes] = []
        self._part_ts: int | None = None
        self._expected_seq: int | None = None
        self._waiting_keyframe = kind == "video"

    def on_packet(self, packet: RtpPacket) -> None:
        if not packet.payload:
            return
        if self.kind == "audio":
            self._emit(packet.payload, packet.timestamp, keyframe=True)
            return
        if is_frame_start(packet.payload) or packet.timestamp != self._part_ts:
            self._parts = []
            self._part_ts = packet.timestamp
            if not is_frame_start(packet.payload):
                self._expected_seq = None
                return
        elif packet.sequence_number != self._expected_seq:
            self._expected_seq = None  # a packet of this frame is missing: drop the frame
            self._parts = []
            return
        data = depayload(packet.payload)
        if data is None:
            return
        self._parts.append(data)
        self._expected_seq = (packet.sequence_number + 1) & 0xFFFF
        if packet.marker:
            frame, self._parts = b"".join(self._parts), []
            self._expected_seq = None
            size = keyframe_size(frame)
            if size is not None:
                self.size = self.size or size
                self._waiting_keyframe = False
            if not self._waiting_keyframe:
                self._emit(frame, packet.timestamp, keyframe=size is not None)

    def _emit(self, data: bytes, timestamp: int, *, keyframe: bool) -> None:
        if self._first_ts is None:
            self._first_ts = self._last_ts = timestamp
            self._pts_origin = round(self._recorder.elapsed() * self._clock_rate)
        elif timestamp < self._last_ts and self._last_ts - timestamp > 0x80000000:
            self._wraps += 1
        if (timestamp - self._last_ts) & 0x80000000 == 0:
            self._last_ts = timestamp
        pts = self._pts_origin + timestamp + (self._wraps << 32) - self._first_ts
        if pts <= self._last_pts:
            return
        self._last_pts = pts
        self._recorder.add_frame(self, _Frame(data, pts, keyframe))


def _seconds(item: tuple[TrackRecorder, _Frame]) -> float:
    track, frame = item
    return frame.pts / CLOCK_RATES[track.kind]


class WebmRecorder:
    """One WebM stream per room recording, one track per recorded publisher stream."""

    def __init__(
        self, sink: RecordingSink, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._sink = sink
        self._monotonic = monotonic
        self._started = monotonic()
        self._tracks: list[TrackRecorder] = []
        self._pending: list[tuple[TrackRecorder, _Frame]] = []
        self._container: OutputContainer | None = None
        self._streams: dict[TrackRecorder, av.stream.Stream] = {}
        self._out = _Chunks()
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._drain())
        self.frames_written = 0

    def elapsed(self) -> float:
        return self._monotonic() - self._started

    def track(self, kind: str) -> TrackRecorder:
        """A new track; all tracks must be created before the first frame is muxed."""
        if self._container is not None:
            raise RuntimeError("recording already started; tracks are fixed")
        track = TrackRecorder(self, kind)
        self._tracks.append(track)
        return track

    def add_frame(self, track: TrackRecorder, frame: _Frame) -> None:
        if self._container is None:
            self._pending.append((track, frame))
            if not self._ready_to_open():
                del self._pending[:-MAX_PENDING]
                return
            self._open()
            pending, self._pending = self._pending, []
            for queued_track, queued in sorted(pending, key=_seconds):
                self._mux(queued_track, queued)
            return
        self._mux(track, frame)

    def _ready_to_open(self) -> bool:
        videos = [t for t in self._tracks if t.kind == "video"]
        return all(t.size for t in videos) or self.elapsed() > HEADER_WAIT

    def _open(self) -> None:
        container = av.open(self._out, "w", format="webm")
        for track in self._tracks:
            if track.kind == "video":
                width, height = track.size or DEFAULT_SIZE
                stream = container.add_mux_stream(
                    "vp8", time_base=Fraction(1, CLOCK_RATES["video"]), width=width, height=height
                )
            else:
                # PyAV's mux-only streams carry no audio parameters, so the Opus track takes
                # them (and its OpusHead) from an encoder context that never encodes.
                stream = container.add_stream("opus", rate=48000, layout="stereo")
                stream.time_base = Fraction(1, CLOCK_RATES["audio"])
            self._streams[track] = stream
        self._container = container

    def _mux(self, track: TrackRecorder, frame: _Frame) -> None:
        assert self._container is not None
        stream = self._streams[track]
        packet = av.Packet(frame.data)
        packet.stream = stream
        packet.time_base = Fraction(1, CLOCK_RATES[track.kind])
        packet.pts = packet.dts = frame.pts
        packet.is_keyframe = frame.keyframe
        self._container.mux(packet)
        self.frames_written += 1
        self._flush()

    def _flush(self) -> None:
        for chunk in self._out.chunks:
            self._queue.put_nowait(chunk)
        self._out.chunks.clear()

    async def _drain(self) -> None:
        while (chunk := await self._queue.get()) is not None:
            await self._sink.write(chunk)
        await self._sink.close()

    async def close(self) -> None:
        """Finish the WebM stream and hand its last bytes to the sink, then close the sink."""
        if self._container is None and self._pending:
            self._open()
            for track, frame in sorted(self._pending, key=_seconds):
                self._mux(track, frame)
        if self._container is not None:
            self._container.close()
            self._flush()
        self._queue.put_nowait(None)
        await self._writer
