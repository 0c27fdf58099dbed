"""A real headless Chromium and an aiortc participant hold a call through the SFU."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from browser_support import CHROMIUM, DevTools, chromium_page
from media_support import Client, KeyPair, wait_for

from media.signalling import MediaServer

IN_CI = os.environ.get("CI") == "true"

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not IN_CI,
        reason="chromium not installed (scripts/install-system-deps.sh installs it)",
    ),
]


@pytest_asyncio.fixture
async def browser_page(media_server: tuple[MediaServer, str]) -> AsyncIterator[DevTools]:
    _, base_url = media_server
    async with chromium_page(base_url) as page:
        yield page


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
