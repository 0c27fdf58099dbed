"""The local runner checks its whole port plan first and names the clash."""

from __future__ import annotations

import socket

import pytest

from local import port_plan
from local.stage import Ports, stage_environment

UDP = (40000, 40999)


def test_media_workers_clashing_with_turn_are_named() -> None:
    # Two workers take media+1 and media+2: the TURN port.
    ports = Ports(api=18000, aws=18001, mailbox=18002, media=18090, turn=18092, oidc=18003)
    uses = port_plan.plan(ports, workers=2, nodes=1, udp=UDP)
    with pytest.raises(port_plan.PortClashError, match=r"media node 0 worker 1 \(18092\).*turn"):
        port_plan.check(uses, bind=False)


def test_second_media_node_clashing_with_oidc_is_named() -> None:
    ports = Ports(api=18000, aws=18001, mailbox=18002, media=18090, turn=18100, oidc=18093)
    uses = port_plan.plan(ports, workers=2, nodes=2, udp=UDP)
    with pytest.raises(port_plan.PortClashError, match=r"media node 1 \(18093\).*oidc"):
        port_plan.check(uses, bind=False)


@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_port_in_use_is_named() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        ports = Ports(api=port, aws=18001, mailbox=18002, media=18090, turn=18100, oidc=18003)
        with pytest.raises(port_plan.PortClashError, match=rf"api \({port}\) is already in use"):
            port_plan.check(port_plan.plan(ports, workers=1, nodes=1, udp=UDP))


def test_a_clash_free_plan_passes() -> None:
    ports = Ports(api=18000, aws=18001, mailbox=18002, media=18090, turn=18100, oidc=18003)
    port_plan.check(port_plan.plan(ports, workers=2, nodes=2, udp=UDP), bind=False)


def test_turn_port_reaches_the_ice_servers_the_api_hands_out() -> None:
    urls = stage_environment(Ports(turn=13478))["VETPET_TURN_URLS"].split(",")
    assert urls
    assert all(url.split("?")[0].endswith(":13478") for url in urls)
