"""Checkout and the processors' webhooks."""

from __future__ import annotations

from typing import Any

from chalicelib.clock import to_rfc3339
from chalicelib.config import REFUND_POLICY
from chalicelib.consultants.schemas import Money
from chalicelib.errors import NotFound
from chalicelib.payments import service
from chalicelib.payments.errors import (
    CheckoutOpen,
    CurrencyNotSupported,
    InvalidSignature,
    NotPayable,
    ProviderUnavailable,
)
from chalicelib.payments.schemas import CheckoutIn, CheckoutOut, RefundPolicyOut, WebhookAck
from chalicelib.payments.wiring import deps
from chalicelib.web.access import PUBLIC, roles
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="payments")


def _policy() -> RefundPolicyOut:
    return RefundPolicyOut.model_validate(
        {
            "owner_cancels_hours_before": int(
                REFUND_POLICY.owner_full_refund_notice.total_seconds() // 3600
            ),
            "owner_early_cancellation": REFUND_POLICY.owner_early_cancellation,
            "owner_late_cancellation": REFUND_POLICY.owner_late_cancellation,
            "consultant_cancellation_or_no_show": REFUND_POLICY.consultant_cancellation_or_no_show,
        }
    )


@api.route(
    "/v1/bookings/{booking_id}/checkout",
    "POST",
    access=roles("owner"),
    body=CheckoutIn,
    response=CheckoutOut,
    status=201,
    summary="Open (or return) the hosted payment page for my booking awaiting payment.",
    errors=(
        NotFound,
        NotPayable,
        CheckoutOpen,
        CurrencyNotSupported,
        ProviderUnavailable,
    ),
)
def checkout(request: ApiRequest[CheckoutIn, None], booking_id: str) -> CheckoutOut:
    payment = service.open_checkout(
        deps(), booking_id, request.user.user_id, request.body.provider, request.now
    )
    return CheckoutOut.model_validate(
        {
            "object": "checkout",
            "provider": payment.provider,
            "checkout_url": payment.checkout_url,
            "amount": Money(amount=payment.amount.amount, currency=payment.amount.currency),
            "expires_at": to_rfc3339(payment.expires_at),
            "refund_policy": _policy(),
        }
    )


def _webhook(request: ApiRequest[Any, None], provider: str) -> WebhookAck:
    headers = {key.lower(): value for key, value in request.headers.items()}
    outcome = service.handle_webhook(deps(), provider, request.body, headers, request.now)
    return WebhookAck(received=True, outcome=outcome.value)


@api.route(
    "/v1/payments/webhooks/stripe",
    "POST",
    access=PUBLIC,
    raw_body=True,
    response=WebhookAck,
    summary="Stripe's signed events (verified on the raw body; each event counts once).",
    errors=(InvalidSignature, ProviderUnavailable),
)
def stripe_webhook(request: ApiRequest[Any, None]) -> WebhookAck:
    return _webhook(request, "stripe")


@api.route(
    "/v1/payments/webhooks/liqpay",
    "POST",
    access=PUBLIC,
    raw_body=True,
    response=WebhookAck,
    summary="LiqPay's signed callbacks (verified, then the status is read back from LiqPay).",
    errors=(InvalidSignature, ProviderUnavailable),
)
def liqpay_webhook(request: ApiRequest[Any, None]) -> WebhookAck:
    return _webhook(request, "liqpay")
