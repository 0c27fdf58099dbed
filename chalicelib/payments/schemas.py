"""Checkout request and response, the owner's view of a booking's payment, and the
webhook acknowledgement."""

from __future__ import annotations

from typing import Literal

from chalicelib.consultants.schemas import Money
from chalicelib.web.validation import Schema

Share = Literal["full", "none"]


class CheckoutIn(Schema):
    provider: Literal["stripe", "liqpay"]


class RefundPolicyOut(Schema):
    """What the owner gets back, shown before paying."""

    owner_cancels_hours_before: int
    owner_early_cancellation: Share
    owner_late_cancellation: Share
    consultant_cancellation_or_no_show: Share


class CheckoutOut(Schema):
    object: Literal["checkout"]
    provider: Literal["stripe", "liqpay"]
    checkout_url: str
    amount: Money
    expires_at: str
    refund_policy: RefundPolicyOut


class PaymentSummary(Schema):
    """A booking's payment as its owner sees it (never shown to the consultant, P7)."""

    status: Literal["pending", "paid", "mismatch", "refund_pending", "refunded"]
    amount: Money
    refunded_amount: Money


class WebhookAck(Schema):
    received: Literal[True]
    outcome: str
