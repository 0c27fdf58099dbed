"""Integration fixtures: the whole local stack (`python -m local.run`, as `make run`
starts it) on free ports, called over HTTP like a client would."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from local.run import READY_LINE

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Stack:
    api: str
    mailbox: str
    aws: str
    media_port: int
    turn_port: int
    oidc: str

    def url(self, path: str) -> str:
        return self.api + path

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """The local mailbox, newest last, optionally for one recipient."""
        items: list[dict[str, Any]] = requests.get(
            self.mailbox + "/messages.json", timeout=10
        ).json()
        return [m for m in items if to is None or m["to"] == to]


def _pump(stream: Any, lines: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line)
        sys.stderr.write(line)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    ports = {name: free_port() for name in ("api", "aws", "mailbox", "media", "turn", "oidc")}
    args = [f"--{name}-port={port}" for name, port in ports.items()]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VETPET_", "AWS_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "local.run", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    try:
        while True:
            line = lines.get(timeout=START_TIMEOUT)
            if READY_LINE in line:
                break
        yield Stack(
            api=f"http://127.0.0.1:{ports['api']}",
            mailbox=f"http://127.0.0.1:{ports['mailbox']}",
            aws=f"http://127.0.0.1:{ports['aws']}",
            media_port=ports["media"],
            turn_port=ports["turn"],
            oidc=f"http://127.0.0.1:{ports['oidc']}",
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
