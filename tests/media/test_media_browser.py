"""A real headless Chromium and an aiortc participant hold a call through the SFU."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from media_support import Client, KeyPair, free_port, wait_for

from media.signalling import MediaServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
IN_CI = os.environ.get("CI") == "true"

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not IN_CI,
        reason="chromium not installed (scripts/install-system-deps.sh installs it)",
    ),
]


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


@pytest_asyncio.fixture
async def browser_page(media_server: tuple[MediaServer, str]) -> AsyncIterator[DevTools]:
    _, base_url = media_server
    port = free_port()
    with tempfile.TemporaryDirectory() as profile:
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


def _video_in(stats: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in stats["inbound"] if s["kind"] == "video")


@pytest.mark.timeout(120)
async def test_browser_and_aiortc_client_hold_a_call(
    keys: KeyPair, media_server: tuple[MediaServer, str], browser_page: DevTools
) -> None:
    server, base_url = media_server
    peer = Client(base_url, "booking-1", keys.token(room="booking-1", sub="vet-1", role="vet"))
    try:
        assert await peer.join()
        token = keys.token(room="booking-1", sub="owner-1", role="owner")
        await browser_page.evaluate(f"window.vetpet.join({{room: 'booking-1', token: '{token}'}})")

        stats: dict[str, Any] = {}

        async def refresh() -> None:
            nonlocal stats
            stats = await browser_page.evaluate("window.vetpet.stats()")

        async def decoding_started() -> bool:
            await refresh()
            return any(s["kind"] == "video" and s["framesDecoded"] > 10 for s in stats["inbound"])

        deadline = asyncio.get_running_loop().time() + 40
        while not await decoding_started():
            assert asyncio.get_running_loop().time() < deadline, stats
            await asyncio.sleep(0.2)

        sent_before, decoded_before = peer.video.frames_sent, _video_in(stats)["framesDecoded"]
        await wait_for(lambda: peer.video.frames_sent >= sent_before + 150, 30, "5 s of video")
        await refresh()
        sent = peer.video.frames_sent - sent_before
        decoded = _video_in(stats)["framesDecoded"] - decoded_before
        assert decoded >= 0.9 * sent, (decoded, sent)
        for stream in stats["inbound"]:
            total = stream["packetsReceived"] + stream["packetsLost"]
            assert stream["packetsLost"] < 0.01 * total, stream
        # and the aiortc participant decodes the browser's fake camera and microphone
        owner = server.rooms["booking-1"].public_id("owner-1")
        await wait_for(
            lambda: peer.decoded[(owner, "video")] > 30 and peer.decoded[(owner, "audio")] > 50,
            30,
            "aiortc peer to decode the browser",
        )
    finally:
        await peer.close()
