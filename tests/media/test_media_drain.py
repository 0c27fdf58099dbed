"""SIGTERM drains a node: no new rooms, live calls go on until they end or the limit."""

from __future__ import annotations

import asyncio
import os
import signal

import aiohttp
import pytest
from media_support import Client, KeyPair, free_port, join_once, wait_for

from media import lifecycle
from media.admission import InMemoryAdmissionStore
from media.auth import TokenVerifier
from media.passwords import InMemoryRoomPasswordStore
from media.signalling import CLOSE_DRAINING, MediaServer, create_app

pytestmark = pytest.mark.asyncio


async def _health(base_url: str) -> str:
    async with aiohttp.ClientSession() as session, session.get(f"{base_url}/health") as resp:
        status: str = (await resp.json())["status"]
        return status


async def _join_code(base_url: str, room: str, token: str) -> str:
    first, close_code = await join_once(base_url, room, token)
    if close_code is not None:
        assert close_code == CLOSE_DRAINING
    return str(first.get("code", first["type"]))


async def _serving(
    server: MediaServer, port: int, limit: float
) -> tuple[asyncio.Task[None], list[str]]:
    events: list[str] = []

    async def start_draining() -> None:
        server.draining = True
        events.append("draining")

    async def live_rooms() -> int:
        return len(server.rooms)

    task = asyncio.create_task(
        lifecycle.serve(
            create_app(server),
            "127.0.0.1",
            port,
            start_draining=start_draining,
            live_rooms=live_rooms,
            limit=limit,
        )
    )
    base_url = f"http://127.0.0.1:{port}"

    async def up() -> bool:
        try:
            return await _health(base_url) == "ok"
        except aiohttp.ClientError:
            return False

    for _ in range(100):
        if await up():
            break
        await asyncio.sleep(0.05)
    return task, events


@pytest.fixture
def server(jwks_url: str, admission: InMemoryAdmissionStore) -> MediaServer:
    admission.set_booking("booking-2", "confirmed")
    return MediaServer(
        verifier=TokenVerifier(jwks_url, "https://api.vetpet.test"),
        passwords=InMemoryRoomPasswordStore(),
        admission=admission,
    )


@pytest.mark.timeout(60)
async def test_sigterm_drains_until_the_last_call_ends(server: MediaServer, keys: KeyPair) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    task, events = await _serving(server, port, limit=3600)
    caller = Client(base_url, "booking-1", keys.token(room="booking-1", sub="owner-1"))
    try:
        assert await caller.join()
        os.kill(os.getpid(), signal.SIGTERM)
        await wait_for(lambda: events == ["draining"], 10, "the node to start draining")
        assert await _health(base_url) == "draining"
        # A new room is refused; the live room still takes its other participant.
        assert await _join_code(base_url, "booking-2", keys.token(room="booking-2", sub="o2")) == (
            "draining"
        )
        assert (
            await _join_code(base_url, "booking-1", keys.token(room="booking-1", sub="vet-1"))
            == "joined"
        )
        assert not task.done()
    finally:
        await caller.close()
    await asyncio.wait_for(task, 20)  # the last call ended: the node exits
    assert server.rooms == {}


@pytest.mark.timeout(60)
async def test_drain_limit_ends_calls_that_outlast_it(server: MediaServer, keys: KeyPair) -> None:
    port = free_port()
    task, events = await _serving(server, port, limit=0.5)
    caller = Client(f"http://127.0.0.1:{port}", "booking-1", keys.token(room="booking-1", sub="o1"))
    try:
        assert await caller.join()
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(task, 20)
        assert events == ["draining"]
        assert server.rooms == {}  # shutting down closed the call
    finally:
        await caller.close()
