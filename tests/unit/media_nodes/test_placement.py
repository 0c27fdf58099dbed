"""Room placement across SFU nodes that register themselves (heartbeats from media/registry)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from chalicelib.config import NODE_LIVENESS, get_settings
from chalicelib.media_nodes.contract import MEDIA_NODES_TABLE
from chalicelib.media_nodes.errors import NoMediaNode
from chalicelib.media_nodes.models import MediaNode, RoomPlacement
from chalicelib.media_nodes.placement import place
from media.registry import NodeInfo, NodeRegistry

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KEEP = NOW + timedelta(days=1)


@pytest.fixture
def clock(aws: None) -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _registry(node_id: str, capacity: int = 10) -> NodeRegistry:
    settings = get_settings()
    return NodeRegistry(
        settings.table_name(MEDIA_NODES_TABLE),
        settings.region,
        NodeInfo(node_id, f"wss://{node_id}.vetpet.test", "203.0.113.1", capacity),
    )


def _now() -> datetime:
    return datetime.now(UTC)


def test_heartbeat_registers_the_node(clock: time_machine.Coordinates) -> None:
    _registry("sfu-a", capacity=7).heartbeat(live_rooms=3, draining=False)
    node = MediaNode.get("sfu-a")
    assert (node.signalling_url, node.capacity, node.live_rooms, node.draining) == (
        "wss://sfu-a.vetpet.test",
        7,
        3,
        False,
    )
    assert node.heartbeat_at == NOW.timestamp()


def test_heartbeat_registers_the_private_url_only_of_a_node_that_has_one(
    clock: time_machine.Coordinates,
) -> None:
    settings = get_settings()
    NodeRegistry(
        settings.table_name(MEDIA_NODES_TABLE),
        settings.region,
        NodeInfo("sfu-p", "wss://media.vetpet.test", "203.0.113.1", 10, "http://10.0.1.5:8090"),
    ).heartbeat(live_rooms=0, draining=False)
    _registry("sfu-old").heartbeat(live_rooms=0, draining=False)
    assert MediaNode.get("sfu-p").private_url == "http://10.0.1.5:8090"
    assert MediaNode.get("sfu-old").private_url is None


def test_least_loaded_node_takes_a_new_room_and_keeps_it(
    clock: time_machine.Coordinates,
) -> None:
    _registry("sfu-a").heartbeat(live_rooms=5, draining=False)
    _registry("sfu-b").heartbeat(live_rooms=2, draining=False)
    assert place("room-1", _now(), KEEP).node_id == "sfu-b"
    _registry("sfu-b").heartbeat(live_rooms=9, draining=False)
    assert place("room-1", _now(), KEEP).node_id == "sfu-b"  # the room stays put
    assert place("room-2", _now(), KEEP).node_id == "sfu-a"


def test_placements_since_the_last_heartbeat_count_as_load(
    clock: time_machine.Coordinates,
) -> None:
    _registry("sfu-a").heartbeat(live_rooms=0, draining=False)
    _registry("sfu-b").heartbeat(live_rooms=0, draining=False)
    nodes = [place(f"room-{i}", _now(), KEEP).node_id for i in range(6)]
    assert nodes.count("sfu-a") == nodes.count("sfu-b") == 3


def test_two_simultaneous_requesters_get_the_same_node(clock: time_machine.Coordinates) -> None:
    for name in ("sfu-a", "sfu-b", "sfu-c"):
        _registry(name).heartbeat(live_rooms=0, draining=False)
    start = threading.Barrier(8)

    def ask() -> str:
        start.wait()
        return place("room-1", NOW, KEEP).node_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: ask(), range(8)))
    assert len(set(answers)) == 1
    assert RoomPlacement.get("room-1").node_id == answers[0]


def test_a_node_that_stops_heartbeating_loses_new_placements_and_its_rooms(
    clock: time_machine.Coordinates,
) -> None:
    _registry("sfu-a").heartbeat(live_rooms=0, draining=False)
    _registry("sfu-b").heartbeat(live_rooms=5, draining=False)
    assert place("room-1", _now(), KEEP).node_id == "sfu-a"
    clock.shift(NODE_LIVENESS + timedelta(seconds=1))
    _registry("sfu-b").heartbeat(live_rooms=5, draining=False)  # only b is still alive
    assert place("room-2", _now(), KEEP).node_id == "sfu-b"
    assert place("room-1", _now(), KEEP).node_id == "sfu-b"  # re-placed on the next request
    assert RoomPlacement.get("room-1").node_id == "sfu-b"


def test_a_draining_node_takes_no_new_rooms_but_keeps_its_calls(
    clock: time_machine.Coordinates,
) -> None:
    _registry("sfu-a").heartbeat(live_rooms=0, draining=False)
    assert place("room-1", _now(), KEEP).node_id == "sfu-a"
    _registry("sfu-a").heartbeat(live_rooms=1, draining=True)
    assert place("room-1", _now(), KEEP).node_id == "sfu-a"
    with pytest.raises(NoMediaNode):
        place("room-2", _now(), KEEP)
    _registry("sfu-b").heartbeat(live_rooms=9, draining=False)
    assert place("room-2", _now(), KEEP).node_id == "sfu-b"


def test_full_fleet_refuses_a_new_room(clock: time_machine.Coordinates) -> None:
    _registry("sfu-a", capacity=2).heartbeat(live_rooms=2, draining=False)
    with pytest.raises(NoMediaNode):
        place("room-1", _now(), KEEP)
