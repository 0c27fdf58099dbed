"""coturn configuration: which peers a relay may reach.

A TURN server relays to any address a client names unless told otherwise, so an attacker
with credentials could use it to reach the deployment's own private network. Production
denies loopback, private, shared (CGNAT), link-local, multicast and reserved ranges; the
local stack denies everything except the SFU's address (coturn filters addresses, not
ports: the local SFU listens on loopback, whose other ports the runner owns).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

DENIED_PEER_NETWORKS = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::1/128",
    "::ffff:0:0/96",
    "64:ff9b::/96",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
)
ALL_NETWORKS = ("0.0.0.0/0", "::/0")


def _ip_range(network: str) -> str:
    """coturn's ``denied-peer-ip`` form: ``first-last``."""
    net = ipaddress.ip_network(network)
    return f"{net[0]}-{net[-1]}"


def _common(listening_port: int, secret: str, realm: str) -> list[str]:
    return [
        f"listening-port={listening_port}",
        "fingerprint",
        "use-auth-secret",
        f"static-auth-secret={secret}",
        f"realm={realm}",
        "no-cli",
        "no-multicast-peers",
    ]


def production_config(*, secret: str, realm: str, external_ip: str, relay_ports: str) -> str:
    """turnserver.conf for a deployed TURN node (TLS on 443 is terminated in front of it)."""
    low, high = relay_ports.split("-")
    lines = [
        *_common(3478, secret, realm),
        f"external-ip={external_ip}",
        f"min-port={low}",
        f"max-port={high}",
        "no-loopback-peers",
        *(f"denied-peer-ip={_ip_range(n)}" for n in DENIED_PEER_NETWORKS),
        "",
    ]
    return "\n".join(lines)


def local_config(
    *, turn_port: int, secret: str, relay_ports: tuple[int, int], sfu_addresses: Sequence[str]
) -> str:
    """A loopback-only coturn that relays to the SFU's address and nowhere else."""
    lines = [
        *_common(turn_port, secret, "vetpet.local"),
        "listening-ip=127.0.0.1",
        "relay-ip=127.0.0.1",
        f"min-port={relay_ports[0]}",
        f"max-port={relay_ports[1]}",
        "no-tls",
        "no-dtls",
        "allow-loopback-peers",
        *(f"denied-peer-ip={_ip_range(n)}" for n in ALL_NETWORKS),
        *(f"allowed-peer-ip={address}" for address in sfu_addresses),
        "log-file=stdout",
        "simple-log",
        "",
    ]
    return "\n".join(lines)
