"""Media server settings, read from the environment once at start.

Table names come from the same settings the API uses (`VETPET_STAGE`,
`VETPET_TABLE_PREFIX`) plus the names in `chalicelib/media_nodes/contract.py`.
Outside the local stage the server refuses to start without what a deployed node needs;
its public and private IPv4, unless given, come from the instance metadata service.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.config import RECORDING_RETENTION_DEFAULT
from chalicelib.media_nodes import contract
from media import imds

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8090
DEFAULT_JWKS_URL = "http://127.0.0.1:8000/v1/.well-known/jwks.json"
DEFAULT_REGION = "us-east-1"
DEFAULT_UDP_PORTS = "40000-40999"
DEFAULT_DRAIN_LIMIT = timedelta(hours=2)
DEFAULT_HEARTBEAT = timedelta(seconds=5)
# One room per node is at most MAX_PARTICIPANTS peers; a core forwards about this many rooms.
DEFAULT_CAPACITY_PER_WORKER = 25


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed; the server does not start."""


@dataclass(frozen=True)
class Settings:
    stage: str
    host: str
    port: int
    jwks_url: str
    issuer: str
    table_prefix: str
    region: str
    workers: int
    udp_ports: tuple[int, int]
    public_ip: str | None
    # Where the other nodes reach this one (node-to-node signalling); None: `host`.
    private_ip: str | None
    node_id: str
    signalling_url: str
    capacity: int
    drain_limit: timedelta
    heartbeat: timedelta
    # Recordings: the bucket, the KMS key (an explicit ARN; empty: no recording on this
    # node) and how long a recording is kept after its consultation.
    recordings_bucket: str
    recordings_key_arn: str
    recording_retention: timedelta
    # Set by the ECS agent in every task: where scale-in protection is asked for.
    ecs_agent_uri: str | None

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    def table(self, name: str) -> str:
        return f"{self.table_prefix}{name}"

    @property
    def private_url(self) -> str:
        """This node's signalling origin for its peers (registered, proxied to)."""
        return f"http://{self.private_ip or self.host}:{self.port}"

    @property
    def rooms_table(self) -> str:
        return self.table(contract.ROOMS_TABLE)

    @property
    def bookings_table(self) -> str:
        return self.table(contract.BOOKINGS_TABLE)

    @property
    def sessions_table(self) -> str:
        return self.table(contract.SESSIONS_TABLE)

    @property
    def nodes_table(self) -> str:
        return self.table(contract.MEDIA_NODES_TABLE)

    @property
    def placements_table(self) -> str:
        return self.table(contract.ROOM_PLACEMENTS_TABLE)

    @property
    def recordings_table(self) -> str:
        return self.table(contract.RECORDINGS_TABLE)

    @property
    def recording_keys_table(self) -> str:
        return self.table(contract.RECORDING_KEYS_TABLE)

    @property
    def recording_consents_table(self) -> str:
        return self.table(contract.RECORDING_CONSENTS_TABLE)

    @property
    def recording_grants_table(self) -> str:
        return self.table(contract.RECORDING_GRANTS_TABLE)

    def worker_udp_ports(self, index: int) -> tuple[int, int]:
        """Worker ``index``'s share of the UDP range (each worker its own slice)."""
        return split_port_range(self.udp_ports, self.workers)[index]


def parse_port_range(text: str) -> tuple[int, int]:
    """``"40000-40999"`` -> (40000, 40999)."""
    try:
        low_text, high_text = text.split("-")
        low, high = int(low_text), int(high_text)
    except ValueError as exc:
        raise ConfigurationError(f"VETPET_MEDIA_UDP_PORTS must be LOW-HIGH, not {text!r}") from exc
    if not 1024 <= low <= high <= 65535:
        raise ConfigurationError(f"VETPET_MEDIA_UDP_PORTS {text!r} is outside 1024-65535")
    return low, high


def split_port_range(ports: tuple[int, int], parts: int) -> list[tuple[int, int]]:
    """Split an inclusive range into ``parts`` disjoint, contiguous, non-empty slices."""
    low, high = ports
    size = (high - low + 1) // parts
    if size < 2:
        raise ConfigurationError(f"UDP range {low}-{high} is too small for {parts} workers")
    return [(low + i * size, low + (i + 1) * size - 1) for i in range(parts)]


def worker_count(env: Mapping[str, str]) -> int:
    """VETPET_MEDIA_WORKERS, default one per core."""
    return int(env.get("VETPET_MEDIA_WORKERS", str(os.cpu_count() or 1)))


Discover = Callable[[str], imds.NodeAddresses]


def load_settings(
    env: Mapping[str, str] | None = None, *, discover: Discover = imds.discover
) -> Settings:
    """Build settings from ``env`` (defaults to ``os.environ``). A deployed node given
    no public or private IP asks ``discover`` (the metadata service) for both."""
    source = os.environ if env is None else env
    stage = source.get("VETPET_STAGE", "local")
    issuer = source.get("VETPET_TOKEN_ISSUER", "")
    if not issuer:
        raise ConfigurationError("VETPET_TOKEN_ISSUER must be set")
    host = source.get("VETPET_MEDIA_HOST", DEFAULT_HOST)
    port = int(source.get("VETPET_MEDIA_PORT", str(DEFAULT_PORT)))
    workers = worker_count(source)
    public_ip = source.get("VETPET_MEDIA_PUBLIC_IP") or None
    private_ip = source.get("VETPET_MEDIA_PRIVATE_IP") or None
    if stage != "local" and (public_ip is None or private_ip is None):
        endpoint = source.get("VETPET_MEDIA_IMDS_ENDPOINT") or imds.DEFAULT_ENDPOINT
        found = _discovered(endpoint, discover)
        public_ip = public_ip or found.public_ip
        private_ip = private_ip or found.private_ip
    settings = Settings(
        stage=stage,
        host=host,
        port=port,
        jwks_url=source.get("VETPET_JWKS_URL", DEFAULT_JWKS_URL),
        issuer=issuer,
        table_prefix=source.get("VETPET_TABLE_PREFIX", f"vetpet-{stage}-"),
        region=source.get("AWS_DEFAULT_REGION") or source.get("AWS_REGION") or DEFAULT_REGION,
        workers=workers,
        udp_ports=parse_port_range(source.get("VETPET_MEDIA_UDP_PORTS", DEFAULT_UDP_PORTS)),
        public_ip=public_ip,
        private_ip=private_ip,
        node_id=source.get("VETPET_MEDIA_NODE_ID") or f"{socket.gethostname()}-{port}",
        signalling_url=source.get("VETPET_MEDIA_SIGNALLING_URL")
        or f"ws://{public_ip or host}:{port}",
        capacity=int(
            source.get("VETPET_MEDIA_CAPACITY", str(DEFAULT_CAPACITY_PER_WORKER * workers))
        ),
        drain_limit=timedelta(
            seconds=float(
                source.get("VETPET_MEDIA_DRAIN_SECONDS", str(DEFAULT_DRAIN_LIMIT.total_seconds()))
            )
        ),
        heartbeat=timedelta(
            seconds=float(
                source.get("VETPET_MEDIA_HEARTBEAT_SECONDS", str(DEFAULT_HEARTBEAT.total_seconds()))
            )
        ),
        recordings_bucket=source.get("VETPET_RECORDINGS_BUCKET", f"vetpet-{stage}-recordings"),
        recordings_key_arn=source.get("VETPET_RECORDINGS_KEY_ARN", ""),
        recording_retention=timedelta(
            days=float(
                source.get("VETPET_RECORDING_RETENTION_DAYS", str(RECORDING_RETENTION_DEFAULT.days))
            )
        ),
        ecs_agent_uri=source.get("ECS_AGENT_URI") or None,
    )
    if not settings.is_local:
        _require_deployed(settings)
    return settings


def _discovered(endpoint: str, discover: Discover) -> imds.NodeAddresses:
    try:
        return discover(endpoint)
    except imds.MetadataUnavailableError as exc:
        raise ConfigurationError(
            "set VETPET_MEDIA_PUBLIC_IP and VETPET_MEDIA_PRIVATE_IP, or run where the "
            f"instance metadata service (VETPET_MEDIA_IMDS_ENDPOINT) answers: {exc}"
        ) from exc


def _require_deployed(settings: Settings) -> None:
    missing = [
        name
        for name, value in (
            ("VETPET_MEDIA_SIGNALLING_URL", settings.signalling_url.startswith("wss://")),
            ("VETPET_RECORDINGS_KEY_ARN", settings.recordings_key_arn.startswith("arn:")),
        )
        if not value
    ]
    if missing:
        raise ConfigurationError(
            f"stage {settings.stage!r} needs {', '.join(missing)} (wss:// for the signalling URL)"
        )
