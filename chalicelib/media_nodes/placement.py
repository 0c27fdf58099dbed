"""Room placement: a room lives on one SFU node; new rooms go to the least-loaded node.

Rules (pure, `choose`) and the DynamoDB side (`place`). A node is live while its last
heartbeat is younger than NODE_LIVENESS; a room whose node died is placed again; a
draining node keeps its rooms but takes no new ones. Two participants asking at the same
moment land on the same node: the placement is a conditional write and the loser reads
the winner's.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.config import NODE_LIVENESS, PLACEMENT_SLACK
from chalicelib.media_nodes.errors import NoMediaNode
from chalicelib.media_nodes.models import MediaNode, RoomPlacement


@dataclass(frozen=True)
class Node:
    node_id: str
    signalling_url: str
    capacity: int
    load: int
    draining: bool
    heartbeat_at: float

    def live(self, now: datetime) -> bool:
        return self.heartbeat_at >= (now - NODE_LIVENESS).timestamp()


def choose(nodes: Iterable[Node], now: datetime) -> Node:
    """A live, non-draining node with room and the lowest load ratio. Nodes within
    PLACEMENT_SLACK of that lowest ratio count as tied and one is picked at random: many
    requests reading the same registry at once then spread instead of all landing on
    the one node that was least loaded when they read."""
    open_nodes = [n for n in nodes if n.live(now) and not n.draining and n.load < n.capacity]
    if not open_nodes:
        raise NoMediaNode
    lowest = min(n.load / n.capacity for n in open_nodes)
    tied = [n for n in open_nodes if n.load / n.capacity <= lowest + PLACEMENT_SLACK]
    return random.choice(tied)  # noqa: S311 - load spreading, not security


def _nodes() -> dict[str, Node]:
    return {
        item.node_id: Node(
            node_id=item.node_id,
            signalling_url=item.signalling_url,
            capacity=int(item.capacity),
            load=int(item.live_rooms) + int(item.placed or 0),
            draining=bool(item.draining),
            heartbeat_at=float(item.heartbeat_at),
        )
        for item in MediaNode.scan(consistent_read=True)
    }


def place(room_id: str, now: datetime, keep_until: datetime) -> Node:
    """The node hosting ``room_id``, placing it first if it has none or its node died."""
    nodes = _nodes()
    try:
        current: RoomPlacement | None = RoomPlacement.get(room_id, consistent_read=True)
    except RoomPlacement.DoesNotExist:
        current = None
    if current is not None:
        host = nodes.get(current.node_id)
        if host is not None and host.live(now):
            return host  # draining too: its live calls stay where they are
    chosen = choose(nodes.values(), now)
    placement = RoomPlacement(room_id, node_id=chosen.node_id, expires=keep_until)
    try:
        if current is None:
            placement.save(RoomPlacement.room_id.does_not_exist())
        else:
            placement.save(RoomPlacement.node_id == current.node_id)
    except PutError:
        return _winner(room_id, nodes, now)
    # If the node vanished meanwhile, its next heartbeat (if any) recounts.
    with contextlib.suppress(UpdateError):
        MediaNode(chosen.node_id).update(
            actions=[MediaNode.placed.add(1)], condition=MediaNode.node_id.exists()
        )
    return chosen


def any_node(now: datetime) -> Node:
    """A node to serve a request that holds no room (recording playback), chosen as a
    new room's would be; `NoMediaNode` when none is live."""
    return choose(_nodes().values(), now)


def http_base(signalling_url: str) -> str:
    """The node's HTTP(S) origin: its signalling URL is the same host over ws(s)."""
    scheme, rest = signalling_url.split("://", 1)
    return f"{'https' if scheme == 'wss' else 'http'}://{rest.rstrip('/')}"


def _winner(room_id: str, nodes: dict[str, Node], now: datetime) -> Node:
    """Another request placed the room first: its node, if that node is live."""
    won = RoomPlacement.get(room_id, consistent_read=True)
    node = nodes.get(won.node_id)
    if node is None or not node.live(now):
        raise NoMediaNode
    return node


def room_keep_until(end: datetime) -> datetime:
    """How long a placement row is kept (its TTL): a day past the end of the slot."""
    return end + timedelta(days=1)
