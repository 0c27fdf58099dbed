"""The recordings vault's throughput and memory: encrypt and upload a stream to the local
S3 (moto, in its own process so its memory is not ours; its speed bounds the result),
then download and decrypt it, for each size. Yardsticks in the same run, on the same
bytes: raw AES-256-GCM (`cryptography`, one nonce per frame), and the simplest
encrypt-and-store pipeline on the same S3 (raw AES-GCM frames in the same multipart parts,
then a streamed download). Each size runs in a fresh process, so its peak RSS (taken
before the yardstick pipeline runs) is the vault's own, and each also times a playback
range: 1 MiB at 90% of the recording (the vault reads and decrypts only the frames that
hold it). Targets: vault throughput >= 0.5 x raw AES-GCM both ways, peak RSS <= 100 MiB
at every size. Then the crypto path alone (no S3) at each of ``--frames``: Encryption
SDK encrypt and decrypt against raw AES-GCM, and what a range read decrypts at most
beyond its bytes (the frame that holds its first byte and the one that holds its last,
so two frames); this table is how the vault's frame size (`FRAME_LENGTH`) was chosen.

    python bench/vault.py [--sizes 100M,1G] [--frames 64K,256K,1M]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.recordings.vault import Vault

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MiB = 1024 * 1024
RSS_TARGET_MIB = 100
RATIO_TARGET = 0.5
_UNITS = {"K": 1024, "M": MiB, "G": 1024 * MiB}
_BLOCK = os.urandom(MiB)  # the stream repeats this block, each copy numbered


def parse_size(text: str) -> int:
    """``100M`` -> 104857600; ``1G``, ``64K`` and plain byte counts too."""
    text = text.strip().upper()
    if text[-1:] in _UNITS:
        return int(float(text[:-1]) * _UNITS[text[-1]])
    return int(text)


class Stream:
    """``size`` bytes made as they are read; hashes what it hands out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0
        self.digest = hashlib.sha256()

    def read(self, n: int = -1, /) -> bytes:
        n = self.size - self.position if n < 0 else min(n, self.size - self.position)
        out = bytearray()
        while len(out) < n:
            at = (self.position + len(out)) % MiB
            if at == 0:
                out += ((self.position + len(out)) // MiB).to_bytes(8, "big")
                continue
            out += _BLOCK[at : at + n - len(out)]
        data = bytes(out[:n])
        self.position += n
        self.digest.update(data)
        return data


def _raw_aes_gcm(size: int, frame: int) -> float:
    """MB/s of AES-256-GCM over the same stream, one nonce per frame."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    source = Stream(size)
    started = time.perf_counter()
    sequence = 0
    while chunk := source.read(frame):
        aead.encrypt(sequence.to_bytes(12, "big"), chunk, None)
        sequence += 1
    return size / MiB / (time.perf_counter() - started)


def _raw_pipeline(size: int, frame: int, part_size: int) -> tuple[float, float]:
    """The simplest encrypt-and-store on the same S3: AES-256-GCM per frame, multipart
    parts of the vault's size up, then a streamed download decrypted frame by frame.
    MB/s up and down; the yardstick for what the vault adds over storage and cipher."""
    import boto3
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bench-raw")
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    source, sealed = Stream(size), frame + 16
    started = time.perf_counter()
    upload = s3.create_multipart_upload(Bucket="bench-raw", Key="raw")["UploadId"]
    parts: list[dict[str, object]] = []
    part, sequence = bytearray(), 0
    while True:
        chunk = source.read(frame)
        if chunk:
            part += aead.encrypt(sequence.to_bytes(12, "big"), chunk, None)
            sequence += 1
        if part and (len(part) >= part_size or not chunk):
            number = len(parts) + 1
            etag = s3.upload_part(
                Bucket="bench-raw", Key="raw", UploadId=upload, PartNumber=number, Body=part
            )["ETag"]
            parts.append({"PartNumber": number, "ETag": etag})
            part = bytearray()
        if not chunk:
            break
    s3.complete_multipart_upload(
        Bucket="bench-raw", Key="raw", UploadId=upload, MultipartUpload={"Parts": parts}
    )
    up = size / MiB / (time.perf_counter() - started)
    started = time.perf_counter()
    body, sequence, total = s3.get_object(Bucket="bench-raw", Key="raw")["Body"], 0, 0
    while block := body.read(sealed):
        total += len(aead.decrypt(sequence.to_bytes(12, "big"), block, None))
        sequence += 1
    down = size / MiB / (time.perf_counter() - started)
    if total != size:
        raise AssertionError("the raw pipeline lost bytes")
    return up, down


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _moto() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, url
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("moto did not start")


def _vault(frame: int) -> Vault:
    import boto3

    from chalicelib.config import get_settings
    from chalicelib.media_nodes.contract import RECORDING_KEYS_TABLE
    from chalicelib.recordings.stored import RecordingKey
    from chalicelib.recordings.vault import vault_on

    settings = get_settings()
    RecordingKey.create_table(wait=True)
    boto3.client("s3", region_name=settings.region).create_bucket(Bucket=settings.recordings_bucket)
    key = boto3.client("kms", region_name=settings.region).create_key()
    return vault_on(
        settings.region,
        settings.table_name(RECORDING_KEYS_TABLE),
        settings.recordings_bucket,
        key["KeyMetadata"]["Arn"],
        frame_length=frame,
    )


def one_size(size: int) -> dict[str, float]:
    """Encrypt+upload, then download+decrypt ``size`` bytes; this process's numbers."""
    from chalicelib.recordings.vault import FRAME_LENGTH, PART_SIZE, RecordingScope

    server, url = _moto()
    os.environ["AWS_ENDPOINT_URL"] = url
    try:
        vault = _vault(FRAME_LENGTH)
        scope = RecordingScope("bench-booking", "bench-owner")
        source = Stream(size)
        started = time.perf_counter()
        stored = vault.upload("bench/recording", source, scope)
        upload = time.perf_counter() - started
        digest = hashlib.sha256()
        started = time.perf_counter()
        for chunk in vault.decrypt("bench/recording", scope):
            digest.update(chunk)
        download = time.perf_counter() - started
        if stored != size or digest.digest() != source.digest.digest():
            raise AssertionError("the decrypted stream differs from the source")
        peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        near_end = size * 9 // 10
        started = time.perf_counter()
        ranged = b"".join(vault.decrypt("bench/recording", scope, near_end, near_end + MiB))
        range_ms = (time.perf_counter() - started) * 1000
        if len(ranged) != min(MiB, size - near_end):
            raise AssertionError("the range read returned the wrong length")
        raw = _raw_aes_gcm(size, FRAME_LENGTH)
        raw_up, raw_down = _raw_pipeline(size, FRAME_LENGTH, PART_SIZE)
    finally:
        server.terminate()
        server.wait()
    return {
        "size_mib": size / MiB,
        "upload_mbps": size / MiB / upload,
        "download_mbps": size / MiB / download,
        "raw_mbps": raw,
        "raw_s3_up_mbps": raw_up,
        "raw_s3_down_mbps": raw_down,
        "peak_rss_mib": peak_rss_mib,
        "range_ms": range_ms,
    }


def _sdk_only(size: int, frame: int) -> tuple[float, float]:
    """MB/s of the Encryption SDK alone (no S3) at this frame size: encrypt, then (the
    ciphertext made again, into memory) decrypt, reading a frame at a time as the vault
    does."""
    from chalicelib.recordings.vault import READ_BUFFER, _master_key, _sdk

    client, algorithm = _sdk()
    master_key = _master_key("bench-owner", os.urandom(32))

    def encrypt(sink: io.BytesIO | None) -> float:
        started = time.perf_counter()
        with client.stream(
            mode="e",
            source=Stream(size),
            key_provider=master_key,
            encryption_context={"purpose": "bench"},
            algorithm=algorithm,
            frame_length=frame,
        ) as encryptor:
            while data := encryptor.read(frame):
                if sink is not None:
                    sink.write(data)
        return size / MiB / (time.perf_counter() - started)

    encrypt_mbps, ciphertext = encrypt(None), io.BytesIO()
    encrypt(ciphertext)
    ciphertext.seek(0)
    started = time.perf_counter()
    with client.stream(
        mode="d", source=io.BufferedReader(ciphertext, READ_BUFFER), key_provider=master_key
    ) as decryptor:
        while decryptor.read(frame):
            pass
    return encrypt_mbps, size / MiB / (time.perf_counter() - started)


def _in_fresh_process(size: int) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True
    )
    numbers: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return numbers


def frames_report(sizes: Iterator[int]) -> None:
    """The crypto path alone: the Encryption SDK against raw AES-GCM, per frame size."""
    print("frame     SDK encrypt MB/s  SDK decrypt MB/s  raw AES-GCM MB/s  range reads at most")
    sample = 64 * MiB
    for frame in sizes:
        encrypt, decrypt = _sdk_only(sample, frame)
        raw = _raw_aes_gcm(sample, frame)
        print(
            f"{frame // 1024:>5} KiB {encrypt:>16.0f} {decrypt:>17.0f} {raw:>17.0f}"
            f"  its bytes + {2 * frame // 1024} KiB   (64 MiB, no S3)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100M,1G", help="comma-separated, e.g. 100M,1G")
    parser.add_argument("--frames", default="64K,256K,1M", help="frame sizes to compare")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ["VETPET_TABLE_PREFIX"] = "vetpet-bench-"
    if args.one is not None:
        print(json.dumps(one_size(args.one)))
        return
    ok = True
    print("size       upload MB/s  download MB/s  raw AES-GCM MB/s  ratio up/down  peak RSS")
    for size in (parse_size(s) for s in args.sizes.split(",")):
        r = _in_fresh_process(size)
        up, down = r["upload_mbps"] / r["raw_mbps"], r["download_mbps"] / r["raw_mbps"]
        good = min(up, down) >= RATIO_TARGET and r["peak_rss_mib"] <= RSS_TARGET_MIB
        ok &= good
        print(
            f"{r['size_mib']:>6.0f} MiB {r['upload_mbps']:>11.0f} {r['download_mbps']:>14.0f}"
            f" {r['raw_mbps']:>17.0f}  {up:>5.2f}/{down:<5.2f}"
            f"  {r['peak_rss_mib']:>5.0f} MiB {'ok' if good else 'MISSED'}"
        )
        print(f"{'':>10} a 1 MiB range at 90%: {r['range_ms']:.0f} ms")
        print(
            f"{'':>10} same S3, raw AES-GCM frames + the same multipart parts: up "
            f"{r['raw_s3_up_mbps']:.0f} MB/s, down {r['raw_s3_down_mbps']:.0f} MB/s; vault "
            f"ratio {r['upload_mbps'] / r['raw_s3_up_mbps']:.2f}/"
            f"{r['download_mbps'] / r['raw_s3_down_mbps']:.2f}"
        )
    # After the sizes: a child process starts with its parent's peak RSS as its own, and
    # the frame table holds a ciphertext in memory.
    frames_report(parse_size(f) for f in args.frames.split(","))
    print(
        f"targets: ratio >= {RATIO_TARGET} both ways against raw AES-GCM, peak RSS <= "
        f"{RSS_TARGET_MIB} MiB: {'met' if ok else 'missed'} (the local S3 bounds the upload and "
        "download; the same-S3 line shows what the vault adds over storage and cipher)"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
