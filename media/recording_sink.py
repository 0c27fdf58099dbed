"""The recorder's sink: encrypts the WebM stream as it comes and uploads it to S3
(`chalicelib.recordings.vault`), then writes the `recordings` item.

The recorder writes on the event loop; an uploading thread reads through a bounded pipe,
encrypts frame by frame and sends a bounded number of multipart parts at a time, so
neither a plaintext byte nor the whole recording is ever on disk or in memory. The item
is written only once the upload has completed: a failed upload leaves no object and no
item.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from chalicelib.recordings.stored import RecordingStatus
from chalicelib.recordings.vault import FRAME_LENGTH, Pipe, RecordingScope, Vault
from media.recording_store import RecordingStore, StoredRecording

logger = logging.getLogger(__name__)
T = TypeVar("T")

# WebM bytes waiting for the uploading thread (1 MiB, well above one Encryption SDK frame).
PIPE_LIMIT = 4 * FRAME_LENGTH


class RecordingFailedError(RuntimeError):
    """The booking is unknown or the encrypted upload failed: nothing was stored."""


class VaultSink:
    """One recording: WebM chunks in, an encrypted object and a `recordings` item out."""

    def __init__(
        self,
        booking_id: str,
        vault: Vault,
        store: RecordingStore,
        retention: timedelta,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.recording_id = uuid.uuid4().hex
        self.withdrawn = False
        self._booking_id = booking_id
        self._vault = vault
        self._store = store
        self._retention = retention
        self._clock = clock
        self._started_at = clock()
        self._started = time.monotonic()
        self._object_key = f"bookings/{booking_id}/{self.recording_id}"
        self._pipe = Pipe(PIPE_LIMIT)
        self._upload = asyncio.create_task(self._run())

    def mark_withdrawn(self) -> None:
        self.withdrawn = True

    async def write(self, chunk: bytes) -> None:
        if self._upload.done():
            return  # the upload failed; close() reports it
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._pipe.write, chunk)
        except BrokenPipeError:
            return

    async def close(self) -> None:
        self._pipe.close()
        await self._upload

    async def _run(self) -> None:
        try:
            parties = await self._store.parties(self._booking_id)
            if parties is None:
                raise RecordingFailedError("no such booking")
            scope = RecordingScope(booking_id=self._booking_id, owner_id=parties.owner_id)
            size = await _in_own_thread(self._vault.upload, self._object_key, self._pipe, scope)
        except Exception:
            logger.exception("recording upload failed")
            raise
        finally:
            self._pipe.close()  # a writer blocked on a failed upload is let go
        status = RecordingStatus.WITHDRAWN if self.withdrawn else RecordingStatus.COMPLETE
        await self._store.save(
            StoredRecording(
                recording_id=self.recording_id,
                booking_id=self._booking_id,
                owner_id=parties.owner_id,
                consultant_id=parties.consultant_id,
                object_key=self._object_key,
                started_at=self._started_at,
                duration_s=time.monotonic() - self._started,
                size_bytes=size,
                status=str(status),
                purge_at=parties.end + self._retention,
            )
        )


async def _in_own_thread(call: Callable[..., T], *args: Any) -> T:
    """Run a call that lasts as long as the recording on a thread of its own: on the
    loop's shared executor, a few long uploads would take every worker and leave none
    for the writes that feed them."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if done.cancelled():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(cast(T, result))

    def run() -> None:
        try:
            result = call(*args)
        except BaseException as error:  # handed to the awaiting task
            loop.call_soon_threadsafe(settle, None, error)
        else:
            loop.call_soon_threadsafe(settle, result, None)

    threading.Thread(target=run, name="recording-upload", daemon=True).start()
    return await done


def vault_sink_factory(
    vault: Vault, store: RecordingStore, retention: timedelta
) -> Callable[[str], VaultSink]:
    """The media server's `SinkFactory`: one `VaultSink` per recording of a room."""

    def factory(booking_id: str) -> VaultSink:
        return VaultSink(booking_id, vault, store, retention)

    return factory
