"""Two nodes behind one public name: a participant who reaches the node that does not host
the room is relayed to the one that does (placement and registry as the API and the
nodes write them, in moto), and the call works."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from media_support import ISSUER, Client, KeyPair, free_port, join_once, serve_app, wait_for
from moto import mock_aws

from chalicelib.config import get_settings
from chalicelib.media_nodes.contract import MEDIA_NODES_TABLE, ROOM_PLACEMENTS_TABLE
from chalicelib.media_nodes.models import RoomPlacement
from chalicelib.media_nodes.placement import place
from chalicelib.store.tables import create_tables
from media.admission import InMemoryAdmissionStore
from media.auth import TokenVerifier
from media.fleet import FORWARDED_BY, DynamoRoomHosts, route_rooms_to_their_node
from media.passwords import InMemoryRoomPasswordStore
from media.registry import NodeInfo, NodeRegistry
from media.routing import FrontState, create_front_app
from media.signalling import CLOSE_DRAINING, CLOSE_UNAVAILABLE, MediaServer, create_app

pytestmark = pytest.mark.asyncio

ROOM = "booking-1"
MIN_FRAMES = {"video": 20, "audio": 30}


@dataclass
class FleetNode:
    node_id: str
    server: MediaServer
    url: str
    registry: NodeRegistry


@pytest.fixture
def tables() -> Iterator[None]:
    with mock_aws():
        create_tables()
        yield


def _hosts(node_id: str) -> DynamoRoomHosts:
    settings = get_settings()
    return DynamoRoomHosts(
        node_id,
        settings.table_name(ROOM_PLACEMENTS_TABLE),
        settings.table_name(MEDIA_NODES_TABLE),
        settings.region,
    )


async def _node(
    node_id: str, jwks_url: str, admission: InMemoryAdmissionStore, runners: list[web.AppRunner]
) -> FleetNode:
    settings = get_settings()
    server = MediaServer(
        verifier=TokenVerifier(jwks_url, ISSUER),
        passwords=InMemoryRoomPasswordStore(),
        admission=admission,
    )
    app = create_app(server)
    route_rooms_to_their_node(app, _hosts(node_id), node_id)
    url = await serve_app(app, runners)
    registry = NodeRegistry(
        settings.table_name(MEDIA_NODES_TABLE),
        settings.region,
        # One public name for both; each its own private URL.
        NodeInfo(node_id, "wss://media.vetpet.test", "127.0.0.1", 10, private_url=url),
    )
    return FleetNode(node_id, server, url, registry)


@pytest_asyncio.fixture
async def fleet(
    tables: None, jwks_url: str, admission: InMemoryAdmissionStore
) -> AsyncIterator[tuple[FleetNode, FleetNode]]:
    """Node `a` busy, node `b` idle: the API places the room on `b`."""
    runners: list[web.AppRunner] = []
    a = await _node("node-a", jwks_url, admission, runners)
    b = await _node("node-b", jwks_url, admission, runners)
    a.registry.heartbeat(live_rooms=9, draining=False)
    b.registry.heartbeat(live_rooms=0, draining=False)
    now = datetime.now(UTC)
    assert place(ROOM, now, now + timedelta(days=1)).node_id == "node-b"
    yield a, b
    for runner in reversed(runners):
        await runner.cleanup()


async def test_a_call_works_when_a_participant_reaches_the_other_node(
    fleet: tuple[FleetNode, FleetNode], keys: KeyPair
) -> None:
    a, b = fleet
    clients = [
        Client(a.url, ROOM, keys.token(room=ROOM, sub="user-0", role="owner")),
        Client(b.url, ROOM, keys.token(room=ROOM, sub="user-1", role="vet")),
    ]
    try:
        for client in clients:
            assert await client.join()
        assert (set(a.server.rooms), set(b.server.rooms)) == (set(), {ROOM})
        room = b.server.rooms[ROOM]
        names = [room.public_id(f"user-{i}") for i in range(2)]

        def both_decoded() -> bool:
            return all(
                clients[i].decoded[(names[1 - i], kind)] >= MIN_FRAMES[kind]
                for i in range(2)
                for kind in ("video", "audio")
            )

        await wait_for(both_decoded, 60, "each participant to decode the other")
        assert len(room.participants) == 2
    finally:
        for client in clients:
            await client.close()
    await wait_for(lambda: not b.server.rooms, 10, "room to empty")


async def test_a_refusal_by_the_hosting_node_reaches_the_client_with_its_close_code(
    fleet: tuple[FleetNode, FleetNode], keys: KeyPair
) -> None:
    a, b = fleet
    b.server.draining = True  # only the hosting node refuses: `a` would take the room
    answer, close_code = await join_once(a.url, ROOM, keys.token(room=ROOM, sub="o"))
    assert (answer, close_code) == ({"type": "error", "code": "draining"}, CLOSE_DRAINING)
    assert not a.server.rooms


async def _served_where(
    fleet: tuple[FleetNode, FleetNode],
    url: str,
    room: str,
    token: str,
    headers: dict[str, str] | None = None,
) -> tuple[bool, bool]:
    """Join ``room`` through ``url``; while joined: (on node a, on node b)."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{url}/rooms/{room}/ws", headers=headers) as ws,
    ):
        await ws.send_json({"type": "join", "token": token})
        assert (await ws.receive_json(timeout=15))["type"] == "joined"
        return room in fleet[0].server.rooms, room in fleet[1].server.rooms


async def test_a_room_not_placed_or_placed_here_is_served_here(
    fleet: tuple[FleetNode, FleetNode], keys: KeyPair, admission: InMemoryAdmissionStore
) -> None:
    a, b = fleet
    admission.set_booking("booking-2", "confirmed")
    unplaced = keys.token(room="booking-2", sub="u")
    assert await _served_where(fleet, a.url, "booking-2", unplaced) == (True, False)
    placed_on_b = keys.token(room=ROOM, sub="u")
    assert await _served_where(fleet, b.url, ROOM, placed_on_b) == (False, True)


async def test_a_relayed_request_is_served_where_it_arrives(
    fleet: tuple[FleetNode, FleetNode], keys: KeyPair
) -> None:
    a, _ = fleet
    token = keys.token(room=ROOM, sub="u")
    relayed = {FORWARDED_BY: "node-b"}
    assert await _served_where(fleet, a.url, ROOM, token, relayed) == (True, False)


async def test_an_unreachable_hosting_node_is_unavailable_not_a_hang(
    fleet: tuple[FleetNode, FleetNode], keys: KeyPair
) -> None:
    a, _ = fleet
    settings = get_settings()
    gone = NodeRegistry(
        settings.table_name(MEDIA_NODES_TABLE),
        settings.region,
        NodeInfo(
            "node-c", "wss://media.vetpet.test", "127.0.0.1", 10, f"http://127.0.0.1:{free_port()}"
        ),
    )
    gone.heartbeat(live_rooms=0, draining=False)
    RoomPlacement(ROOM, node_id="node-c", expires=datetime.now(UTC) + timedelta(days=1)).save()
    answer, close_code = await join_once(a.url, ROOM, keys.token(room=ROOM, sub="u"))
    assert (answer, close_code) == ({"type": "error", "code": "unavailable"}, CLOSE_UNAVAILABLE)


async def test_a_multi_worker_nodes_front_relays_a_room_hosted_elsewhere(
    fleet: tuple[FleetNode, FleetNode],
    keys: KeyPair,
    jwks_url: str,
    admission: InMemoryAdmissionStore,
) -> None:
    runners: list[web.AppRunner] = []
    try:
        worker = await _node("node-f-worker", jwks_url, admission, runners)
        front = create_front_app([worker.url], FrontState())
        route_rooms_to_their_node(front, _hosts("node-f"), "node-f")
        front_url = await serve_app(front, runners)
        token = keys.token(room=ROOM, sub="u")
        assert await _served_where(fleet, front_url, ROOM, token) == (False, True)
        assert not worker.server.rooms
    finally:
        for runner in reversed(runners):
            await runner.cleanup()
