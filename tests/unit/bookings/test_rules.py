"""Booking rules on the in-memory repository (no AWS): who sees a booking, which
transitions the state and the clock allow, and a write that lost a race."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.bookings.errors import InvalidTransition
from chalicelib.bookings.repository import Ledger
from chalicelib.bookings.service import Actor, Bookings
from chalicelib.bookings.states import BookingStatus
from chalicelib.errors import NotFound
from tests.unit.bookings.fake_repository import FakeBookings
from tests.unit.bookings.test_repository_contract import HOLD, NINE, NOW, UNMARKED, booking

S = BookingStatus
VET = Actor("vet-a", "vet")


@pytest.fixture
def store() -> FakeBookings:
    return FakeBookings()


def _add(store: FakeBookings, status: BookingStatus = S.PENDING_PAYMENT) -> Bookings:
    store.create(booking(status=status), Ledger("owner-a", frozenset(), 0), NOW)
    return Bookings(store)


def test_only_the_owner_and_the_consultant_see_a_booking(store: FakeBookings) -> None:
    rules = _add(store)
    assert rules.load_for("bk-1", Actor("owner-a", "owner")).booking_id == "bk-1"
    assert rules.load_for("bk-1", VET).booking_id == "bk-1"
    with pytest.raises(NotFound):
        rules.load_for("bk-1", Actor("owner-b", "owner"))
    with pytest.raises(NotFound):
        rules.load("bk-unknown")


def test_a_lapsed_hold_cannot_be_confirmed(store: FakeBookings) -> None:
    rules = _add(store)
    with pytest.raises(InvalidTransition, match="expired"):
        rules.confirm_booking("bk-1", NOW + HOLD)
    assert store.bookings["bk-1"].status == "pending_payment"


def test_a_consultation_cannot_start_early_nor_end_before_its_start(store: FakeBookings) -> None:
    rules = _add(store, S.CONFIRMED)
    item = rules.load("bk-1")
    with pytest.raises(InvalidTransition, match="Too early"):
        rules.advance(item, S.IN_PROGRESS, VET, NINE - timedelta(minutes=11))
    with pytest.raises(InvalidTransition, match="Too early"):
        rules.advance(item, S.NO_SHOW, VET, NINE - timedelta(seconds=1))
    assert store.bookings["bk-1"].status == "confirmed"


def test_a_transition_that_lost_a_race_is_invalid_transition(store: FakeBookings) -> None:
    rules = _add(store, S.CONFIRMED)
    read_earlier = rules.load("bk-1")
    store.advance(
        rules.load("bk-1"), S.IN_PROGRESS, NINE, UNMARKED
    )  # another request got there first
    with pytest.raises(InvalidTransition):
        rules.advance(read_earlier, S.NO_SHOW, VET, NINE)
    assert store.bookings["bk-1"].status == "in_progress"


def test_only_a_lapsed_unpaid_hold_is_swept(store: FakeBookings) -> None:
    rules = _add(store)
    assert rules.sweep_expired_holds(NOW + HOLD - timedelta(seconds=1)) == 0
    assert rules.expire(rules.load("bk-1"), NOW) is False
    assert store.bookings["bk-1"].status == "pending_payment"
