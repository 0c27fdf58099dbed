"""ICE sockets stay inside the configured UDP range; host candidates announce the public IP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiortc import RTCPeerConnection
from media_support import Client, KeyPair, wait_for

from media.aiortc_bridge import IcePolicy, install_ice_policy
from media.signalling import MediaServer

UDP = (47300, 47339)


def _candidates(sdp: str) -> list[tuple[str, int]]:
    found = []
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            parts = line.split()
            found.append((parts[4], int(parts[5])))
    return found


@pytest.fixture
def ice_policy() -> Iterator[IcePolicy]:
    policy = IcePolicy(UDP)
    undo = install_ice_policy(policy)
    yield policy
    undo()


@pytest.mark.asyncio
@pytest.mark.timeout(90)
async def test_the_sfu_binds_only_inside_its_configured_udp_range(
    ice_policy: IcePolicy, keys: KeyPair, media_server: tuple[MediaServer, str]
) -> None:
    server, base_url = media_server
    clients = [
        Client(base_url, "booking-1", keys.token(room="booking-1", sub=f"u{i}")) for i in range(2)
    ]
    try:
        for client in clients:
            assert await client.join()
        room = server.rooms["booking-1"]
        names = [room.public_id(f"u{i}") for i in range(2)]
        await wait_for(
            lambda: all(c.decoded[(names[1 - i], "video")] >= 10 for i, c in enumerate(clients)),
            45,
            "media to flow over in-range sockets",
        )
        for participant in room.participants.values():
            candidates = _candidates(participant.pc.localDescription.sdp)
            assert candidates
            assert all(UDP[0] <= port <= UDP[1] for _, port in candidates), candidates
            transport = participant.pc.getTransceivers()[0].sender.transport.transport
            ports = [
                p.transport.get_extra_info("sockname")[1] for p in transport._connection._protocols
            ]
            assert ports
            assert all(UDP[0] <= port <= UDP[1] for port in ports), ports
    finally:
        for client in clients:
            await client.close()


@pytest.mark.asyncio
async def test_host_candidates_announce_the_public_ip() -> None:
    undo = install_ice_policy(IcePolicy(UDP, public_ip="203.0.113.7"))
    pc = RTCPeerConnection()
    try:
        pc.addTransceiver("audio")
        await pc.setLocalDescription(await pc.createOffer())
        candidates = _candidates(pc.localDescription.sdp)
        assert candidates
        assert {host for host, _ in candidates} == {"203.0.113.7"}
        assert all(UDP[0] <= port <= UDP[1] for _, port in candidates)
    finally:
        await pc.close()
        undo()
