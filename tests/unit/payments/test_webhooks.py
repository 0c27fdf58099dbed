"""Webhooks: verified on the raw body, each event once, order-safe, amounts checked."""

from __future__ import annotations

import io
import json
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.bookings.models import Booking
from chalicelib.notifications.outbox import OutboxMessage
from chalicelib.payments import service
from chalicelib.payments.models import PaymentEventItem, PaymentItem
from chalicelib.payments.wiring import deps
from local.payments_standin import (
    STRIPE_WEBHOOK_SECRET,
    liqpay_form,
    stripe_signature,
)
from tests.unit.payments.conftest import Pay

JSON = {"Content-Type": "application/json"}

# The payment stand-in listens on loopback; nothing else is reached.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def _open(pay: Pay, provider: str = "stripe") -> tuple[str, dict[str, Any]]:
    booking = pay.booking()
    status, body = pay.checkout(booking, provider)
    assert status == 201, body
    return booking, body


def _session(pay: Pay, checkout: dict[str, Any]) -> dict[str, Any]:
    session_id = checkout["checkout_url"].rsplit("/", 1)[1]
    return pay.standin.sessions[session_id]


def _completed(
    pay: Pay, checkout: dict[str, Any], event_id: str = "evt_1", **changes: Any
) -> bytes:
    session = {
        **_session(pay, checkout),
        "payment_status": "paid",
        "status": "complete",
        "payment_intent": "pi_1",
        **changes,
    }
    event = {
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": session},
    }
    return json.dumps(event).encode()


def _signed(body: bytes, secret: str = STRIPE_WEBHOOK_SECRET, age: int = 0) -> dict[str, str]:
    return {**JSON, "Stripe-Signature": stripe_signature(body, secret, int(time.time()) - age)}


def _status(booking_id: str) -> str:
    return str(Booking.get(booking_id).status)


def _nothing_stored(booking_id: str) -> None:
    assert _status(booking_id) == "pending_payment"
    assert PaymentItem.get(booking_id).status == "pending"
    assert PaymentEventItem.count() == 0


def test_a_verified_event_confirms_the_booking(pay: Pay) -> None:
    booking, checkout = _open(pay)
    body = _completed(pay, checkout)
    status, ack = pay.webhook("stripe", body, _signed(body))
    assert (status, ack["outcome"]) == (200, "confirmed")
    assert _status(booking) == "confirmed"
    assert pay.get(booking)["payment"]["status"] == "paid"


def _one_byte_changed(body: bytes) -> bytes:
    return body.replace(b'"amount_total": 50000', b'"amount_total": 50001')


def _reserialised(body: bytes) -> bytes:
    return json.dumps(json.loads(body), indent=1, sort_keys=True).encode()


@pytest.mark.parametrize("change", [_one_byte_changed, _reserialised])
def test_a_changed_body_is_refused_and_nothing_stored(
    pay: Pay, change: Callable[[bytes], bytes]
) -> None:
    booking, checkout = _open(pay)
    body = _completed(pay, checkout)
    headers = _signed(body)
    changed = change(body)
    assert changed != body
    assert json.loads(changed)["id"] == json.loads(body)["id"]
    status, problem = pay.webhook("stripe", changed, headers)
    assert (status, problem["code"]) == (400, "invalid_signature")
    _nothing_stored(booking)


def test_timestamps_outside_300_seconds_are_refused_both_ways(pay: Pay) -> None:
    booking, checkout = _open(pay)
    body = _completed(pay, checkout)
    for age in (301, -301):
        status, problem = pay.webhook("stripe", body, _signed(body, age=age))
        assert (status, problem["code"]) == (400, "invalid_signature")
    _nothing_stored(booking)
    status, _ = pay.webhook("stripe", body, _signed(body, age=299))
    assert status == 200


def test_wrong_secret_and_missing_signature_are_refused(pay: Pay) -> None:
    booking, checkout = _open(pay)
    body = _completed(pay, checkout)
    for headers in (_signed(body, secret="whsec_someone_else"), JSON):
        status, problem = pay.webhook("stripe", body, headers)
        assert (status, problem["code"]) == (400, "invalid_signature")
    _nothing_stored(booking)


def test_several_v1_signatures_are_accepted_while_secrets_rotate(pay: Pay) -> None:
    booking, checkout = _open(pay)
    body = _completed(pay, checkout)
    good = _signed(body)["Stripe-Signature"]
    stamp, signature = good.split(",")
    rotated = f"{stamp},v1={'0' * 64},{signature}"
    status, _ = pay.webhook("stripe", body, {**JSON, "Stripe-Signature": rotated})
    assert status == 200
    assert _status(booking) == "confirmed"


def test_a_duplicate_answers_200_and_changes_nothing(pay: Pay) -> None:
    booking, checkout = _open(pay)
    body = _completed(pay, checkout)
    pay.webhook("stripe", body, _signed(body))
    before = Booking.get(booking)
    mails = OutboxMessage.count()
    status, ack = pay.webhook("stripe", body, _signed(body))
    assert (status, ack["outcome"]) == (200, "duplicate")
    after = Booking.get(booking)
    assert (after.status, after.version) == (before.status, before.version)
    assert OutboxMessage.count() == mails


def test_events_in_reverse_order_never_unconfirm_or_reconfirm(pay: Pay) -> None:
    booking, checkout = _open(pay)
    session = _session(pay, checkout)
    paid = _completed(pay, checkout, event_id="evt_2")
    stale = json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": "checkout.session.expired",
            "data": {"object": {**session, "status": "expired"}},
        }
    ).encode()
    assert pay.webhook("stripe", paid, _signed(paid))[1]["outcome"] == "confirmed"
    version = Booking.get(booking).version
    assert pay.webhook("stripe", stale, _signed(stale))[1]["outcome"] == "ignored"
    again = _completed(pay, checkout, event_id="evt_3")
    assert pay.webhook("stripe", again, _signed(again))[1]["outcome"] == "ignored"
    after = Booking.get(booking)
    assert (after.status, after.version) == ("confirmed", version)
    assert PaymentItem.get(booking).status == "paid"


def _mismatch(pay: Pay, log_output: io.StringIO, **changes: Any) -> None:
    booking, checkout = _open(pay)
    body = _completed(pay, checkout, **changes)
    status, ack = pay.webhook("stripe", body, _signed(body))
    assert (status, ack["outcome"]) == (200, "mismatch")
    assert _status(booking) == "pending_payment"
    assert PaymentItem.get(booking).status == "mismatch"
    alerts = [json.loads(line) for line in log_output.getvalue().splitlines() if "alert" in line]
    assert [a["alert"] for a in alerts] == ["payment_amount_mismatch"]
    logged = json.dumps(alerts)
    for personal in ("owner-a", "Ana Owner", "owner-a@example.com", "itchy skin", "Rex"):
        assert personal not in logged


def test_wrong_amount_is_recorded_as_mismatch(pay: Pay, log_output: io.StringIO) -> None:
    _mismatch(pay, log_output, amount_total=100)


def test_wrong_currency_is_recorded_as_mismatch(pay: Pay, log_output: io.StringIO) -> None:
    _mismatch(pay, log_output, currency="usd")


def test_success_after_the_hold_lapsed_is_refunded(pay: Pay) -> None:
    booking, checkout = _open(pay)
    pay.world.clock.shift(timedelta(minutes=16))
    session_id = checkout["checkout_url"].rsplit("/", 1)[1]
    assert pay.standin.pay_session(session_id, paid=True) == 200
    assert _status(booking) == "pending_payment"  # lapsed hold (the sweep marks it expired)
    assert pay.get(booking)["status"] == "expired"
    payment = PaymentItem.get(booking)
    assert (payment.status, payment.refunded_amount) == ("refunded", 50000)
    refunds = list(pay.standin.refunds.values())
    assert [(r["payment_intent"], r["amount"]) for r in refunds] == [
        (pay.standin.sessions[session_id]["payment_intent"], 50000)
    ]


@pytest.mark.usefixtures("atomic_dynamodb")
def test_twenty_concurrent_deliveries_confirm_once(pay: Pay) -> None:
    booking, checkout = _open(pay)
    body = _completed(pay, checkout)
    headers = {k.lower(): v for k, v in _signed(body).items()}
    instant = datetime.now(UTC)  # the frozen instant
    mails = OutboxMessage.count()

    def deliver(_: int) -> str:
        return service.handle_webhook(deps(), "stripe", body, headers, instant).value

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(deliver, range(20)))
    assert outcomes.count("confirmed") == 1
    assert set(outcomes) <= {"confirmed", "ignored", "duplicate"}
    stored = Booking.get(booking)
    assert (stored.status, stored.version) == ("confirmed", 2)
    assert OutboxMessage.count() - mails == 2  # one e-mail to each side, once
    assert PaymentEventItem.count() == 1


def test_liqpay_payment_confirms_and_a_replay_changes_nothing(pay: Pay) -> None:
    booking, checkout = _open(pay, "liqpay")
    # the stand-in's page registers the order when the owner opens it
    with urllib.request.urlopen(checkout["checkout_url"]) as response:  # noqa: S310
        assert b"Pay" in response.read()
    captured: list[bytes] = []
    original = pay.standin.deliver

    def capture(path: str, body: bytes, headers: dict[str, str]) -> int:
        captured.append(body)
        return original(path, body, headers)

    pay.standin.deliver = capture
    assert pay.standin.liqpay_pay(booking, paid=True) == 200
    assert _status(booking) == "confirmed"
    version = Booking.get(booking).version
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, ack = pay.webhook("liqpay", captured[0], form)
    assert (status, ack["outcome"]) == (200, "duplicate")
    assert Booking.get(booking).version == version


def test_liqpay_bad_signature_is_refused(pay: Pay) -> None:
    booking, _ = _open(pay, "liqpay")
    forged = liqpay_form(
        {"order_id": booking, "status": "success", "amount": "500", "currency": "UAH"},
        private_key="not-the-key",
    )
    status, problem = pay.webhook(
        "liqpay", forged, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (status, problem["code"]) == (400, "invalid_signature")
    _nothing_stored(booking)


def test_liqpay_trusts_the_status_read_back_not_the_callback(pay: Pay) -> None:
    booking, checkout = _open(pay, "liqpay")
    urllib.request.urlopen(checkout["checkout_url"]).close()  # noqa: S310
    claimed = liqpay_form(
        {"order_id": booking, "status": "success", "amount": "500.00", "currency": "UAH"}
    )
    status, ack = pay.webhook(
        "liqpay", claimed, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (status, ack["outcome"]) == (200, "ignored")  # LiqPay says: not paid
    assert _status(booking) == "pending_payment"


def test_success_for_a_booking_cancelled_meanwhile_is_refunded(pay: Pay) -> None:
    booking, checkout = _open(pay)
    assert pay.world.call("POST", f"/v1/bookings/{booking}/cancel", "owner_a")[0] == 200
    session_id = checkout["checkout_url"].rsplit("/", 1)[1]
    assert pay.standin.pay_session(session_id, paid=True) == 200
    assert _status(booking) == "cancelled"
    payment = pay.get(booking)["payment"]
    assert payment["status"] == "refunded"
    assert payment["refunded_amount"]["amount"] == 50000
