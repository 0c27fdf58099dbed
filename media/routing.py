"""Multi-process layout: a front process routes each room to one worker by a stable hash.

Workers are ordinary media servers on loopback ports. The front serves /health and the web
client, and proxies each room's signalling WebSocket to ``worker_for(room_id)``; media (ICE)
then flows directly between the client and that worker's UDP sockets. The same proxy
carries a room's signalling to the node hosting it (media/fleet.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web

from media.signalling import CLOSE_UNAVAILABLE, ROOM_SOCKET_PATH, STATIC_DIR, index

logger = logging.getLogger(__name__)

WORKER_URLS = web.AppKey("worker_urls", list[str])


@dataclass
class FrontState:
    draining: bool = False


FRONT_STATE = web.AppKey("front_state", FrontState)


def worker_for(room_id: str, workers: int) -> int:
    """Deterministic room -> worker index (the same in every front process)."""
    digest = hashlib.sha256(room_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % workers


# Connecting to a worker or a peer node takes milliseconds; one that does not answer
# within this is treated as unreachable.
UPSTREAM_CONNECT_SECONDS = 5.0
# Close codes passed on as they are (the refusals, 1000, 1001); any other end is 1000.
_RELAYED_CLOSE_CODES = range(4000, 5000)


def _relayed_close_code(code: int | None) -> int:
    if code is not None and (code in _RELAYED_CLOSE_CODES or code in (1000, 1001)):
        return code
    return 1000


async def _pipe(
    source: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
    target: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
) -> None:
    async for msg in source:
        if msg.type != WSMsgType.TEXT:
            break
        await target.send_str(msg.data)
    await target.close(code=_relayed_close_code(source.close_code))


async def proxy_websocket(
    request: web.Request, url: str, headers: Mapping[str, str] | None = None
) -> web.WebSocketResponse:
    """Accept the client's WebSocket and relay its text messages both ways to ``url``
    (close codes too); an upstream that cannot be reached ends it with `unavailable`."""
    client = web.WebSocketResponse(heartbeat=20)
    await client.prepare(request)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=UPSTREAM_CONNECT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        try:
            upstream = await session.ws_connect(url, headers=headers)
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("signalling upstream unreachable: %s", type(exc).__name__)
            await client.send_json({"type": "error", "code": "unavailable"})
            await client.close(code=CLOSE_UNAVAILABLE)
            return client
        async with upstream:
            await asyncio.gather(_pipe(client, upstream), _pipe(upstream, client))
    return client


async def proxy_room(request: web.Request) -> web.StreamResponse:
    urls = request.app[WORKER_URLS]
    room_id = request.match_info["room_id"]
    worker = urls[worker_for(room_id, len(urls))]
    return await proxy_websocket(request, f"{worker}{ROOM_SOCKET_PATH.format(room_id=room_id)}")


async def _worker_health(urls: list[str]) -> list[dict[str, Any]]:
    workers: list[dict[str, Any]] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        for url in urls:
            try:
                async with session.get(f"{url}/health") as resp:
                    workers.append(await resp.json())
            except aiohttp.ClientError:
                workers.append({"status": "down"})
    return workers


async def worker_rooms(urls: list[str]) -> int:
    """Rooms live on this node's workers (for the registry heartbeat)."""
    return sum(int(w.get("rooms", 0)) for w in await _worker_health(urls))


async def front_health(request: web.Request) -> web.Response:
    workers = await _worker_health(request.app[WORKER_URLS])
    if request.app[FRONT_STATE].draining:
        return web.json_response({"status": "draining", "workers": workers})
    ok = all(w.get("status") == "ok" for w in workers)
    return web.json_response(
        {"status": "ok" if ok else "degraded", "workers": workers}, status=200 if ok else 503
    )


def create_front_app(worker_urls: list[str], state: FrontState) -> web.Application:
    app = web.Application()
    app[WORKER_URLS] = worker_urls
    app[FRONT_STATE] = state
    app.router.add_get("/health", front_health)
    app.router.add_get(ROOM_SOCKET_PATH, proxy_room)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC_DIR)
    return app
