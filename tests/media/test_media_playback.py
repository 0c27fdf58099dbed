"""The decrypting playback endpoint: the token, the grant, HTTP ranges, a shredded key
and a swapped ciphertext, against an in-process S3/KMS and a real JWKS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import boto3
import pytest
import pytest_asyncio
from aiohttp import web
from media_support import ISSUER, KeyPair, free_port, serve_jwks
from recording_world import END, aws_vault

from chalicelib.config import get_settings
from chalicelib.recordings.vault import FRAME_LENGTH, RecordingScope, Vault, shred_owner_key
from media.auth import TokenVerifier
from media.playback import Playback, add_routes, byte_range
from media.recording_store import InMemoryRecordingStore, StoredRecording

pytestmark = pytest.mark.asyncio
NOW = datetime.now(UTC)
CONTENT = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * ((3 * FRAME_LENGTH) // 256 + 7)


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def read(self, n: int = -1, /) -> bytes:
        end = len(self._data) if n < 0 else self._at + n
        chunk, self._at = self._data[self._at : end], min(end, len(self._data))
        return chunk


@dataclass
class World:
    base: str
    keys: KeyPair
    store: InMemoryRecordingStore
    vault: Vault

    def store_recording(self, recording_id: str, booking_id: str, owner_id: str) -> None:
        key = f"bookings/{booking_id}/{recording_id}"
        size = self.vault.upload(key, _Bytes(CONTENT), RecordingScope(booking_id, owner_id))
        self.store.recordings[recording_id] = StoredRecording(
            recording_id, booking_id, owner_id, "vet-1", key, NOW, 3.0, size, "complete", END
        )

    def url(self, recording_id: str = "r-1", **claims: object) -> str:
        token = self.keys.playback_token(
            recording=str(claims.pop("recording", recording_id)),
            booking=str(claims.pop("booking", "b-1")),
            **claims,  # type: ignore[arg-type]
        )
        return f"{self.base}/playback/{recording_id}?token={token}"


@pytest.fixture
def vault() -> Iterator[Vault]:
    yield from aws_vault()


@pytest_asyncio.fixture
async def world(vault: Vault) -> AsyncIterator[World]:
    keys = KeyPair("playback-key")
    jwks, jwks_url = await serve_jwks([keys])
    store = InMemoryRecordingStore()
    app = web.Application()
    add_routes(app, Playback(TokenVerifier(jwks_url, ISSUER), store, vault))
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    world = World(f"http://127.0.0.1:{port}", keys, store, vault)
    world.store_recording("r-1", "b-1", "owner-1")
    yield world
    await runner.cleanup()
    await jwks.cleanup()


async def _get(
    url: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, dict(response.headers), await response.read()


async def test_the_whole_recording_plays_decrypted(world: World) -> None:
    status, headers, body = await _get(world.url())
    assert status == 200
    assert body == CONTENT
    assert headers["Content-Type"] == "video/webm"
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 100),
        (f"bytes={FRAME_LENGTH - 10}-{FRAME_LENGTH + 9}", FRAME_LENGTH - 10, FRAME_LENGTH + 10),
        (f"bytes={2 * FRAME_LENGTH}-", 2 * FRAME_LENGTH, len(CONTENT)),
        ("bytes=-500", len(CONTENT) - 500, len(CONTENT)),
        (f"bytes=100-{10 * len(CONTENT)}", 100, len(CONTENT)),
    ],
)
async def test_a_range_answers_206_with_those_bytes(
    world: World, header: str, start: int, end: int
) -> None:
    status, headers, body = await _get(world.url(), {"Range": header})
    assert status == 206
    assert body == CONTENT[start:end]
    assert headers["Content-Range"] == f"bytes {start}-{end - 1}/{len(CONTENT)}"


async def test_a_range_past_the_end_is_416(world: World) -> None:
    status, headers, _ = await _get(world.url(), {"Range": f"bytes={len(CONTENT)}-"})
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{len(CONTENT)}"


async def test_unsupported_ranges_mean_the_whole_body() -> None:
    assert byte_range(None, 10) is None
    assert byte_range("bytes=0-1,4-5", 10) is None
    assert byte_range("items=0-1", 10) is None
    assert byte_range("bytes=-", 10) is None


async def test_without_a_token_nothing_plays(world: World) -> None:
    status, _, body = await _get(f"{world.base}/playback/r-1")
    assert status == 401
    assert CONTENT[:100] not in body


@pytest.mark.parametrize(
    "claims",
    [
        {"ttl": -30},  # expired
        {"recording": "r-2"},  # a token for another recording
        {"audience": "vetpet-media"},  # a room token's audience
    ],
)
async def test_an_expired_or_foreign_token_is_refused(
    world: World, claims: dict[str, object]
) -> None:
    status, headers, _ = await _get(world.url(**claims))
    assert status == 401
    assert headers["Content-Type"].startswith("application/problem+json")


async def test_a_token_of_another_booking_does_not_play_this_recording(world: World) -> None:
    world.store_recording("r-2", "b-2", "owner-1")
    status, _, _ = await _get(world.url("r-2", booking="b-1"))
    assert status == 404
    assert (await _get(world.url("r-2", booking="b-2")))[0] == 200


@pytest.mark.parametrize(
    ("grant", "status"),
    [
        (("r-1", False, timedelta(minutes=10)), 200),
        (("r-1", True, timedelta(minutes=10)), 403),  # revoked
        (("r-1", False, timedelta(seconds=-1)), 403),  # expired
        (("r-9", False, timedelta(minutes=10)), 403),  # for another recording
        (None, 403),  # no such grant
    ],
)
async def test_a_grant_token_plays_only_while_its_grant_is_live(
    world: World, grant: tuple[str, bool, timedelta] | None, status: int
) -> None:
    if grant is not None:
        recording_id, revoked, expires_in = grant
        world.store.grants["g-1"] = (recording_id, revoked, datetime.now(UTC) + expires_in)
    assert (await _get(world.url(grant="g-1", sub="g-1")))[0] == status


async def test_a_shredded_owner_key_answers_gone(world: World) -> None:
    shred_owner_key("owner-1")
    status, _, body = await _get(world.url())
    assert status == 410
    assert CONTENT[:100] not in body


async def test_a_ciphertext_swapped_in_from_another_booking_does_not_play(world: World) -> None:
    world.store_recording("r-2", "b-2", "owner-1")
    settings = get_settings()
    boto3.client("s3", region_name=settings.region).copy_object(
        Bucket=settings.recordings_bucket,
        Key="bookings/b-1/r-1",
        CopySource={"Bucket": settings.recordings_bucket, "Key": "bookings/b-2/r-2"},
    )
    status, _, body = await _get(world.url())
    assert status == 500
    assert CONTENT[:100] not in body
