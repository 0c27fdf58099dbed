"""Drives a headless Chromium through the DevTools protocol (for the browser tests)."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from media_support import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class DevTools:
    """Minimal Chrome DevTools Protocol client over aiohttp's WebSocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    async def evaluate(self, expression: str) -> Any:
        call_id = next(self._ids)
        await self._ws.send_json(
            {
                "id": call_id,
                "method": "Runtime.evaluate",
                "params": {"expression": expression, "awaitPromise": True, "returnByValue": True},
            }
        )
        while True:
            reply = await self._ws.receive_json(timeout=30)
            if reply.get("id") == call_id:
                result = reply["result"]
                assert "exceptionDetails" not in result, result["exceptionDetails"]
                return result["result"].get("value")


@asynccontextmanager
async def chromium_page(base_url: str) -> AsyncIterator[DevTools]:
    """A fresh headless Chromium (fake camera and microphone) on the SFU's web client."""
    port = free_port()
    # Chromium's helper processes may still write the profile while the main one exits.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                "--autoplay-policy=no-user-gesture-required",
                f"--remote-debugging-port={port}",
                f"{base_url}/",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            async with aiohttp.ClientSession() as session:
                pages: list[dict[str, Any]] = []

                async def page_ready() -> bool:
                    nonlocal pages
                    try:
                        async with session.get(f"http://127.0.0.1:{port}/json/list") as resp:
                            pages = [p for p in await resp.json() if p["type"] == "page"]
                    except aiohttp.ClientError:
                        return False
                    return any(p["url"].startswith(base_url) for p in pages)

                deadline = asyncio.get_running_loop().time() + 30
                while not await page_ready():
                    assert asyncio.get_running_loop().time() < deadline, "chromium did not start"
                    await asyncio.sleep(0.2)
                page = next(p for p in pages if p["url"].startswith(base_url))
                async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                    tools = DevTools(ws)
                    await wait_for_page(tools)
                    yield tools
        finally:
            process.terminate()
            process.wait(timeout=10)


async def wait_for_page(tools: DevTools) -> None:
    for _ in range(100):
        if await tools.evaluate("typeof window.vetpet === 'object'"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("client.js did not load")
