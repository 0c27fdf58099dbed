"""Checkout (owner, awaiting payment, the same live checkout on a retry) and refunds by
the rule shown before paying; the consultant never sees payment data (P7)."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.config import get_settings
from chalicelib.jobs.payments import run
from chalicelib.payments.models import PaymentItem
from chalicelib.payments.providers import registry
from chalicelib.payments.refunds import Ending, refund_due
from local.payments_standin import STRIPE_WEBHOOK_SECRET, stripe_signature
from tests.unit.booking_world import KYIV_MONDAY_9
from tests.unit.payments.conftest import Pay

START = datetime.fromisoformat(KYIV_MONDAY_9)

# The payment stand-in listens on loopback; nothing else is reached.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def test_checkout_shows_price_expiry_and_refund_policy(pay: Pay) -> None:
    booking = pay.booking()
    status, body = pay.checkout(booking)
    assert status == 201
    assert (body["object"], body["provider"]) == ("checkout", "stripe")
    assert body["amount"] == {"amount": 50000, "currency": "UAH"}
    assert body["expires_at"] == pay.get(booking)["hold_expires_at"]
    assert body["refund_policy"] == {
        "owner_cancels_hours_before": 24,
        "owner_early_cancellation": "full",
        "owner_late_cancellation": "none",
        "consultant_cancellation_or_no_show": "full",
    }
    assert body["checkout_url"].startswith(pay.standin.base + "/c/pay/cs_test_")


def test_asking_again_returns_the_same_live_checkout(pay: Pay) -> None:
    booking = pay.booking()
    first = pay.checkout(booking)[1]
    assert pay.checkout(booking) == (201, first)
    assert len(pay.standin.sessions) == 1
    status, problem = pay.checkout(booking, "liqpay")
    assert (status, problem["code"]) == (409, "checkout_open")


def test_liqpay_checkout_is_signed_and_in_uah(pay: Pay) -> None:
    booking = pay.booking()
    status, body = pay.checkout(booking, "liqpay")
    assert status == 201
    assert body["checkout_url"].startswith(pay.standin.base + "/api/3/checkout?data=")


def test_other_owner_gets_404_and_other_states_409(pay: Pay) -> None:
    booking = pay.booking()
    assert pay.checkout(booking, as_="owner_b")[0] == 404
    assert pay.world.call("POST", f"/v1/bookings/{booking}/cancel", "owner_a")[0] == 200
    status, problem = pay.checkout(booking)
    assert (status, problem["code"]) == (409, "invalid_transition")
    lapsed = pay.booking(start="2026-06-01T07:00:00Z", key="k-2")
    pay.world.clock.shift(timedelta(minutes=16))
    assert pay.checkout(lapsed)[1]["code"] == "invalid_transition"


def _paid_booking(pay: Pay) -> str:
    booking = pay.booking()
    session = pay.checkout(booking)[1]["checkout_url"].rsplit("/", 1)[1]
    assert pay.standin.pay_session(session, paid=True) == 200
    assert pay.get(booking)["status"] == "confirmed"
    return booking


@pytest.mark.parametrize(
    ("who", "before_start", "refunded", "status"),
    [
        ("owner_a", timedelta(hours=25), 50000, "refunded"),
        ("owner_a", timedelta(hours=24), 50000, "refunded"),
        ("owner_a", timedelta(hours=23, minutes=59), 0, "paid"),
        ("vet_a", timedelta(hours=1), 50000, "refunded"),
    ],
)
def test_refunds_follow_the_rule(
    pay: Pay, who: str, before_start: timedelta, refunded: int, status: str
) -> None:
    booking = _paid_booking(pay)
    pay.world.clock.move_to(START - before_start)
    assert pay.world.call("POST", f"/v1/bookings/{booking}/cancel", who)[0] == 200
    payment = pay.get(booking)["payment"]
    assert payment["status"] == status
    assert payment["refunded_amount"] == {"amount": refunded, "currency": "UAH"}
    assert sum(r["amount"] for r in pay.standin.refunds.values()) == refunded


def test_a_rescheduled_paid_booking_carries_its_payment_and_refund(pay: Pay) -> None:
    booking = _paid_booking(pay)
    status, moved = pay.world.call(
        "POST", f"/v1/bookings/{booking}/reschedule", "owner_a", {"start": "2026-06-01T07:00:00Z"}
    )
    assert status == 201, moved
    assert moved["status"] == "confirmed"
    assert moved["payment"]["status"] == "paid"
    assert pay.get(booking)["payment"]["status"] == "paid"  # not refunded by the move
    assert pay.world.call("POST", f"/v1/bookings/{moved['id']}/cancel", "vet_a")[0] == 200
    assert pay.get(moved["id"])["payment"]["status"] == "refunded"
    assert len(pay.standin.refunds) == 1


def test_a_refund_is_issued_once(pay: Pay) -> None:
    booking = _paid_booking(pay)
    pay.world.clock.move_to(START - timedelta(hours=30))
    assert pay.world.call("POST", f"/v1/bookings/{booking}/cancel", "owner_a")[0] == 200
    late = {
        "id": "evt_late",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {**next(iter(pay.standin.sessions.values()))}},
    }
    body = json.dumps(late).encode()
    header = stripe_signature(body, STRIPE_WEBHOOK_SECRET, int(time.time()))
    pay.webhook("stripe", body, {"Content-Type": "application/json", "Stripe-Signature": header})
    assert len(pay.standin.refunds) == 1
    assert PaymentItem.get(booking).refunded_amount == 50000


def test_the_rule_for_each_ending() -> None:
    at = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
    assert refund_due(100, Ending.OWNER_CANCELLED, at, at - timedelta(hours=24)) == 100
    assert refund_due(100, Ending.OWNER_CANCELLED, at, at - timedelta(hours=23)) == 0
    assert refund_due(100, Ending.CONSULTANT_CANCELLED, at, at) == 100
    assert refund_due(100, Ending.CONSULTANT_NO_SHOW, at, at + timedelta(hours=1)) == 100


def test_the_consultant_sees_no_payment_data(pay: Pay) -> None:
    booking = _paid_booking(pay)
    owner_view = pay.get(booking)
    vet_view = pay.get(booking, as_="vet_a")
    assert owner_view["payment"]["status"] == "paid"
    assert "payment" not in vet_view
    assert "price" not in vet_view
    assert "50000" not in json.dumps(vet_view)


def test_a_refund_the_provider_did_not_take_is_sent_again_by_housekeeping(
    pay: Pay, monkeypatch: pytest.MonkeyPatch
) -> None:
    booking = _paid_booking(pay)
    monkeypatch.setenv("VETPET_STRIPE_API_BASE", "http://127.0.0.1:9")  # nobody listens
    get_settings.cache_clear()
    registry.reset()
    assert pay.world.call("POST", f"/v1/bookings/{booking}/cancel", "vet_a")[0] == 200
    assert pay.get(booking)["payment"]["status"] == "refund_pending"
    assert pay.standin.refunds == {}
    monkeypatch.setenv("VETPET_STRIPE_API_BASE", pay.standin.base)
    get_settings.cache_clear()
    registry.reset()
    assert run(datetime.now(UTC))["refunds_confirmed"] == 1
    assert run(datetime.now(UTC))["refunds_confirmed"] == 0
    payment = pay.get(booking)["payment"]
    assert payment["status"] == "refunded"
    assert payment["refunded_amount"]["amount"] == 50000
    assert [r["amount"] for r in pay.standin.refunds.values()] == [50000]


def test_liqpay_refund_by_rule(pay: Pay) -> None:
    booking = pay.booking()
    url = pay.checkout(booking, "liqpay")[1]["checkout_url"]
    urllib.request.urlopen(url).close()  # noqa: S310 - the stand-in on loopback
    assert pay.standin.liqpay_pay(booking, paid=True) == 200
    assert pay.world.call("POST", f"/v1/bookings/{booking}/cancel", "vet_a")[0] == 200
    assert pay.get(booking)["payment"]["status"] == "refunded"
    assert pay.standin.orders[booking]["status"] == "reversed"
