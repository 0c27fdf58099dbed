"""A deployed node's own addresses, from the EC2 instance metadata service (IMDSv2).

A session token first (`PUT /latest/api/token` with the token's lifetime), then the
public and private IPv4 (`GET /latest/meta-data/public-ipv4` and `local-ipv4`, each with
the token). Short timeouts and a few retries with doubling back-off: the service answers
in milliseconds on an instance, and a node that cannot learn its addresses must say so
at start instead of hanging.
"""

from __future__ import annotations

import ipaddress
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_ENDPOINT = "http://169.254.169.254"
TOKEN_PATH = "/latest/api/token"  # noqa: S105 - a path
PUBLIC_IPV4_PATH = "/latest/meta-data/public-ipv4"
PRIVATE_IPV4_PATH = "/latest/meta-data/local-ipv4"
TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"  # noqa: S105 - a name
TOKEN_HEADER = "X-aws-ec2-metadata-token"  # noqa: S105 - a header name
TOKEN_TTL_SECONDS = 60
TIMEOUT_SECONDS = 1.0
ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.25


@dataclass(frozen=True)
class NodeAddresses:
    public_ip: str
    private_ip: str


class MetadataUnavailableError(RuntimeError):
    """The metadata service did not give this node its addresses."""


def _request(url: str, *, method: str, headers: dict[str, str], timeout: float) -> str:
    request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310 - the IMDS URL
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return str(response.read().decode("ascii")).strip()


def _fetch(endpoint: str, timeout: float) -> NodeAddresses:
    base = endpoint.rstrip("/")
    token = _request(
        base + TOKEN_PATH,
        method="PUT",
        headers={TOKEN_TTL_HEADER: str(TOKEN_TTL_SECONDS)},
        timeout=timeout,
    )
    with_token = {TOKEN_HEADER: token}
    public, private = (
        _request(base + path, method="GET", headers=with_token, timeout=timeout)
        for path in (PUBLIC_IPV4_PATH, PRIVATE_IPV4_PATH)
    )
    return NodeAddresses(public_ip=_ipv4(public), private_ip=_ipv4(private))


def _ipv4(text: str) -> str:
    return str(ipaddress.IPv4Address(text))


def discover(
    endpoint: str = DEFAULT_ENDPOINT,
    *,
    timeout: float = TIMEOUT_SECONDS,
    attempts: int = ATTEMPTS,
    backoff: float = FIRST_BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> NodeAddresses:
    """This instance's public and private IPv4, or `MetadataUnavailableError` after
    ``attempts`` tries (waiting ``backoff``, then twice as long, between them)."""
    failure = "no attempt made"
    for attempt in range(attempts):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        try:
            return _fetch(endpoint, timeout)
        except urllib.error.HTTPError as exc:
            failure = f"HTTP {exc.code} from {exc.url}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            failure = f"{type(exc).__name__}: {exc}"
    raise MetadataUnavailableError(
        f"instance metadata at {endpoint} gave no addresses after {attempts} attempts ({failure})"
    )
