"""The local stand-in speaks Stripe's wire protocol as the official SDK uses it (form
encoding, idempotency keys, error shapes, events), so the production adapter runs
against it unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import stripe

from chalicelib.payments.domain import CheckoutOrder, Money
from chalicelib.payments.providers.stripe import StripeProvider
from local.payments_standin import STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET
from tests.unit.payments.conftest import Pay

# The payment stand-in listens on loopback; nothing else is reached.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

ORDER = CheckoutOrder(
    booking_id="bk_proto",
    amount=Money(4500, "CAD"),
    expires_at=datetime.now(UTC) + timedelta(minutes=15),
    description="consultation",
)


def _client(pay: Pay, key: str = STRIPE_API_KEY) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": pay.standin.base})


def _adapter(pay: Pay) -> StripeProvider:
    return StripeProvider(
        STRIPE_API_KEY,
        [STRIPE_WEBHOOK_SECRET],
        api_base=pay.standin.base,
        success_url="http://127.0.0.1/done",
    )


def test_the_sdk_creates_and_retrieves_a_session_form_encoded(pay: Pay) -> None:
    checkout = _adapter(pay).create_checkout(ORDER, "checkout-bk_proto")
    session = _client(pay).v1.checkout.sessions.retrieve(checkout.checkout_ref)
    assert session.amount_total == 4500
    assert session.currency == "cad"
    assert session.client_reference_id == "bk_proto"
    assert session.url == checkout.checkout_url
    again = _adapter(pay).create_checkout(ORDER, "checkout-bk_proto")
    assert again == checkout  # the same idempotency key answers the same session


def test_errors_come_in_stripes_shapes(pay: Pay) -> None:
    with pytest.raises(stripe.InvalidRequestError) as missing:
        _client(pay).v1.checkout.sessions.retrieve("cs_test_none")
    assert missing.value.code == "resource_missing"
    with pytest.raises(stripe.AuthenticationError):
        _client(pay, "sk_test_wrong").v1.checkout.sessions.retrieve("cs_test_none")


def test_pay_records_events_and_a_refund_is_idempotent(pay: Pay) -> None:
    checkout = _adapter(pay).create_checkout(ORDER, "checkout-bk_proto")
    assert pay.standin.pay_session(checkout.checkout_ref, paid=True) == 200
    events = _client(pay).v1.events.list()
    assert [e.type for e in events.data] == ["checkout.session.completed"]
    state = _adapter(pay).fetch(checkout.checkout_ref)
    assert (state.kind.value, state.paid, state.booking_id) == (
        "paid",
        Money(4500, "CAD"),
        "bk_proto",
    )
    event = _client(pay).v1.events.retrieve(events.data[0].id)
    intent = event.data.object["payment_intent"]
    first = _adapter(pay).refund(intent, Money(4500, "CAD"), "refund-bk_proto")
    second = _adapter(pay).refund(intent, Money(4500, "CAD"), "refund-bk_proto")
    assert first == second
    assert first.succeeded
    assert len(pay.standin.refunds) == 1
