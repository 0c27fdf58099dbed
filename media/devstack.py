"""Local runner helpers: start coturn (if installed) and the media server as subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

HEALTH_TIMEOUT = 30.0


def coturn_config(*, turn_port: int, turn_secret: str) -> str:
    """A loopback-only coturn config using the API's TURN REST shared secret."""
    return "\n".join(
        [
            f"listening-port={turn_port}",
            "listening-ip=127.0.0.1",
            "relay-ip=127.0.0.1",
            "min-port=49160",
            "max-port=49200",
            "fingerprint",
            "use-auth-secret",
            f"static-auth-secret={turn_secret}",
            "realm=vetpet.local",
            "no-tls",
            "no-dtls",
            "no-cli",
            "no-multicast-peers",
            "allow-loopback-peers",
            "log-file=stdout",
            "simple-log",
            "",
        ]
    )


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"media server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("media server did not become healthy")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start(
    *,
    media_port: int = 8090,
    turn_port: int = 3478,
    jwks_url: str,
    issuer: str,
    turn_secret: str,
    env: Mapping[str, str] | None = None,
) -> Callable[[], None]:
    """Launch coturn and ``python -m media``; wait for /health; return a stopper."""
    workdir = tempfile.TemporaryDirectory(prefix="vetpet-media-")
    processes: list[subprocess.Popen[bytes]] = []
    turnserver = shutil.which("turnserver")
    if turnserver:
        config = Path(workdir.name) / "turnserver.conf"
        config.write_text(coturn_config(turn_port=turn_port, turn_secret=turn_secret))
        config.chmod(0o600)
        processes.append(
            subprocess.Popen(  # noqa: S603 (fixed argv)
                [turnserver, "-c", str(config)], stdout=subprocess.DEVNULL
            )
        )
    media_env = {
        **os.environ,
        **(env or {}),
        "VETPET_MEDIA_PORT": str(media_port),
        "VETPET_JWKS_URL": jwks_url,
        "VETPET_TOKEN_ISSUER": issuer,
    }
    media = subprocess.Popen(
        [sys.executable, "-m", "media"],
        env=media_env,
        cwd=Path(__file__).resolve().parents[1],
    )
    processes.append(media)

    def stop() -> None:
        for process in reversed(processes):
            _stop(process)
        workdir.cleanup()

    try:
        _wait_healthy(f"http://127.0.0.1:{media_port}/health", media)
    except RuntimeError:
        stop()
        raise
    return stop
