"""Entry point: ``python -m media``.

One worker per core (VETPET_MEDIA_WORKERS, default os.cpu_count()). With one worker it
serves directly on VETPET_MEDIA_HOST:VETPET_MEDIA_PORT; with more, a front process listens
there and routes rooms to workers on the following loopback ports (see media/routing.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from chalicelib.recordings.vault import Vault, vault_on
from media import lifecycle
from media.admission import DynamoAdmissionStore
from media.aiortc_bridge import IcePolicy, install_ice_policy
from media.auth import TokenVerifier
from media.config import Settings, load_settings
from media.fleet import DynamoRoomHosts, route_rooms_to_their_node
from media.passwords import DynamoRoomPasswordStore
from media.playback import Playback, add_routes
from media.protection import TaskProtection
from media.recording_sink import vault_sink_factory
from media.recording_store import DynamoRecordingStore, RecordingTables
from media.registry import NodeInfo, NodeRegistry
from media.routing import FrontState, create_front_app, worker_rooms
from media.signalling import MediaServer, create_app

NodeState = Callable[[], Awaitable[tuple[int, bool]]]
# A draining front waits this much beyond the drain limit for its workers to exit.
WORKER_EXIT_MARGIN = 30.0


def _registry(settings: Settings) -> NodeRegistry:
    return NodeRegistry(
        settings.nodes_table,
        settings.region,
        NodeInfo(
            node_id=settings.node_id,
            signalling_url=settings.signalling_url,
            public_ip=settings.public_ip or settings.host,
            capacity=settings.capacity,
            private_url=settings.private_url,
        ),
    )


def _serving_rooms_of_the_fleet(app: web.Application, settings: Settings) -> web.Application:
    """The node's public app: a room placed on another node is relayed to it."""
    hosts = DynamoRoomHosts(
        settings.node_id, settings.placements_table, settings.nodes_table, settings.region
    )
    route_rooms_to_their_node(app, hosts, settings.node_id)
    return app


def _with_heartbeat(
    app: web.Application, settings: Settings, registry: NodeRegistry, state: NodeState
) -> web.Application:
    """Register this node (once before serving, then every heartbeat interval); on ECS,
    keep the task protected from scale-in while it hosts a room."""
    protection = TaskProtection(settings.ecs_agent_uri) if settings.ecs_agent_uri else None

    async def state_and_protect() -> tuple[int, bool]:
        live_rooms, draining = await state()
        if protection is not None:
            await protection.update(live_rooms)
        return live_rooms, draining

    async def beat(app: web.Application) -> AsyncIterator[None]:
        await _beat_now(registry, state_and_protect)
        interval = settings.heartbeat.total_seconds()
        task = asyncio.create_task(registry.beat_forever(interval, state_and_protect))
        yield
        task.cancel()

    app.cleanup_ctx.append(beat)
    return app


async def _beat_now(registry: NodeRegistry, state: NodeState) -> None:
    live_rooms, draining = await state()
    await asyncio.get_running_loop().run_in_executor(None, registry.heartbeat, live_rooms, draining)


def _recordings(settings: Settings) -> tuple[DynamoRecordingStore, Vault] | None:
    """The recordings store and vault, or None on a node without a recordings key."""
    if not settings.recordings_key_arn:
        logging.getLogger(__name__).warning("no recordings key: this node does not record")
        return None
    store = DynamoRecordingStore(
        RecordingTables(
            bookings=settings.bookings_table,
            consents=settings.recording_consents_table,
            recordings=settings.recordings_table,
            grants=settings.recording_grants_table,
        ),
        settings.region,
    )
    vault = vault_on(
        settings.region,
        settings.recording_keys_table,
        settings.recordings_bucket,
        settings.recordings_key_arn,
    )
    return store, vault


def _server(settings: Settings) -> MediaServer:
    """The worker's media server; with a recordings key it records and plays back."""
    verifier = TokenVerifier(settings.jwks_url, settings.issuer)
    server = MediaServer(
        verifier=verifier,
        passwords=DynamoRoomPasswordStore(settings.rooms_table, settings.region),
        admission=DynamoAdmissionStore(
            settings.bookings_table, settings.sessions_table, settings.region
        ),
    )
    recordings = _recordings(settings)
    if recordings is not None:
        store, vault = recordings
        server.sink_factory = vault_sink_factory(vault, store, settings.recording_retention)
        server.consents = store.both_consent
        server.playback = Playback(verifier, store, vault)
    return server


def run_worker(host: str, port: int, *, index: int, public: bool) -> None:
    """Worker ``index``; ``public``: it serves the node's public port (and registers the
    node). Its ICE sockets stay in its slice of the UDP range. SIGTERM drains it."""
    settings = load_settings()
    install_ice_policy(IcePolicy(settings.worker_udp_ports(index), settings.public_ip))
    server = _server(settings)
    registry = _registry(settings)

    async def state() -> tuple[int, bool]:
        return len(server.rooms), server.draining

    async def live_rooms() -> int:
        return len(server.rooms)

    async def start_draining() -> None:
        server.draining = True
        if public:
            await _beat_now(registry, state)

    app = create_app(server)
    if public:
        app = _with_heartbeat(_serving_rooms_of_the_fleet(app, settings), settings, registry, state)
    asyncio.run(
        lifecycle.serve(
            app,
            host,
            port,
            start_draining=start_draining,
            live_rooms=live_rooms,
            limit=settings.drain_limit.total_seconds(),
        )
    )


def run_front(settings: Settings) -> None:
    """The node's public port; each room's signalling goes to one worker process. SIGTERM
    drains: the node is marked draining, each worker drains itself, the front exits when
    they have."""
    ports = [settings.port + 1 + i for i in range(settings.workers)]
    # The workers announce the addresses the front found (or was given), not their own look-up.
    worker_env = {
        **os.environ,
        "VETPET_MEDIA_PUBLIC_IP": settings.public_ip or "",
        "VETPET_MEDIA_PRIVATE_IP": settings.private_ip or "",
    }
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "media", "--worker-port", str(port)], env=worker_env
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    front = FrontState()
    registry = _registry(settings)

    async def state() -> tuple[int, bool]:
        return await worker_rooms(urls), front.draining

    async def start_draining() -> None:
        front.draining = True
        await _beat_now(registry, state)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)

    async def live_workers() -> int:
        return sum(worker.poll() is None for worker in workers)

    front_app = _serving_rooms_of_the_fleet(create_front_app(urls, front), settings)
    recordings = _recordings(settings)
    if recordings is not None:  # the front plays recordings back itself (no room involved)
        store, vault = recordings
        verifier = TokenVerifier(settings.jwks_url, settings.issuer)
        add_routes(front_app, Playback(verifier, store, vault))
    app = _with_heartbeat(front_app, settings, registry, state)
    try:
        asyncio.run(
            lifecycle.serve(
                app,
                settings.host,
                settings.port,
                start_draining=start_draining,
                live_rooms=live_workers,
                limit=settings.drain_limit.total_seconds() + WORKER_EXIT_MARGIN,
            )
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=10)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="python -m media")
    parser.add_argument("--worker-port", type=int, help="run a single worker on this port")
    args = parser.parse_args()
    settings = load_settings()
    if args.worker_port is not None:
        index = args.worker_port - settings.port - 1
        run_worker("127.0.0.1", args.worker_port, index=index, public=False)
    elif settings.workers <= 1:
        run_worker(settings.host, settings.port, index=0, public=True)
    else:
        run_front(settings)


if __name__ == "__main__":
    main()
