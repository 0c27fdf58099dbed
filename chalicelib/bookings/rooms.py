"""Room access (P18): a short-lived media token for the booking's two participants,
only while the room is open, with coturn REST credentials; an optional room password.
A consultant's entry goes in the owner's access log (P8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.access_log.entries import CONSULTANT_ROLE
from chalicelib.access_log.service import record_access
from chalicelib.bookings.errors import RoomClosed, RoomUnavailable
from chalicelib.bookings.models import Booking, Room
from chalicelib.bookings.room_access import IceServer, ice_servers, room_window_open
from chalicelib.bookings.service import Actor
from chalicelib.bookings.states import ROOM_OPEN, effective_status
from chalicelib.config import (
    ROOM_EARLY_ENTRY,
    ROOM_TOKEN_TTL,
    SLOT_CLAIM_RETENTION,
    TURN_CREDENTIAL_MAX_TTL,
    get_settings,
)

MEDIA_ROLES = {"owner": "owner", "consultant": "vet"}
JOIN_ROOM = "join_room"  # the access-log action of a consultant's room entry


@dataclass(frozen=True)
class RoomPass:
    """What a participant needs to enter the room: a media token and ICE servers."""

    room_id: str
    token: str
    expires_at: datetime
    signalling_url: str
    ice_servers: list[IceServer]


def room_access(booking: Booking, actor: Actor, now: datetime, session_id: str | None) -> RoomPass:
    if effective_status(booking, now) not in ROOM_OPEN:
        raise RoomUnavailable
    if not room_window_open(now, booking.start, booking.end, ROOM_EARLY_ENTRY):
        raise RoomClosed
    role = "owner" if actor.user_id == booking.owner_id else "vet"
    settings = get_settings()
    turn_expiry = min(booking.end, now + TURN_CREDENTIAL_MAX_TTL)
    token_expiry = min(booking.end, now + ROOM_TOKEN_TTL)  # clients ask again
    from chalicelib.accounts.tokens import issue_media_token  # lazy: jwt, cryptography
    from chalicelib.recordings.consents import recording_allowed

    token = issue_media_token(
        user_id=actor.user_id,
        session_id=session_id,
        role=role,
        room=booking.booking_id,
        recording=recording_allowed(booking.booking_id),
        expires_at=token_expiry,
        now=now,
    )
    from chalicelib.media_nodes.placement import place, room_keep_until

    node = place(booking.booking_id, now, room_keep_until(booking.end))
    servers = ice_servers(settings.turn_urls, actor.user_id, turn_expiry, settings.turn_secret)
    signalling_url = f"{node.signalling_url}/rooms/{booking.booking_id}/ws"
    if role == "vet":
        record_access(
            booking.owner_id,
            actor_role=CONSULTANT_ROLE,
            action=JOIN_ROOM,
            resource=f"booking/{booking.booking_id}",
            now=now,
        )
    return RoomPass(booking.booking_id, token, token_expiry, signalling_url, servers)


def set_room_password(booking: Booking, password: str, now: datetime) -> None:
    if effective_status(booking, now) not in (*ROOM_OPEN, "pending_payment"):
        raise RoomUnavailable("This booking has no room any more.")
    from chalicelib.accounts.passwords import hash_password  # lazy: argon2

    Room(
        booking.booking_id,
        password_hash=hash_password(password),
        expires=booking.end + SLOT_CLAIM_RETENTION,
    ).save()
