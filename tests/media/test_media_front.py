"""The front process of a multi-worker node: each room's signalling reaches the one worker
its id hashes to, health sums the workers, and a draining front says so."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from media_support import ISSUER, KeyPair, free_port, serve_app, wait_for

from media.admission import InMemoryAdmissionStore
from media.auth import TokenVerifier
from media.passwords import InMemoryRoomPasswordStore
from media.routing import FrontState, create_front_app, worker_for, worker_rooms
from media.signalling import CLOSE_UNAUTHORIZED, MediaServer, create_app

Node = tuple[list[MediaServer], list[str], FrontState, str]


@pytest_asyncio.fixture
async def node(jwks_url: str, admission: InMemoryAdmissionStore) -> AsyncIterator[Node]:
    """Two workers on loopback and the front that routes to them."""
    runners: list[web.AppRunner] = []
    workers = [
        MediaServer(
            verifier=TokenVerifier(jwks_url, ISSUER),
            passwords=InMemoryRoomPasswordStore(),
            admission=admission,
            sink_factory=None,
        )
        for _ in range(2)
    ]
    urls = [await serve_app(create_app(worker), runners) for worker in workers]
    state = FrontState()
    front = await serve_app(create_front_app(urls, state), runners)
    yield workers, urls, state, front
    for runner in reversed(runners):
        await runner.cleanup()


def _rooms_on_each_worker() -> tuple[str, str]:
    """Two booking ids that hash to different workers of two."""
    by_worker: dict[int, str] = {}
    for n in range(100):
        by_worker.setdefault(worker_for(f"booking-{n}", 2), f"booking-{n}")
    return by_worker[0], by_worker[1]


async def _health(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/health") as resp:
        return resp.status, await resp.json()


def test_worker_for_is_stable_in_range_and_balanced() -> None:
    assignments = [worker_for(f"booking-{n}", 2) for n in range(2000)]
    assert assignments == [worker_for(f"booking-{n}", 2) for n in range(2000)]
    counts = Counter(assignments)
    assert set(counts) == {0, 1}
    assert 0.45 < counts[0] / 2000 < 0.55
    assert {worker_for(f"booking-{n}", 3) for n in range(100)} == {0, 1, 2}


@pytest.mark.asyncio
async def test_each_room_is_served_by_the_worker_its_id_hashes_to(
    node: Node, keys: KeyPair, admission: InMemoryAdmissionStore
) -> None:
    workers, urls, _, front = node
    rooms = _rooms_on_each_worker()
    async with aiohttp.ClientSession() as session:
        sockets = []
        for room in rooms:
            admission.set_booking(room, "confirmed")
            ws = await session.ws_connect(f"{front}/rooms/{room}/ws")
            await ws.send_json({"type": "join", "token": keys.token(room=room, sub="owner-1")})
            assert (await ws.receive_json(timeout=15))["type"] == "joined"
            sockets.append(ws)
        for index, room in enumerate(rooms):
            assert set(workers[index].rooms) == {room}
        assert await worker_rooms(urls) == 2
        status, body = await _health(front)
        assert (status, body["status"], [w["rooms"] for w in body["workers"]]) == (
            200,
            "ok",
            [1, 1],
        )
        for ws in sockets:
            await ws.close()
    await wait_for(lambda: not any(w.rooms for w in workers), 10, "rooms to empty")


@pytest.mark.asyncio
async def test_a_refusal_from_the_worker_reaches_the_client(node: Node, keys: KeyPair) -> None:
    _, _, _, front = node
    room = _rooms_on_each_worker()[0]
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{front}/rooms/{room}/ws") as ws,
    ):
        await ws.send_json({"type": "join", "token": keys.token(room="another-room", sub="o")})
        answer = await ws.receive_json(timeout=15)
        assert answer == {"type": "error", "code": "unauthorized"}
        await ws.receive(timeout=15)
        assert (ws.closed, ws.close_code) == (True, CLOSE_UNAUTHORIZED)


@pytest.mark.asyncio
async def test_health_is_degraded_with_a_worker_down_and_draining_once_told(
    node: Node,
) -> None:
    _, urls, state, front = node
    down = f"http://127.0.0.1:{free_port()}"
    runners: list[web.AppRunner] = []
    degraded_front = await serve_app(create_front_app([urls[0], down], FrontState()), runners)
    try:
        status, body = await _health(degraded_front)
        assert (status, body["status"], body["workers"][1]) == (503, "degraded", {"status": "down"})
        assert await worker_rooms([urls[0], down]) == 0
    finally:
        await runners[0].cleanup()
    state.draining = True
    status, body = await _health(front)
    assert (status, body["status"]) == (200, "draining")
