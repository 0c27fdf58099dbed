"""The chat-bot channel on the local stack: a user links Telegram the way the app does
(the link's token sent to the bot, here from the mailbox page's form), then a booking's
news arrives in that chat, with the first name, the time and the status only."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from local.launcher import Stack
from tests.integration.clients import TIMEOUT, add_pet, consultant_named, free_slots, new_owner


def _chat(stack: Stack, chat_id: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [m for m in stack.messages(str(chat_id)) if m["channel"] == "telegram"]
        if len(found) >= 2:
            return found
        time.sleep(0.1)
    return [m for m in stack.messages(str(chat_id)) if m["channel"] == "telegram"]


def test_linking_from_the_mailbox_then_booking_news_in_the_chat(stack: Stack) -> None:
    owner = new_owner(stack.api, stack.mailbox, name="Olena Tkachenko", language="uk")
    started = owner.call("POST", "/v1/me/chat-links", json={"channel": "telegram"})
    assert started.status_code == 201, started.text
    token = parse_qs(urlparse(started.json()["link"]).query)["start"][0]
    chat_id = 10_000 + secrets.randbelow(1_000_000)

    answer = requests.post(
        stack.mailbox + "/telegram/send",
        json={"chat_id": chat_id, "text": f"/start {token}"},
        timeout=TIMEOUT,
    ).json()
    assert answer["method"] == "sendMessage"
    links = owner.call("GET", "/v1/me/chat-links").json()["items"]
    assert [link["channel"] for link in links] == ["telegram"]

    vet = consultant_named(stack.api, "Dr. Marek Nowak")  # free: confirmed at once
    booked = owner.call(
        "POST",
        "/v1/bookings",
        json={
            "consultant_id": vet["id"],
            "pet_id": add_pet(owner, "Barsik"),
            "start": free_slots(stack.api, vet["id"])[0],
            "reason": "sneezing",
        },
        headers={"Idempotency-Key": "chat-1"},
    )
    assert booked.status_code == 201, booked.text
    linked_reply, confirmed = _chat(stack, chat_id)
    assert "Сповіщення VetPet увімкнено" in linked_reply["body"]
    assert confirmed["body"].startswith("Olena, вашу консультацію ")
    assert confirmed["body"].endswith(" підтверджено.")
    assert "Barsik" not in confirmed["body"]
    assert "Nowak" not in confirmed["body"]
