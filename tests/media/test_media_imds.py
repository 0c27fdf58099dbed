"""A deployed node finds its own addresses through IMDSv2, against a stand-in of the
metadata service on loopback speaking its wire protocol (a token first, 401 without it)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from media_support import free_port

from media import imds
from media.config import ConfigurationError, load_settings

PUBLIC_IP = "203.0.113.41"
PRIVATE_IP = "10.0.1.17"
DEPLOYED = {
    "VETPET_TOKEN_ISSUER": "https://api.vetpet.test",
    "VETPET_STAGE": "prod",
    "VETPET_MEDIA_PORT": "8090",
    "VETPET_MEDIA_SIGNALLING_URL": "wss://media.vetpet.example",
    "VETPET_RECORDINGS_KEY_ARN": "arn:aws:kms:eu-west-1:111122223333:key/recordings",
}


@dataclass
class MetadataService:
    """IMDSv2 as an instance sees it: `PUT /latest/api/token` with a TTL header gives a
    token; metadata reads without that token are 401. ``failures`` first answers 503."""

    failures: int = 0
    public_ip: str | None = PUBLIC_IP
    tokens: set[str] = field(default_factory=set)
    seen: list[tuple[str, str, int]] = field(default_factory=list)
    endpoint: str = ""

    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
        if self.failures:
            self.failures -= 1
            return 503, ""
        if method == "PUT" and path == "/latest/api/token":
            ttl = headers.get("x-aws-ec2-metadata-token-ttl-seconds", "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return 400, ""
            token = uuid.uuid4().hex
            self.tokens.add(token)
            return 200, token
        if method != "GET":
            return 405, ""
        if headers.get("x-aws-ec2-metadata-token") not in self.tokens:
            return 401, ""
        values = {
            "/latest/meta-data/public-ipv4": self.public_ip,
            "/latest/meta-data/local-ipv4": PRIVATE_IP,
        }
        value = values.get(path)
        return (404, "") if value is None else (200, value)


@pytest.fixture
def service() -> Iterator[MetadataService]:
    state = MetadataService()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def _handle(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body = state.answer(self.command, self.path, headers)
            state.seen.append((self.command, self.path, status))
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    state.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def test_addresses_come_from_imdsv2_with_a_session_token(service: MetadataService) -> None:
    found = imds.discover(service.endpoint)
    assert found == imds.NodeAddresses(public_ip=PUBLIC_IP, private_ip=PRIVATE_IP)
    assert [(m, p) for m, p, _ in service.seen] == [
        ("PUT", "/latest/api/token"),
        ("GET", "/latest/meta-data/public-ipv4"),
        ("GET", "/latest/meta-data/local-ipv4"),
    ]
    assert all(status == 200 for _, _, status in service.seen)


def test_metadata_without_the_session_token_is_refused(service: MetadataService) -> None:
    for headers in ({}, {imds.TOKEN_HEADER: "not-issued"}):
        request = urllib.request.Request(  # noqa: S310 - the loopback stand-in
            f"{service.endpoint}{imds.PUBLIC_IPV4_PATH}", headers=headers
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=2)  # noqa: S310 - the loopback stand-in
        assert refused.value.code == 401


def test_a_failing_service_is_retried_with_doubling_back_off(service: MetadataService) -> None:
    service.failures = 2
    waits: list[float] = []
    found = imds.discover(service.endpoint, backoff=0.25, sleep=waits.append)
    assert found.private_ip == PRIVATE_IP
    assert waits == [0.25, 0.5]


def test_a_service_that_never_answers_well_is_a_clear_error(service: MetadataService) -> None:
    service.public_ip = None  # an instance without a public IPv4: 404
    waits: list[float] = []
    with pytest.raises(imds.MetadataUnavailableError, match="HTTP 404") as raised:
        imds.discover(service.endpoint, attempts=3, backoff=0.1, sleep=waits.append)
    assert "after 3 attempts" in str(raised.value)
    assert waits == [0.1, 0.2]


def test_a_deployed_node_without_addresses_discovers_both(service: MetadataService) -> None:
    settings = load_settings({**DEPLOYED, "VETPET_MEDIA_IMDS_ENDPOINT": service.endpoint})
    assert (settings.public_ip, settings.private_ip) == (PUBLIC_IP, PRIVATE_IP)
    assert settings.private_url == f"http://{PRIVATE_IP}:8090"
    # The shared public name stays the signalling URL: every node registers the same one.
    assert settings.signalling_url == "wss://media.vetpet.example"


def test_explicit_addresses_win_over_discovery(service: MetadataService) -> None:
    env = {**DEPLOYED, "VETPET_MEDIA_IMDS_ENDPOINT": service.endpoint}
    both = load_settings(
        {**env, "VETPET_MEDIA_PUBLIC_IP": "198.51.100.2", "VETPET_MEDIA_PRIVATE_IP": "10.0.0.9"}
    )
    assert (both.public_ip, both.private_ip) == ("198.51.100.2", "10.0.0.9")
    assert service.seen == []
    public_only = load_settings({**env, "VETPET_MEDIA_PUBLIC_IP": "198.51.100.2"})
    assert (public_only.public_ip, public_only.private_ip) == ("198.51.100.2", PRIVATE_IP)


def test_a_local_node_never_asks_the_metadata_service(service: MetadataService) -> None:
    settings = load_settings(
        {**DEPLOYED, "VETPET_STAGE": "local", "VETPET_MEDIA_IMDS_ENDPOINT": service.endpoint}
    )
    assert (settings.public_ip, settings.private_ip, service.seen) == (None, None, [])
    assert settings.private_url == "http://127.0.0.1:8090"


def test_a_deployed_node_refuses_to_start_when_discovery_fails() -> None:
    unreachable = f"http://127.0.0.1:{free_port()}"
    waits: list[float] = []

    def discover(endpoint: str) -> imds.NodeAddresses:
        return imds.discover(endpoint, attempts=2, sleep=waits.append)

    with pytest.raises(ConfigurationError, match="VETPET_MEDIA_PUBLIC_IP") as raised:
        load_settings({**DEPLOYED, "VETPET_MEDIA_IMDS_ENDPOINT": unreachable}, discover=discover)
    assert unreachable in str(raised.value)
    assert waits == [imds.FIRST_BACKOFF_SECONDS]
