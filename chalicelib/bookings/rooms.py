"""Room access (P18): a short-lived media token for the booking's two participants,
only while the room is open, with coturn REST credentials; an optional room password."""

from __future__ import annotations

from datetime import datetime

from chalicelib.bookings.models import Booking, Room
from chalicelib.bookings.room_access import ice_servers, room_window_open
from chalicelib.bookings.schemas import IceServerOut, RoomOut
from chalicelib.bookings.service import Actor, effective_status
from chalicelib.bookings.states import ROOM_OPEN
from chalicelib.clock import to_rfc3339
from chalicelib.config import (
    ROOM_EARLY_ENTRY,
    ROOM_TOKEN_TTL,
    SLOT_CLAIM_RETENTION,
    TURN_CREDENTIAL_MAX_TTL,
    get_settings,
)
from chalicelib.web.problems import ProblemError

MEDIA_ROLES = {"owner": "owner", "consultant": "vet"}


def room_access(booking: Booking, actor: Actor, now: datetime, session_id: str | None) -> RoomOut:
    if effective_status(booking, now) not in ROOM_OPEN:
        raise ProblemError(409, "room_unavailable", "The room opens only for a confirmed booking.")
    if not room_window_open(now, booking.start, booking.end, ROOM_EARLY_ENTRY):
        raise ProblemError(
            403,
            "room_closed",
            "The room is open from 10 minutes before the start until the end of the slot.",
        )
    role = "owner" if actor.user_id == booking.owner_id else "vet"
    settings = get_settings()
    turn_expiry = min(booking.end, now + TURN_CREDENTIAL_MAX_TTL)
    token_expiry = min(booking.end, now + ROOM_TOKEN_TTL)  # clients ask again
    from chalicelib.accounts.tokens import issue_media_token  # lazy: jwt, cryptography

    token = issue_media_token(
        user_id=actor.user_id,
        session_id=session_id,
        role=role,
        room=booking.booking_id,
        recording=False,
        expires_at=token_expiry,
        now=now,
    )
    from chalicelib.media_nodes.placement import place, room_keep_until

    node = place(booking.booking_id, now, room_keep_until(booking.end))
    servers = ice_servers(settings.turn_urls, actor.user_id, turn_expiry, settings.turn_secret)
    return RoomOut(
        room_id=booking.booking_id,
        token=token,
        expires_at=to_rfc3339(token_expiry),
        signalling_url=f"{node.signalling_url}/rooms/{booking.booking_id}/ws",
        ice_servers=[
            IceServerOut(urls=s.urls, username=s.username, credential=s.credential) for s in servers
        ],
    )


def set_room_password(booking: Booking, password: str, now: datetime) -> None:
    if effective_status(booking, now) not in (*ROOM_OPEN, "pending_payment"):
        raise ProblemError(409, "room_unavailable", "This booking has no room any more.")
    from chalicelib.accounts.passwords import hash_password  # lazy: argon2

    Room(
        booking.booking_id,
        password_hash=hash_password(password),
        expires=booking.end + SLOT_CLAIM_RETENTION,
    ).save()
