"""A real recording on the running local stack (`make run`): both sides consent, two
participants hold a call on the media node, one starts and stops the recording, the node
encrypts it into the embedded S3, and the owner's playback link plays it back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from local.launcher import Stack
from local.seed import DEMO_PASSWORD
from tests.integration.clients import TIMEOUT, Account, add_pet, new_owner, sign_in
from tests.media.media_support import Client, wait_for

EBML = b"\x1a\x45\xdf\xa3"


def _booking_starting_soon(stack: Stack, owner: Account, vet: Account) -> str:
    """A booking with the free consultant whose room is open now (starts in 5-10 min)."""
    saved = vet.call("GET", "/v1/vet/availability").json()
    zone = ZoneInfo(saved["timezone"])
    local = datetime.now(zone).replace(second=0, microsecond=0)
    start = local + timedelta(minutes=5 - local.minute % 5 + 5)
    end = start + timedelta(minutes=30)
    if end.date() != start.date():
        pytest.skip("the consultant's midnight falls inside the window")
    window = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    hours = {
        **saved,
        "exceptions": [{"date": start.date().isoformat(), "hours": [window]}],
        "min_notice_minutes": 0,
    }
    assert vet.call("PUT", "/v1/vet/availability", json=hours).status_code == 200
    try:
        booking = owner.call(
            "POST",
            "/v1/bookings",
            headers={"Idempotency-Key": f"recorded-call-{owner.user_id}"},
            json={
                "consultant_id": vet.user_id,
                "pet_id": add_pet(owner),
                "start": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "reason": "limping",
            },
        )
    finally:
        vet.call("PUT", "/v1/vet/availability", json=saved)
    assert booking.status_code == 201, booking.text
    return str(booking.json()["id"])


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
    booking_id = _booking_starting_soon(stack, owner, vet)
    consent = f"/v1/bookings/{booking_id}/recording-consent"
    for side in (owner, vet):
        assert side.call("PUT", consent, json={"granted": True}).status_code == 200
    rooms = [side.call("POST", f"/v1/bookings/{booking_id}/room").json() for side in (owner, vet)]

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
