"""Two and four aiortc clients through the SFU: everyone decodes everyone else's media."""

from __future__ import annotations

import pytest
from media_support import Client, KeyPair, wait_for

from media.signalling import MediaServer

pytestmark = pytest.mark.asyncio

MIN_FRAMES = {"video": 20, "audio": 30}


async def _call(count: int, keys: KeyPair, server: MediaServer, base_url: str) -> None:
    roles = ["owner", "vet", "guest", "guest"]
    clients = [
        Client(base_url, "booking-1", keys.token(room="booking-1", sub=f"user-{i}", role=roles[i]))
        for i in range(count)
    ]
    try:
        for client in clients:
            assert await client.join()

        room = server.rooms["booking-1"]
        names = [room.public_id(f"user-{j}") for j in range(count)]

        def everyone_decoded() -> bool:
            return all(
                client.decoded[(names[j], kind)] >= MIN_FRAMES[kind]
                for i, client in enumerate(clients)
                for j in range(count)
                if j != i
                for kind in ("video", "audio")
            )

        await wait_for(everyone_decoded, 60, "every participant to decode every other")
        assert len(server.rooms["booking-1"].participants) == count
    finally:
        for client in clients:
            await client.close()
    await wait_for(lambda: not server.rooms, 10, "room to empty")


@pytest.mark.timeout(120)
async def test_two_clients_exchange_media(
    keys: KeyPair, media_server: tuple[MediaServer, str]
) -> None:
    await _call(2, keys, *media_server)


@pytest.mark.timeout(150)
async def test_four_clients_exchange_media(
    keys: KeyPair, media_server: tuple[MediaServer, str]
) -> None:
    await _call(4, keys, *media_server)
