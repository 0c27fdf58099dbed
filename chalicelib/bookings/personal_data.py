"""Bookings, questions and rooms of a user, for export and erasure
(`chalicelib/privacy/registry.py`).

Erasure runs `future_bookings` first: whatever is still to come is cancelled as the user
would cancel it, so the payment rules refund it and the consultant is told. `bookings`
then removes the owner's bookings, rooms, quota ledger and question threads, and the
notifications sent about them; a consultant's calendar entries and threads stay with the
owners they belong to, with the consultant's id replaced by `ERASED`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from typing import Any

from chalicelib.bookings.errors import InvalidTransition
from chalicelib.bookings.models import Booking, BookingLedger, Question, QuestionMessage, Room
from chalicelib.bookings.states import BookingStatus, effective_status
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.records import record

# Stands in for an erased consultant on the bookings and threads kept for their owners.
ERASED = "erased"
_CANCELLABLE = (BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED)
# What a consultant's export shows of a client's booking (the rest is the client's).
_CONSULTANT_VIEW = ("booking_id", "start", "end", "status", "price_amount", "price_currency")


def _booking_ids(subject: Subject) -> Iterator[str]:
    for key in Booking.by_owner.query(subject.user_id):
        yield key.booking_id
    for key in Booking.by_consultant.query(subject.user_id):
        yield key.booking_id


def _loaded(booking_ids: Iterator[str]) -> Iterator[Booking]:
    for booking_id in booking_ids:
        with suppress(Booking.DoesNotExist):
            yield Booking.get(booking_id, consistent_read=True)


def owner_bookings(user_id: str) -> Iterator[Booking]:
    """Every booking the user made (what payments are found through)."""
    return _loaded(key.booking_id for key in Booking.by_owner.query(user_id))


def _questions(user_id: str, *, as_owner: bool) -> Iterator[Question]:
    index = Question.by_owner if as_owner else Question.by_consultant
    for key in index.query(user_id):
        with suppress(Question.DoesNotExist):
            yield Question.get(key.question_id, consistent_read=True)


def _room(booking_id: str) -> Room | None:
    try:
        return Room.get(booking_id, consistent_read=True)
    except Room.DoesNotExist:
        return None


class FutureBookings:
    """Erasure's first step; it holds nothing itself."""

    models: tuple[str, ...] = ()

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {}

    def erase(self, subject: Subject, now: datetime) -> None:
        from chalicelib.bookings.service import Actor, bookings
        from chalicelib.payments.wiring import booking_cancelled

        actor = Actor(subject.user_id, subject.role)
        for booking in _loaded(_booking_ids(subject)):
            if effective_status(booking, now) not in _CANCELLABLE or booking.end <= now:
                continue
            with suppress(InvalidTransition):  # it moved on meanwhile: nothing to cancel
                cancelled = bookings.cancel_booking(booking, actor, now)
                booking_cancelled(cancelled.booking_id, str(cancelled.cancelled_by), now)


class Bookings:
    models = ("Booking", "Room", "BookingLedger", "Question", "QuestionMessage")

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        user_id = subject.user_id
        made = list(owner_bookings(user_id))
        held = _loaded(key.booking_id for key in Booking.by_consultant.query(user_id))
        rooms = [room for room in (_room(b.booking_id) for b in made) if room is not None]
        ledger = list(BookingLedger.query(user_id, consistent_read=True))
        asked = list(_questions(user_id, as_owner=True))
        answered = list(_questions(user_id, as_owner=False))
        messages = [
            record(message)
            for question in asked
            for message in QuestionMessage.query(question.question_id, consistent_read=True)
        ] + [
            record(message)
            for question in answered
            for message in QuestionMessage.query(question.question_id, consistent_read=True)
            if message.author_role == "consultant"
        ]
        return {
            "bookings": [record(b) for b in made],
            "consultations_given": [
                {name: value for name, value in record(b).items() if name in _CONSULTANT_VIEW}
                for b in held
            ],
            "rooms": [record(room) for room in rooms],
            "booking_ledgers": [record(item) for item in ledger],
            "questions": [record(q) for q in asked + answered],
            "question_messages": messages,
        }

    def erase(self, subject: Subject, now: datetime) -> None:
        from chalicelib.notifications.personal_data import forget_notices

        user_id = subject.user_id
        for booking in owner_bookings(user_id):
            forget_notices(booking.booking_id, booking.consultant_id)
            Room(booking.booking_id).delete()
            booking.delete()
        for ledger in BookingLedger.query(user_id, consistent_read=True):
            ledger.delete()
        for question in _questions(user_id, as_owner=True):
            forget_notices(question.question_id, question.consultant_id)
            for message in QuestionMessage.query(question.question_id, consistent_read=True):
                message.delete()
            question.delete()
        for booking in _loaded(key.booking_id for key in Booking.by_consultant.query(user_id)):
            booking.update(actions=[Booking.consultant_id.set(ERASED)])
        for question in _questions(user_id, as_owner=False):
            question.update(actions=[Question.consultant_id.set(ERASED)])


future_bookings = FutureBookings()
bookings = Bookings()
