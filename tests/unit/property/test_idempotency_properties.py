"""Idempotency: a retried booking request is recognised whatever the order of its fields
or the offset its start was written in, and a different request never passes for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chalicelib.bookings.idempotency import booking_id_for, fingerprint
from chalicelib.bookings.service import NewBooking

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
bodies = st.dictionaries(st.text(max_size=8), json_values, max_size=5)
few = settings(max_examples=50)  # nested documents are slow to generate


def reordered(value: Any, order: st.DataObject) -> Any:
    """The same value with every object's keys in another order."""
    if isinstance(value, dict):
        keys = order.draw(st.permutations(list(value)))
        return {key: reordered(value[key], order) for key in keys}
    if isinstance(value, list):
        return [reordered(item, order) for item in value]
    return value


@few
@given(bodies, st.data())
def test_key_order_does_not_change_the_fingerprint(
    body: dict[str, Any], data: st.DataObject
) -> None:
    assert fingerprint(reordered(body, data)) == fingerprint(body)


@few
@given(bodies, bodies)
def test_different_requests_have_different_fingerprints(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    assume(first != second)
    assert fingerprint(first) != fingerprint(second)


instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
offsets = st.timezones()


def booking(start: datetime, reason: str = "Limping since Monday") -> NewBooking:
    return NewBooking(consultant_id="vet-a", pet_id="pet-1", start=start, reason=reason)


@given(instants, offsets, offsets)
def test_one_instant_written_in_any_zone_is_the_same_request(
    start: datetime, zone: Any, other: Any
) -> None:
    here, there = start.astimezone(zone), start.astimezone(other)
    assert fingerprint(booking(here).request()) == fingerprint(booking(there).request())


@given(instants, st.integers(1, 7 * 24 * 60), offsets)
def test_another_start_is_another_request(start: datetime, minutes: int, zone: Any) -> None:
    later = (start + timedelta(minutes=minutes)).astimezone(zone)
    assert fingerprint(booking(start).request()) != fingerprint(booking(later).request())


owner_ids = st.uuids().map(str)
keys = st.text(min_size=1, max_size=128)


@given(owner_ids, keys, owner_ids, keys)
def test_other_owner_or_key_names_another_booking(
    owner: str, key: str, other_owner: str, other_key: str
) -> None:
    assume((owner, key) != (other_owner, other_key))
    assert booking_id_for(owner, key) != booking_id_for(other_owner, other_key)
