import itertools

import pytest

from chalicelib.bookings.states import (
    TRANSITIONS,
    BookingStatus,
    InvalidTransitionError,
    can_transition,
    ensure_transition,
)

S = BookingStatus
ALLOWED = {
    (S.PENDING_PAYMENT, S.CONFIRMED),
    (S.PENDING_PAYMENT, S.EXPIRED),
    (S.PENDING_PAYMENT, S.CANCELLED),
    (S.CONFIRMED, S.IN_PROGRESS),
    (S.CONFIRMED, S.CANCELLED),
    (S.CONFIRMED, S.NO_SHOW),
    (S.IN_PROGRESS, S.COMPLETED),
}
ILLEGAL = sorted(set(itertools.product(S, S)) - ALLOWED)


def test_the_machine_is_exactly_the_specified_one() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transitions(current: BookingStatus, target: BookingStatus) -> None:
    assert can_transition(current, target)
    ensure_transition(current, target)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused(current: BookingStatus, target: BookingStatus) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidTransitionError) as info:
        ensure_transition(current, target)
    assert (info.value.current, info.value.target) == (current, target)
