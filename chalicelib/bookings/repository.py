"""The bookings store behind a port: what the booking rules need from storage, the
PynamoDB adapter, and the named outcomes a conditional write can end in.

Writes never change the `Booking` passed in; the service applies a transition to it
once the store accepted it.

Every write is one conditional write or one TransactWriteItems. When a transaction is
cancelled, the adapter names the outcome by WHICH item's condition failed (each item is
labelled as it is added), never by its position in the request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.bookings.marks import NOTIFY, REMIND, Marks
from chalicelib.bookings.models import Booking, BookingLedger
from chalicelib.bookings.states import BookingStatus
from chalicelib.config import SLOT_CLAIM_RETENTION
from chalicelib.consultants.models import SlotClaim
from chalicelib.store.expiry import bucket_of, purge_actions, schedule_purge
from chalicelib.store.pages import keys_then_items
from chalicelib.store.transact import LabelledWrite, write_labelled

S = BookingStatus
PENDING = "1"
TRANSACTION_ATTEMPTS = 3
Side = Literal["owner", "consultant"]
Position = dict[str, Any]


class SlotAlreadyClaimed(Exception):
    """Another booking's live claim (confirmed, or a hold not yet lapsed) holds the slot."""


class BookingExists(Exception):
    """A booking with this id exists already (a retry of the same request, or a reused key)."""


class BookingChanged(Exception):
    """The booking is no longer in the state (status, version, valid hold) it was read in."""


class LedgerChanged(Exception):
    """Another booking transaction of the same owner committed since the ledger was read."""


@dataclass(frozen=True)
class Ledger:
    """The owner's bookings that may count against the quotas, as read at ``version``
    (0: the owner has no ledger item yet)."""

    owner_id: str
    booking_ids: frozenset[str]
    version: int


class BookingRepository(Protocol):
    def get(self, booking_id: str) -> Booking | None: ...

    def get_many(self, booking_ids: Sequence[str]) -> list[Booking]:
        """The bookings that exist, in the order asked, read consistently."""
        ...

    def ledger(self, owner_id: str) -> Ledger: ...

    def create(self, booking: Booking, ledger: Ledger, now: datetime) -> None:
        """Claim the slot, write the booking, record it in the ledger, all or nothing.
        Raises BookingExists, SlotAlreadyClaimed or LedgerChanged (in that precedence)."""
        ...

    # Each change below also writes its `Marks` on the booking, in the same write: the
    # notice is appended to the booking's pending ones (the oldest pending instant is
    # kept), the reminder replaced (or removed) and the retention deadline set if given.

    def confirm(self, booking: Booking, now: datetime, marks: Marks) -> None:
        """pending_payment -> confirmed; the claim stops lapsing. Raises BookingChanged."""
        ...

    def cancel(self, booking: Booking, side: Side, now: datetime, marks: Marks) -> None:
        """-> cancelled; the claim is freed. Raises BookingChanged."""
        ...

    def advance(self, booking: Booking, target: BookingStatus, now: datetime, marks: Marks) -> None:
        """A transition of the booking alone (the slot stays held). Raises BookingChanged."""
        ...

    def reschedule(
        self, old: Booking, new: Booking, side: Side, ledger: Ledger, now: datetime, marks: Marks
    ) -> None:
        """Book ``new`` (its marks already set) and cancel ``old`` (with ``marks``) in one
        transaction. Raises SlotAlreadyClaimed, BookingChanged or LedgerChanged (in that
        precedence)."""
        ...

    def expire(self, booking: Booking, now: datetime, marks: Marks) -> bool:
        """A lapsed hold becomes expired and frees its claim if still its own; False when
        the booking changed meanwhile."""
        ...

    def lapsed_hold_ids(self, now: datetime) -> list[str]: ...

    def page(
        self, side: Side, user_id: str, after: Position | None, limit: int
    ) -> tuple[list[Booking], Position | None]:
        """The side's bookings, latest start first, and the position after the page."""
        ...

    def owner_bookings_since(self, owner_id: str, since: datetime) -> list[Booking]: ...


def claim_of(booking: Booking) -> SlotClaim:
    """The slot claim a booking in its current state holds (in the purge bucket of its
    expiry: DynamoDB TTL is best effort, the retention sweep is exact)."""
    claim = SlotClaim(
        booking.consultant_id, booking.start, end=booking.end, booking_id=booking.booking_id
    )
    if booking.status == S.PENDING_PAYMENT:
        claim.hold_until = int(booking.hold_expires_at.timestamp())
        claim.expires = booking.hold_expires_at + SLOT_CLAIM_RETENTION
    else:
        claim.expires = booking.end + SLOT_CLAIM_RETENTION
    return schedule_purge(claim, claim.expires)


def applied(booking: Booking, target: BookingStatus, now: datetime, **fields: Any) -> Booking:
    """``booking`` as a successful transition to ``target`` left it."""
    booking.status = target.value
    booking.version = int(booking.version) + 1
    booking.updated_at = now
    booking.pending = None
    for name, value in fields.items():
        setattr(booking, name, value)
    return booking


def first_outcome(failed: set[str], outcomes: Sequence[tuple[str, Exception]]) -> Exception:
    """The outcome of the first label (in precedence order) among the failed items."""
    for label, outcome in outcomes:
        if label in failed:
            return outcome
    return BookingChanged("the transaction was cancelled")


class PynamoBookings:
    """The adapter on DynamoDB (PynamoDB models, TransactWriteItems)."""

    def get(self, booking_id: str) -> Booking | None:
        try:
            return Booking.get(booking_id, consistent_read=True)
        except Booking.DoesNotExist:
            return None

    def get_many(self, booking_ids: Sequence[str]) -> list[Booking]:
        if not booking_ids:
            return []
        found = {b.booking_id: b for b in Booking.batch_get(list(booking_ids))}
        return [found[i] for i in booking_ids if i in found]

    def ledger(self, owner_id: str) -> Ledger:
        try:
            item = BookingLedger.get(owner_id, consistent_read=True)
        except BookingLedger.DoesNotExist:
            return Ledger(owner_id, frozenset(), 0)
        return Ledger(owner_id, frozenset(item.booking_ids or ()), int(item.version))

    def create(self, booking: Booking, ledger: Ledger, now: datetime) -> None:
        def build(tx: LabelledWrite) -> None:
            tx.save("claim", claim_of(booking), condition=_claim_is_free(now))
            tx.save("booking", booking, condition=Booking.booking_id.does_not_exist())
            _write_ledger(tx, ledger, {booking.booking_id})

        _commit(
            build,
            [
                ("booking", BookingExists(booking.booking_id)),
                ("claim", SlotAlreadyClaimed(booking.booking_id)),
                ("ledger", LedgerChanged(ledger.owner_id)),
            ],
        )

    def confirm(self, booking: Booking, now: datetime, marks: Marks) -> None:
        def build(tx: LabelledWrite) -> None:
            tx.update(
                "booking",
                booking,
                [*_actions(booking, S.CONFIRMED, now), *_mark_actions(marks, now)],
                condition=_state_condition(booking, now),
            )
            tx.update(
                "claim",
                claim_of(booking),
                [
                    SlotClaim.hold_until.remove(),
                    SlotClaim.expires.set(booking.end + SLOT_CLAIM_RETENTION),
                    *purge_actions(SlotClaim, booking.end + SLOT_CLAIM_RETENTION),
                ],
                condition=SlotClaim.booking_id == booking.booking_id,
            )

        _commit(build, [])

    def cancel(self, booking: Booking, side: Side, now: datetime, marks: Marks) -> None:
        def build(tx: LabelledWrite) -> None:
            tx.update(
                "booking",
                booking,
                [
                    *_actions(booking, S.CANCELLED, now),
                    *_mark_actions(marks, now),
                    Booking.cancelled_by.set(side),
                ],
                condition=_state_condition(booking, now),
            )
            tx.delete(
                "claim", claim_of(booking), condition=SlotClaim.booking_id == booking.booking_id
            )

        _commit(build, [])

    def advance(self, booking: Booking, target: BookingStatus, now: datetime, marks: Marks) -> None:
        try:  # on a key-only copy: the caller's booking changes only when the service says
            Booking(booking.booking_id).update(
                [*_actions(booking, target, now), *_mark_actions(marks, now)],
                condition=_state_condition(booking, now),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise BookingChanged(booking.booking_id) from error
            raise

    def reschedule(
        self, old: Booking, new: Booking, side: Side, ledger: Ledger, now: datetime, marks: Marks
    ) -> None:
        def build(tx: LabelledWrite) -> None:
            tx.save("new-claim", claim_of(new), condition=_claim_is_free(now))
            tx.save("new-booking", new, condition=Booking.booking_id.does_not_exist())
            tx.update(
                "old-booking",
                old,
                [
                    *_actions(old, S.CANCELLED, now),
                    *_mark_actions(marks, now),
                    Booking.cancelled_by.set(side),
                    Booking.rescheduled_to.set(new.booking_id),
                ],
                condition=_state_condition(old, now),
            )
            tx.delete("old-claim", claim_of(old), condition=SlotClaim.booking_id == old.booking_id)
            _write_ledger(tx, ledger, {new.booking_id}, drop={old.booking_id})

        _commit(
            build,
            [
                ("new-claim", SlotAlreadyClaimed(new.booking_id)),
                ("old-booking", BookingChanged(old.booking_id)),
                ("new-booking", BookingChanged(old.booking_id)),
                ("old-claim", BookingChanged(old.booking_id)),
                ("ledger", LedgerChanged(ledger.owner_id)),
            ],
        )

    def expire(self, booking: Booking, now: datetime, marks: Marks) -> bool:
        try:
            Booking(booking.booking_id).update(
                [*_actions(booking, S.EXPIRED, now), *_mark_actions(marks, now)],
                condition=(Booking.status == S.PENDING_PAYMENT.value)
                & (Booking.version == booking.version),
            )
        except UpdateError:
            return False
        with contextlib.suppress(DeleteError):  # taken over by a newer booking: leave it
            claim_of(booking).delete(
                condition=(SlotClaim.booking_id == booking.booking_id)
                & SlotClaim.hold_until.exists()
            )
        return True

    def lapsed_hold_ids(self, now: datetime) -> list[str]:
        return [
            key.booking_id
            for key in Booking.pending_holds.query(
                PENDING, range_key_condition=Booking.hold_expires_at <= now
            )
        ]

    def page(
        self, side: Side, user_id: str, after: Position | None, limit: int
    ) -> tuple[list[Booking], Position | None]:
        index = Booking.by_consultant if side == "consultant" else Booking.by_owner
        return keys_then_items(
            index, Booking, lambda key: str(key.booking_id), user_id, after, limit
        )

    def owner_bookings_since(self, owner_id: str, since: datetime) -> list[Booking]:
        keys = Booking.by_owner.query(owner_id, range_key_condition=Booking.start >= since)
        return self.get_many([key.booking_id for key in keys])


def _claim_is_free(now: datetime) -> Any:
    expired = SlotClaim.hold_until <= int(now.timestamp())
    return SlotClaim.consultant_id.does_not_exist() | expired


def _state_condition(booking: Booking, now: datetime) -> Any:
    condition = (Booking.status == booking.status) & (Booking.version == booking.version)
    if booking.status == S.PENDING_PAYMENT:
        condition &= Booking.hold_expires_at > now
    return condition


def _actions(booking: Booking, target: BookingStatus, now: datetime) -> list[Any]:
    actions: list[Any] = [
        Booking.status.set(target.value),
        Booking.version.set(int(booking.version) + 1),
        Booking.updated_at.set(now),
    ]
    if booking.status == S.PENDING_PAYMENT:
        actions.append(Booking.pending.remove())
    return actions


def _mark_actions(marks: Marks, now: datetime) -> list[Any]:
    """The update actions that write ``marks`` on a stored booking."""
    actions: list[Any] = []
    if marks.notice is not None:
        actions += [
            Booking.notices.set((Booking.notices | []).append([marks.notice.encode()])),
            Booking.notify.set(NOTIFY),
            Booking.notify_since.set(Booking.notify_since | now),
        ]
    if marks.remind_at is not None:
        actions += [
            Booking.remind_bucket.set(bucket_of(REMIND, marks.remind_at)),
            Booking.remind_at.set(marks.remind_at),
        ]
    else:
        actions += [Booking.remind_bucket.remove(), Booking.remind_at.remove()]
    if marks.purge_at is not None:
        actions += purge_actions(Booking, marks.purge_at)
    return actions


def _write_ledger(
    tx: LabelledWrite, ledger: Ledger, add: set[str], drop: frozenset[str] | set[str] = frozenset()
) -> None:
    """The ledger as read, minus ``drop``, plus ``add``, if nobody changed it since."""
    ids = (set(ledger.booking_ids) - set(drop)) | add
    item = BookingLedger(ledger.owner_id, booking_ids=ids or None, version=ledger.version + 1)
    if ledger.version == 0:
        tx.save("ledger", item, condition=BookingLedger.owner_id.does_not_exist())
    else:
        tx.save("ledger", item, condition=BookingLedger.version == ledger.version)


def _commit(
    build: Callable[[LabelledWrite], None], outcomes: Sequence[tuple[str, Exception]]
) -> None:
    """Run one transaction; a failed condition becomes the outcome of the first label in
    ``outcomes`` (their precedence) among the items that failed."""
    failed = write_labelled(build, TRANSACTION_ATTEMPTS)
    if failed:
        raise first_outcome(failed, outcomes)
