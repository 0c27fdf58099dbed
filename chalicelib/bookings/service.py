"""Booking rules: one booking per slot, holds, the state machine, reschedules.

Every write is conditional on the current state and version, or a transaction:
creating a booking claims its slot and writes the booking in one TransactWriteItems
of two items (4 write units for items under 1 KB).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.bookings import marks, notices, paging
from chalicelib.bookings.idempotency import booking_id_for, fingerprint
from chalicelib.bookings.models import Booking
from chalicelib.bookings.states import BookingStatus, InvalidTransitionError, ensure_transition
from chalicelib.config import BOOKING_HOLD_TTL, ROOM_EARLY_ENTRY, SLOT_CLAIM_RETENTION
from chalicelib.consultants import service as consultants
from chalicelib.consultants.availability import Slot
from chalicelib.consultants.models import SlotClaim
from chalicelib.pets import service as pets
from chalicelib.store.expiry import purge_actions, schedule_purge
from chalicelib.store.transact import transaction_connection
from chalicelib.web.problems import ProblemError, not_found

S = BookingStatus
PENDING = "1"
TRANSACTION_ATTEMPTS = 3


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: str


@dataclass(frozen=True)
class NewBooking:
    consultant_id: str
    pet_id: str
    start: datetime
    reason: str

    def request(self) -> dict[str, Any]:
        return {
            "consultant_id": self.consultant_id,
            "pet_id": self.pet_id,
            "start": self.start.astimezone(UTC).isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Created:
    booking: Booking
    replayed: bool


def invalid_transition(current: BookingStatus, target: BookingStatus) -> ProblemError:
    return ProblemError(409, "invalid_transition", f"A {current} booking cannot become {target}.")


def effective_status(booking: Booking, now: datetime) -> BookingStatus:
    """A hold past its expiry is expired on read, whether or not the sweep has run yet."""
    status = S(booking.status)
    if status is S.PENDING_PAYMENT and booking.hold_expires_at <= now:
        return S.EXPIRED
    return status


def load(booking_id: str) -> Booking:
    try:
        return Booking.get(booking_id, consistent_read=True)
    except Booking.DoesNotExist as exc:
        raise not_found("booking") from exc


def load_for(booking_id: str, actor: Actor) -> Booking:
    """The booking if ``actor`` is its owner or its consultant; anyone else gets 404."""
    booking = load(booking_id)
    if actor.user_id not in (booking.owner_id, booking.consultant_id):
        raise not_found("booking")
    return booking


def _claim_is_free(now: datetime) -> Condition:
    expired: Condition = SlotClaim.hold_until <= int(now.timestamp())
    missing: Condition = SlotClaim.consultant_id.does_not_exist()
    either: Condition = missing | expired
    return either


def _claim_of(booking: Booking) -> SlotClaim:
    claim = SlotClaim(
        booking.consultant_id, booking.start, end=booking.end, booking_id=booking.booking_id
    )
    if booking.status == S.PENDING_PAYMENT:
        claim.hold_until = int(booking.hold_expires_at.timestamp())
        claim.expires = booking.hold_expires_at + SLOT_CLAIM_RETENTION
    else:
        claim.expires = booking.end + SLOT_CLAIM_RETENTION
    return schedule_purge(claim, claim.expires)


def _new_booking(
    booking_id: str,
    owner_id: str,
    request: NewBooking,
    slot: Slot,
    price: tuple[int, str],
    *,
    paid: bool,
    request_hash: str,
    now: datetime,
) -> Booking:
    status = S.CONFIRMED if paid or price[0] == 0 else S.PENDING_PAYMENT
    return Booking(
        booking_id,
        owner_id=owner_id,
        consultant_id=request.consultant_id,
        pet_id=request.pet_id,
        start=slot.start,
        end=slot.end,
        reason=request.reason,
        status=status.value,
        initial_status=status.value,
        version=1,
        price_amount=price[0],
        price_currency=price[1],
        hold_expires_at=(now + BOOKING_HOLD_TTL).replace(microsecond=0),
        pending=PENDING if status is S.PENDING_PAYMENT else None,
        request_hash=request_hash,
        created_at=now,
        updated_at=now,
    )


def _codes(error: TransactWriteError) -> list[str | None]:
    return [reason.code if reason else None for reason in error.cancellation_reasons]


def _commit(build: Callable[[TransactWrite], None]) -> None:
    """Run one transaction; DynamoDB's TransactionConflict (a concurrent transaction on
    the same items, no condition failed) is retried a few times."""
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                build(tx)
            return
        except TransactWriteError as error:
            codes = _codes(error)
            retryable = "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes
            if not retryable or attempt == TRANSACTION_ATTEMPTS:
                raise


def _replay(booking_id: str, request_hash: str) -> Booking | None:
    try:
        existing = Booking.get(booking_id, consistent_read=True)
    except Booking.DoesNotExist:
        return None
    if existing.request_hash != request_hash:
        raise ProblemError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request.",
        )
    return existing


def create_booking(owner_id: str, key: str, request: NewBooking, now: datetime) -> Created:
    booking_id = booking_id_for(owner_id, key)
    request_hash = fingerprint(request.request())
    replay = _replay(booking_id, request_hash)
    if replay is not None:
        return Created(replay, replayed=True)
    profile = consultants.get_profile(request.consultant_id)
    pets.get_pet(owner_id, request.pet_id)
    slot = consultants.bookable_slot(profile, request.start, now)
    price = (int(profile.price_amount), profile.price_currency)
    booking = _new_booking(
        booking_id, owner_id, request, slot, price, paid=False, request_hash=request_hash, now=now
    )
    confirmed = booking.status == S.CONFIRMED
    marks.born(
        booking, now, template="booking_confirmed" if confirmed else None, tell=marks.others(None)
    )

    def build(tx: TransactWrite) -> None:
        tx.save(_claim_of(booking), condition=_claim_is_free(now))
        tx.save(booking, condition=Booking.booking_id.does_not_exist())

    try:
        _commit(build)
    except TransactWriteError as error:
        if _codes(error)[1:2] == ["ConditionalCheckFailed"]:
            replay = _replay(booking_id, request_hash)
            if replay is not None:
                return Created(replay, replayed=True)
        raise consultants.slot_taken() from error
    notices.drain_after_commit(booking.booking_id, now)
    return Created(booking, replayed=False)


def _state_condition(booking: Booking, now: datetime) -> Condition:
    condition: Condition = (Booking.status == booking.status) & (Booking.version == booking.version)
    if booking.status == S.PENDING_PAYMENT:
        condition &= Booking.hold_expires_at > now
    return condition


def _actions(booking: Booking, target: BookingStatus, now: datetime) -> list[Action]:
    actions: list[Action] = [
        Booking.status.set(target.value),
        Booking.version.set(int(booking.version) + 1),
        Booking.updated_at.set(now),
    ]
    if booking.status == S.PENDING_PAYMENT:
        actions.append(Booking.pending.remove())
    return actions


def _applied(booking: Booking, target: BookingStatus, now: datetime, **fields: Any) -> Booking:
    booking.status = target.value
    booking.version = int(booking.version) + 1
    booking.updated_at = now
    booking.pending = None
    for name, value in fields.items():
        setattr(booking, name, value)
    return booking


def _checked(booking: Booking, target: BookingStatus, now: datetime) -> None:
    current = effective_status(booking, now)
    try:
        ensure_transition(current, target)
    except InvalidTransitionError as error:
        raise invalid_transition(current, target) from error
    too_early = (target is S.IN_PROGRESS and now < booking.start - ROOM_EARLY_ENTRY) or (
        target in (S.NO_SHOW, S.COMPLETED) and now < booking.start
    )
    if too_early:
        raise ProblemError(409, "invalid_transition", f"Too early to mark the booking {target}.")


def _side(booking: Booking, actor: Actor) -> str:
    return "owner" if actor.user_id == booking.owner_id else "consultant"


def _transact(
    booking: Booking, target: BookingStatus, build: Callable[[TransactWrite], None]
) -> None:
    try:
        _commit(build)
    except TransactWriteError as error:
        raise invalid_transition(S(booking.status), target) from error


def confirm_booking(booking_id: str, now: datetime) -> Booking:
    """The one way a booking becomes confirmed (free bookings at once; later the verified
    payment webhook). The hold must still be valid."""
    booking = load(booking_id)
    _checked(booking, S.CONFIRMED, now)
    claim = _claim_of(booking)

    def build(tx: TransactWrite) -> None:
        tx.update(
            booking,
            [
                *_actions(booking, S.CONFIRMED, now),
                *marks.transition(booking, S.CONFIRMED, now, tell=marks.others(None)),
            ],
            condition=_state_condition(booking, now),
        )
        tx.update(
            claim,
            [
                SlotClaim.hold_until.remove(),
                SlotClaim.expires.set(booking.end + SLOT_CLAIM_RETENTION),
                *purge_actions(SlotClaim, booking.end + SLOT_CLAIM_RETENTION),
            ],
            condition=SlotClaim.booking_id == booking.booking_id,
        )

    _transact(booking, S.CONFIRMED, build)
    notices.drain_after_commit(booking.booking_id, now)
    return _applied(booking, S.CONFIRMED, now)


def cancel_booking(booking: Booking, actor: Actor, now: datetime) -> Booking:
    """Cancel and free the slot (owner or consultant)."""
    _checked(booking, S.CANCELLED, now)
    side = _side(booking, actor)

    def build(tx: TransactWrite) -> None:
        tx.update(
            booking,
            [
                *_actions(booking, S.CANCELLED, now),
                *marks.transition(booking, S.CANCELLED, now, tell=marks.others(side)),
                Booking.cancelled_by.set(side),
            ],
            condition=_state_condition(booking, now),
        )
        tx.delete(_claim_of(booking), condition=SlotClaim.booking_id == booking.booking_id)

    _transact(booking, S.CANCELLED, build)
    notices.drain_after_commit(booking.booking_id, now)
    return _applied(booking, S.CANCELLED, now, cancelled_by=side)


def advance(booking: Booking, target: BookingStatus, actor: Actor, now: datetime) -> Booking:
    """in_progress, completed, no_show: only the booking changes, the slot stays held."""
    _checked(booking, target, now)
    tell = marks.others(_side(booking, actor))
    try:
        booking.update(
            [*_actions(booking, target, now), *marks.transition(booking, target, now, tell=tell)],
            condition=_state_condition(booking, now),
        )
    except UpdateError as error:
        raise invalid_transition(S(booking.status), target) from error
    notices.drain_after_commit(booking.booking_id, now)
    return booking


def reschedule(booking: Booking, actor: Actor, start: datetime, now: datetime) -> Booking:
    """Book ``start`` and cancel ``booking`` in one transaction, linked both ways. A retry
    of a reschedule that went through returns the booking it created."""
    if booking.rescheduled_to:
        moved = load(booking.rescheduled_to)
        if moved.start == start.astimezone(UTC):
            return moved
    _checked(booking, S.CANCELLED, now)
    if start == booking.start:
        raise consultants.slot_unavailable()
    profile = consultants.get_profile(booking.consultant_id, listed_only=False)
    slot = consultants.bookable_slot(profile, start, now)
    request = NewBooking(booking.consultant_id, booking.pet_id, start, booking.reason)
    new = _new_booking(
        booking_id_for(booking.owner_id, f"reschedule:{booking.booking_id}"),
        booking.owner_id,
        request,
        slot,
        (int(booking.price_amount), booking.price_currency),
        paid=booking.status == S.CONFIRMED,
        request_hash=fingerprint({"reschedule_of": booking.booking_id, **request.request()}),
        now=now,
    )
    new.hold_expires_at = min(new.hold_expires_at, booking.hold_expires_at)  # no extension
    new.rescheduled_from = booking.booking_id
    side = _side(booking, actor)
    marks.born(new, now, template="booking_rescheduled", tell=marks.others(side))

    def build(tx: TransactWrite) -> None:
        tx.save(_claim_of(new), condition=_claim_is_free(now))
        tx.save(new, condition=Booking.booking_id.does_not_exist())
        tx.update(
            booking,
            [
                *_actions(booking, S.CANCELLED, now),
                *marks.transition(booking, S.CANCELLED, now, tell=()),  # told on the new one
                Booking.cancelled_by.set(side),
                Booking.rescheduled_to.set(new.booking_id),
            ],
            condition=_state_condition(booking, now),
        )
        tx.delete(_claim_of(booking), condition=SlotClaim.booking_id == booking.booking_id)

    try:
        _commit(build)
    except TransactWriteError as error:
        if _codes(error)[1:2] == ["ConditionalCheckFailed"]:  # delete, put, put, update order
            raise consultants.slot_taken() from error
        raise invalid_transition(S(booking.status), S.CANCELLED) from error
    _applied(booking, S.CANCELLED, now, cancelled_by=side, rescheduled_to=new.booking_id)
    notices.drain_after_commit(new.booking_id, now)
    return new


def lapsed_holds(now: datetime) -> Iterator[Booking]:
    for key in Booking.pending_holds.query(
        PENDING, range_key_condition=Booking.hold_expires_at <= now
    ):
        yield load(key.booking_id)


def expire(booking: Booking, now: datetime) -> bool:
    """Sweep one lapsed hold: the booking becomes expired, its claim goes if still its own."""
    if booking.status != S.PENDING_PAYMENT or booking.hold_expires_at > now:
        return False
    try:
        booking.update(
            [
                *_actions(booking, S.EXPIRED, now),
                *marks.transition(booking, S.EXPIRED, now, tell=(marks.OWNER,)),
            ],
            condition=(Booking.status == S.PENDING_PAYMENT.value)
            & (Booking.version == booking.version),
        )
    except UpdateError:
        return False
    with contextlib.suppress(DeleteError):  # taken over by a newer booking already
        _claim_of(booking).delete(
            condition=(SlotClaim.booking_id == booking.booking_id) & SlotClaim.hold_until.exists()
        )
    notices.drain_after_commit(booking.booking_id, now)
    return True


def sweep_expired_holds(now: datetime) -> int:
    """The scheduled sweep; reads already treat lapsed holds as expired."""
    return sum(expire(booking, now) for booking in lapsed_holds(now))


def has_active_bookings(owner_id: str, pet_id: str, now: datetime) -> bool:
    recent = Booking.start >= now - timedelta(days=1)
    for key in Booking.by_owner.query(owner_id, range_key_condition=recent):
        booking = load(key.booking_id)
        active = effective_status(booking, now) in (S.PENDING_PAYMENT, S.CONFIRMED, S.IN_PROGRESS)
        if booking.pet_id == pet_id and active:
            return True
    return False


def bookings_page(actor: Actor, cursor: str | None, limit: int) -> tuple[list[Booking], str | None]:
    """One page of the actor's bookings, newest start first, by Query on their index."""
    vet = actor.role == "vet"
    index = Booking.by_consultant if vet else Booking.by_owner
    field = "consultant_id" if vet else "owner_id"
    keys, next_cursor = paging.keys_page(index, field, actor.user_id, cursor, limit)
    ids = [key.booking_id for key in keys]
    found = {b.booking_id: b for b in Booking.batch_get(ids)} if ids else {}
    return [found[i] for i in ids if i in found], next_cursor
