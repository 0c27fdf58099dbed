"""Client-side helpers for the local stack: owner accounts and authenticated calls."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests

PASSWORD = "integration-owner-passphrase"
TIMEOUT = 120  # generous: CI machines are shared and the race runs 64 requests at once


@dataclass(frozen=True)
class Account:
    api: str
    user_id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(method, self.api + path, headers=headers, timeout=TIMEOUT, **kwargs)


def login(api: str, email: str, password: str) -> str:
    response = requests.post(
        api + "/v1/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def sign_in(api: str, email: str, password: str) -> Account:
    token = login(api, email, password)
    me = requests.get(api + "/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
    me.raise_for_status()
    return Account(api, str(me.json()["user_id"]), email, token)


def mailbox_code(mailbox: str, to: str) -> str:
    """The newest 6-digit code e-mailed to ``to`` (the mailbox sees mail within ~0.1 s)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = requests.get(mailbox + "/messages.json", timeout=TIMEOUT).json()
        mine = [m for m in items if m["to"] == to]
        found = re.search(r"\b(\d{6})\b", mine[-1]["body"]) if mine else None
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no code e-mailed to {to}")


def new_owner(
    api: str,
    mailbox: str,
    *,
    name: str = "Test Owner",
    timezone: str = "Europe/Kyiv",
    language: str = "en",
    country: str = "UA",
) -> Account:
    """An owner made the way a client makes one: register, verify by the e-mailed code,
    sign in."""
    email = f"owner-{uuid.uuid4().hex[:12]}@example.com"
    registered = requests.post(
        api + "/v1/auth/register",
        timeout=TIMEOUT,
        json={
            "email": email,
            "password": PASSWORD,
            "name": name,
            "birth_date": "1990-05-17",
            "country": country,
            "timezone": timezone,
            "language": language,
        },
    )
    assert registered.status_code == 202, registered.text
    verified = requests.post(
        api + "/v1/auth/verify-email",
        timeout=TIMEOUT,
        json={"email": email, "code": mailbox_code(mailbox, email)},
    )
    assert verified.status_code == 200, verified.text
    return sign_in(api, email, PASSWORD)


def add_pet(owner: Account, name: str = "Rex") -> str:
    response = owner.call("POST", "/v1/me/pets", json={"name": name, "species": "dog"})
    response.raise_for_status()
    return str(response.json()["id"])


def consultant_named(api: str, name: str) -> dict[str, Any]:
    items = requests.get(api + "/v1/consultants", timeout=TIMEOUT).json()["items"]
    return next(c for c in items if c["name"] == name)


def free_slots(api: str, consultant_id: str) -> list[str]:
    response = requests.get(api + f"/v1/consultants/{consultant_id}/slots", timeout=TIMEOUT)
    response.raise_for_status()
    return [s["start"] for s in response.json()["items"]]


def midday_zone(now: datetime) -> ZoneInfo:
    """A whole-hour IANA zone where it is now between 12:00 and 12:59, so a window that
    starts within the hour never crosses its midnight (``Etc/GMT-3`` is UTC+3)."""
    offset = 12 - now.astimezone(UTC).hour  # -11 .. +12, all of them IANA zones
    return ZoneInfo(f"Etc/GMT{-offset:+d}")


def booking_starting_soon(owner: Account, consultant: Account, reason: str) -> str:
    """Book a 30-minute slot with ``consultant`` that starts in 5 to 10 minutes (its room
    is open at once), whatever the hour: the consultant's hours are opened for that one
    slot in a zone where it is midday, then put back. The booking's id. A test that books
    it cancels the booking, so the next one finds the slot free."""
    saved = consultant.call("GET", "/v1/vet/availability").json()
    zone = midday_zone(datetime.now(UTC))
    local = datetime.now(zone).replace(second=0, microsecond=0)
    start = local + timedelta(minutes=5 - local.minute % 5 + 5)
    end = start + timedelta(minutes=30)
    hours = {
        **saved,
        "timezone": zone.key,
        "exceptions": [
            {
                "date": start.date().isoformat(),
                "hours": [{"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}],
            }
        ],
        "min_notice_minutes": 0,
    }
    assert consultant.call("PUT", "/v1/vet/availability", json=hours).status_code == 200
    try:
        booking = owner.call(
            "POST",
            "/v1/bookings",
            headers={"Idempotency-Key": f"{reason}-{owner.user_id}"},
            json={
                "consultant_id": consultant.user_id,
                "pet_id": add_pet(owner),
                "start": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "reason": reason,
            },
        )
    finally:
        consultant.call("PUT", "/v1/vet/availability", json=saved)
    assert booking.status_code == 201, booking.text
    return str(booking.json()["id"])
