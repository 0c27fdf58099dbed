"""An in-memory `BookingRepository`, held to the same contract suite as the PynamoDB
adapter (`test_repository_contract.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.bookings.marks import NOTIFY, REMIND, Marks
from chalicelib.bookings.models import Booking
from chalicelib.bookings.repository import (
    PENDING,
    BookingChanged,
    BookingExists,
    Ledger,
    LedgerChanged,
    Position,
    Side,
    SlotAlreadyClaimed,
    applied,
)
from chalicelib.bookings.states import BookingStatus
from chalicelib.store.expiry import PURGE, bucket_of

S = BookingStatus


@dataclass
class _Claim:
    booking_id: str
    hold_until: int | None


def _copy(booking: Booking) -> Booking:
    return Booking.from_raw_data(booking.serialize())


def _marked(booking: Booking, marks: Marks, now: datetime) -> Booking:
    """``booking`` with ``marks`` written as the repository contract says."""
    if marks.notice is not None:
        booking.notices = [*(booking.notices or []), marks.notice.encode()]
        booking.notify = NOTIFY
        booking.notify_since = booking.notify_since or now
    remind = marks.remind_at
    booking.remind_bucket = bucket_of(REMIND, remind) if remind is not None else None
    booking.remind_at = remind
    if marks.purge_at is not None:
        booking.purge_bucket = bucket_of(PURGE, marks.purge_at)
        booking.purge_at = marks.purge_at
    return booking


class FakeBookings:
    def __init__(self) -> None:
        self.bookings: dict[str, Booking] = {}
        self.claims: dict[tuple[str, datetime], _Claim] = {}
        self.ledgers: dict[str, tuple[frozenset[str], int]] = {}

    # reads

    def get(self, booking_id: str) -> Booking | None:
        found = self.bookings.get(booking_id)
        return _copy(found) if found else None

    def get_many(self, booking_ids: Sequence[str]) -> list[Booking]:
        return [_copy(self.bookings[i]) for i in booking_ids if i in self.bookings]

    def ledger(self, owner_id: str) -> Ledger:
        ids, version = self.ledgers.get(owner_id, (frozenset(), 0))
        return Ledger(owner_id, ids, version)

    def lapsed_hold_ids(self, now: datetime) -> list[str]:
        lapsed = [
            b for b in self.bookings.values() if b.pending == PENDING and b.hold_expires_at <= now
        ]
        return [b.booking_id for b in sorted(lapsed, key=lambda b: b.hold_expires_at)]

    def page(
        self, side: Side, user_id: str, after: Position | None, limit: int
    ) -> tuple[list[Booking], Position | None]:
        field = "consultant_id" if side == "consultant" else "owner_id"
        mine = sorted(
            (b for b in self.bookings.values() if getattr(b, field) == user_id),
            key=lambda b: (b.start, b.booking_id),
            reverse=True,
        )
        if after is not None:
            position = (datetime.fromisoformat(after["start"]), after["booking_id"])
            mine = [b for b in mine if (b.start, b.booking_id) < position]
        page = mine[:limit]
        more = len(mine) > limit
        last = page[-1] if page and more else None
        cursor = {"start": last.start.isoformat(), "booking_id": last.booking_id} if last else None
        return [_copy(b) for b in page], cursor

    def owner_bookings_since(self, owner_id: str, since: datetime) -> list[Booking]:
        return [
            _copy(b) for b in self.bookings.values() if b.owner_id == owner_id and b.start >= since
        ]

    # conditions

    def _claim_free(self, booking: Booking, now: datetime) -> bool:
        claim = self.claims.get((booking.consultant_id, booking.start))
        return claim is None or (
            claim.hold_until is not None and claim.hold_until <= int(now.timestamp())
        )

    def _unchanged(self, booking: Booking, now: datetime) -> bool:
        stored = self.bookings.get(booking.booking_id)
        if stored is None or (stored.status, stored.version) != (booking.status, booking.version):
            return False
        return stored.status != S.PENDING_PAYMENT or stored.hold_expires_at > now

    def _owns_claim(self, booking: Booking) -> bool:
        claim = self.claims.get((booking.consultant_id, booking.start))
        return claim is not None and claim.booking_id == booking.booking_id

    def _ledger_unchanged(self, ledger: Ledger) -> bool:
        return self.ledgers.get(ledger.owner_id, (frozenset(), 0))[1] == ledger.version

    # writes

    def _claim(self, booking: Booking) -> None:
        hold = (
            int(booking.hold_expires_at.timestamp())
            if booking.status == S.PENDING_PAYMENT
            else None
        )
        self.claims[(booking.consultant_id, booking.start)] = _Claim(booking.booking_id, hold)

    def _record(self, ledger: Ledger, add: str, drop: str = "") -> None:
        ids = (set(ledger.booking_ids) - {drop}) | {add}
        self.ledgers[ledger.owner_id] = (frozenset(ids), ledger.version + 1)

    def create(self, booking: Booking, ledger: Ledger, now: datetime) -> None:
        if booking.booking_id in self.bookings:
            raise BookingExists(booking.booking_id)
        if not self._claim_free(booking, now):
            raise SlotAlreadyClaimed(booking.booking_id)
        if not self._ledger_unchanged(ledger):
            raise LedgerChanged(ledger.owner_id)
        self._claim(booking)
        self.bookings[booking.booking_id] = _copy(booking)
        self._record(ledger, booking.booking_id)

    def _change(
        self, booking: Booking, target: BookingStatus, now: datetime, marks: Marks, **fields: str
    ) -> None:
        """Apply a transition and its marks to the stored booking."""
        stored = _copy(self.bookings[booking.booking_id])
        self.bookings[booking.booking_id] = _marked(
            applied(stored, target, now, **fields), marks, now
        )

    def confirm(self, booking: Booking, now: datetime, marks: Marks) -> None:
        if not (self._unchanged(booking, now) and self._owns_claim(booking)):
            raise BookingChanged(booking.booking_id)
        self._change(booking, S.CONFIRMED, now, marks)
        self.claims[(booking.consultant_id, booking.start)].hold_until = None

    def cancel(self, booking: Booking, side: Side, now: datetime, marks: Marks) -> None:
        if not (self._unchanged(booking, now) and self._owns_claim(booking)):
            raise BookingChanged(booking.booking_id)
        self._change(booking, S.CANCELLED, now, marks, cancelled_by=side)
        del self.claims[(booking.consultant_id, booking.start)]

    def advance(self, booking: Booking, target: BookingStatus, now: datetime, marks: Marks) -> None:
        if not self._unchanged(booking, now):
            raise BookingChanged(booking.booking_id)
        self._change(booking, target, now, marks)

    def reschedule(
        self, old: Booking, new: Booking, side: Side, ledger: Ledger, now: datetime, marks: Marks
    ) -> None:
        if not self._claim_free(new, now):
            raise SlotAlreadyClaimed(new.booking_id)
        if not (
            self._unchanged(old, now)
            and self._owns_claim(old)
            and new.booking_id not in self.bookings
        ):
            raise BookingChanged(old.booking_id)
        if not self._ledger_unchanged(ledger):
            raise LedgerChanged(ledger.owner_id)
        self._change(old, S.CANCELLED, now, marks, cancelled_by=side, rescheduled_to=new.booking_id)
        del self.claims[(old.consultant_id, old.start)]
        self._claim(new)
        self.bookings[new.booking_id] = _copy(new)
        self._record(ledger, new.booking_id, drop=old.booking_id)

    def expire(self, booking: Booking, now: datetime, marks: Marks) -> bool:
        stored = self.bookings.get(booking.booking_id)
        if stored is None or stored.status != S.PENDING_PAYMENT:
            return False
        if stored.version != booking.version:
            return False
        self._change(booking, S.EXPIRED, now, marks)
        claim = self.claims.get((booking.consultant_id, booking.start))
        if claim and claim.booking_id == booking.booking_id and claim.hold_until is not None:
            del self.claims[(booking.consultant_id, booking.start)]
        return True
