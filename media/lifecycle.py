"""Serving until drained: SIGTERM stops new rooms, live calls go on until they end or the
drain limit passes, then the process exits. SIGINT (Ctrl-C) stops at once."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web

logger = logging.getLogger(__name__)

DRAIN_POLL = 1.0


async def wait_drained(
    live_rooms: Callable[[], Awaitable[int]], limit: float, poll: float = DRAIN_POLL
) -> bool:
    """Wait until no room is live (True) or ``limit`` seconds pass (False)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while await live_rooms():
        remaining = deadline - loop.time()
        if remaining <= 0:
            return False
        await asyncio.sleep(min(poll, remaining))
    return True


async def serve(
    app: web.Application,
    host: str,
    port: int,
    *,
    start_draining: Callable[[], Awaitable[None]],
    live_rooms: Callable[[], Awaitable[int]],
    limit: float,
) -> None:
    """Serve ``app`` until SIGINT, or until SIGTERM and then drained."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    loop = asyncio.get_running_loop()
    received: asyncio.Future[signal.Signals] = loop.create_future()

    def on_signal(sig: signal.Signals) -> None:
        if not received.done():
            received.set_result(sig)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        if await received == signal.SIGTERM:
            logger.info("draining: no new rooms; waiting for live calls (limit %.0f s)", limit)
            await start_draining()
            if not await wait_drained(live_rooms, limit):
                logger.info("drain limit reached; closing the remaining calls")
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await runner.cleanup()
