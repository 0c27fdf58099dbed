"""Payments tests: the booking world, the processors' keys in moto's Secrets Manager and
the local payment stand-in (real Stripe and LiqPay wire protocols) on a free port,
delivering its webhooks to the app through the Chalice test client."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from chalicelib.config import get_settings
from chalicelib.payments.providers import registry
from local import payments_standin
from tests.unit.booking_world import KYIV_MONDAY_9, World, world  # noqa: F401


@dataclass
class Pay:
    """The world plus the stand-in."""

    world: World
    standin: payments_standin.StandIn
    deliveries: list[tuple[str, int]]

    def booking(self, start: str = KYIV_MONDAY_9, key: str = "k-1", as_: str = "owner_a") -> str:
        status, body = self.world.book(as_, start, key=key)
        assert status == 201, body
        assert body["status"] == "pending_payment"
        return str(body["id"])

    def checkout(self, booking_id: str, provider: str = "stripe", as_: str = "owner_a") -> Any:
        return self.world.call(
            "POST", f"/v1/bookings/{booking_id}/checkout", as_, {"provider": provider}
        )

    def webhook(self, provider: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        response = self.world.client.http.post(
            f"/v1/payments/webhooks/{provider}", headers=headers, body=body
        )
        import json

        return response.status_code, json.loads(response.body)

    def get(self, booking_id: str, as_: str = "owner_a") -> Any:
        status, body = self.world.call("GET", f"/v1/bookings/{booking_id}", as_)
        assert status == 200, body
        return body


@pytest.fixture
def pay(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pay]:  # noqa: F811
    deliveries: list[tuple[str, int]] = []

    def deliver(path: str, body: bytes, headers: dict[str, str]) -> int:
        response = world.client.http.post(path, headers=headers, body=body)
        deliveries.append((path, response.status_code))
        return int(response.status_code)

    server = payments_standin.serve(0, deliver)
    base = server.state.base
    monkeypatch.setenv("VETPET_STRIPE_API_BASE", base)
    monkeypatch.setenv("VETPET_LIQPAY_API_BASE", base)
    get_settings.cache_clear()
    registry.reset()
    settings = get_settings()
    secrets = boto3.client("secretsmanager", region_name=settings.region)
    with contextlib.suppress(secrets.exceptions.ResourceExistsException):  # shared moto
        payments_standin.create_secrets(
            secrets, settings.stripe_secret_id, settings.liqpay_secret_id
        )
    yield Pay(world, server.state, deliveries)
    server.shutdown()
    monkeypatch.undo()
    get_settings.cache_clear()
    registry.reset()
