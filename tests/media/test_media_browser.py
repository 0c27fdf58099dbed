"""A real headless Chromium and an aiortc participant hold a call through the SFU; the
browser's record button records it (encrypted into the in-process S3) and the playback
link plays it back in the browser's <video>."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from browser_support import CHROMIUM, DevTools, chromium_page
from media_support import ISSUER, Client, KeyPair, free_port, wait_for
from recording_world import END, aws_vault

from chalicelib.recordings.vault import RecordingScope, Vault
from media.admission import InMemoryAdmissionStore
from media.auth import TokenVerifier
from media.passwords import InMemoryRoomPasswordStore
from media.playback import Playback
from media.recording_sink import vault_sink_factory
from media.recording_store import InMemoryRecordingStore, Parties
from media.signalling import MediaServer, create_app

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


@pytest.fixture
def vault() -> Iterator[Vault]:
    yield from aws_vault()


@pytest_asyncio.fixture
async def recording_server(
    jwks_url: str, admission: InMemoryAdmissionStore, vault: Vault
) -> AsyncIterator[tuple[MediaServer, str, InMemoryRecordingStore]]:
    """A media server that records into the vault and plays back, as `__main__` wires it."""
    store = InMemoryRecordingStore()
    store.bookings["booking-1"] = Parties("owner-1", "vet-1", END)
    store.consents["booking-1"] = (True, True)
    verifier = TokenVerifier(jwks_url, ISSUER)
    server = MediaServer(
        verifier=verifier,
        passwords=InMemoryRoomPasswordStore(),
        admission=admission,
        sink_factory=vault_sink_factory(vault, store, timedelta(days=1096)),
        consents=store.both_consent,
        playback=Playback(verifier, store, vault),
    )
    runner = web.AppRunner(create_app(server))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield server, f"http://127.0.0.1:{port}", store
    await runner.cleanup()


@pytest.mark.timeout(150)
async def test_the_record_button_records_a_call_that_plays_back_in_the_browser(
    keys: KeyPair,
    recording_server: tuple[MediaServer, str, InMemoryRecordingStore],
    vault: Vault,
) -> None:
    _, base_url, store = recording_server
    peer = Client(
        base_url, "booking-1", keys.token(room="booking-1", sub="vet-1", role="vet", rec=True)
    )
    async with chromium_page(base_url) as page:
        try:
            assert await peer.join()
            token = keys.token(room="booking-1", sub="owner-1", role="owner", rec=True)
            await page.evaluate(f"window.vetpet.join({{room: 'booking-1', token: '{token}'}})")
            await _until(
                page,
                "window.vetpet.stats().then(s => s.inbound.some("
                "i => i.kind === 'video' && i.framesDecoded > 10))",
                40,
            )

            await page.evaluate("document.getElementById('record').click()")
            await _until(page, "window.vetpet.recordingState() === 'started'", 10)
            await peer.wait_message(lambda m: m.get("state") == "started")
            sent = peer.video.frames_sent
            await wait_for(lambda: peer.video.frames_sent >= sent + 120, 30, "4 s of call")
            await page.evaluate("document.getElementById('record').click()")
            await _until(page, "window.vetpet.recordingState() === 'saved'", 20)
            label = await page.evaluate("document.getElementById('recording-state').textContent")
            saved = await peer.wait_message(lambda m: m.get("state") == "saved")
        finally:
            await peer.close()

        recording = store.recordings[saved["recording"]]
        assert label.startswith("Recording saved")
        plaintext = b"".join(
            vault.decrypt(recording.object_key, RecordingScope("booking-1", "owner-1"))
        )
        assert plaintext.startswith(b"\x1a\x45\xdf\xa3")  # the WebM, once decrypted
        assert len(plaintext) == recording.size_bytes

        link = keys.playback_token(recording=recording.recording_id, booking="booking-1")
        url = f"{base_url}/playback/{recording.recording_id}?token={link}"
        await page.evaluate(f"document.getElementById('playback-url').value = '{url}'")
        await page.evaluate("document.querySelector('#playback button').click()")
        await _until(page, "window.vetpet.playing().currentTime > 1.0", 30)
        playing = await page.evaluate("window.vetpet.playing()")
        assert playing["videoWidth"] > 0
        assert playing["error"] is None


async def _until(page: DevTools, expression: str, timeout: float) -> None:
    """Poll a browser-side expression until it is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await page.evaluate(expression):
        assert asyncio.get_running_loop().time() < deadline, expression
        await asyncio.sleep(0.2)
