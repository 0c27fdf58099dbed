"""Local runner helpers: start coturn (if installed) and the media server nodes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from media.config import split_port_range
from media.coturn import local_config

HEALTH_TIMEOUT = 30.0


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


def sfu_addresses() -> list[str]:
    """The addresses the local SFU announces in its host candidates (aioice's choice)."""
    from aioice.ice import get_host_addresses

    return get_host_addresses(use_ipv4=True, use_ipv6=True)


def start(
    *,
    node_ports: Sequence[int],
    turn_port: int,
    turn_relay_ports: tuple[int, int],
    udp_ports: tuple[int, int],
    jwks_url: str,
    issuer: str,
    turn_secret: str,
    env: Mapping[str, str] | None = None,
) -> Callable[[], None]:
    """Launch coturn and one ``python -m media`` per node port (each with its own slice of
    the UDP range); wait for every /health; return a stopper."""
    workdir = tempfile.TemporaryDirectory(prefix="vetpet-media-")
    processes: list[subprocess.Popen[bytes]] = []
    turnserver = shutil.which("turnserver")
    if turnserver:
        config = Path(workdir.name) / "turnserver.conf"
        config.write_text(
            local_config(
                turn_port=turn_port,
                secret=turn_secret,
                relay_ports=turn_relay_ports,
                sfu_addresses=sfu_addresses(),
            )
        )
        config.chmod(0o600)
        processes.append(
            subprocess.Popen(  # noqa: S603 (fixed argv)
                [turnserver, "-c", str(config)], stdout=subprocess.DEVNULL
            )
        )
    nodes = []
    for index, (port, udp) in enumerate(
        zip(node_ports, split_port_range(udp_ports, len(node_ports)), strict=True)
    ):
        media_env = {
            **os.environ,
            **(env or {}),
            "VETPET_MEDIA_PORT": str(port),
            "VETPET_MEDIA_NODE_ID": f"local-{index}",
            "VETPET_MEDIA_UDP_PORTS": f"{udp[0]}-{udp[1]}",
            "VETPET_JWKS_URL": jwks_url,
            "VETPET_TOKEN_ISSUER": issuer,
        }
        media = subprocess.Popen(
            [sys.executable, "-m", "media"],
            env=media_env,
            cwd=Path(__file__).resolve().parents[1],
        )
        processes.append(media)
        nodes.append((port, media))

    def stop() -> None:
        for process in reversed(processes):
            _stop(process)
        workdir.cleanup()

    try:
        for port, media in nodes:
            _wait_healthy(f"http://127.0.0.1:{port}/health", media)
    except RuntimeError:
        stop()
        raise
    return stop
