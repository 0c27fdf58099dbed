"""A small world for the consultants, pets and bookings tests: two owners, two
consultants (one paid in Kyiv, one free in Toronto), a pet each, frozen time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from chalice.test import Client

from chalicelib.accounts.models import User
from chalicelib.accounts.tokens import issue_access_token
from chalicelib.consultants import service as consultants
from chalicelib.consultants.schemas import AvailabilityIn, ConsultantUpsert

# Sunday 31 May 2026, 12:00 UTC: 02:00 Sunday in Honolulu, 15:00 Sunday in Kyiv.
NOW = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)
# Monday 1 June 2026, 09:00 in Kyiv (UTC+3) = 06:00Z = Sunday 20:00 in Honolulu.
KYIV_MONDAY_9 = "2026-06-01T06:00:00Z"
KYIV_MONDAY_930 = "2026-06-01T06:30:00Z"
KYIV_MONDAY_10 = "2026-06-01T07:00:00Z"
TORONTO_MONDAY_9 = "2026-06-01T13:00:00Z"  # UTC-4 in summer


@dataclass
class World:
    client: Client
    clock: Any
    users: dict[str, User] = field(default_factory=dict)
    pets: dict[str, str] = field(default_factory=dict)

    def call(
        self,
        method: str,
        path: str,
        as_: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if as_ is not None:
            user = self.users[as_]
            token, _ = issue_access_token(user.user_id, user.role, datetime.now(UTC))
            sent["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body) if body is not None else ""
        response = self.client.http.request(method, path, headers=sent, body=payload)
        return response.status_code, json.loads(response.body) if response.body else None

    def book(
        self,
        as_: str,
        start: str,
        key: str = "k-1",
        consultant: str = "vet_a",
        reason: str = "itchy skin",
    ) -> tuple[int, Any]:
        body = {
            "consultant_id": self.users[consultant].user_id,
            "pet_id": self.pets[as_],
            "start": start,
            "reason": reason,
        }
        return self.call("POST", "/v1/bookings", as_, body, {"Idempotency-Key": key})


def _user(user_id: str, role: str, name: str, country: str, zone: str, language: str) -> User:
    user = User(
        user_id,
        email=f"{user_id}@example.com",
        email_verified=True,
        role=role,
        name=name,
        country=country,
        timezone=zone,
        language=language,
        created_at=NOW,
    )
    user.save()
    return user


def _hours(zone: str, start: str = "09:00", end: str = "12:00", **kw: int) -> AvailabilityIn:
    return AvailabilityIn.model_validate(
        {
            "timezone": zone,
            "weekly": [{"weekday": d, "start": start, "end": end} for d in range(1, 6)],
            **kw,
        }
    )


def make_world(client: Client, clock: Any) -> World:
    world = World(client, clock)
    world.users = {
        "owner_a": _user("owner-a", "owner", "Ana Owner", "US", "Pacific/Honolulu", "en"),
        "owner_b": _user("owner-b", "owner", "Bohdan Owner", "UA", "Europe/Kyiv", "uk"),
        "vet_a": _user("vet-a", "vet", "Dr. Vira", "UA", "Europe/Kyiv", "uk"),
        "vet_b": _user("vet-b", "vet", "Dr. Tom", "CA", "America/Toronto", "ru"),
        "admin": _user("admin-1", "admin", "Admin", "UA", "Europe/Kyiv", "en"),
    }
    profiles = {
        "vet_a": ("Dr. Vira", ["dogs", "dermatology"], ["uk", "en"], "UA", 50000, "UAH", 30),
        "vet_b": ("Dr. Tom", ["cats"], ["en", "fr"], "CA", 0, "CAD", 45),
    }
    for key, (name, spec, langs, country, amount, currency, minutes) in profiles.items():
        body = ConsultantUpsert.model_validate(
            {
                "name": name,
                "specialties": spec,
                "languages": langs,
                "licences": [{"country": country, "number": f"L-{key}"}],
                "price": {"amount": amount, "currency": currency},
                "slot_minutes": minutes,
            }
        )
        consultants.upsert_profile(world.users[key].user_id, body, NOW)
    consultants.set_availability("vet-a", _hours("Europe/Kyiv"), "Dr. Vira", NOW)
    consultants.set_availability("vet-b", _hours("America/Toronto"), "Dr. Tom", NOW)
    for owner, pet in (("owner_a", "Rex"), ("owner_b", "Murka")):
        status, body = world.call("POST", "/v1/me/pets", owner, {"name": pet, "species": "dog"})
        assert status == 201, body
        world.pets[owner] = body["id"]
    return world


@pytest.fixture
def world(client: Client) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False) as clock:
        yield make_world(client, clock)
