"""Entry point: ``python -m media``.

One worker per core (VETPET_MEDIA_WORKERS, default os.cpu_count()). With one worker it
serves directly on VETPET_MEDIA_HOST:VETPET_MEDIA_PORT; with more, a front process listens
there and routes rooms to workers on the following loopback ports (see media/routing.py).
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys

from aiohttp import web

from media.auth import TokenVerifier
from media.config import load_settings
from media.passwords import DynamoRoomPasswordStore
from media.routing import create_front_app
from media.signalling import MediaServer, create_app


def run_worker(host: str, port: int) -> None:
    settings = load_settings()
    if not settings.rooms_table:
        raise SystemExit("VETPET_ROOMS_TABLE must be set")
    server = MediaServer(
        verifier=TokenVerifier(settings.jwks_url, settings.issuer),
        passwords=DynamoRoomPasswordStore(settings.rooms_table),
        sink_factory=None,  # recording sinks (encrypt + upload) are not built yet
    )
    web.run_app(create_app(server), host=host, port=port, access_log=None)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="python -m media")
    parser.add_argument("--worker-port", type=int, help="run a single worker on this port")
    args = parser.parse_args()
    settings = load_settings()
    if args.worker_port is not None:
        run_worker("127.0.0.1", args.worker_port)
        return
    if settings.workers <= 1:
        run_worker(settings.host, settings.port)
        return
    ports = [settings.port + 1 + i for i in range(settings.workers)]
    workers = [
        subprocess.Popen([sys.executable, "-m", "media", "--worker-port", str(port)])  # noqa: S603
        for port in ports
    ]
    try:
        app = create_front_app([f"http://127.0.0.1:{port}" for port in ports])
        web.run_app(app, host=settings.host, port=settings.port, access_log=None)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=10)


if __name__ == "__main__":
    main()
