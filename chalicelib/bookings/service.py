"""Booking rules: one booking per slot, holds, quotas, the state machine, reschedules.

Storage is the `BookingRepository` port (`repository.py`): every write there is
conditional on the current state and version, or a transaction. Creating a booking
claims its slot, writes the booking and records it in the owner's quota ledger in one
TransactWriteItems. Every change also leaves its marks on the booking in that same write
(`marks.py`: the notices it owes, the next reminder, the retention deadline); the
notices are drained into the outbox right after the commit, and re-driven by the
notifications job if the process dies first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.access_log.service import consultant_listed, consultant_read
from chalicelib.bookings import marks, notices, quotas
from chalicelib.bookings.errors import IdempotencyKeyReused, InvalidTransition
from chalicelib.bookings.idempotency import booking_id_for, fingerprint
from chalicelib.bookings.models import Booking
from chalicelib.bookings.repository import (
    PENDING,
    TRANSACTION_ATTEMPTS,
    BookingChanged,
    BookingExists,
    BookingRepository,
    Ledger,
    LedgerChanged,
    PynamoBookings,
    Side,
    SlotAlreadyClaimed,
    applied,
)
from chalicelib.bookings.states import (
    BookingStatus,
    InvalidTransitionError,
    effective_status,
    ensure_transition,
)
from chalicelib.config import BOOKING_HOLD_TTL, ROOM_EARLY_ENTRY
from chalicelib.consultants import service as consultants
from chalicelib.consultants.availability import Slot
from chalicelib.consultants.errors import SlotTaken, SlotUnavailable
from chalicelib.errors import Conflict, NotFound
from chalicelib.minor_reports.service import check_not_under_review
from chalicelib.pets import service as pets
from chalicelib.store import cursors

S = BookingStatus


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


def invalid_transition(current: BookingStatus, target: BookingStatus) -> InvalidTransition:
    return InvalidTransition(f"A {current} booking cannot become {target}.")


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
        raise InvalidTransition(f"Too early to mark the booking {target}.")


def _side(booking: Booking, actor: Actor) -> Side:
    return "owner" if actor.user_id == booking.owner_id else "consultant"


# Index reads one filtered list page may spend before it answers short.
MAX_PAGE_READS = 10
LIST_BOOKINGS = "list_bookings"  # the access-log action of a consultant's booking list


class Bookings:
    """The booking rules over a `BookingRepository` (by default the PynamoDB adapter,
    built on first use)."""

    def __init__(self, repository: BookingRepository | None = None) -> None:
        self._repository = repository

    @property
    def repository(self) -> BookingRepository:
        if self._repository is None:
            self._repository = PynamoBookings()
        return self._repository

    def load(self, booking_id: str) -> Booking:
        booking = self.repository.get(booking_id)
        if booking is None:
            raise NotFound("booking")
        return booking

    def load_for(self, booking_id: str, actor: Actor) -> Booking:
        """The booking if ``actor`` is its owner or its consultant; anyone else gets 404."""
        booking = self.load(booking_id)
        if actor.user_id not in (booking.owner_id, booking.consultant_id):
            raise NotFound("booking")
        return booking

    def read_for(self, booking_id: str, actor: Actor, now: datetime) -> Booking:
        """`load_for` to show the booking; a consultant's read goes in the owner's access
        log (P8)."""
        booking = self.load_for(booking_id, actor)
        if actor.user_id == booking.consultant_id:
            consultant_read(booking.owner_id, f"booking/{booking_id}", now)
        return booking

    def _replay(self, booking_id: str, request_hash: str) -> Booking | None:
        existing = self.repository.get(booking_id)
        if existing is not None and existing.request_hash != request_hash:
            raise IdempotencyKeyReused
        return existing

    def _counted(self, ledger: Ledger, now: datetime) -> list[Booking]:
        """The owner's bookings that may count against the quotas. An owner without a
        ledger yet (bookings older than it) is read from the owner index once."""
        if ledger.version == 0:
            return self.repository.owner_bookings_since(ledger.owner_id, now - timedelta(days=1))
        return self.repository.get_many(sorted(ledger.booking_ids))

    def _with_quotas(
        self, ledger: Ledger, new: Booking, now: datetime, *, drop: str = ""
    ) -> Ledger:
        """Check the quotas for ``new``; the ledger to write keeps only what still counts."""
        existing = [b for b in self._counted(ledger, now) if b.booking_id != drop]
        quotas.check(existing, new, now)
        kept = {b.booking_id for b in existing if quotas.still_counted(b, now)}
        return Ledger(ledger.owner_id, frozenset(kept), ledger.version)

    def create_booking(
        self, owner_id: str, key: str, request: NewBooking, now: datetime
    ) -> Created:
        booking_id = booking_id_for(owner_id, key)
        request_hash = fingerprint(request.request())
        replay = self._replay(booking_id, request_hash)
        if replay is not None:
            return Created(replay, replayed=True)
        check_not_under_review(owner_id)
        profile = consultants.get_profile(request.consultant_id)
        pets.get_pet(owner_id, request.pet_id)
        slot = consultants.bookable_slot(profile, request.start, now)
        price = (int(profile.price_amount), profile.price_currency)
        booking = _new_booking(
            booking_id,
            owner_id,
            request,
            slot,
            price,
            paid=False,
            request_hash=request_hash,
            now=now,
        )
        confirmed = booking.status == S.CONFIRMED
        marks.born(
            booking,
            now,
            template="booking_confirmed" if confirmed else None,
            tell=marks.others(None),
        )
        for _ in range(TRANSACTION_ATTEMPTS):
            ledger = self._with_quotas(self.repository.ledger(owner_id), booking, now)
            try:
                self.repository.create(booking, ledger, now)
                break
            except BookingExists as error:
                replay = self._replay(booking_id, request_hash)
                if replay is None:  # pragma: no cover - it existed a moment ago
                    raise Conflict from error
                return Created(replay, replayed=True)
            except SlotAlreadyClaimed as error:
                raise SlotTaken from error
            except LedgerChanged:
                continue  # another booking of the owner committed: count again
        else:
            raise Conflict
        notices.drain_after_commit(booking.booking_id, now)
        return Created(booking, replayed=False)

    def confirm_booking(self, booking_id: str, now: datetime) -> Booking:
        """The one way a booking becomes confirmed (free bookings at once; later the
        verified payment webhook). The hold must still be valid."""
        booking = self.load(booking_id)
        _checked(booking, S.CONFIRMED, now)
        try:
            told = marks.others(None)
            self.repository.confirm(
                booking, now, marks.transition(booking, S.CONFIRMED, now, tell=told)
            )
        except BookingChanged as error:
            raise invalid_transition(S(booking.status), S.CONFIRMED) from error
        notices.drain_after_commit(booking.booking_id, now)
        return applied(booking, S.CONFIRMED, now)

    def cancel_booking(self, booking: Booking, actor: Actor, now: datetime) -> Booking:
        """Cancel and free the slot (owner or consultant)."""
        _checked(booking, S.CANCELLED, now)
        side = _side(booking, actor)
        try:
            told = marks.others(side)
            self.repository.cancel(
                booking, side, now, marks.transition(booking, S.CANCELLED, now, tell=told)
            )
        except BookingChanged as error:
            raise invalid_transition(S(booking.status), S.CANCELLED) from error
        notices.drain_after_commit(booking.booking_id, now)
        return applied(booking, S.CANCELLED, now, cancelled_by=side)

    def advance(
        self, booking: Booking, target: BookingStatus, actor: Actor, now: datetime
    ) -> Booking:
        """in_progress, completed, no_show: only the booking changes, the slot stays held."""
        _checked(booking, target, now)
        try:
            told = marks.others(_side(booking, actor))
            self.repository.advance(
                booking, target, now, marks.transition(booking, target, now, tell=told)
            )
        except BookingChanged as error:
            raise invalid_transition(S(booking.status), target) from error
        notices.drain_after_commit(booking.booking_id, now)
        return applied(booking, target, now)

    def reschedule(self, booking: Booking, actor: Actor, start: datetime, now: datetime) -> Booking:
        """Book ``start`` and cancel ``booking`` in one transaction, linked both ways. A
        retry of a reschedule that went through returns the booking it created."""
        if booking.rescheduled_to:
            moved = self.load(booking.rescheduled_to)
            if moved.start == start.astimezone(UTC):
                return moved
        _checked(booking, S.CANCELLED, now)
        if start == booking.start:
            raise SlotUnavailable
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
        cancelled = marks.transition(booking, S.CANCELLED, now, tell=())  # told on the new one
        for _ in range(TRANSACTION_ATTEMPTS):
            read = self.repository.ledger(booking.owner_id)
            ledger = self._with_quotas(read, new, now, drop=booking.booking_id)
            try:
                self.repository.reschedule(booking, new, side, ledger, now, cancelled)
                break
            except SlotAlreadyClaimed as error:
                raise SlotTaken from error
            except BookingChanged as error:
                raise invalid_transition(S(booking.status), S.CANCELLED) from error
            except LedgerChanged:
                continue
        else:
            raise Conflict
        applied(booking, S.CANCELLED, now, cancelled_by=side, rescheduled_to=new.booking_id)
        notices.drain_after_commit(new.booking_id, now)
        return new

    def lapsed_holds(self, now: datetime) -> Iterator[Booking]:
        for booking_id in self.repository.lapsed_hold_ids(now):
            yield self.load(booking_id)

    def expire(self, booking: Booking, now: datetime) -> bool:
        """Sweep one lapsed hold: the booking becomes expired, its claim goes if still its own."""
        if booking.status != S.PENDING_PAYMENT or booking.hold_expires_at > now:
            return False
        told = marks.transition(booking, S.EXPIRED, now, tell=(marks.OWNER,))
        if not self.repository.expire(booking, now, told):
            return False
        notices.drain_after_commit(booking.booking_id, now)
        applied(booking, S.EXPIRED, now)
        return True

    def sweep_expired_holds(self, now: datetime) -> int:
        """The scheduled sweep; reads already treat lapsed holds as expired."""
        return sum(self.expire(booking, now) for booking in self.lapsed_holds(now))

    def has_active_bookings(self, owner_id: str, pet_id: str, now: datetime) -> bool:
        active = (S.PENDING_PAYMENT, S.CONFIRMED, S.IN_PROGRESS)
        return any(
            booking.pet_id == pet_id and effective_status(booking, now) in active
            for booking in self.repository.owner_bookings_since(owner_id, now - timedelta(days=1))
        )

    def bookings_page(
        self,
        actor: Actor,
        cursor: str | None,
        limit: int,
        now: datetime,
        keep: Callable[[Booking], bool] = lambda _: True,
    ) -> tuple[list[Booking], str | None]:
        """Up to ``limit`` of the actor's bookings that ``keep`` accepts, newest start
        first. Reads index pages of just the missing count until the page is full, the
        list ends, or `MAX_PAGE_READS` reads are spent (then the page is short and the
        cursor goes on from where the reads stopped). A consultant's page goes in the
        access log of each owner on it (P8)."""
        side: Side = "consultant" if actor.role == "vet" else "owner"
        scope = f"bookings:{side}:{actor.user_id}"
        after = cursors.decode(cursor, scope) if cursor else None
        kept: list[Booking] = []
        for _ in range(MAX_PAGE_READS):
            page, after = self.repository.page(side, actor.user_id, after, limit - len(kept))
            kept += [booking for booking in page if keep(booking)]
            if after is None or len(kept) == limit:
                break
        if side == "consultant":
            shown = ((b.owner_id, f"booking/{b.booking_id}") for b in kept)
            consultant_listed(shown, LIST_BOOKINGS, now)
        return kept, cursors.encode(after, scope) if after else None


bookings = Bookings()
