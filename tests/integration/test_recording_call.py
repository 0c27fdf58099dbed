"""A real recording on the running local stack (`make run`): both sides consent, two
participants hold a call on the media node, one starts and stops the recording, the node
encrypts it into the embedded S3, and the owner's playback link plays it back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import requests

from local.launcher import Stack
from local.seed import DEMO_PASSWORD
from tests.integration.clients import TIMEOUT, booking_starting_soon, new_owner, sign_in
from tests.media.media_support import Client, wait_for

EBML = b"\x1a\x45\xdf\xa3"


async def _record(rooms: list[dict[str, Any]], booking_id: str) -> str:
    """Both join, media flows, the owner records about three seconds: the recording id."""
    clients = [
        Client(str(room["signalling_url"]).rsplit("/rooms/", 1)[0], booking_id, room["token"])
        for room in rooms
    ]
    try:
        for client in clients:
            assert await client.join(), client.error
        await wait_for(lambda: all(sum(c.decoded.values()) > 20 for c in clients), 40, "media")
        await clients[0].send({"type": "record", "action": "start"})
        await clients[1].wait_message(lambda m: m.get("state") == "started", timeout=10)
        sent = clients[0].video.frames_sent
        await wait_for(lambda: clients[0].video.frames_sent >= sent + 90, 30, "3 s of call")
        await clients[0].send({"type": "record", "action": "stop"})
        saved = await clients[1].wait_message(lambda m: m.get("state") == "saved", timeout=30)
        return str(saved["recording"])
    finally:
        for client in clients:
            await client.close()


@pytest.mark.timeout(240)
def test_a_recorded_call_plays_back_from_the_media_node(stack: Stack) -> None:
    owner = new_owner(stack.api, stack.mailbox)
    vet = sign_in(stack.api, "vet2@vetpet.test", DEMO_PASSWORD)
    booking_id = booking_starting_soon(owner, vet, "limping")
    try:
        consent = f"/v1/bookings/{booking_id}/recording-consent"
        for side in (owner, vet):
            assert side.call("PUT", consent, json={"granted": True}).status_code == 200
        rooms = [
            side.call("POST", f"/v1/bookings/{booking_id}/room").json() for side in (owner, vet)
        ]

        recording_id = asyncio.run(_record(rooms, booking_id))

        listed = owner.call("GET", f"/v1/bookings/{booking_id}/recordings").json()["items"]
        assert [r["id"] for r in listed] == [recording_id]
        link = owner.call("POST", f"/v1/recordings/{recording_id}/playback").json()["url"]
        played = requests.get(link, timeout=TIMEOUT)
        assert played.status_code == 200, played.text
        assert played.content.startswith(EBML)  # the WebM, decrypted on the fly
        part = requests.get(link, headers={"Range": "bytes=0-3"}, timeout=TIMEOUT)
        assert (part.status_code, part.content) == (206, EBML)
        assert requests.get(link.split("?")[0], timeout=TIMEOUT).status_code == 401
    finally:  # free the slot: the room test books the same one
        vet.call("POST", f"/v1/bookings/{booking_id}/cancel")
