"""Booking against the running local stack, as a mobile client would."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from local.launcher import Stack
from local.seed import DEMO_PASSWORD
from tests.integration.clients import (
    Account,
    add_pet,
    booking_starting_soon,
    consultant_named,
    free_slots,
    new_owner,
    sign_in,
)

ATTEMPTS = 64


def test_64_concurrent_attempts_on_one_slot_give_exactly_one_booking(stack: Stack) -> None:
    vet = consultant_named(stack.api, "Dr. Olena Kovalenko")
    slot, warm_up = free_slots(stack.api, vet["id"])[0:2]
    with ThreadPoolExecutor(16) as pool:
        owners = list(pool.map(lambda _: new_owner(stack.api, stack.mailbox), range(ATTEMPTS)))
        pets = list(pool.map(add_pet, owners))
    # One booking first: the race is about correctness, not about 64 threads of one
    # process all paying its first-request setup at once (a Lambda serves one at a time).
    first = {"consultant_id": vet["id"], "pet_id": pets[0], "start": warm_up, "reason": "warm"}
    assert (
        owners[0]
        .call("POST", "/v1/bookings", json=first, headers={"Idempotency-Key": "warm-up"})
        .status_code
        == 201
    )
    barrier = threading.Barrier(ATTEMPTS)

    def attempt(i: int) -> requests.Response:
        body = {"consultant_id": vet["id"], "pet_id": pets[i], "start": slot, "reason": "race"}
        barrier.wait()
        return owners[i].call(
            "POST", "/v1/bookings", json=body, headers={"Idempotency-Key": f"race-{i}"}
        )

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        responses = list(pool.map(attempt, range(ATTEMPTS)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (ATTEMPTS - 1)
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"slot_taken"}
    assert slot not in free_slots(stack.api, vet["id"])


def test_owner_and_consultant_journey_with_e_mails(stack: Stack) -> None:
    # browse without an account
    vet = consultant_named(stack.api, "Dr. Marek Nowak")  # free of charge, Europe/Warsaw
    assert vet["price"]["amount"] == 0
    owner = new_owner(
        stack.api,
        stack.mailbox,
        name="Olha",
        timezone="Pacific/Honolulu",
        language="uk",
        country="UA",
    )
    consultant: Account = sign_in(stack.api, "vet2@vetpet.test", DEMO_PASSWORD)
    pet = add_pet(owner, "Barsik")
    first, second = free_slots(stack.api, vet["id"])[2:4]
    created = owner.call(
        "POST",
        "/v1/bookings",
        headers={"Idempotency-Key": "journey-1"},
        json={"consultant_id": vet["id"], "pet_id": pet, "start": first, "reason": "cough"},
    )
    assert created.status_code == 201, created.text
    booking = created.json()
    assert booking["status"] == "confirmed"
    as_owner = owner.call("GET", f"/v1/bookings/{booking['id']}").json()
    assert as_owner["pet"]["name"] == "Barsik"
    as_vet = consultant.call("GET", f"/v1/bookings/{booking['id']}").json()
    assert as_vet["client"] == {"name": "Olha", "country": "UA", "timezone": "Pacific/Honolulu"}
    confirmed = stack.messages(owner.email)
    assert confirmed[-1]["subject"].startswith("Консультацію підтверджено")
    assert "Pacific/Honolulu" in confirmed[-1]["body"]
    moved = owner.call("POST", f"/v1/bookings/{booking['id']}/reschedule", json={"start": second})
    assert moved.status_code == 201, moved.text
    assert stack.messages("vet2@vetpet.test")[-1]["subject"].startswith("Consultation moved")
    cancelled = consultant.call("POST", f"/v1/bookings/{moved.json()['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert stack.messages(owner.email)[-1]["subject"].startswith("Консультацію скасовано")
    assert first in free_slots(stack.api, vet["id"])
    question = owner.call(
        "POST",
        "/v1/questions",
        json={"consultant_id": vet["id"], "pet_id": pet, "text": "Is he too fat?"},
    )
    assert question.status_code == 201
    reply = consultant.call(
        "POST", f"/v1/questions/{question.json()['id']}/messages", json={"text": "No."}
    )
    assert reply.status_code == 201
    assert stack.messages(owner.email)[-1]["subject"].startswith("Нове повідомлення")
    stranger = new_owner(stack.api, stack.mailbox)
    assert stranger.call("GET", f"/v1/bookings/{booking['id']}").status_code == 404
    assert stranger.call("GET", f"/v1/questions/{question.json()['id']}").status_code == 404


def _join_room(stack: Stack, room: dict[str, object], password: str | None) -> dict[str, object]:
    import asyncio

    import aiohttp

    async def join() -> dict[str, object]:
        url = str(room["signalling_url"])  # the node the API placed the room on
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            await ws.send_json({"type": "join", "token": room["token"], "password": password})
            answer: dict[str, object] = await ws.receive_json(timeout=20)
            return answer

    return asyncio.run(join())


def test_room_token_and_password_open_the_media_server(stack: Stack) -> None:
    """P18 end to end: the API's room token and room password are what the SFU checks."""
    consultant = sign_in(stack.api, "vet2@vetpet.test", DEMO_PASSWORD)
    owner = new_owner(stack.api, stack.mailbox)
    booking_id = booking_starting_soon(owner, consultant, "room")
    try:
        put = owner.call(
            "PUT", f"/v1/bookings/{booking_id}/room-password", json={"password": "blue-heron-42"}
        )
        assert put.status_code == 204
        room = owner.call("POST", f"/v1/bookings/{booking_id}/room")
        assert room.status_code == 200, room.text
        assert _join_room(stack, room.json(), "wrong-password")["type"] == "error"
        assert _join_room(stack, room.json(), None)["type"] == "error"
        joined = _join_room(stack, room.json(), "blue-heron-42")
        assert (joined["type"], joined["role"]) == ("joined", "owner")
        assert joined["participant"] != owner.user_id  # opaque per-room ids (P7)
        vet_room = consultant.call("POST", f"/v1/bookings/{booking_id}/room").json()
        assert _join_room(stack, vet_room, "blue-heron-42")["role"] == "vet"
    finally:  # free the slot: the recorded-call test books the same one
        consultant.call("POST", f"/v1/bookings/{booking_id}/cancel")
