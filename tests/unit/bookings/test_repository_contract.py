"""The contract of the bookings store: every test runs against the in-memory fake and
against the PynamoDB adapter on in-process moto."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.bookings import marks
from chalicelib.bookings import repository as outcome
from chalicelib.bookings.marks import Marks, Notice
from chalicelib.bookings.models import Booking
from chalicelib.bookings.repository import PENDING, BookingRepository, Ledger, PynamoBookings
from chalicelib.bookings.states import BookingStatus
from tests.unit.bookings.fake_repository import FakeBookings

S = BookingStatus
NOW = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)
NINE = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
HOLD = timedelta(minutes=15)
UNMARKED = Marks(notice=None, remind_at=None, purge_at=None)


@pytest.fixture(params=["fake", "dynamodb"])
def repo(request: pytest.FixtureRequest) -> Iterator[BookingRepository]:
    if request.param == "fake":
        yield FakeBookings()
    else:
        request.getfixturevalue("aws")
        yield PynamoBookings()


def booking(
    booking_id: str = "bk-1",
    *,
    owner: str = "owner-a",
    start: datetime = NINE,
    status: BookingStatus = S.PENDING_PAYMENT,
    pet: str = "pet-1",
) -> Booking:
    return Booking(
        booking_id,
        owner_id=owner,
        consultant_id="vet-a",
        pet_id=pet,
        start=start,
        end=start + timedelta(minutes=30),
        reason="itchy skin",
        status=status.value,
        initial_status=status.value,
        version=1,
        price_amount=500,
        price_currency="UAH",
        hold_expires_at=NOW + HOLD,
        pending=PENDING if status is S.PENDING_PAYMENT else None,
        request_hash="h",
        created_at=NOW,
        updated_at=NOW,
    )


def create(repo: BookingRepository, item: Booking, now: datetime = NOW) -> None:
    repo.create(item, repo.ledger(item.owner_id), now)


def test_a_created_booking_reads_back_and_an_unknown_one_is_none(repo: BookingRepository) -> None:
    create(repo, booking())
    stored = repo.get("bk-1")
    assert stored is not None
    assert (stored.owner_id, stored.start, stored.status) == ("owner-a", NINE, "pending_payment")
    assert repo.get("bk-nope") is None
    assert [b.booking_id for b in repo.get_many(["bk-nope", "bk-1"])] == ["bk-1"]


def test_the_same_booking_id_twice_is_booking_exists_even_when_its_slot_is_held(
    repo: BookingRepository,
) -> None:
    create(repo, booking())
    with pytest.raises(outcome.BookingExists):
        create(repo, booking())


def test_a_live_claim_refuses_a_second_booking_of_the_slot_until_the_hold_lapses(
    repo: BookingRepository,
) -> None:
    create(repo, booking("bk-1"))
    with pytest.raises(outcome.SlotAlreadyClaimed):
        create(repo, booking("bk-2", owner="owner-b"))
    assert repo.get("bk-2") is None
    create(repo, booking("bk-3", owner="owner-b"), now=NOW + HOLD)
    assert repo.get("bk-3") is not None


def test_a_confirmed_claim_never_lapses(repo: BookingRepository) -> None:
    create(repo, booking("bk-1", status=S.CONFIRMED))
    with pytest.raises(outcome.SlotAlreadyClaimed):
        create(repo, booking("bk-2", owner="owner-b"), now=NOW + timedelta(days=1))


def test_the_ledger_records_each_booking_and_refuses_a_stale_reading(
    repo: BookingRepository,
) -> None:
    stale = repo.ledger("owner-a")
    assert stale == Ledger("owner-a", frozenset(), 0)
    create(repo, booking("bk-1"))
    assert repo.ledger("owner-a") == Ledger("owner-a", frozenset({"bk-1"}), 1)
    with pytest.raises(outcome.LedgerChanged):
        repo.create(booking("bk-2", start=NINE + timedelta(hours=1)), stale, NOW)
    assert repo.get("bk-2") is None


def test_confirm_needs_the_version_read_and_a_valid_hold(repo: BookingRepository) -> None:
    item = booking()
    create(repo, item)
    with pytest.raises(outcome.BookingChanged):
        repo.confirm(item, NOW + HOLD, UNMARKED)
    repo.confirm(item, NOW, UNMARKED)
    stored = repo.get("bk-1")
    assert stored is not None
    assert (stored.status, stored.version) == ("confirmed", 2)
    with pytest.raises(outcome.BookingChanged):
        repo.confirm(item, NOW, UNMARKED)
    assert repo.lapsed_hold_ids(NOW + timedelta(days=1)) == []
    with pytest.raises(outcome.SlotAlreadyClaimed):
        create(repo, booking("bk-2", owner="owner-b"), now=NOW + timedelta(days=1))


def test_writes_leave_the_booking_passed_in_as_it_was(repo: BookingRepository) -> None:
    item = booking(status=S.CONFIRMED)
    create(repo, item)
    repo.advance(item, S.IN_PROGRESS, NOW, UNMARKED)
    assert (item.status, item.version) == ("confirmed", 1)


def test_cancel_frees_the_slot_and_a_stale_cancel_is_refused(repo: BookingRepository) -> None:
    item = booking(status=S.CONFIRMED)
    create(repo, item)
    repo.cancel(item, "consultant", NOW, UNMARKED)
    stored = repo.get("bk-1")
    assert stored is not None
    assert (stored.status, stored.cancelled_by) == ("cancelled", "consultant")
    with pytest.raises(outcome.BookingChanged):
        repo.cancel(item, "owner", NOW, UNMARKED)
    create(repo, booking("bk-2", owner="owner-b"))


def test_advance_is_conditional_on_the_version(repo: BookingRepository) -> None:
    item = booking(status=S.CONFIRMED)
    create(repo, item)
    repo.advance(item, S.IN_PROGRESS, NOW, UNMARKED)
    with pytest.raises(outcome.BookingChanged):
        repo.advance(item, S.NO_SHOW, NOW, UNMARKED)


def test_reschedule_moves_claim_booking_and_ledger_at_once(repo: BookingRepository) -> None:
    old = booking("bk-1", status=S.CONFIRMED)
    create(repo, old)
    new = booking("bk-2", start=NINE + timedelta(hours=1), status=S.CONFIRMED)
    repo.reschedule(old, new, "owner", repo.ledger("owner-a"), NOW, UNMARKED)
    moved, cancelled = repo.get("bk-2"), repo.get("bk-1")
    assert moved is not None
    assert cancelled is not None
    assert (cancelled.status, cancelled.rescheduled_to) == ("cancelled", "bk-2")
    assert repo.ledger("owner-a").booking_ids == frozenset({"bk-2"})
    create(repo, booking("bk-3", owner="owner-b"))  # the old slot is free
    with pytest.raises(outcome.BookingChanged):  # the old booking changed: nothing is written
        repo.reschedule(
            old,
            booking("bk-4", start=NINE + timedelta(hours=2)),
            "owner",
            repo.ledger("owner-a"),
            NOW,
            UNMARKED,
        )
    assert repo.get("bk-4") is None


def test_reschedule_onto_a_held_slot_is_slot_already_claimed(repo: BookingRepository) -> None:
    old = booking("bk-1", status=S.CONFIRMED)
    create(repo, old)
    create(repo, booking("bk-9", owner="owner-b", start=NINE + timedelta(hours=1)))
    new = booking("bk-2", start=NINE + timedelta(hours=1), status=S.CONFIRMED)
    with pytest.raises(outcome.SlotAlreadyClaimed):
        repo.reschedule(old, new, "owner", repo.ledger("owner-a"), NOW, UNMARKED)
    stored = repo.get("bk-1")
    assert stored is not None
    assert stored.status == "confirmed"


def test_expire_sweeps_a_lapsed_hold_once_and_frees_its_slot(repo: BookingRepository) -> None:
    item = booking()
    create(repo, item)
    assert repo.lapsed_hold_ids(NOW) == []
    assert repo.lapsed_hold_ids(NOW + HOLD) == ["bk-1"]
    assert repo.expire(item, NOW + HOLD, UNMARKED) is True
    stored = repo.get("bk-1")
    assert stored is not None
    assert stored.status == "expired"
    assert repo.expire(item, NOW + HOLD, UNMARKED) is False
    assert repo.lapsed_hold_ids(NOW + HOLD) == []
    create(repo, booking("bk-2", owner="owner-b"), now=NOW + HOLD)


def test_pages_run_newest_start_first_per_side(repo: BookingRepository) -> None:
    for n in range(3):
        create(repo, booking(f"bk-{n}", start=NINE + timedelta(hours=n)))
    first, after = repo.page("owner", "owner-a", None, 2)
    assert [b.booking_id for b in first] == ["bk-2", "bk-1"]
    assert after is not None
    rest, end = repo.page("owner", "owner-a", after, 2)
    assert ([b.booking_id for b in rest], end) == (["bk-0"], None)
    assert len(repo.page("consultant", "vet-a", None, 10)[0]) == 3
    assert repo.page("owner", "owner-b", None, 10) == ([], None)


def test_owner_bookings_since_leaves_out_older_and_other_owners(repo: BookingRepository) -> None:
    create(repo, booking("bk-1"))
    create(repo, booking("bk-2", start=NINE + timedelta(days=3)))
    create(repo, booking("bk-3", owner="owner-b", start=NINE + timedelta(hours=1)))
    since = repo.owner_bookings_since("owner-a", NINE + timedelta(days=1))
    assert [b.booking_id for b in since] == ["bk-2"]


def _marks_of(repo: BookingRepository, booking_id: str) -> tuple[object, ...]:
    stored = repo.get(booking_id)
    assert stored is not None
    return (
        stored.notices,
        stored.notify,
        stored.notify_since,
        stored.remind_bucket,
        stored.remind_at,
        stored.purge_bucket,
        stored.purge_at,
    )


def test_a_created_booking_keeps_the_marks_it_was_born_with(repo: BookingRepository) -> None:
    item = booking(status=S.CONFIRMED)
    marks.born(item, NOW, template="booking_confirmed", tell=("owner", "consultant"))
    create(repo, item)
    remind = NINE - timedelta(minutes=15)  # T-24 h is already past at NOW
    assert _marks_of(repo, "bk-1") == (
        ["1|booking_confirmed|owner,consultant"],
        "1",
        NOW,
        "remind#2026-06-01T05",
        remind,
        None,
        None,
    )


def test_a_change_appends_its_notice_and_keeps_the_oldest_pending_instant(
    repo: BookingRepository,
) -> None:
    item = booking()
    marks.born(item, NOW, template="booking_pending", tell=("owner",))
    create(repo, item)
    later = NOW + timedelta(minutes=5)
    repo.confirm(item, later, marks.transition(item, S.CONFIRMED, later, tell=("owner",)))
    notices, notify, since, bucket, remind, purge_bucket, _ = _marks_of(repo, "bk-1")
    assert notices == ["1|booking_pending|owner", "2|booking_confirmed|owner"]
    assert (notify, since) == ("1", NOW)
    assert (bucket, remind) == ("remind#2026-06-01T05", NINE - timedelta(minutes=15))
    assert purge_bucket is None
    assert [Notice.decode(text).version for text in notices] == [1, 2]


def test_a_finished_booking_loses_its_reminder_and_gets_its_purge_deadline(
    repo: BookingRepository,
) -> None:
    item = booking(status=S.CONFIRMED)
    marks.born(item, NOW, template=None, tell=())
    create(repo, item)
    assert _marks_of(repo, "bk-1")[3] is not None
    repo.cancel(item, "owner", NOW, marks.transition(item, S.CANCELLED, NOW, tell=("consultant",)))
    deadline = item.end + timedelta(days=730)
    assert _marks_of(repo, "bk-1") == (
        ["2|booking_cancelled|consultant"],
        "1",
        NOW,
        None,
        None,
        f"purge#{deadline:%Y-%m-%dT%H}",
        deadline,
    )


def test_advance_and_expire_write_their_marks(repo: BookingRepository) -> None:
    started = booking("bk-1", status=S.CONFIRMED)
    create(repo, started)
    repo.advance(
        started, S.NO_SHOW, NINE, marks.transition(started, S.NO_SHOW, NINE, tell=("owner",))
    )
    assert _marks_of(repo, "bk-1")[0] == ["2|booking_no_show|owner"]
    assert _marks_of(repo, "bk-1")[6] == started.end + timedelta(days=730)
    lapsed = booking("bk-2", owner="owner-b", start=NINE + timedelta(hours=1))
    create(repo, lapsed)
    at = NOW + HOLD
    assert repo.expire(lapsed, at, marks.transition(lapsed, S.EXPIRED, at, tell=("owner",)))
    notices, _, since, *_rest, purge_at = _marks_of(repo, "bk-2")
    assert (notices, since, purge_at) == (
        ["2|booking_expired|owner"],
        at,
        lapsed.end + timedelta(days=730),
    )


def test_a_reschedule_marks_the_old_booking_without_a_notice_and_keeps_the_new_ones(
    repo: BookingRepository,
) -> None:
    old = booking("bk-1", status=S.CONFIRMED)
    create(repo, old)
    new = booking("bk-2", start=NINE + timedelta(hours=1), status=S.CONFIRMED)
    marks.born(new, NOW, template="booking_rescheduled", tell=("consultant",))
    cancelled = marks.transition(old, S.CANCELLED, NOW, tell=())
    repo.reschedule(old, new, "owner", repo.ledger("owner-a"), NOW, cancelled)
    notices, notify, _, bucket, _, _, purge_at = _marks_of(repo, "bk-1")
    assert (notices, notify, bucket, purge_at) == (None, None, None, old.end + timedelta(days=730))
    assert _marks_of(repo, "bk-2")[:3] == (["1|booking_rescheduled|consultant"], "1", NOW)
