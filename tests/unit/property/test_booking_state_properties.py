"""The booking state machine driven by random sequences of requested transitions: the
check agrees with the table, nothing leaves a final state, no state comes back, and every
path the table allows can be walked from a new booking."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from chalicelib.bookings.states import (
    TRANSITIONS,
    BookingStatus,
    InvalidTransitionError,
    can_transition,
    ensure_transition,
)

NEW = BookingStatus.PENDING_PAYMENT


def is_final(status: BookingStatus) -> bool:
    return not TRANSITIONS[status]


def walks(start: BookingStatus) -> list[list[BookingStatus]]:
    """Every path of the table from ``start`` to a final state."""
    if is_final(start):
        return [[start]]
    return [[start, *rest] for target in sorted(TRANSITIONS[start]) for rest in walks(target)]


class BookingLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.history = [NEW]

    @property
    def status(self) -> BookingStatus:
        return self.history[-1]

    @rule(wanted=st.sampled_from(BookingStatus))
    def request(self, wanted: BookingStatus) -> None:
        allowed = wanted in TRANSITIONS[self.status]
        assert can_transition(self.status, wanted) is allowed
        if allowed:
            ensure_transition(self.status, wanted)
            self.history.append(wanted)
        else:
            with pytest.raises(InvalidTransitionError) as refused:
                ensure_transition(self.status, wanted)
            assert (refused.value.current, refused.value.target) == (self.status, wanted)

    @invariant()
    def no_state_comes_back(self) -> None:
        assert len(set(self.history)) == len(self.history)

    @invariant()
    def a_final_state_is_left_for_nothing(self) -> None:
        if is_final(self.status):
            assert not any(can_transition(self.status, target) for target in BookingStatus)


TestBookingLife = BookingLife.TestCase


def test_every_state_is_on_some_path_of_a_new_booking() -> None:
    paths = walks(NEW)
    assert {status for path in paths for status in path} == set(BookingStatus)
    for path in paths:
        for current, target in itertools.pairwise(path):
            ensure_transition(current, target)
