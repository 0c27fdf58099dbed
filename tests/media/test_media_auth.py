"""Refusals happen before any SDP is processed: no peer connection is ever created."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from media_support import Client, KeyPair

import media.room
from media.auth import ROLES
from media.passwords import InMemoryRoomPasswordStore
from media.signalling import MediaServer

pytestmark = pytest.mark.asyncio


@pytest.fixture
def peer_connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    created: list[object] = []
    original = media.room.RTCPeerConnection

    def counting(*args: object, **kwargs: object) -> object:
        pc = original(*args, **kwargs)  # type: ignore[arg-type]
        created.append(pc)
        return pc

    monkeypatch.setattr(media.room, "RTCPeerConnection", counting)
    return created


async def _refused(base_url: str, token: str, password: str | None = None) -> None:
    client = Client(base_url, "booking-1", token, password)
    try:
        assert not await client.join()
        assert client.error == "unauthorized"
        assert client.pc is None
        assert [m["type"] for m in client.messages] == ["error"]
    finally:
        await client.close()


def _token(keys: KeyPair, **overrides: object) -> str:
    return keys.token(**{"room": "booking-1", "sub": "owner-1", **overrides})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "case",
    ["wrong_key", "expired", "other_room", "wrong_audience", "wrong_issuer", "garbage"],
)
async def test_bad_token_is_refused(
    case: str,
    keys: KeyPair,
    media_server: tuple[MediaServer, str],
    peer_connections: list[object],
) -> None:
    server, base_url = media_server
    tokens = {
        "wrong_key": lambda: KeyPair(keys.kid).token(room="booking-1", sub="owner-1"),
        "expired": lambda: _token(keys, ttl=-60),
        "other_room": lambda: _token(keys, room="booking-2"),
        "wrong_audience": lambda: _token(keys, audience="vetpet-api"),
        "wrong_issuer": lambda: _token(keys, issuer="https://evil.test"),
        "garbage": lambda: "not-a-jwt",
    }
    await _refused(base_url, tokens[case]())
    assert peer_connections == []
    assert server.rooms == {}


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("password", [None, "", "wrong horse"])
async def test_every_role_is_refused_with_a_wrong_or_missing_room_password(
    role: str,
    password: str | None,
    keys: KeyPair,
    media_server: tuple[MediaServer, str],
    peer_connections: list[object],
) -> None:
    server, base_url = media_server
    assert isinstance(server.passwords, InMemoryRoomPasswordStore)
    server.passwords.set_password("booking-1", "correct horse")
    await _refused(base_url, _token(keys, role=role, sub=f"{role}-1"), password)
    assert peer_connections == []
    assert server.rooms == {}


async def test_right_room_password_is_accepted(
    keys: KeyPair, media_server: tuple[MediaServer, str], peer_connections: list[object]
) -> None:
    server, base_url = media_server
    assert isinstance(server.passwords, InMemoryRoomPasswordStore)
    server.passwords.set_password("booking-1", "correct horse")
    client = Client(base_url, "booking-1", _token(keys), "correct horse")
    try:
        assert await client.join()
        assert len(peer_connections) == 1
    finally:
        await client.close()


async def test_second_join_replaces_first_and_fifth_is_refused(
    keys: KeyPair, media_server: tuple[MediaServer, str]
) -> None:
    server, base_url = media_server
    first = Client(base_url, "booking-1", _token(keys, sub="u0"))
    others = [Client(base_url, "booking-1", _token(keys, sub=f"u{i}")) for i in range(1, 4)]
    again = Client(base_url, "booking-1", _token(keys, sub="u0"))
    fifth = Client(base_url, "booking-1", _token(keys, sub="u4"))
    try:
        for client in [first, *others]:
            assert await client.join()
        assert await again.join()
        await first.wait_message(lambda m: m["type"] == "replaced")
        room = server.rooms["booking-1"]
        assert sorted(room.participants) == ["u0", "u1", "u2", "u3"]
        assert not await fifth.join()
        assert fifth.error == "room_full"
    finally:
        for client in [first, *others, again, fifth]:
            await client.close()
