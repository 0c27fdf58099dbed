"""Just enough VP8 RTP payload parsing (RFC 7741) to depacketize and find keyframes."""

from __future__ import annotations


def descriptor_length(payload: bytes) -> int | None:
    """Length of the VP8 payload descriptor, None when the payload is truncated."""
    if not payload:
        return None
    offset = 1
    if payload[0] & 0x80:  # X: extension byte follows
        if len(payload) < 2:
            return None
        ext = payload[1]
        offset = 2
        if ext & 0x80:  # I: picture id, 7 or 15 bits
            if len(payload) <= offset:
                return None
            offset += 2 if payload[offset] & 0x80 else 1
        if ext & 0x40:  # L: TL0PICIDX
            offset += 1
        if ext & 0x30:  # T or K: TID/KEYIDX byte
            offset += 1
    return offset if offset < len(payload) else None


def is_frame_start(payload: bytes) -> bool:
    """True when the packet starts partition 0 of a frame (S bit set, PID 0)."""
    return bool(payload) and payload[0] & 0x17 == 0x10


def is_keyframe_start(payload: bytes) -> bool:
    """True for the first packet of a VP8 keyframe."""
    if not is_frame_start(payload):
        return False
    offset = descriptor_length(payload)
    return offset is not None and not payload[offset] & 0x01


def depayload(payload: bytes) -> bytes | None:
    """The VP8 bitstream bytes carried by one RTP payload."""
    offset = descriptor_length(payload)
    return None if offset is None else payload[offset:]


def keyframe_size(frame: bytes) -> tuple[int, int] | None:
    """(width, height) from a depacketized VP8 keyframe, or None for interframes."""
    if len(frame) < 10 or frame[0] & 0x01 or frame[3:6] != b"\x9d\x01\x2a":
        return None
    width = int.from_bytes(frame[6:8], "little") & 0x3FFF
    height = int.from_bytes(frame[8:10], "little") & 0x3FFF
    return width, height
