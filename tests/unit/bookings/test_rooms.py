"""Room access (P18): only the two participants of a confirmed booking, only in the window;
a consultant's entry is in the owner's access log (P8)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine

from chalicelib.accounts import sessions
from chalicelib.accounts.keys import key_ring
from chalicelib.accounts.tokens import issue_access_token
from chalicelib.bookings.models import Booking, Room
from chalicelib.config import get_settings
from chalicelib.media_nodes.contract import MEDIA_NODES_TABLE
from media.registry import NodeInfo, NodeRegistry
from tests.unit.booking_world import KYIV_MONDAY_9, TORONTO_MONDAY_9, World

START = datetime(2026, 6, 1, 13, 0, tzinfo=UTC)
END = START + timedelta(minutes=45)


def _node() -> NodeRegistry:
    settings = get_settings()
    return NodeRegistry(
        settings.table_name(MEDIA_NODES_TABLE),
        settings.region,
        NodeInfo("sfu-1", "wss://sfu-1.vetpet.test", "203.0.113.1", capacity=10),
    )


@pytest.fixture(autouse=True)
def media_node(world: World) -> None:
    """One live SFU node, heartbeating as the clock moves (the world's clock is frozen)."""
    registry = _node()
    original = world.clock.move_to

    def move_to(when: datetime) -> None:
        original(when)
        registry.heartbeat(live_rooms=0, draining=False)

    world.clock.move_to = move_to


def _decode(token: str) -> dict[str, object]:
    kid = jwt.get_unverified_header(token)["kid"]
    key = key_ring.verification_key(kid)
    assert key is not None
    return dict(
        jwt.decode(
            token,
            key.private_key.public_key(),
            algorithms=["ES256"],
            audience="vetpet-media",
            options={"verify_exp": False},
        )
    )


def test_room_token_for_each_participant_inside_the_window(world: World) -> None:
    _, booking = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    path = f"/v1/bookings/{booking['id']}/room"
    world.clock.move_to(START - timedelta(minutes=10, seconds=1))
    status, problem = world.call("POST", path, "owner_a")
    assert (status, problem["code"]) == (403, "room_closed")
    world.clock.move_to(START - timedelta(minutes=10))
    for who, role in (("owner_a", "owner"), ("vet_b", "vet")):
        status, room = world.call("POST", path, who)
        assert status == 200, room
        assert room["room_id"] == booking["id"]
        assert room["signalling_url"] == f"wss://sfu-1.vetpet.test/rooms/{booking['id']}/ws"
        # Room tokens live 5 minutes (clients ask again), never past the end of the slot.
        assert room["expires_at"] == "2026-06-01T12:55:00Z"
        claims = _decode(room["token"])
        assert claims["room"] == booking["id"]
        assert claims["role"] == role
        assert claims["sub"] == world.users[who].user_id
        assert claims["rec"] is False
        assert claims["exp"] == int((START - timedelta(minutes=5)).timestamp())
        (ice,) = room["ice_servers"]
        expiry, user = ice["username"].split(":")
        assert user == world.users[who].user_id
        assert int(expiry) <= int((START - timedelta(minutes=10) + timedelta(hours=2)).timestamp())
        digest = hmac.new(b"test-turn-secret", ice["username"].encode(), hashlib.sha1).digest()
        assert base64.b64decode(ice["credential"]) == digest
    for stranger in ("owner_b", "vet_a"):
        assert world.call("POST", path, stranger)[0] == 404
    world.clock.move_to(END)
    status, problem = world.call("POST", path, "vet_b")
    assert (status, problem["code"]) == (403, "room_closed")

    # The consultant's entry (not the owner's own, nor a refused one) is in the owner's log.
    status, log = world.call("GET", "/v1/me/access-log", "owner_a")
    assert log["items"] == [
        {
            "at": "2026-06-01T12:50:00Z",
            "actor_role": "consultant",
            "action": "join_room",
            "resource": f"booking/{booking['id']}",
            "reason": None,
            "recipient": None,
        }
    ]


def test_no_room_for_an_unpaid_or_cancelled_booking(world: World) -> None:
    _, booking = world.book("owner_a", KYIV_MONDAY_9)
    world.clock.move_to(datetime(2026, 6, 1, 5, 55, tzinfo=UTC))
    status, problem = world.call("POST", f"/v1/bookings/{booking['id']}/room", "owner_a")
    assert (status, problem["code"]) == (409, "room_unavailable")


def test_owner_sets_a_room_password_stored_as_argon2id(world: World) -> None:
    _, booking = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    path = f"/v1/bookings/{booking['id']}/room-password"
    status, _ = world.call("PUT", path, "owner_a", {"password": "correct horse"})
    assert status == 204
    stored = Room.get(booking["id"])
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    assert world.call("PUT", path, "vet_b", {"password": "correct horse"})[0] == 403
    assert world.call("PUT", path, "owner_b", {"password": "correct horse"})[0] == 404
    status, problem = world.call("PUT", path, "owner_a", {"password": "abc"})
    assert (status, problem["code"]) == (400, "validation_error")


def _turn_expiry(start: datetime, end: datetime, now: datetime) -> int:
    from chalicelib.bookings.rooms import room_access
    from chalicelib.bookings.service import Actor

    booking = Booking(
        "bk-turn",
        owner_id="owner-a",
        consultant_id="vet-a",
        start=start,
        end=end,
        status="confirmed",
    )
    with time_machine.travel(now, tick=False):
        _node().heartbeat(live_rooms=0, draining=False)
        (server,) = room_access(booking, Actor("owner-a", "owner"), now, None).ice_servers
    return int(server.username.split(":")[0])


@pytest.mark.usefixtures("aws")
def test_turn_credentials_of_a_long_slot_last_two_hours_from_now() -> None:
    now = START - timedelta(minutes=5)
    expiry = _turn_expiry(START, START + timedelta(hours=3), now)
    assert expiry == int((now + timedelta(hours=2)).timestamp())


@pytest.mark.usefixtures("aws")
def test_turn_credentials_of_a_short_slot_end_with_the_slot() -> None:
    now = START - timedelta(minutes=5)
    expiry = _turn_expiry(START, END, now)
    assert expiry == int(END.timestamp())


def test_room_token_lives_five_minutes_and_names_the_sign_in(world: World) -> None:
    _, booking = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    world.clock.move_to(END - timedelta(minutes=2))
    owner = world.users["owner_a"]
    family_id, _ = sessions.start(owner.user_id, datetime.now(UTC))
    token, _ = issue_access_token(owner.user_id, owner.role, datetime.now(UTC), family_id)
    response = world.client.http.post(
        f"/v1/bookings/{booking['id']}/room", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    room = json.loads(response.body)
    claims = _decode(room["token"])
    assert claims["sid"] == family_id
    assert claims["exp"] == int(END.timestamp())  # capped by the end of the slot
    assert room["expires_at"] == "2026-06-01T13:45:00Z"


def test_no_live_media_node_is_503_media_unavailable(world: World) -> None:
    _, booking = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    world.clock.move_to(START)
    _node().heartbeat(live_rooms=0, draining=True)
    status, problem = world.call("POST", f"/v1/bookings/{booking['id']}/room", "owner_a")
    assert (status, problem["code"]) == (503, "media_unavailable")
