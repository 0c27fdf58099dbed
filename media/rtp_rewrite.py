"""Per-leg RTP numbering: each subscriber leg gets its own SSRC, sequence and timestamp space."""

from __future__ import annotations

import secrets
import struct
import time
from collections.abc import Callable
from typing import Generic, TypeVar

HISTORY_SIZE = 1024
T = TypeVar("T")


class LegNumbering:
    """Maps a source stream's sequence numbers and timestamps onto one leg's numbering.

    Offsets are fixed by the first forwarded packet, so reordered packets and
    publisher retransmissions map consistently; outgoing numbering starts at random
    values, in the lower half of the sequence space as browsers expect for SRTP.
    """

    def __init__(self) -> None:
        self._seq_offset: int | None = None
        self._ts_offset = 0

    @property
    def started(self) -> bool:
        return self._seq_offset is not None

    def map(self, sequence_number: int, timestamp: int) -> tuple[int, int]:
        if self._seq_offset is None:
            self._seq_offset = (secrets.randbelow(0x8000) - sequence_number) & 0xFFFF
            self._ts_offset = (secrets.randbits(32) - timestamp) & 0xFFFFFFFF
        return (
            (sequence_number + self._seq_offset) & 0xFFFF,
            (timestamp + self._ts_offset) & 0xFFFFFFFF,
        )


class PacketHistory(Generic[T]):
    """The last HISTORY_SIZE packets sent on a leg, by outgoing sequence number, for NACKs."""

    def __init__(self) -> None:
        self._slots: list[tuple[int, T] | None] = [None] * HISTORY_SIZE

    def store(self, sequence_number: int, data: T) -> None:
        self._slots[sequence_number % HISTORY_SIZE] = (sequence_number, data)

    def get(self, sequence_number: int) -> T | None:
        slot = self._slots[sequence_number % HISTORY_SIZE]
        if slot is None or slot[0] != sequence_number:
            return None
        return slot[1]


NTP_UNIX_OFFSET = 2_208_988_800  # seconds from 1900-01-01 (NTP epoch) to 1970-01-01


def ntp_now(time_ns: Callable[[], int] = time.time_ns) -> int:
    """The wall clock as a 64-bit NTP timestamp (32.32 fixed point), as RTCP SR carries it."""
    seconds, nanoseconds = divmod(time_ns(), 1_000_000_000)
    return ((seconds + NTP_UNIX_OFFSET) << 32) | ((nanoseconds << 32) // 1_000_000_000)


def abs_send_time(ntp: int) -> int:
    """The abs-send-time header extension value (6.18 fixed point seconds) for ``ntp``."""
    return (ntp >> 14) & 0xFFFFFF


class RtpHeaderWriter:
    """Writes one leg's RTP headers into preallocated buffers, without per-packet objects.

    The leg's payload type, SSRC and header extension block (MID, and slots for
    abs-send-time and audio level) are laid out once; per packet only the marker,
    padding bit, sequence number, timestamp and the two time/level bytes change.
    ``with_level`` / ``without_level`` are (extension profile, extension value,
    abs-send-time offset, audio level offset) for packets with and without an audio level;
    offsets are into the extension value, None when the extension is not negotiated.
    """

    def __init__(
        self,
        payload_type: int,
        ssrc: int,
        with_level: tuple[int, bytes, int | None, int | None],
        without_level: tuple[int, bytes, int | None, int | None],
    ) -> None:
        self.payload_type = payload_type
        self.ssrc = ssrc
        self._layouts = (
            self._layout(*without_level),
            self._layout(*with_level),
        )
        self.max_header_length = max(len(layout[0]) for layout in self._layouts)

    @staticmethod
    def _layout(
        profile: int, value: bytes, abs_offset: int | None, level_offset: int | None
    ) -> tuple[bytearray, int, int | None, int | None]:
        if not value:
            return bytearray(12), 0x80, None, None
        header = bytearray(12) + struct.pack("!HH", profile, len(value) >> 2) + value
        base = 16
        return (
            header,
            0x90,
            None if abs_offset is None else base + abs_offset,
            None if level_offset is None else base + level_offset,
        )

    def write_into(
        self,
        buffer: bytearray,
        body: bytes,
        marker: int,
        padded: bool,
        sequence_number: int,
        timestamp: int,
        send_time: int,
        audio_level: tuple[bool, int] | None,
    ) -> int:
        """Write this leg's header and then ``body`` at the start of ``buffer``; the length.

        ``buffer`` must hold ``max_header_length + len(body)`` bytes.
        """
        template, first, abs_at, level_at = self._layouts[audio_level is not None]
        header_length = len(template)
        buffer[:header_length] = template
        _HEADER.pack_into(
            buffer,
            0,
            first | (0x20 if padded else 0),
            (marker << 7) | self.payload_type,
            sequence_number,
            timestamp,
            self.ssrc,
        )
        if abs_at is not None:
            buffer[abs_at] = send_time >> 16
            buffer[abs_at + 1] = (send_time >> 8) & 0xFF
            buffer[abs_at + 2] = send_time & 0xFF
        if level_at is not None and audio_level is not None:
            buffer[level_at] = (0x80 if audio_level[0] else 0) | (audio_level[1] & 0x7F)
        length = header_length + len(body)
        buffer[header_length:length] = body
        return length

    def write(
        self,
        body: bytes,
        *,
        marker: int,
        padded: bool,
        sequence_number: int,
        timestamp: int,
        send_time: int,
        audio_level: tuple[bool, int] | None,
    ) -> bytes:
        """The serialized packet as bytes (``write_into`` a fresh buffer)."""
        buffer = bytearray(self.max_header_length + len(body))
        length = self.write_into(
            buffer, body, marker, padded, sequence_number, timestamp, send_time, audio_level
        )
        return bytes(buffer[:length])


_HEADER = struct.Struct("!BBHLL")
