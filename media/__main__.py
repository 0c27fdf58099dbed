"""Entry point: ``python -m media``.

One worker per core (VETPET_MEDIA_WORKERS, default os.cpu_count()). With one worker it
serves directly on VETPET_MEDIA_HOST:VETPET_MEDIA_PORT; with more, a front process listens
there and routes rooms to workers on the following loopback ports (see media/routing.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from media.admission import DynamoAdmissionStore
from media.aiortc_bridge import IcePolicy, install_ice_policy
from media.auth import TokenVerifier
from media.config import Settings, load_settings
from media.passwords import DynamoRoomPasswordStore
from media.registry import NodeInfo, NodeRegistry
from media.routing import create_front_app, worker_rooms
from media.signalling import MediaServer, create_app


def _registry(settings: Settings) -> NodeRegistry:
    return NodeRegistry(
        settings.nodes_table,
        settings.region,
        NodeInfo(
            node_id=settings.node_id,
            signalling_url=settings.signalling_url,
            public_ip=settings.public_ip or settings.host,
            capacity=settings.capacity,
        ),
    )


def _with_heartbeat(
    app: web.Application, settings: Settings, state: Callable[[], Awaitable[tuple[int, bool]]]
) -> web.Application:
    """Register this node (once before serving, then every heartbeat interval)."""
    registry = _registry(settings)

    async def beat(app: web.Application) -> AsyncIterator[None]:
        live_rooms, draining = await state()
        await asyncio.get_running_loop().run_in_executor(
            None, registry.heartbeat, live_rooms, draining
        )
        task = asyncio.create_task(registry.beat_forever(settings.heartbeat.total_seconds(), state))
        yield
        task.cancel()

    app.cleanup_ctx.append(beat)
    return app


def run_worker(host: str, port: int, *, index: int, public: bool) -> None:
    """Worker ``index``; ``public``: it serves the node's public port (and registers the
    node). Its ICE sockets stay in its slice of the UDP range."""
    settings = load_settings()
    install_ice_policy(IcePolicy(settings.worker_udp_ports(index), settings.public_ip))
    server = MediaServer(
        verifier=TokenVerifier(settings.jwks_url, settings.issuer),
        passwords=DynamoRoomPasswordStore(settings.rooms_table, settings.region),
        admission=DynamoAdmissionStore(
            settings.bookings_table, settings.sessions_table, settings.region
        ),
        sink_factory=None,  # recording sinks (encrypt + upload) arrive with a later issue
    )
    app = create_app(server)
    if public:

        async def state() -> tuple[int, bool]:
            return len(server.rooms), False

        app = _with_heartbeat(app, settings, state)
    web.run_app(app, host=host, port=port, access_log=None)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="python -m media")
    parser.add_argument("--worker-port", type=int, help="run a single worker on this port")
    args = parser.parse_args()
    settings = load_settings()
    if args.worker_port is not None:
        index = args.worker_port - settings.port - 1
        run_worker("127.0.0.1", args.worker_port, index=index, public=False)
        return
    if settings.workers <= 1:
        run_worker(settings.host, settings.port, index=0, public=True)
        return
    ports = [settings.port + 1 + i for i in range(settings.workers)]
    workers = [
        subprocess.Popen([sys.executable, "-m", "media", "--worker-port", str(port)])  # noqa: S603
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]

        async def state() -> tuple[int, bool]:
            return await worker_rooms(urls), False

        app = _with_heartbeat(create_front_app(urls), settings, state)
        web.run_app(app, host=settings.host, port=settings.port, access_log=None)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=10)


if __name__ == "__main__":
    main()
