"""Paying for a booking on the running local stack: the API opens a checkout, the owner
presses Pay on the payment stand-in, which sends the processor's signed webhook."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from local.launcher import Stack
from local.seed import DEMO_PASSWORD
from tests.integration.clients import (
    Account,
    add_pet,
    consultant_named,
    free_slots,
    new_owner,
    sign_in,
)

VET_EMAIL = "vet1@vetpet.test"  # Dr. Olena Kovalenko, 600.00 UAH


def _slot_after(stack: Stack, consultant_id: str, notice: timedelta) -> str:
    earliest = datetime.now(UTC) + notice
    return next(
        s for s in free_slots(stack.api, consultant_id) if datetime.fromisoformat(s) > earliest
    )


def _book(stack: Stack, owner: Account, key: str) -> dict[str, Any]:
    vet = consultant_named(stack.api, "Dr. Olena Kovalenko")
    start = _slot_after(stack, vet["id"], timedelta(hours=26))
    body = {"consultant_id": vet["id"], "pet_id": add_pet(owner), "start": start, "reason": "x"}
    created = owner.call("POST", "/v1/bookings", json=body, headers={"Idempotency-Key": key})
    assert created.status_code == 201, created.text
    booking: dict[str, Any] = created.json()
    assert booking["status"] == "pending_payment"
    return booking


def _wait_for_mail(stack: Stack, to: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        messages = stack.messages(to)
        if len(messages) >= count:
            return messages
        time.sleep(0.2)
    raise AssertionError(f"no new e-mail to {to}")


def test_pay_on_the_stand_in_then_cancel_25_hours_before_is_refunded(stack: Stack) -> None:
    owner = new_owner(stack.api, stack.mailbox)
    vet_mails = len(stack.messages(VET_EMAIL))
    owner_mails = len(stack.messages(owner.email))
    booking = _book(stack, owner, "pay-1")
    checkout = owner.call(
        "POST", f"/v1/bookings/{booking['id']}/checkout", json={"provider": "stripe"}
    )
    assert checkout.status_code == 201, checkout.text
    url = checkout.json()["checkout_url"]
    assert url.startswith(stack.payments + "/c/pay/cs_test_")
    assert checkout.json()["amount"] == {"amount": 60000, "currency": "UAH"}
    page = requests.get(url, timeout=10)
    assert "Pay" in page.text
    pressed = requests.post(url + "/pay", timeout=30)
    assert pressed.json()["webhook_status"] == 200
    paid = owner.call("GET", f"/v1/bookings/{booking['id']}").json()
    assert paid["status"] == "confirmed"
    assert paid["payment"]["status"] == "paid"
    _wait_for_mail(stack, owner.email, owner_mails + 1)
    _wait_for_mail(stack, VET_EMAIL, vet_mails + 1)
    consultant = sign_in(stack.api, VET_EMAIL, DEMO_PASSWORD)
    assert "payment" not in consultant.call("GET", f"/v1/bookings/{booking['id']}").json()
    cancelled = owner.call("POST", f"/v1/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    payment = cancelled.json()["payment"]
    assert payment["status"] == "refunded"
    assert payment["refunded_amount"] == {"amount": 60000, "currency": "UAH"}


def test_liqpay_pay_on_the_stand_in_confirms(stack: Stack) -> None:
    owner = new_owner(stack.api, stack.mailbox)
    booking = _book(stack, owner, "pay-2")
    checkout = owner.call(
        "POST", f"/v1/bookings/{booking['id']}/checkout", json={"provider": "liqpay"}
    )
    assert checkout.status_code == 201, checkout.text
    assert "Pay" in requests.get(checkout.json()["checkout_url"], timeout=10).text
    pressed = requests.post(f"{stack.payments}/c/liqpay/{booking['id']}/pay", timeout=30)
    assert pressed.json()["webhook_status"] == 200
    assert owner.call("GET", f"/v1/bookings/{booking['id']}").json()["status"] == "confirmed"
