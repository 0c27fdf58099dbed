"""Booking quotas: 3 unpaid holds and 10 upcoming bookings per owner, 2 overlapping
bookings per pet; concurrent attempts cannot exceed them."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.bookings import quotas
from chalicelib.bookings import service as bookings_service
from chalicelib.bookings.errors import QuotaExceeded
from chalicelib.bookings.models import Booking
from chalicelib.bookings.repository import PynamoBookings
from chalicelib.bookings.service import NewBooking
from chalicelib.consultants import service as consultants
from chalicelib.consultants.errors import SlotTaken
from tests.unit.booking_world import NOW, World, _hours, _user
from tests.unit.bookings.interleave import Interleaved

MONDAY = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # 09:00 in Kyiv: vet-a's first slot


def _kyiv_slot(day: int, n: int) -> str:
    start = MONDAY + timedelta(days=day, minutes=30 * n)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


def _toronto_slot(day: int, n: int) -> str:
    start = datetime(2026, 6, 1, 13, 0, tzinfo=UTC) + timedelta(days=day, minutes=45 * n)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


def _stored(status: str, start: datetime, pet: str = "pet-1", minutes: int = 30) -> Booking:
    return Booking(
        f"bk-{start.isoformat()}-{status}",
        owner_id="owner-a",
        consultant_id="vet-a",
        pet_id=pet,
        start=start,
        end=start + timedelta(minutes=minutes),
        status=status,
        hold_expires_at=NOW + timedelta(minutes=15),
    )


# the rule (pure)


def test_a_fourth_unpaid_hold_is_refused_but_not_a_paid_booking() -> None:
    holds = [_stored("pending_payment", MONDAY + timedelta(hours=n)) for n in range(3)]
    with pytest.raises(QuotaExceeded):
        quotas.check(holds, _stored("pending_payment", MONDAY + timedelta(days=1)), NOW)
    quotas.check(holds, _stored("confirmed", MONDAY + timedelta(days=1)), NOW)


def test_lapsed_holds_and_ended_or_cancelled_bookings_do_not_count() -> None:
    later = NOW + timedelta(minutes=15)
    lapsed = [_stored("pending_payment", MONDAY + timedelta(hours=n)) for n in range(3)]
    quotas.check(lapsed, _stored("pending_payment", MONDAY + timedelta(days=1)), later)
    past = [_stored("confirmed", NOW - timedelta(hours=n + 1)) for n in range(10)]
    cancelled = [_stored("cancelled", MONDAY + timedelta(hours=n)) for n in range(10)]
    quotas.check([*past, *cancelled], _stored("confirmed", MONDAY + timedelta(days=1)), NOW)


def test_an_eleventh_upcoming_booking_is_refused() -> None:
    upcoming = [_stored("confirmed", MONDAY + timedelta(hours=n)) for n in range(10)]
    with pytest.raises(QuotaExceeded):
        quotas.check(upcoming, _stored("confirmed", MONDAY + timedelta(days=3)), NOW)
    quotas.check(upcoming[:9], _stored("confirmed", MONDAY + timedelta(days=3)), NOW)


def test_a_third_overlapping_booking_of_one_pet_is_refused_another_pet_is_not() -> None:
    two = [_stored("confirmed", MONDAY), _stored("confirmed", MONDAY + timedelta(minutes=15))]
    with pytest.raises(QuotaExceeded):
        quotas.check(two, _stored("confirmed", MONDAY + timedelta(minutes=20)), NOW)
    quotas.check(two, _stored("confirmed", MONDAY + timedelta(minutes=20), pet="pet-2"), NOW)
    quotas.check(two, _stored("confirmed", MONDAY + timedelta(minutes=45)), NOW)  # touches only


# through the API (moto)


def test_owner_hoarding_unpaid_holds_gets_409_quota_exceeded(world: World) -> None:
    for n in range(3):
        assert world.book("owner_a", _kyiv_slot(0, n), key=f"h{n}")[0] == 201
    status, problem = world.book("owner_a", _kyiv_slot(0, 3), key="h3")
    assert (status, problem["code"]) == (409, "quota_exceeded")
    assert world.book("owner_b", _kyiv_slot(0, 3), key="other")[0] == 201  # slot stayed free
    world.clock.shift(timedelta(minutes=15))  # the holds lapse: they count no more
    assert world.book("owner_a", _kyiv_slot(1, 0), key="h4")[0] == 201


def test_owner_hoarding_upcoming_slots_gets_409_quota_exceeded(world: World) -> None:
    for n in range(10):
        status, body = world.book("owner_a", _toronto_slot(n // 4, n % 4), f"c{n}", "vet_b")
        assert status == 201, body
    status, problem = world.book("owner_a", _toronto_slot(3, 0), "c10", "vet_b")
    assert (status, problem["code"]) == (409, "quota_exceeded")
    _, first = world.call("GET", "/v1/bookings?limit=1", "owner_a")
    world.call("POST", f"/v1/bookings/{first['items'][0]['id']}/cancel", "owner_a")
    assert world.book("owner_a", _toronto_slot(3, 0), "c10", "vet_b")[0] == 201


def test_one_pet_booked_with_three_consultants_at_once_gets_409_quota_exceeded(
    world: World,
) -> None:
    _user("vet-c", "vet", "Dr. Third", "UA", "Europe/Kyiv", "uk")
    upsert = consultants.ConsultantUpsert.model_validate(
        {"name": "Dr. Third", "price": {"amount": 0, "currency": "UAH"}, "listed": True}
    )
    consultants.upsert_profile("vet-c", upsert, NOW)
    world.users["vet_c"] = world.users["vet_b"].__class__.get("vet-c")
    for vet in ("vet-b", "vet-c"):
        consultants.set_availability(vet, _hours("Europe/Kyiv"), vet, NOW)
    assert world.book("owner_a", _kyiv_slot(0, 0), "p1", "vet_a")[0] == 201
    assert world.book("owner_a", _kyiv_slot(0, 0), "p2", "vet_b")[0] == 201
    status, problem = world.book("owner_a", _kyiv_slot(0, 0), "p3", "vet_c")
    assert (status, problem["code"]) == (409, "quota_exceeded")
    status, second = world.call("POST", "/v1/me/pets", "owner_a", {"name": "Tom", "species": "cat"})
    world.pets["owner_a"] = second["id"]
    assert world.book("owner_a", _kyiv_slot(0, 0), "p4", "vet_c")[0] == 201


# races


def test_a_hold_committed_between_quota_check_and_transaction_is_counted(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(2):
        assert world.book("owner_a", _kyiv_slot(0, n), key=f"h{n}")[0] == 201
    racer = Interleaved(
        PynamoBookings(),
        lambda: world.book("owner_a", _kyiv_slot(0, 2), key="racer"),
        at="ledger",
    )
    monkeypatch.setattr(bookings_service.bookings, "_repository", racer)
    status, problem = world.book("owner_a", _kyiv_slot(0, 3), key="late")
    assert racer.results[0][0] == 201
    assert (status, problem["code"]) == (409, "quota_exceeded")
    _, mine = world.call("GET", "/v1/bookings", "owner_a")
    assert len([b for b in mine["items"] if b["status"] == "pending_payment"]) == 3


@pytest.fixture
def atomic_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB runs each TransactWriteItems atomically; in-process moto checks and writes
    item by item without a lock, so threads could interleave inside one transaction.
    One lock around moto's transaction restores the guarantee the real service gives;
    everything else (reads, quota checks, the gap before the transaction) still races."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.Lock()
    original = DynamoDBBackend.transact_write_items

    def atomic(self: DynamoDBBackend, transact_items: list[dict[str, object]]) -> None:
        with lock:
            original(self, transact_items)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", atomic)


@pytest.mark.usefixtures("atomic_moto")
def test_concurrent_hold_attempts_never_exceed_three(world: World) -> None:
    pet = world.pets["owner_a"]
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def attempt(n: int) -> None:
        request = NewBooking("vet-a", pet, datetime.fromisoformat(_kyiv_slot(1, n)), "itch")
        barrier.wait()
        try:
            bookings_service.bookings.create_booking("owner-a", f"t{n}", request, NOW)
            outcomes.append("created")
        except (QuotaExceeded, SlotTaken) as error:
            outcomes.append(type(error).__name__)
        except bookings_service.Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 6
    assert 1 <= outcomes.count("created") <= 3
    stored = bookings_service.bookings.repository.owner_bookings_since("owner-a", NOW)
    assert len([b for b in stored if b.status == "pending_payment"]) == outcomes.count("created")
