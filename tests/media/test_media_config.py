"""Media server settings: deployed nodes refuse to start incomplete; sensible local defaults."""

from __future__ import annotations

import ipaddress
import itertools

import pytest

from media.config import ConfigurationError, load_settings, split_port_range
from media.coturn import local_config, production_config

BASE = {"VETPET_TOKEN_ISSUER": "https://api.vetpet.test"}


def test_starts_without_aws_default_region() -> None:
    assert load_settings(BASE).region == "us-east-1"
    assert load_settings({**BASE, "AWS_DEFAULT_REGION": "eu-west-1"}).region == "eu-west-1"


def test_table_names_use_the_apis_prefix() -> None:
    settings = load_settings({**BASE, "VETPET_STAGE": "local"})
    assert settings.bookings_table == "vetpet-local-bookings"
    prefixed = load_settings({**BASE, "VETPET_TABLE_PREFIX": "x-"})
    assert (prefixed.rooms_table, prefixed.sessions_table) == ("x-rooms", "x-sessions")


@pytest.mark.parametrize("missing", ["VETPET_MEDIA_SIGNALLING_URL", "VETPET_RECORDINGS_KEY_ARN"])
def test_deployed_node_refuses_to_start_incomplete(missing: str) -> None:
    env = {
        **BASE,
        "VETPET_STAGE": "prod",
        "VETPET_MEDIA_PUBLIC_IP": "203.0.113.7",
        "VETPET_MEDIA_PRIVATE_IP": "10.0.0.7",
        "VETPET_MEDIA_SIGNALLING_URL": "wss://media.vetpet.example",
        "VETPET_RECORDINGS_KEY_ARN": "arn:aws:kms:eu-west-1:111122223333:key/recordings",
    }
    assert load_settings(env).public_ip == "203.0.113.7"
    del env[missing]
    with pytest.raises(ConfigurationError, match=missing):
        load_settings(env)


def test_udp_range_is_split_into_disjoint_worker_slices() -> None:
    slices = split_port_range((40000, 40999), 3)
    assert slices[0][0] == 40000
    assert all(a[1] < b[0] for a, b in itertools.pairwise(slices))
    assert all(high <= 40999 for _, high in slices)
    with pytest.raises(ConfigurationError):
        split_port_range((40000, 40002), 2)


def _denied(config: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    ranges = []
    for line in config.splitlines():
        if line.startswith("denied-peer-ip="):
            first, last = line.split("=", 1)[1].split("-")
            ranges.extend(
                ipaddress.summarize_address_range(
                    ipaddress.ip_address(first), ipaddress.ip_address(last)
                )
            )
    return ranges


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.20.0.5",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
    ],
)
def test_production_turn_denies_relaying_to_internal_addresses(address: str) -> None:
    config = production_config(
        secret="s", realm="vetpet.example", external_ip="203.0.113.9", relay_ports="49152-65535"
    )
    ip = ipaddress.ip_address(address)
    assert any(ip in net for net in _denied(config)), address
    assert "no-loopback-peers" in config
    assert not any(ipaddress.ip_address("203.0.113.50") in n for n in _denied(config))


def test_local_turn_relays_only_to_the_sfu() -> None:
    config = local_config(
        turn_port=3478, secret="s", relay_ports=(49160, 49200), sfu_addresses=["10.0.0.5"]
    )
    denied = _denied(config)
    for address in ("8.8.8.8", "10.0.0.6", "127.0.0.1", "::1"):
        assert any(ipaddress.ip_address(address) in n for n in denied)
    allowed = [line for line in config.splitlines() if line.startswith("allowed-peer-ip=")]
    assert allowed == ["allowed-peer-ip=10.0.0.5"]
