"""The local stack's whole port plan, checked before anything starts.

The media server's front takes its port and, with N workers, the next N ports; coturn
relays on a range; each SFU worker's ICE sockets use its slice of the UDP range. A port
named twice (or already taken) is reported by name instead of failing later, silently.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from local.stage import Ports

TURN_RELAY_PORTS = (49160, 49200)


class PortClashError(RuntimeError):
    """Two services of the plan want the same port, or a port is already in use."""


@dataclass(frozen=True)
class Use:
    name: str
    low: int
    high: int

    def overlaps(self, other: Use) -> bool:
        return self.low <= other.high and other.low <= self.high

    def describe(self) -> str:
        where = str(self.low) if self.low == self.high else f"{self.low}-{self.high}"
        return f"{self.name} ({where})"


def media_node_ports(media_port: int, workers: int, node: int) -> tuple[int, list[int]]:
    """Node ``node``'s front port and its workers' ports (none with one worker)."""
    block = workers + 1 if workers > 1 else 1
    front = media_port + node * block
    return front, [front + 1 + i for i in range(workers)] if workers > 1 else []


def plan(ports: Ports, *, workers: int, nodes: int, udp: tuple[int, int]) -> list[Use]:
    uses = [
        Use(name, port, port)
        for name, port in (
            ("api", ports.api),
            ("aws", ports.aws),
            ("mailbox", ports.mailbox),
            ("oidc", ports.oidc),
            ("payments", ports.payments),
            ("turn", ports.turn),
            ("telegram", ports.telegram),
        )
    ]
    uses.append(Use("turn relay", *TURN_RELAY_PORTS))
    uses.append(Use("media ICE (UDP)", *udp))
    for node in range(nodes):
        front, worker_ports = media_node_ports(ports.media, workers, node)
        uses.append(Use(f"media node {node}", front, front))
        uses.extend(Use(f"media node {node} worker {i}", p, p) for i, p in enumerate(worker_ports))
    return uses


def check(uses: list[Use], *, bind: bool = True) -> None:
    """Raise PortClashError naming the first clash (within the plan, or with a port in use)."""
    for i, use in enumerate(uses):
        for other in uses[:i]:
            if use.overlaps(other):
                raise PortClashError(f"{use.describe()} clashes with {other.describe()}")
    if not bind:
        return
    for use in uses:
        if use.low == use.high and not _free(use.low):
            raise PortClashError(f"{use.describe()} is already in use")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
