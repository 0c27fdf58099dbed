"""Slots and bookings across time zones, the date line and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.bookings import service
from chalicelib.notifications.outbox import OutboxMessage
from tests.unit.booking_world import KYIV_MONDAY_9, World


def test_honolulu_owner_books_kyiv_vet_across_the_date_line(world: World) -> None:
    # The owner's Sunday 31 May in Honolulu (UTC-10) ...
    status, slots = world.call(
        "GET",
        "/v1/consultants/vet-a/slots?from=2026-05-31T00:00:00-10:00&to=2026-06-01T00:00:00-10:00",
    )
    assert status == 200
    starts = [s["start"] for s in slots["items"]]
    # ... holds the vet's Monday morning in Kyiv: 09:00-12:00 EEST = 06:00-09:00Z.
    assert starts[0] == KYIV_MONDAY_9
    assert starts[-1] == "2026-06-01T08:30:00Z"
    assert len(starts) == 6
    status, created = world.book("owner_a", KYIV_MONDAY_9)
    assert status == 201
    service.bookings.confirm_booking(created["id"], datetime.now(UTC))
    mail = {
        who: OutboxMessage.get(next(iter(OutboxMessage.by_recipient.query(who))).message_id)
        for who in ("owner-a", "vet-a")
    }
    assert "31 May 2026, 20:00" in mail["owner-a"].body  # Sunday evening in Honolulu
    assert "Pacific/Honolulu" in mail["owner-a"].body
    assert "1 червня 2026, 09:00" in mail["vet-a"].body  # Monday morning in Kyiv


@pytest.mark.parametrize(
    ("zone", "week", "before", "after"),
    [
        ("Europe/Kyiv", ("03-23", "03-31"), "2026-03-27T07:00:00Z", "2026-03-30T06:00:00Z"),
        ("Europe/Kyiv", ("10-19", "10-27"), "2026-10-23T06:00:00Z", "2026-10-26T07:00:00Z"),
        ("America/New_York", ("03-02", "03-10"), "2026-03-06T14:00:00Z", "2026-03-09T13:00:00Z"),
        ("America/New_York", ("10-26", "11-03"), "2026-10-30T13:00:00Z", "2026-11-02T14:00:00Z"),
    ],
)
def test_slots_keep_the_wall_clock_across_dst(
    world: World, zone: str, week: tuple[str, str], before: str, after: str
) -> None:
    world.clock.move_to(datetime(2026, 1, 1, tzinfo=UTC))
    hours = {
        "timezone": zone,
        "weekly": [{"weekday": d, "start": "09:00", "end": "09:30"} for d in (1, 5)],
    }
    assert world.call("PUT", "/v1/vet/availability", "vet_a", hours)[0] == 200
    query = f"from=2026-{week[0]}T00:00:00Z&to=2026-{week[1]}T00:00:00Z"
    status, slots = world.call("GET", f"/v1/consultants/vet-a/slots?{query}")
    assert status == 200, slots
    starts = [s["start"] for s in slots["items"]]
    assert before in starts  # Friday 09:00 before the change
    assert after in starts  # Monday 09:00 after the change
    assert world.book("owner_a", after)[0] == 201
