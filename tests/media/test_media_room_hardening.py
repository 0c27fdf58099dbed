"""A room token is a short-lived key, not a standing pass: it stops working when the
booking is cancelled or the sign-in ends, wrong passwords make the room back off, and the
call never names anyone by user id (P7, P18)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from media_support import Client, KeyPair, join_once, wait_for

from media.admission import InMemoryAdmissionStore
from media.passwords import PASSWORD_FAILURE_LIMIT, InMemoryRoomPasswordStore
from media.signalling import CLOSE_TOO_MANY_ATTEMPTS, CLOSE_UNAUTHORIZED, MediaServer

pytestmark = pytest.mark.asyncio


async def _close_code(base_url: str, token: str, password: str | None = None) -> int | None:
    """Join, and return the WebSocket close code (None when the join was accepted)."""
    first, close_code = await join_once(base_url, "booking-1", token, password)
    assert first["type"] == ("error" if close_code else "joined")
    return close_code


@pytest.mark.parametrize("status", ["cancelled", "completed", "no_show", "expired"])
async def test_token_issued_before_cancel_no_longer_enters(
    status: str,
    keys: KeyPair,
    admission: InMemoryAdmissionStore,
    media_server: tuple[MediaServer, str],
) -> None:
    server, base_url = media_server
    token = keys.token(room="booking-1", sub="owner-1")
    admission.set_booking("booking-1", status)
    assert await _close_code(base_url, token) == CLOSE_UNAUTHORIZED
    assert server.rooms == {}


async def test_token_issued_before_logout_or_password_change_no_longer_enters(
    keys: KeyPair, admission: InMemoryAdmissionStore, media_server: tuple[MediaServer, str]
) -> None:
    _, base_url = media_server
    token = keys.token(room="booking-1", sub="owner-1", sid="family-1")
    assert await _close_code(base_url, token) is None
    # Logout and a password change both revoke the refresh-token family.
    admission.set_session(
        "family-1", "owner-1", revoked=True, expires_at=datetime.max.replace(tzinfo=UTC)
    )
    assert await _close_code(base_url, token) == CLOSE_UNAUTHORIZED


async def test_token_naming_another_users_sign_in_is_refused(
    keys: KeyPair, admission: InMemoryAdmissionStore, media_server: tuple[MediaServer, str]
) -> None:
    _, base_url = media_server
    keys.token(room="booking-1", sub="vet-1", sid="family-of-vet")
    forged_pairing = KeyPair(keys.kid)  # same key id, no session recorded for this pairing
    forged_pairing.private = keys.private
    token = forged_pairing.token(room="booking-1", sub="owner-1", sid="family-of-vet")
    assert await _close_code(base_url, token) == CLOSE_UNAUTHORIZED


async def test_token_of_an_expired_sign_in_is_refused(
    keys: KeyPair, admission: InMemoryAdmissionStore, media_server: tuple[MediaServer, str]
) -> None:
    _, base_url = media_server
    token = keys.token(room="booking-1", sub="owner-1", sid="family-1")
    admission.set_session(
        "family-1", "owner-1", expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert await _close_code(base_url, token) == CLOSE_UNAUTHORIZED


async def test_five_wrong_passwords_back_off_even_the_right_one_until_the_window_passes(
    keys: KeyPair, media_server: tuple[MediaServer, str]
) -> None:
    server, base_url = media_server
    assert isinstance(server.passwords, InMemoryRoomPasswordStore)
    server.passwords.set_password("booking-1", "correct horse")
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        token = keys.token(room="booking-1", sub="owner-1")
        codes = [
            await _close_code(base_url, token, f"guess {i}") for i in range(PASSWORD_FAILURE_LIMIT)
        ]
        assert codes == [CLOSE_UNAUTHORIZED] * (PASSWORD_FAILURE_LIMIT - 1) + [
            CLOSE_TOO_MANY_ATTEMPTS
        ]
        assert await _close_code(base_url, token, "correct horse") == CLOSE_TOO_MANY_ATTEMPTS
        traveller.shift(timedelta(minutes=14))
        token = keys.token(room="booking-1", sub="owner-1")
        assert await _close_code(base_url, token, "correct horse") == CLOSE_TOO_MANY_ATTEMPTS
        traveller.shift(timedelta(minutes=1, seconds=1))
        token = keys.token(room="booking-1", sub="owner-1")
        assert await _close_code(base_url, token, "correct horse") is None


async def test_signalling_names_participants_only_by_opaque_per_room_ids(
    keys: KeyPair, admission: InMemoryAdmissionStore, media_server: tuple[MediaServer, str]
) -> None:
    server, base_url = media_server
    users = {"owner": "user-owner-7f3a", "vet": "user-vet-91bc"}
    clients = [
        Client(base_url, "booking-1", keys.token(room="booking-1", sub=sub, role=role))
        for role, sub in users.items()
    ]
    try:
        for client in clients:
            assert await client.join()
        await wait_for(
            lambda: all(
                any(m["type"] == "offer" and m["tracks"] for m in c.messages) for c in clients
            ),
            30,
            "offers naming the other participant",
        )
        own_ids = [
            next(m["participant"] for m in c.messages if m["type"] == "joined") for c in clients
        ]
        for client, own_id, other_id in zip(clients, own_ids, reversed(own_ids), strict=True):
            everything = json.dumps(client.messages)
            assert all(user_id not in everything for user_id in users.values())
            named = {
                track["participant"]
                for m in client.messages
                if m["type"] == "offer"
                for track in m["tracks"].values()
            }
            assert named == {other_id}
            assert own_id != other_id
        room = server.rooms["booking-1"]
        assert own_ids == [room.public_id(sub) for sub in users.values()]
    finally:
        for client in clients:
            await client.close()
    # The same user in another room has another name: ids do not link rooms.
    admission.set_booking("booking-2", "confirmed")
    assert server.room("booking-2").public_id(users["owner"]) != own_ids[0]
