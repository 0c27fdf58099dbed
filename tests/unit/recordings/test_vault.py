"""The recordings vault under in-process AWS: streaming encryption into S3 by multipart
upload, the encryption context checked on decryption, crypto-shredding, bounded memory."""

from __future__ import annotations

import logging
import threading
from typing import Any

import boto3
import pytest

from chalicelib.config import get_settings
from chalicelib.media_nodes.contract import RECORDING_KEYS_TABLE, RECORDING_PURPOSE
from chalicelib.recordings.errors import RecordingKeyShredded, RecordingUnreadable
from chalicelib.recordings.vault import (
    FRAME_LENGTH,
    PART_SIZE,
    PARTS_IN_FLIGHT,
    SDK_STREAM_LOGGER,
    OwnerKeys,
    Pipe,
    RecordingScope,
    Vault,
    _master_key,
    _sdk,
    shred_owner_key,
)

EBML = b"\x1a\x45\xdf\xa3"
MiB = 1024 * 1024


_BLOCK = bytes(range(251)) * 4200  # about 1 MiB; 251 is prime, so frames differ


class _Pattern:
    """``size`` bytes of a test stream, made as they are read (never all held)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0

    def read(self, n: int = -1, /) -> bytes:
        n = self.size - self.position if n < 0 else min(n, self.size - self.position)
        out = bytearray()
        while len(out) < n:
            at = (self.position + len(out)) % len(_BLOCK)
            out += _BLOCK[at : at + n - len(out)]
        self.position += n
        return bytes(out)


def _webm(size: int) -> bytes:
    return EBML + _Pattern(size - len(EBML)).read()


def _keys() -> OwnerKeys:
    settings = get_settings()
    return OwnerKeys(
        boto3.client("dynamodb", region_name=settings.region),
        settings.table_name(RECORDING_KEYS_TABLE),
    )


@pytest.fixture
def key_arn(aws: None) -> str:
    settings = get_settings()
    s3 = boto3.client("s3", region_name=settings.region)
    s3.create_bucket(Bucket=settings.recordings_bucket)
    s3.put_bucket_versioning(
        Bucket=settings.recordings_bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    kms = boto3.client("kms", region_name=settings.region)
    arn: str = kms.create_key(Description="recordings")["KeyMetadata"]["Arn"]
    return arn


def _vault(key_arn: str, keys: OwnerKeys) -> Vault:
    settings = get_settings()
    return Vault(
        keys=keys,
        kms=boto3.client("kms", region_name=settings.region),
        s3=boto3.client("s3", region_name=settings.region),
        bucket=settings.recordings_bucket,
        key_arn=key_arn,
    )


@pytest.fixture
def vault(key_arn: str) -> Vault:
    return _vault(key_arn, _keys())


def _stored(key: str) -> bytes:
    settings = get_settings()
    s3 = boto3.client("s3", region_name=settings.region)
    body: bytes = s3.get_object(Bucket=settings.recordings_bucket, Key=key)["Body"].read()
    return body


def _copy(source: str, target: str) -> None:
    settings = get_settings()
    boto3.client("s3", region_name=settings.region).copy_object(
        Bucket=settings.recordings_bucket,
        Key=target,
        CopySource={"Bucket": settings.recordings_bucket, "Key": source},
    )


SCOPE = RecordingScope(booking_id="b-1", owner_id="owner-1")


def test_a_recording_round_trips_in_several_parts_and_is_stored_encrypted(vault: Vault) -> None:
    plaintext = _webm(PART_SIZE + 3 * FRAME_LENGTH + 17)
    size = vault.upload("r/1", _Bytes(plaintext), SCOPE)

    stored = _stored("r/1")
    assert size == len(plaintext)
    assert not stored.startswith(EBML)
    assert EBML not in stored
    assert plaintext[4096:4160] not in stored
    assert b"".join(vault.decrypt("r/1", SCOPE)) == plaintext
    head = boto3.client("s3", region_name=get_settings().region).head_object(
        Bucket=get_settings().recordings_bucket, Key="r/1"
    )
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["ETag"].endswith('-2"')  # two parts


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._at = 0

    def read(self, n: int = -1, /) -> bytes:
        end = len(self._data) if n < 0 else self._at + n
        chunk, self._at = bytes(self._data[self._at : end]), min(end, len(self._data))
        return chunk


def test_an_empty_recording_round_trips(vault: Vault) -> None:
    assert vault.upload("r/empty", _Bytes(b""), SCOPE) == 0
    assert b"".join(vault.decrypt("r/empty", SCOPE)) == b""


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, 10), (FRAME_LENGTH - 3, FRAME_LENGTH + 5), (2 * FRAME_LENGTH, None), (5, 5)],
)
def test_a_byte_range_decrypts_to_that_slice(vault: Vault, start: int, end: int | None) -> None:
    plaintext = _webm(3 * FRAME_LENGTH + 100)
    vault.upload("r/range", _Bytes(plaintext), SCOPE)
    assert b"".join(vault.decrypt("r/range", SCOPE, start, end)) == plaintext[start:end]


@pytest.mark.parametrize("frames", [3, 4])  # a short last frame; only full frames
def test_a_range_from_any_frame_decrypts_to_that_slice(vault: Vault, frames: int) -> None:
    """Where the range starts, the ciphertext is read from that frame on: its offset
    must match the SDK's own message layout at every frame, the last one included."""
    plaintext = _webm(frames * FRAME_LENGTH + (100 if frames == 3 else 0))
    vault.upload("r/frames", _Bytes(plaintext), SCOPE)
    for start in (FRAME_LENGTH - 1, FRAME_LENGTH, 2 * FRAME_LENGTH + 7, len(plaintext) - 1):
        got = b"".join(vault.decrypt("r/frames", SCOPE, start, None))
        assert got == plaintext[start:], start
    assert b"".join(vault.decrypt("r/frames", SCOPE, len(plaintext) + 1, None)) == b""


def _corrupt(key: str, at: int) -> None:
    """Flip one byte of the stored ciphertext (negative ``at``: from the end)."""
    stored = bytearray(_stored(key))
    stored[at] ^= 0xFF
    settings = get_settings()
    boto3.client("s3", region_name=settings.region).put_object(
        Bucket=settings.recordings_bucket, Key=key, Body=bytes(stored)
    )


# A full frame on the wire: sequence number, IV, content, tag (the SDK's framed format).
ON_WIRE = 4 + 12 + FRAME_LENGTH + 16


def test_a_range_decrypts_only_the_frames_it_covers(vault: Vault) -> None:
    """A damaged first frame and a damaged last full frame: a range between them still
    decrypts (neither frame is read), a range over either fails."""
    plaintext = _webm(5 * FRAME_LENGTH)
    vault.upload("r/damaged", _Bytes(plaintext), SCOPE)
    final_frame = 4 + 4 + 12 + 4 + 16  # empty: the plaintext is a whole number of frames
    last_full = -final_frame - ON_WIRE // 2
    _corrupt("r/damaged", last_full)
    _corrupt("r/damaged", last_full - 4 * ON_WIRE)  # the first frame

    middle = (FRAME_LENGTH + 5, 4 * FRAME_LENGTH - 5)
    assert b"".join(vault.decrypt("r/damaged", SCOPE, *middle)) == plaintext[slice(*middle)]
    for start, end in [(0, 10), (4 * FRAME_LENGTH, None)]:
        with pytest.raises(RecordingUnreadable):
            b"".join(vault.decrypt("r/damaged", SCOPE, start, end))


def test_a_range_that_stops_early_logs_nothing(
    vault: Vault, caplog: pytest.LogCaptureFixture
) -> None:
    vault.upload("r/early", _Bytes(_webm(3 * FRAME_LENGTH)), SCOPE)
    with caplog.at_level(logging.DEBUG, logger=SDK_STREAM_LOGGER):
        assert len(b"".join(vault.decrypt("r/early", SCOPE, 10, 20))) == 10
        reader = vault.decrypt("r/early", SCOPE)
        next(reader)
        reader.close()  # the client went away
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_sdk_logger_still_reports_other_errors_on_closing() -> None:
    from aws_encryption_sdk.exceptions import SerializationError

    _sdk()  # installs the filter
    sdk_logger = logging.getLogger(SDK_STREAM_LOGGER)

    def record(error: Exception) -> logging.LogRecord:
        return sdk_logger.makeRecord(
            SDK_STREAM_LOGGER,
            logging.ERROR,
            __file__,
            1,
            "Error on closing",
            (),
            (type(error), error, None),
        )

    assert not sdk_logger.filter(record(SerializationError("Footer not read")))
    assert sdk_logger.filter(record(SerializationError("Malformed message")))


def test_a_ciphertext_copied_under_another_booking_does_not_decrypt(vault: Vault) -> None:
    other = RecordingScope(booking_id="b-2", owner_id=SCOPE.owner_id)
    vault.upload("r/a", _Bytes(_webm(1000)), SCOPE)
    vault.upload("r/b", _Bytes(_webm(1000)), other)
    _copy("r/a", "r/b")

    with pytest.raises(RecordingUnreadable):
        b"".join(vault.decrypt("r/b", other))


def test_another_owners_key_does_not_decrypt(vault: Vault) -> None:
    vault.upload("r/a", _Bytes(_webm(1000)), SCOPE)
    vault.data_key("owner-2", create=True)
    with pytest.raises(RecordingUnreadable):
        b"".join(vault.decrypt("r/a", RecordingScope(SCOPE.booking_id, "owner-2")))


def test_shredding_the_owner_key_makes_every_version_unreadable(vault: Vault) -> None:
    vault.upload("r/v", _Bytes(_webm(1000)), SCOPE)
    vault.upload("r/v", _Bytes(_webm(2000)), SCOPE)  # an older version stays in the bucket
    other_owner = RecordingScope("b-9", "owner-9")
    vault.upload("r/other", _Bytes(_webm(1000)), other_owner)

    shred_owner_key(SCOPE.owner_id)
    shred_owner_key(SCOPE.owner_id)  # safe to repeat

    with pytest.raises(RecordingKeyShredded):
        b"".join(vault.decrypt("r/v", SCOPE))
    assert b"".join(vault.decrypt("r/other", other_owner)) == _webm(1000)


def test_the_owner_key_is_made_once_and_stored_only_wrapped(vault: Vault) -> None:
    first = vault.data_key("owner-1", create=True)
    again = vault.data_key("owner-1", create=True)
    settings = get_settings()
    wrapped = _keys().wrapped("owner-1")

    assert first == again
    assert len(first) == 32
    assert wrapped is not None
    assert first not in wrapped
    kms = boto3.client("kms", region_name=settings.region)
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=wrapped, EncryptionContext={"owner_id": "owner-2"})
    assert (
        kms.decrypt(
            CiphertextBlob=wrapped,
            EncryptionContext={"owner_id": "owner-1", "purpose": RECORDING_PURPOSE},
        )["Plaintext"]
        == first
    )


def test_a_second_writer_of_the_first_key_gets_the_winners_key(key_arn: str) -> None:
    winner = _vault(key_arn, _keys())  # another node, same table and KMS key

    class LateKeys(OwnerKeys):
        """Reads no key, then the other node stores its own before our conditional put."""

        def wrapped(self, owner_id: str) -> bytes | None:
            found = super().wrapped(owner_id)
            if found is None:
                winner.data_key(owner_id, create=True)
            return found

    settings = get_settings()
    late = LateKeys(
        boto3.client("dynamodb", region_name=settings.region),
        settings.table_name(RECORDING_KEYS_TABLE),
    )
    loser = _vault(key_arn, late)
    assert loser.data_key("owner-3", create=True) == winner.data_key("owner-3", create=False)


def test_without_a_key_a_recording_cannot_be_read_and_none_is_made(vault: Vault) -> None:
    with pytest.raises(RecordingKeyShredded):
        vault.data_key("owner-never", create=False)


def test_the_upload_holds_a_bounded_number_of_parts(vault: Vault) -> None:
    """Memory is bounded: no part is larger than PART_SIZE (plus a frame), at most
    PARTS_IN_FLIGHT parts are being sent at once, and the source is read no further than
    the parts sent or being sent, one more being filled, and a frame."""
    source = _Pattern(5 * PART_SIZE + FRAME_LENGTH)
    lock = threading.Lock()
    sizes: list[int] = []
    state = {"sending": 0, "sent": 0, "most_sending": 0, "read_beyond": 0}

    def on_send(params: dict[str, Any], **_: Any) -> None:
        with lock:
            sizes.append(len(params["Body"]))
            state["sending"] += 1
            state["most_sending"] = max(state["most_sending"], state["sending"])
            held = (state["sent"] + state["sending"] + 1) * PART_SIZE + 2 * FRAME_LENGTH
            state["read_beyond"] = max(state["read_beyond"], source.position - held)

    def on_sent(**_: Any) -> None:
        with lock:
            state["sending"] -= 1
            state["sent"] += 1

    s3: Any = vault._s3  # observe the real client's calls
    s3.meta.events.register("before-parameter-build.s3.UploadPart", on_send)
    s3.meta.events.register("after-call.s3.UploadPart", on_sent)

    assert vault.upload("r/long", source, SCOPE) == source.size

    assert len(sizes) == 6
    assert all(size <= PART_SIZE + 2 * FRAME_LENGTH for size in sizes)
    assert 1 <= state["most_sending"] <= PARTS_IN_FLIGHT
    assert state["read_beyond"] <= 0


def test_the_next_part_is_sent_while_one_is_in_flight(vault: Vault) -> None:
    """The first part's request waits until the second part's starts: that can only
    happen when two parts are in flight at once (and fails after a bounded wait)."""
    second_started = threading.Event()
    overlapped: list[bool] = []

    def on_send(params: dict[str, Any], **_: Any) -> None:
        if params["PartNumber"] == 1:
            overlapped.append(second_started.wait(timeout=30))
        else:
            second_started.set()

    s3: Any = vault._s3
    s3.meta.events.register("before-parameter-build.s3.UploadPart", on_send)
    plaintext = _webm(2 * PART_SIZE + FRAME_LENGTH)

    assert vault.upload("r/overlap", _Bytes(plaintext), SCOPE) == len(plaintext)
    assert overlapped == [True]
    assert b"".join(vault.decrypt("r/overlap", SCOPE)) == plaintext


class _FailingAfter(_Pattern):
    """A recording source that breaks after ``size`` bytes (the recorder failed)."""

    def read(self, n: int = -1, /) -> bytes:
        if self.position >= self.size:
            raise OSError("the recorder failed")
        return super().read(n)


def test_a_failed_upload_is_aborted_and_leaves_no_object_nor_parts(vault: Vault) -> None:
    settings = get_settings()
    s3 = boto3.client("s3", region_name=settings.region)
    sent: list[int] = []
    client: Any = vault._s3
    client.meta.events.register("after-call.s3.UploadPart", lambda **_: sent.append(1))

    with pytest.raises(OSError, match="the recorder failed"):
        vault.upload("r/broken", _FailingAfter(3 * PART_SIZE + FRAME_LENGTH), SCOPE)

    assert len(sent) >= 2  # parts were uploaded before the failure
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=settings.recordings_bucket)
    listed = s3.list_object_versions(Bucket=settings.recordings_bucket, Prefix="r/broken")
    assert "Versions" not in listed
    assert "DeleteMarkers" not in listed


def test_the_pipe_holds_back_a_fast_writer() -> None:
    pipe = Pipe(limit=4 * FRAME_LENGTH)
    written: list[int] = []

    def produce() -> None:
        for _ in range(64):
            pipe.write(b"x" * FRAME_LENGTH)
            written.append(1)
        pipe.close()

    writer = threading.Thread(target=produce)
    writer.start()
    received = 0
    most_waiting = 0
    while chunk := pipe.read(FRAME_LENGTH):
        received += len(chunk)
        most_waiting = max(most_waiting, len(written) * FRAME_LENGTH - received)
    writer.join()
    assert received == 64 * FRAME_LENGTH
    assert most_waiting <= 5 * FRAME_LENGTH


def test_a_message_without_frames_is_unreadable(vault: Vault) -> None:
    """Under the right key and context, but not framed as every recording is."""
    client, algorithm = _sdk()
    key = _master_key(SCOPE.owner_id, vault.data_key(SCOPE.owner_id, create=True))
    unframed, _ = client.encrypt(
        source=_webm(1000),
        key_provider=key,
        encryption_context=SCOPE.context,
        algorithm=algorithm,
        frame_length=0,
    )
    settings = get_settings()
    boto3.client("s3", region_name=settings.region).put_object(
        Bucket=settings.recordings_bucket, Key="r/unframed", Body=unframed
    )
    with pytest.raises(RecordingUnreadable):
        b"".join(vault.decrypt("r/unframed", SCOPE, 10))


def test_a_failed_part_stops_the_upload_at_the_next_part(vault: Vault) -> None:
    """The upload is aborted from elsewhere while its first part is sent: that part
    fails, the vault stops reading the recording within a part or two, and its own
    abort (which now fails) does not hide the part's error."""
    settings = get_settings()
    s3 = boto3.client("s3", region_name=settings.region)
    source = _Pattern(8 * PART_SIZE)

    def abort_first(params: dict[str, Any], **_: Any) -> None:
        if params["PartNumber"] == 1:
            s3.abort_multipart_upload(
                Bucket=params["Bucket"], Key=params["Key"], UploadId=params["UploadId"]
            )

    client: Any = vault._s3
    client.meta.events.register("before-parameter-build.s3.UploadPart", abort_first)

    # S3 answers NoSuchUpload; in-process moto lets its own KeyError through.
    with pytest.raises((client.exceptions.NoSuchUpload, KeyError)) as failure:
        vault.upload("r/aborted", source, SCOPE)

    assert source.position <= (PARTS_IN_FLIGHT + 2) * PART_SIZE
    assert any("aborting the multipart upload failed" in n for n in failure.value.__notes__)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=settings.recordings_bucket)
    assert "Versions" not in s3.list_object_versions(
        Bucket=settings.recordings_bucket, Prefix="r/aborted"
    )
