"""Booking over the API: one booking per slot, idempotency, holds, transitions."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.bookings import service
from chalicelib.consultants.models import SlotClaim
from tests.unit.booking_world import (
    KYIV_MONDAY_9,
    KYIV_MONDAY_10,
    KYIV_MONDAY_930,
    NOW,
    TORONTO_MONDAY_9,
    World,
)


def _slots(world: World, consultant: str = "vet_a") -> list[str]:
    cid = world.users[consultant].user_id
    status, body = world.call(
        "GET", f"/v1/consultants/{cid}/slots?from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z"
    )
    assert status == 200, body
    return [s["start"] for s in body["items"]]


def test_booking_holds_the_slot_for_fifteen_minutes(world: World) -> None:
    status, body = world.book("owner_a", KYIV_MONDAY_9)
    assert status == 201, body
    assert body == {
        "id": body["id"],
        "status": "pending_payment",
        "start": KYIV_MONDAY_9,
        "end": KYIV_MONDAY_930,
        "hold_expires_at": "2026-05-31T12:15:00Z",
        "price": {"amount": 50000, "currency": "UAH"},
    }
    assert KYIV_MONDAY_9 not in _slots(world)
    assert KYIV_MONDAY_930 in _slots(world)


def test_second_owner_gets_slot_taken(world: World) -> None:
    assert world.book("owner_a", KYIV_MONDAY_9)[0] == 201
    status, body = world.book("owner_b", KYIV_MONDAY_9, key="other")
    assert (status, body["code"]) == (409, "slot_taken")


def test_idempotent_replay_and_reused_key(world: World) -> None:
    first = world.book("owner_a", KYIV_MONDAY_9, key="same")
    world.clock.shift(timedelta(minutes=3))
    again = world.book("owner_a", KYIV_MONDAY_9, key="same")
    assert first == again
    status, body = world.book("owner_a", KYIV_MONDAY_10, key="same")
    assert (status, body["code"]) == (422, "idempotency_key_reused")
    status, body = world.book("owner_a", KYIV_MONDAY_9, key="same", reason="another reason")
    assert (status, body["code"]) == (422, "idempotency_key_reused")
    # the same key of another owner is another booking
    assert world.book("owner_b", KYIV_MONDAY_10, key="same")[0] == 201


def test_idempotency_key_is_required(world: World) -> None:
    body = {
        "consultant_id": "vet-a",
        "pet_id": world.pets["owner_a"],
        "start": KYIV_MONDAY_9,
        "reason": "x",
    }
    status, problem = world.call("POST", "/v1/bookings", "owner_a", body)
    assert (status, problem["code"]) == (400, "idempotency_key_required")


def test_start_must_be_a_slot_of_the_grid(world: World) -> None:
    status, body = world.book("owner_a", "2026-06-01T06:10:00Z")
    assert (status, body["code"]) == (422, "slot_unavailable")
    status, body = world.book("owner_a", "2026-06-01T03:00:00Z", key="night")
    assert (status, body["code"]) == (422, "slot_unavailable")


def test_pet_of_someone_else_and_unknown_consultant_are_404(world: World) -> None:
    body = {
        "consultant_id": "vet-a",
        "pet_id": world.pets["owner_b"],
        "start": KYIV_MONDAY_9,
        "reason": "x",
    }
    status, _ = world.call("POST", "/v1/bookings", "owner_a", body, {"Idempotency-Key": "p"})
    assert status == 404
    assert world.book("owner_a", KYIV_MONDAY_9, consultant="admin")[0] == 404


def test_hold_expires_on_read_and_by_the_sweep(world: World) -> None:
    status, created = world.book("owner_a", KYIV_MONDAY_9)
    assert status == 201
    world.clock.shift(timedelta(minutes=14, seconds=59))
    assert KYIV_MONDAY_9 not in _slots(world)
    world.clock.shift(timedelta(seconds=1))
    assert KYIV_MONDAY_9 in _slots(world)
    status, view = world.call("GET", f"/v1/bookings/{created['id']}", "owner_a")
    assert (status, view["status"]) == (200, "expired")
    from datetime import UTC, datetime

    # someone else takes the slot, then the sweep runs and leaves their claim alone
    assert world.book("owner_b", KYIV_MONDAY_9, key="b")[0] == 201
    assert service.bookings.sweep_expired_holds(datetime.now(UTC)) == 1
    stored = service.bookings.load(created["id"])
    assert (stored.status, stored.pending) == ("expired", None)
    claim = SlotClaim.get("vet-a", service.bookings.load(created["id"]).start)
    assert claim.booking_id != created["id"]
    assert service.bookings.sweep_expired_holds(datetime.now(UTC)) == 0


def test_sweep_frees_the_claim_of_a_lapsed_hold(world: World) -> None:
    _, _created = world.book("owner_a", KYIV_MONDAY_9)
    world.clock.shift(timedelta(minutes=16))
    from datetime import UTC, datetime

    assert service.bookings.sweep_expired_holds(datetime.now(UTC)) == 1
    assert list(SlotClaim.query("vet-a")) == []


def test_free_consultant_confirms_at_once(world: World) -> None:
    status, body = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    assert status == 201, body
    assert (body["status"], body["hold_expires_at"]) == ("confirmed", None)
    assert body["price"] == {"amount": 0, "currency": "CAD"}
    world.clock.shift(timedelta(hours=1))
    status, view = world.call("GET", f"/v1/bookings/{body['id']}", "owner_a")
    assert view["status"] == "confirmed"


def test_confirm_then_cancel_frees_the_slot(world: World) -> None:
    _, created = world.book("owner_a", KYIV_MONDAY_9)
    from datetime import UTC, datetime

    confirmed = service.bookings.confirm_booking(created["id"], datetime.now(UTC))
    assert confirmed.status == "confirmed"
    world.clock.shift(timedelta(hours=1))  # far past the hold: confirmed stays held
    assert KYIV_MONDAY_9 not in _slots(world)
    status, view = world.call("POST", f"/v1/bookings/{created['id']}/cancel", "vet_a")
    assert status == 200, view
    assert (view["status"], view["cancelled_by"]) == ("cancelled", "consultant")
    assert KYIV_MONDAY_9 in _slots(world)
    status, problem = world.call("POST", f"/v1/bookings/{created['id']}/cancel", "owner_a")
    assert (status, problem["code"]) == (409, "invalid_transition")


def test_reschedule_links_both_ways_and_moves_the_claim(world: World) -> None:
    _, old = world.book("owner_a", KYIV_MONDAY_9)
    status, new = world.call(
        "POST", f"/v1/bookings/{old['id']}/reschedule", "owner_a", {"start": KYIV_MONDAY_10}
    )
    assert status == 201, new
    assert (new["status"], new["start"], new["rescheduled_from"]) == (
        "pending_payment",
        KYIV_MONDAY_10,
        old["id"],
    )
    assert new["hold_expires_at"] == old["hold_expires_at"]  # no free extension
    _, old_view = world.call("GET", f"/v1/bookings/{old['id']}", "owner_a")
    assert (old_view["status"], old_view["rescheduled_to"]) == ("cancelled", new["id"])
    free = _slots(world)
    assert KYIV_MONDAY_9 in free
    assert KYIV_MONDAY_10 not in free
    retry = world.call(
        "POST", f"/v1/bookings/{old['id']}/reschedule", "owner_a", {"start": KYIV_MONDAY_10}
    )
    assert retry == (201, new)
    status, problem = world.call(
        "POST", f"/v1/bookings/{old['id']}/reschedule", "owner_a", {"start": KYIV_MONDAY_930}
    )
    assert (status, problem["code"]) == (409, "invalid_transition")


def test_reschedule_onto_a_taken_slot_changes_nothing(world: World) -> None:
    _, mine = world.book("owner_a", KYIV_MONDAY_9)
    assert world.book("owner_b", KYIV_MONDAY_10, key="b")[0] == 201
    status, problem = world.call(
        "POST", f"/v1/bookings/{mine['id']}/reschedule", "vet_a", {"start": KYIV_MONDAY_10}
    )
    assert (status, problem["code"]) == (409, "slot_taken")
    _, view = world.call("GET", f"/v1/bookings/{mine['id']}", "owner_a")
    assert view["status"] == "pending_payment"


def test_consultant_moves_a_confirmed_booking_through_its_life(world: World) -> None:
    _, created = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    path = f"/v1/bookings/{created['id']}"
    status, problem = world.call("POST", f"{path}/start", "vet_b")
    assert (status, problem["code"]) == (409, "invalid_transition")  # days too early
    status, problem = world.call("POST", f"{path}/complete", "vet_b")
    assert (status, problem["code"]) == (409, "invalid_transition")
    world.clock.move_to(NOW.replace(day=1, month=6, hour=12, minute=55))
    assert world.call("POST", f"{path}/start", "owner_a")[0] == 403
    assert world.call("POST", f"{path}/start", "vet_a")[0] == 404
    status, view = world.call("POST", f"{path}/start", "vet_b")
    assert (status, view["status"]) == (200, "in_progress")
    status, problem = world.call("POST", f"{path}/cancel", "owner_a")
    assert (status, problem["code"]) == (409, "invalid_transition")
    status, problem = world.call("POST", f"{path}/no-show", "vet_b")
    assert (status, problem["code"]) == (409, "invalid_transition")
    world.clock.shift(timedelta(minutes=30))
    status, view = world.call("POST", f"{path}/complete", "vet_b")
    assert (status, view["status"]) == (200, "completed")
    status, problem = world.call("POST", f"{path}/complete", "vet_b")
    assert (status, problem["code"]) == (409, "invalid_transition")


def test_no_show_after_the_start(world: World) -> None:
    _, created = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    path = f"/v1/bookings/{created['id']}/no-show"
    status, problem = world.call("POST", path, "vet_b")
    assert (status, problem["code"]) == (409, "invalid_transition")
    world.clock.move_to(NOW.replace(day=1, month=6, hour=13, minute=20))
    status, view = world.call("POST", path, "vet_b")
    assert (status, view["status"]) == (200, "no_show")


def test_lists_are_per_side_and_paginated(world: World) -> None:
    for key, start in (("1", KYIV_MONDAY_9), ("2", KYIV_MONDAY_930), ("3", KYIV_MONDAY_10)):
        assert world.book("owner_a", start, key=key)[0] == 201
    status, page = world.call("GET", "/v1/bookings?limit=2", "owner_a")
    assert status == 200, page
    assert [b["start"] for b in page["items"]] == [KYIV_MONDAY_10, KYIV_MONDAY_930]
    status, rest = world.call(
        "GET", f"/v1/bookings?limit=2&cursor={page['next_cursor']}", "owner_a"
    )
    assert [b["start"] for b in rest["items"]] == [KYIV_MONDAY_9]
    assert world.call("GET", "/v1/bookings", "owner_b")[1]["items"] == []
    status, vet = world.call("GET", "/v1/bookings", "vet_a")
    assert len(vet["items"]) == 3
    assert all(set(b["client"]) == {"name", "country", "timezone"} for b in vet["items"])
    assert world.call("GET", "/v1/bookings", "vet_b")[1]["items"] == []
    status, problem = world.call("GET", f"/v1/bookings?cursor={page['next_cursor']}", "owner_b")
    assert (status, problem["code"]) == (400, "invalid_cursor")


def test_a_filtered_page_is_filled_from_further_index_reads(world: World) -> None:
    ids = {}
    for key, start in (("1", KYIV_MONDAY_9), ("2", KYIV_MONDAY_930), ("3", KYIV_MONDAY_10)):
        status, created = world.book("owner_a", start, key=key)
        assert status == 201, created
        ids[start] = created["id"]
    assert world.call("POST", f"/v1/bookings/{ids[KYIV_MONDAY_10]}/cancel", "vet_a")[0] == 200
    status, page = world.call("GET", "/v1/bookings?limit=2&status=pending_payment", "owner_a")
    assert status == 200, page
    assert [b["start"] for b in page["items"]] == [KYIV_MONDAY_930, KYIV_MONDAY_9]
    assert page["next_cursor"] is None
    status, page = world.call("GET", "/v1/bookings?limit=1&status=cancelled", "owner_a")
    assert [b["start"] for b in page["items"]] == [KYIV_MONDAY_10]
    status, rest = world.call(
        "GET", f"/v1/bookings?limit=1&status=cancelled&cursor={page['next_cursor']}", "owner_a"
    )
    assert (rest["items"], rest["next_cursor"]) == ([], None)


def test_minimum_notice_and_buffer_through_the_api(world: World) -> None:
    hours = {
        "timezone": "Europe/Kyiv",
        "weekly": [{"weekday": 1, "start": "09:00", "end": "11:00"}],
        "min_notice_minutes": 120,
        "buffer_minutes": 15,
    }
    assert world.call("PUT", "/v1/vet/availability", "vet_a", hours)[0] == 200
    assert _slots(world) == [KYIV_MONDAY_9, "2026-06-01T06:45:00Z", "2026-06-01T07:30:00Z"]
    world.clock.move_to(NOW.replace(day=1, month=6, hour=4, minute=45))  # 07:45 in Kyiv
    assert _slots(world) == ["2026-06-01T06:45:00Z", "2026-06-01T07:30:00Z"]
    status, problem = world.book("owner_a", KYIV_MONDAY_9)
    assert (status, problem["code"]) == (422, "slot_unavailable")
    assert world.book("owner_a", "2026-06-01T06:45:00Z", key="ok")[0] == 201
