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

# Recordings (the media server writes them, the API lists, shares and shreds them).
RECORDINGS_TABLE = "recordings"
RECORDING_KEYS_TABLE = "recording-keys"
RECORDING_CONSENTS_TABLE = "recording-consents"
RECORDING_GRANTS_TABLE = "recording-grants"
# Encryption context of every recording ciphertext; decryption checks all three keys.
RECORDING_PURPOSE = "consultation-recording"
# Playback tokens: issued by the API (<= 5 minutes, one recording), checked by the media
# server's decrypting endpoint `GET /playback/{rid}?token=...`. `gid` (optional) names the
# written-consent grant a third party plays under; the media server re-checks it per request.
PLAYBACK_TOKEN_AUDIENCE = "vetpet-playback"  # noqa: S105 - an audience
PLAYBACK_TOKEN_CLAIMS = ("iss", "aud", "sub", "exp", "iat", "rid", "bid", "jti")
