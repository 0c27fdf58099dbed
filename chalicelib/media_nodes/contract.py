"""What the API and the media server (`media/`) must agree on, written once.

Dependency-free on purpose: the media server's image copies this one file (see
`media/Dockerfile`) and imports it, so neither side restates a value of the other's.
"""

from __future__ import annotations

# The JWT audience of room tokens: the API issues them, the media server requires it.
MEDIA_TOKEN_AUDIENCE = "vetpet-media"  # noqa: S105 - an audience
# Claims every room token carries; `sid` is the sign-in (refresh-token family) it came from.
ROOM_TOKEN_CLAIMS = ("iss", "aud", "sub", "exp", "iat", "room", "role", "sid")
# Booking statuses (`bookings.status`) in which the room may be entered.
ROOM_OPEN_STATUSES = frozenset({"confirmed", "in_progress"})
# Table names are the API's `VETPET_TABLE_PREFIX` + one of these.
BOOKINGS_TABLE = "bookings"
SESSIONS_TABLE = "sessions"
ROOMS_TABLE = "rooms"
MEDIA_NODES_TABLE = "media-nodes"
ROOM_PLACEMENTS_TABLE = "room-placements"
