"""Just enough H.264 RTP payload parsing (RFC 6184, packetization-mode 1) to find keyframes.

A keyframe starts with an IDR slice (NAL type 5), normally preceded by the SPS (7) and
PPS (8); either may arrive as a single NAL unit, inside a STAP-A aggregate (24), or as the
first fragment of an FU-A (28).
"""

from __future__ import annotations

STAP_A = 24
FU_A = 28
KEYFRAME_NAL_TYPES = frozenset({5, 7})  # IDR slice, sequence parameter set


def _nal_type(header: int) -> int:
    return header & 0x1F


def _stap_a_types(payload: bytes) -> list[int]:
    types = []
    offset = 1
    while offset + 2 < len(payload):
        size = int.from_bytes(payload[offset : offset + 2], "big")
        offset += 2
        if size == 0 or offset + size > len(payload):
            break
        types.append(_nal_type(payload[offset]))
        offset += size
    return types


def is_keyframe_start(payload: bytes) -> bool:
    """True for a packet that starts an H.264 keyframe (its SPS or IDR slice)."""
    if not payload:
        return False
    nal_type = _nal_type(payload[0])
    if nal_type == STAP_A:
        return any(t in KEYFRAME_NAL_TYPES for t in _stap_a_types(payload))
    if nal_type == FU_A:
        return len(payload) > 1 and bool(payload[1] & 0x80) and _nal_type(payload[1]) == 5
    return nal_type in KEYFRAME_NAL_TYPES
