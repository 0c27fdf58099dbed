"""Payment rules (pure; storage, processors and bookings come in through ports, the
clock as ``now``).

- A checkout is opened for a booking awaiting payment, for the price fixed at booking,
  and lives as long as the booking's hold; asking again returns the same checkout.
- A webhook is verified on its raw body first. Each event id counts once; every change
  is a conditional move of the payment's status, so only one delivery of a payment wins
  however many arrive at once, and nothing ever moves backwards.
- The winner confirms the booking through bookings' one confirming function; a payment
  for a booking that lapsed or was cancelled meanwhile is refunded in full.
- Refunds follow `config.REFUND_POLICY`, once (conditional move + idempotency key).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.config import LIQPAY_CURRENCY, RESCHEDULE_CHAIN_MAX
from chalicelib.errors import NotFound
from chalicelib.observability import logger
from chalicelib.payments.bookings_link import BookingFacts, BookingsPort
from chalicelib.payments.domain import (
    CheckoutOrder,
    EventKind,
    Money,
    Payment,
    PaymentStatus,
    ProviderEvent,
)
from chalicelib.payments.errors import (
    CheckoutOpen,
    CurrencyNotSupported,
    NotPayable,
    ProviderUnavailable,
)
from chalicelib.payments.providers.base import PaymentProvider
from chalicelib.payments.refunds import Ending, refund_due
from chalicelib.payments.repository import PaymentRepository

P = PaymentStatus
AWAITING_PAYMENT = "pending_payment"
LAPSED = "expired"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Deps:
    repo: PaymentRepository
    providers: Callable[[str], PaymentProvider]
    bookings: BookingsPort


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    MISMATCH = "mismatch"
    REFUNDED = "refunded"


def _payable(facts: BookingFacts | None, owner_id: str) -> BookingFacts:
    if facts is None or facts.owner_id != owner_id:
        raise NotFound("booking")
    return facts


def open_checkout(
    deps: Deps, booking_id: str, owner_id: str, provider_name: str, now: datetime
) -> Payment:
    """The booking's live checkout, opened on first ask (owner only)."""
    facts = _payable(deps.bookings.facts(booking_id, now), owner_id)
    if facts.status != AWAITING_PAYMENT:
        raise NotPayable(f"A {facts.status} booking cannot be paid.")
    existing = deps.repo.get(booking_id)
    if existing is not None:
        if existing.status is not P.PENDING:
            raise NotPayable("This booking's payment was received already.")
        if existing.provider != provider_name:
            raise CheckoutOpen()
        return existing
    if provider_name == "liqpay" and facts.price.currency != LIQPAY_CURRENCY:
        raise CurrencyNotSupported(f"LiqPay takes {LIQPAY_CURRENCY} only.")
    order = CheckoutOrder(
        booking_id=booking_id,
        amount=facts.price,
        expires_at=facts.hold_expires_at,
        description=f"VetPet consultation {booking_id}",
    )
    checkout = deps.providers(provider_name).create_checkout(order, f"checkout-{booking_id}")
    payment = Payment(
        booking_id=booking_id,
        owner_id=owner_id,
        provider=provider_name,
        checkout_ref=checkout.checkout_ref,
        checkout_url=checkout.checkout_url,
        amount=facts.price,
        expires_at=facts.hold_expires_at,
        status=P.PENDING,
        created_at=now,
    )
    if deps.repo.add(payment):
        return payment
    stored = deps.repo.get(booking_id)  # a concurrent ask stored its checkout first
    if stored is None:  # pragma: no cover - payments are never deleted
        raise ProviderUnavailable()
    return stored


def handle_webhook(
    deps: Deps, provider_name: str, body: bytes, headers: Mapping[str, str], now: datetime
) -> Outcome:
    """Verify and apply one delivery; raises `InvalidSignature` before anything is read
    or stored. A delivery of an event processed already changes nothing."""
    event = deps.providers(provider_name).parse_webhook(body, headers, now)
    if deps.repo.seen(event.event_id):
        return Outcome.DUPLICATE
    outcome = _apply(deps, provider_name, event, now)
    # Recorded after applying: a crash in between lets the provider's retry finish the
    # work; the status moves are conditional, so applying twice changes nothing.
    deps.repo.record_event(event.event_id, now)
    return outcome


def _alert(what: str, provider_name: str, event: ProviderEvent) -> None:
    """An admin alert: ids and provider only, no personal data."""
    logger.error(
        "payment alert",
        extra={"alert": what, "provider": provider_name, "booking_id": event.booking_id},
    )


def _apply(deps: Deps, provider_name: str, event: ProviderEvent, now: datetime) -> Outcome:
    if event.kind is not EventKind.PAID or event.booking_id is None:
        return Outcome.IGNORED
    payment = deps.repo.get(event.booking_id)
    if payment is None or (payment.provider, payment.checkout_ref) != (
        provider_name,
        event.checkout_ref,
    ):
        _alert("payment_for_unknown_checkout", provider_name, event)
        return Outcome.IGNORED
    if event.paid != payment.amount:
        if deps.repo.move(
            payment.booking_id, [P.PENDING], P.MISMATCH, now, payment_ref=event.payment_ref
        ):
            _alert("payment_amount_mismatch", provider_name, event)
        return Outcome.MISMATCH
    won = deps.repo.move(
        payment.booking_id, [P.PENDING], P.PAID, now, payment_ref=event.payment_ref
    )
    return _settle(deps, payment.booking_id, won=won, now=now)


def _settle(deps: Deps, booking_id: str, *, won: bool, now: datetime) -> Outcome:
    """Bring the booking in line with its received payment. Only the delivery that moved
    the payment to paid confirms; any delivery may refund a booking that lapsed unpaid
    (it was never confirmed, and the refund moves the payment once)."""
    facts = deps.bookings.facts(booking_id, now)
    if facts is None:
        return Outcome.IGNORED
    if won and facts.status == AWAITING_PAYMENT:
        if deps.bookings.confirm(booking_id, now):
            return Outcome.CONFIRMED
        facts = deps.bookings.facts(booking_id, now) or facts
    if facts.status == LAPSED or (won and facts.status == CANCELLED):
        payment = deps.repo.get(booking_id)
        if payment is not None and _refund(deps, payment, payment.amount.amount, now):
            return Outcome.REFUNDED
    return Outcome.IGNORED


def _refund(deps: Deps, payment: Payment, amount: int, now: datetime) -> bool:
    """Refund ``amount`` once: the move to refund_pending is the lock; until the provider
    confirms, `retry_refunds` sends it again under the same idempotency key."""
    if amount <= 0 or payment.payment_ref is None:
        return False
    if not deps.repo.move(
        payment.booking_id, [P.PAID], P.REFUND_PENDING, now, refunded_amount=amount
    ):
        return False
    _send_refund(deps, payment, amount, now)
    return True


def _send_refund(deps: Deps, payment: Payment, amount: int, now: datetime) -> bool:
    booking_id = payment.booking_id
    try:
        refund = deps.providers(payment.provider).refund(
            str(payment.payment_ref),
            Money(amount, payment.amount.currency),
            f"refund-{booking_id}",
        )
    except ProviderUnavailable:
        logger.error("refund not sent", extra={"alert": "refund_failed", "booking_id": booking_id})
        return False
    return refund.succeeded and deps.repo.move(booking_id, [P.REFUND_PENDING], P.REFUNDED, now)


def retry_refunds(deps: Deps, now: datetime) -> int:
    """Send again every refund the provider has not confirmed (scheduled); returns how
    many are confirmed now."""
    done = 0
    for booking_id in deps.repo.refunds_pending():
        payment = deps.repo.get(booking_id)
        if payment is not None and payment.status is P.REFUND_PENDING:
            done += _send_refund(deps, payment, payment.refunded_amount, now)
    return done


def booking_ended(deps: Deps, booking_id: str, ending: Ending, now: datetime) -> bool:
    """A booking was cancelled (or the consultant did not come): refund by the rule.
    True if a refund was started."""
    facts = deps.bookings.facts(booking_id, now)
    if facts is None:
        return False
    payment = payment_for(deps, booking_id, facts.rescheduled_from, now)
    if payment is None or payment.status is not P.PAID:
        return False
    amount = refund_due(payment.amount.amount, ending, facts.start, now)
    return _refund(deps, payment, amount, now)


def payment_for(
    deps: Deps, booking_id: str, rescheduled_from: str | None, now: datetime
) -> Payment | None:
    """The payment behind a booking: its own, or, for a booking rescheduled from a paid
    one, the nearest predecessor's (a reschedule carries the payment over)."""
    return payments_for(deps, {booking_id: rescheduled_from}, now)[booking_id]


def payments_for(
    deps: Deps, bookings: Mapping[str, str | None], now: datetime
) -> dict[str, Payment | None]:
    """`payment_for` of many bookings (booking id -> the booking it was rescheduled
    from): one batched read of their payments, then one per step back along the
    reschedule chains of those that have none."""
    own = deps.repo.get_many(bookings)
    found: dict[str, Payment | None] = {b: own.get(b) for b in bookings}
    earlier = {b: e for b, e in bookings.items() if found[b] is None and e is not None}
    for _ in range(RESCHEDULE_CHAIN_MAX):
        if not earlier:
            break
        paid = deps.repo.get_many(earlier.values())
        further: dict[str, str] = {}
        for booking_id, predecessor in earlier.items():
            payment = paid.get(predecessor)
            if payment is not None:
                found[booking_id] = payment if payment.status is not P.PENDING else None
                continue
            facts = deps.bookings.facts(predecessor, now)
            if facts is not None and facts.rescheduled_from is not None:
                further[booking_id] = facts.rescheduled_from
        earlier = further
    return found
