"""Pure payment types: the stored payment of a booking, provider events, statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "pending"  # checkout open, nothing paid yet
    PAID = "paid"
    MISMATCH = "mismatch"  # paid, but not the amount or currency of the checkout
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"


class EventKind(StrEnum):
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Money:
    amount: int  # minor units
    currency: str  # ISO 4217, upper case


@dataclass(frozen=True)
class Payment:
    """The payment of one booking (one per booking)."""

    booking_id: str
    owner_id: str
    provider: str
    checkout_ref: str  # Stripe Checkout Session id; LiqPay order id
    checkout_url: str
    amount: Money
    expires_at: datetime
    status: PaymentStatus
    created_at: datetime
    payment_ref: str | None = None  # what a refund names (Stripe PaymentIntent)
    refunded_amount: int = 0


@dataclass(frozen=True)
class CheckoutOrder:
    booking_id: str
    amount: Money
    expires_at: datetime
    description: str


@dataclass(frozen=True)
class Checkout:
    checkout_ref: str
    checkout_url: str


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook, in the provider-neutral shape the service applies."""

    event_id: str
    kind: EventKind
    booking_id: str | None = None
    checkout_ref: str | None = None
    payment_ref: str | None = None
    paid: Money | None = None


@dataclass(frozen=True)
class Refund:
    refund_ref: str
    succeeded: bool
