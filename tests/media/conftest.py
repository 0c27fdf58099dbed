from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web
from media_support import ISSUER, KeyPair, free_port, serve_jwks

from media.admission import InMemoryAdmissionStore
from media.auth import TokenVerifier
from media.passwords import InMemoryRoomPasswordStore
from media.recording_store import InMemoryRecordingStore
from media.signalling import MediaServer, create_app


class MemorySink:
    def __init__(self) -> None:
        self.recording_id = uuid.uuid4().hex
        self.chunks: list[bytes] = []
        self.closed = False
        self.withdrawn = False

    async def write(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def mark_withdrawn(self) -> None:
        self.withdrawn = True

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def admission() -> InMemoryAdmissionStore:
    store = InMemoryAdmissionStore()
    store.set_booking("booking-1", "confirmed")
    return store


@pytest.fixture
def keys(admission: InMemoryAdmissionStore) -> KeyPair:
    return KeyPair("test-key-1", admission)


@pytest_asyncio.fixture
async def jwks_url(keys: KeyPair) -> AsyncIterator[str]:
    runner, url = await serve_jwks([keys])
    yield url
    await runner.cleanup()


@pytest.fixture
def sinks() -> dict[str, MemorySink]:
    return {}


@pytest.fixture
def recording_store() -> InMemoryRecordingStore:
    return InMemoryRecordingStore()


@pytest_asyncio.fixture
async def media_server(
    jwks_url: str,
    sinks: dict[str, MemorySink],
    admission: InMemoryAdmissionStore,
    recording_store: InMemoryRecordingStore,
) -> AsyncIterator[tuple[MediaServer, str]]:
    def sink_factory(room_id: str) -> MemorySink:
        sinks[room_id] = MemorySink()
        return sinks[room_id]

    server = MediaServer(
        verifier=TokenVerifier(jwks_url, ISSUER),
        passwords=InMemoryRoomPasswordStore(),
        admission=admission,
        sink_factory=sink_factory,
        consents=recording_store.both_consent,
    )
    runner = web.AppRunner(create_app(server))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield server, f"http://127.0.0.1:{port}"
    await runner.cleanup()
