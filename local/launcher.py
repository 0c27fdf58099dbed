"""Start the whole local stack (`python -m local.run`, as `make run` does) on free ports in
a child process, for integration tests and benchmarks that call it over HTTP."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import requests

from local import port_plan
from local.run import READY_LINE
from local.stage import ROOT, Ports
from media.config import DEFAULT_UDP_PORTS, parse_port_range, worker_count

START_TIMEOUT = 120
PLAN_ATTEMPTS = 50
SERVICES = ("api", "aws", "mailbox", "media", "turn", "oidc", "telegram", "payments")


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
    payments: str

    def url(self, path: str) -> str:
        return self.api + path

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """The local mailbox, newest last, optionally for one recipient."""
        items: list[dict[str, Any]] = requests.get(
            self.mailbox + "/messages.json", timeout=10
        ).json()
        return [m for m in items if to is None or m["to"] == to]


def _pump(stream: IO[str], lines: queue.Queue[str], echo: bool) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line)
        if echo:
            sys.stderr.write(line)


def free_ports(env: Mapping[str, str], media_nodes: int) -> dict[str, int]:
    """Free ports for every service whose whole plan (media workers included) is clash-free."""
    workers = worker_count(env)
    udp = parse_port_range(env.get("VETPET_MEDIA_UDP_PORTS", DEFAULT_UDP_PORTS))
    for _ in range(PLAN_ATTEMPTS):
        ports = {name: free_port() for name in SERVICES}
        uses = port_plan.plan(Ports(**ports), workers=workers, nodes=media_nodes, udp=udp)
        try:
            port_plan.check(uses)
        except port_plan.PortClashError:
            continue
        return ports
    raise RuntimeError("no clash-free port plan found")


@contextmanager
def launched(*, echo: bool = True, media_nodes: int = 1) -> Iterator[Stack]:
    """The running stack; stopped when the block ends. `echo` copies its output to stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VETPET_", "AWS_"))}
    ports = free_ports(env, media_nodes)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local.run",
            f"--media-nodes={media_nodes}",
            *(f"--{n}-port={p}" for n, p in ports.items()),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=_pump, args=(process.stdout, lines, echo), daemon=True).start()
    try:
        while READY_LINE not in lines.get(timeout=START_TIMEOUT):
            pass
        yield Stack(
            api=f"http://127.0.0.1:{ports['api']}",
            mailbox=f"http://127.0.0.1:{ports['mailbox']}",
            aws=f"http://127.0.0.1:{ports['aws']}",
            media_port=ports["media"],
            turn_port=ports["turn"],
            oidc=f"http://127.0.0.1:{ports['oidc']}",
            payments=f"http://127.0.0.1:{ports['payments']}",
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
