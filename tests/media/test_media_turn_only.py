"""Two headless Chromium peers, forced to relay-only ICE, call through the local coturn and
the SFU: media flows both ways over TURN (and coturn relays to the SFU's address only)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, DevTools, chromium_page
from media_support import KeyPair, free_port

from chalicelib.bookings.room_access import turn_credentials
from media.coturn import local_config
from media.devstack import sfu_addresses
from media.signalling import MediaServer

TURNSERVER = shutil.which("turnserver")
SECRET = "turn-only-test-secret"

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) or TURNSERVER is None,
        reason="chromium and coturn needed (scripts/install-system-deps.sh installs them)",
    ),
]


@pytest.fixture
def coturn() -> Iterator[int]:
    assert TURNSERVER is not None
    port = free_port()
    low = random.randrange(50000, 59000, 100)
    with tempfile.TemporaryDirectory() as workdir:
        config = Path(workdir) / "turnserver.conf"
        config.write_text(
            local_config(
                turn_port=port,
                secret=SECRET,
                relay_ports=(low, low + 99),
                sfu_addresses=sfu_addresses(),
            )
        )
        process = subprocess.Popen(
            [TURNSERVER, "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield port
        finally:
            process.terminate()
            process.wait(timeout=10)


def _ice_servers(turn_port: int, user: str) -> list[dict[str, Any]]:
    username, credential = turn_credentials(user, datetime.now(UTC) + timedelta(hours=1), SECRET)
    return [
        {
            "urls": [f"turn:127.0.0.1:{turn_port}?transport=udp"],
            "username": username,
            "credential": credential,
        }
    ]


async def _stats(page: DevTools) -> dict[str, Any]:
    stats: dict[str, Any] = await page.evaluate("window.vetpet.stats()")
    return stats


@pytest.mark.timeout(150)
async def test_relay_only_browsers_carry_media_both_ways_through_coturn(
    coturn: int, keys: KeyPair, media_server: tuple[MediaServer, str]
) -> None:
    _, base_url = media_server
    async with chromium_page(base_url) as owner, chromium_page(base_url) as vet:
        for page, sub, role in ((owner, "owner-1", "owner"), (vet, "vet-1", "vet")):
            token = keys.token(room="booking-1", sub=sub, role=role)
            options = {
                "room": "booking-1",
                "token": token,
                "iceServers": _ice_servers(coturn, sub),
                "iceTransportPolicy": "relay",
            }
            await page.evaluate(f"window.vetpet.join({json.dumps(options)})")

        deadline = asyncio.get_running_loop().time() + 90
        while True:
            stats = [await _stats(owner), await _stats(vet)]
            flowing = all(
                any(s["kind"] == "video" and s["framesDecoded"] > 30 for s in st["inbound"])
                and any(s["kind"] == "audio" and s["packetsReceived"] > 50 for s in st["inbound"])
                for st in stats
            )
            if flowing:
                break
            assert asyncio.get_running_loop().time() < deadline, stats
            await asyncio.sleep(0.5)
        for st in stats:
            assert st["pairs"], st
            assert {pair["localType"] for pair in st["pairs"]} == {"relay"}, st["pairs"]
