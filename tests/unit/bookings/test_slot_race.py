"""The slot claim's condition, not the pre-check, is what stops a double booking: a
claim written after the pre-check passed (a concurrent request) still wins."""

from __future__ import annotations

import pytest

from chalicelib.bookings import service
from chalicelib.bookings.repository import PynamoBookings
from chalicelib.consultants.models import SlotClaim
from tests.unit.booking_world import KYIV_MONDAY_9, KYIV_MONDAY_10, World
from tests.unit.bookings.interleave import Interleaved


def test_a_claim_written_after_the_pre_check_gets_409_slot_taken(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    racer = Interleaved(PynamoBookings(), lambda: world.book("owner_b", KYIV_MONDAY_9, key="b"))
    monkeypatch.setattr(service.bookings, "_repository", racer)
    status, problem = world.book("owner_a", KYIV_MONDAY_9, key="a")
    assert racer.results[0][0] == 201  # the other owner got in between
    assert (status, problem["code"]) == (409, "slot_taken")
    (claim,) = SlotClaim.query("vet-a")
    assert claim.booking_id == racer.results[0][1]["id"]
    _, mine = world.call("GET", "/v1/bookings", "owner_a")
    assert mine["items"] == []


def test_a_reschedule_onto_a_slot_claimed_after_the_pre_check_gets_409_slot_taken(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, booking = world.book("owner_a", KYIV_MONDAY_9, key="a")
    racer = Interleaved(
        PynamoBookings(), lambda: world.book("owner_b", KYIV_MONDAY_10, key="b"), at="ledger"
    )
    monkeypatch.setattr(service.bookings, "_repository", racer)
    path = f"/v1/bookings/{booking['id']}/reschedule"
    status, problem = world.call("POST", path, "owner_a", {"start": KYIV_MONDAY_10})
    assert racer.results[0][0] == 201
    assert (status, problem["code"]) == (409, "slot_taken")
    assert world.call("GET", f"/v1/bookings/{booking['id']}", "owner_a")[1]["status"] == (
        "pending_payment"
    )
