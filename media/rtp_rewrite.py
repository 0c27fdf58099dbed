"""Per-leg RTP numbering: each subscriber leg gets its own SSRC, sequence and timestamp space."""

from __future__ import annotations

import secrets

HISTORY_SIZE = 1024


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


class PacketHistory:
    """The last HISTORY_SIZE packets sent on a leg, by outgoing sequence number, for NACKs."""

    def __init__(self) -> None:
        self._slots: list[tuple[int, bytes] | None] = [None] * HISTORY_SIZE

    def store(self, sequence_number: int, data: bytes) -> None:
        self._slots[sequence_number % HISTORY_SIZE] = (sequence_number, data)

    def get(self, sequence_number: int) -> bytes | None:
        slot = self._slots[sequence_number % HISTORY_SIZE]
        if slot is None or slot[0] != sequence_number:
            return None
        return slot[1]
