"""Stripe: Checkout Sessions (hosted page), signed webhooks, refunds, via the official
SDK (imported on first use: it is not on the Lambda cold path)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.config import STRIPE_WEBHOOK_TOLERANCE
from chalicelib.observability import logger
from chalicelib.payments.domain import (
    Checkout,
    CheckoutOrder,
    EventKind,
    Money,
    ProviderEvent,
    Refund,
)
from chalicelib.payments.errors import InvalidSignature, ProviderUnavailable

if TYPE_CHECKING:
    from stripe import StripeClient

# A Checkout Session lives 30 minutes at least, longer than a booking's hold: the session
# outlives the hold by a fixed margin (the same parameters on a retry), and a payment
# that arrives after the hold lapsed is refunded by the payments service.
SESSION_MARGIN = timedelta(minutes=31)
PAID_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
FAILED_EVENTS = {"checkout.session.expired", "checkout.session.async_payment_failed"}


class StripeProvider:
    name = "stripe"

    def __init__(
        self,
        api_key: str,
        webhook_secrets: Sequence[str],
        *,
        api_base: str | None,
        success_url: str,
    ) -> None:
        self._api_key = api_key
        self._secrets = tuple(webhook_secrets)
        self._api_base = api_base
        self._success_url = success_url

    @cached_property
    def _client(self) -> StripeClient:
        import stripe

        bases: Any = {"api": self._api_base} if self._api_base else None
        return stripe.StripeClient(self._api_key, base_addresses=bases, max_network_retries=2)

    def create_checkout(self, order: CheckoutOrder, idempotency_key: str) -> Checkout:
        expires = int((order.expires_at + SESSION_MARGIN).timestamp())
        params: Any = {
            "mode": "payment",
            "client_reference_id": order.booking_id,
            "metadata": {"booking_id": order.booking_id},
            "success_url": self._success_url,
            "expires_at": expires,
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": order.amount.currency.lower(),
                        "unit_amount": order.amount.amount,
                        "product_data": {"name": order.description},
                    },
                }
            ],
        }
        session = self._call(
            lambda: self._client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        )
        return Checkout(checkout_ref=str(session.id), checkout_url=str(session.url))

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> ProviderEvent:
        from stripe import SignatureVerificationError, WebhookSignature

        header = headers.get("stripe-signature") or ""
        verified = False
        for secret in self._secrets:  # several secrets while one is being rotated
            try:
                WebhookSignature.verify_header(body, header, secret, tolerance=None)
            except (SignatureVerificationError, UnicodeDecodeError, ValueError):
                continue
            verified = True
            break
        if not verified or not _fresh(header, now):
            raise InvalidSignature()
        return _event(json.loads(body))

    def refund(self, payment_ref: str, amount: Money, idempotency_key: str) -> Refund:
        refund = self._call(
            lambda: self._client.v1.refunds.create(
                params={"payment_intent": payment_ref, "amount": amount.amount},
                options={"idempotency_key": idempotency_key},
            )
        )
        return Refund(refund_ref=str(refund.id), succeeded=refund.status == "succeeded")

    def fetch(self, checkout_ref: str) -> ProviderEvent:
        session = self._call(lambda: self._client.v1.checkout.sessions.retrieve(checkout_ref))
        kind = EventKind.PAID if session.payment_status == "paid" else EventKind.IGNORED
        return _session_event(f"fetch:{checkout_ref}", kind, session.to_dict())

    @staticmethod
    def _call(request: Any) -> Any:
        from stripe import StripeError

        try:
            return request()
        except StripeError as error:
            logger.warning(
                "stripe request failed",
                extra={"error": type(error).__name__, "http_status": error.http_status},
            )
            raise ProviderUnavailable() from error


def _fresh(header: str, now: datetime) -> bool:
    """Stripe's timestamp within the tolerance, in the past and the future alike."""
    stamps = [part[2:] for part in header.split(",") if part.startswith("t=")]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    age = abs(now.timestamp() - int(stamps[0]))
    return age <= STRIPE_WEBHOOK_TOLERANCE.total_seconds()


def _session_event(event_id: str, kind: EventKind, session: Mapping[str, Any]) -> ProviderEvent:
    total, currency = session.get("amount_total"), session.get("currency")
    paid = Money(int(total), str(currency).upper()) if total is not None and currency else None
    booking = session.get("client_reference_id") or (session.get("metadata") or {}).get(
        "booking_id"
    )
    return ProviderEvent(
        event_id=event_id,
        kind=kind,
        booking_id=booking,
        checkout_ref=session.get("id"),
        payment_ref=session.get("payment_intent"),
        paid=paid,
    )


def _event(event: Mapping[str, Any]) -> ProviderEvent:
    event_id = f"stripe:{event.get('id')}"
    event_type = event.get("type")
    data = (event.get("data") or {}).get("object") or {}
    if event_type in PAID_EVENTS and data.get("payment_status") == "paid":
        return _session_event(event_id, EventKind.PAID, data)
    if event_type in FAILED_EVENTS:
        return _session_event(event_id, EventKind.FAILED, data)
    return ProviderEvent(event_id=event_id, kind=EventKind.IGNORED)
