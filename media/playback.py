"""The decrypting playback endpoint: ``GET /playback/{rid}?token=...``.

The token (from the API, at most 5 minutes, one recording) is checked on every request:
signature, issuer, audience, required claims, ``rid`` = the path; a token with ``gid``
(a third party's written-consent grant) also needs that grant live right now. The
recording is decrypted on the fly from S3 (`chalicelib.recordings.vault`), one frame at a
time, with HTTP Range support so a `<video>` can seek; nothing is written anywhere.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web

from chalicelib.recordings.errors import RecordingKeyShredded, RecordingUnreadable
from chalicelib.recordings.vault import RecordingScope, Vault
from media.auth import TokenRejectedError, TokenVerifier
from media.recording_store import RecordingStore

logger = logging.getLogger(__name__)

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
    "X-Content-Type-Options": "nosniff",
}


class RangeNotSatisfiableError(Exception):
    pass


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The ``[start, end)`` one ``Range: bytes=...`` header asks for, or None for the
    whole body (no header, or one this endpoint ignores: not bytes, several ranges)."""
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size  # the last N bytes
    else:
        start = int(first)
        end = size if last == "" else min(int(last) + 1, size)
    if start >= size or start >= end:
        raise RangeNotSatisfiableError
    return start, end


def _problem(status: int, code: str, title: str) -> web.Response:
    return web.json_response(
        {"type": "about:blank", "title": title, "status": status, "code": code},
        status=status,
        content_type="application/problem+json",
        headers=_PRIVATE,
    )


@dataclass
class Playback:
    verifier: TokenVerifier
    store: RecordingStore
    vault: Vault
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


PLAYBACK = web.AppKey("playback", Playback)


def add_routes(app: web.Application, playback: Playback) -> None:
    app[PLAYBACK] = playback
    app.router.add_get("/playback/{rid}", play, allow_head=False)


async def play(request: web.Request) -> web.StreamResponse:
    playback = request.app[PLAYBACK]
    recording_id = request.match_info["rid"]
    token = request.query.get("token", "")
    try:
        claims = await playback.verifier.verify_playback(token, recording_id)
    except TokenRejectedError as exc:
        logger.info("playback token refused: %s", exc)
        return _problem(401, "playback_token_invalid", "The playback link is invalid or expired.")
    if claims.grant_id is not None and not await playback.store.grant_allows(
        claims.grant_id, recording_id, playback.clock()
    ):
        return _problem(403, "grant_inactive", "The disclosure grant is revoked or expired.")
    recording = await playback.store.find(recording_id)
    if recording is None or recording.booking_id != claims.booking_id:
        return _problem(404, "recording_not_found", "The recording does not exist.")
    try:
        window = byte_range(request.headers.get("Range"), recording.size_bytes)
    except RangeNotSatisfiableError:
        response = _problem(416, "range_not_satisfiable", "The range is outside the recording.")
        response.headers["Content-Range"] = f"bytes */{recording.size_bytes}"
        return response
    start, end = window or (0, recording.size_bytes)
    scope = RecordingScope(booking_id=recording.booking_id, owner_id=recording.owner_id)
    chunks = playback.vault.decrypt(recording.object_key, scope, start, end)
    try:
        return await _stream(request, chunks, window, start, end, recording.size_bytes)
    finally:
        chunks.close()


async def _stream(
    request: web.Request,
    chunks: Iterator[bytes],
    window: tuple[int, int] | None,
    start: int,
    end: int,
    size: int,
) -> web.StreamResponse:
    loop = asyncio.get_running_loop()
    try:  # the first chunk: the owner key and the encryption context are checked by then
        chunk = await loop.run_in_executor(None, next, chunks, b"")
    except RecordingKeyShredded:
        return _problem(410, "recording_shredded", "The recording can no longer be decrypted.")
    except RecordingUnreadable:
        logger.error("a stored recording does not decrypt for its booking")
        return _problem(500, "recording_unreadable", "The recording cannot be decrypted.")
    response = web.StreamResponse(status=200 if window is None else 206, headers=_PRIVATE)
    response.content_type = "video/webm"
    response.content_length = end - start
    response.headers["Accept-Ranges"] = "bytes"
    if window is not None:
        response.headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    await response.prepare(request)
    while chunk:
        await response.write(chunk)
        chunk = await loop.run_in_executor(None, next, chunks, b"")
    await response.write_eof()
    return response
