"""One public signalling name for the whole fleet: each room still reaches its node.

Deployed, every node sits behind the same load-balanced name, so a participant's
WebSocket may land on any node. A node that receives a room placed on another node
(`room-placements`, written by the API) relays the WebSocket to that node's private URL
(`media-nodes.private_url`); a room placed here, not placed yet, or on a node that
registered no private URL is served here. A relayed request carries `FORWARDED_BY`, and
the node receiving it always serves it, so a placement that changes while a request is
in flight cannot make two nodes pass it back and forth. Media (ICE) then flows straight
between the participant and the hosting node's public IP.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import boto3
from aiohttp import web
from aiohttp.typedefs import Handler
from botocore.exceptions import BotoCoreError, ClientError

from media.dynamo import get_fields
from media.routing import proxy_websocket
from media.signalling import ROOM_SOCKET_PATH

logger = logging.getLogger(__name__)

FORWARDED_BY = "X-VetPet-Forwarded-By"


class RoomHosts(Protocol):
    async def elsewhere(self, room_id: str) -> str | None:
        """The private URL of the node hosting ``room_id`` if that is another node with
        one registered; None: serve the room here."""
        ...


class DynamoRoomHosts:
    """Reads the API's placement and the fleet registry (consistent reads; never writes)."""

    def __init__(self, node_id: str, placements_table: str, nodes_table: str, region: str) -> None:
        self._node_id = node_id
        self._placements = placements_table
        self._nodes = nodes_table
        self._client = boto3.client("dynamodb", region_name=region)

    def _elsewhere(self, room_id: str) -> str | None:
        placement = get_fields(self._client, self._placements, ("room_id", room_id), ["node_id"])
        host = placement.get("node_id", {}).get("S")
        if host is None or host == self._node_id:
            return None
        node = get_fields(self._client, self._nodes, ("node_id", host), ["private_url"])
        url: str | None = node.get("private_url", {}).get("S")
        return url

    async def elsewhere(self, room_id: str) -> str | None:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._elsewhere, room_id)


def route_rooms_to_their_node(app: web.Application, hosts: RoomHosts, node_id: str) -> None:
    """Make ``app`` (a node's public app: a single worker's or the front's) relay each
    room's WebSocket to the node hosting the room."""

    @web.middleware
    async def to_host(request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        if (
            resource is None
            or resource.canonical != ROOM_SOCKET_PATH
            or FORWARDED_BY in request.headers
        ):
            return await handler(request)
        room_id = request.match_info["room_id"]
        try:
            host = await hosts.elsewhere(room_id)
        except (BotoCoreError, ClientError) as exc:
            logger.warning("room placement unreadable, serving here: %s", type(exc).__name__)
            host = None
        if host is None:
            return await handler(request)
        url = f"{host.rstrip('/')}{ROOM_SOCKET_PATH.format(room_id=room_id)}"
        return await proxy_websocket(request, url, {FORWARDED_BY: node_id})

    app.middlewares.append(to_host)
