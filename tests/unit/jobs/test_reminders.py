"""Reminders T-24 h and T-15 min before a confirmed consultation: each sent once, to both
sides, in each recipient's language and zone, however often (or concurrently) the job
runs; a cancelled booking gets none."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.bookings.models import Booking
from chalicelib.jobs import reminders
from chalicelib.notifications.outbox import OutboxMessage
from tests.unit.booking_world import NOW, TORONTO_MONDAY_9, World

START = datetime(2026, 6, 1, 13, 0, tzinfo=UTC)  # TORONTO_MONDAY_9, Dr. Tom (free)
DAY_BEFORE, SOON = START - timedelta(hours=24), START - timedelta(minutes=15)


def _reminders(user_id: str) -> list[OutboxMessage]:
    keys = OutboxMessage.by_recipient.query(user_id)
    found = [OutboxMessage.get(k.message_id) for k in keys]
    return sorted(
        (m for m in found if m.template == "booking_reminder"), key=lambda m: m.created_at
    )


def _reminder_mails() -> int:
    """E-mails that actually left through SES with a reminder subject (en, ru)."""
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    subjects = [getattr(m, "subject", "") for m in sent]
    return sum(s.startswith(("Reminder:", "Напоминание:")) for s in subjects)


def _book(world: World) -> str:
    status, body = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    assert (status, body["status"]) == (201, "confirmed")
    return str(body["id"])


def test_each_reminder_is_sent_once_in_each_sides_language_and_zone(world: World) -> None:
    _book(world)
    assert reminders.run(DAY_BEFORE - timedelta(minutes=1))["reminders_sent"] == 0
    assert reminders.run(DAY_BEFORE)["reminders_sent"] == 1
    assert reminders.run(DAY_BEFORE + timedelta(minutes=1))["reminders_sent"] == 0
    (to_owner,) = _reminders("owner-a")
    (to_vet,) = _reminders("vet-b")
    assert to_owner.status == to_vet.status == "sent"
    assert "1 June 2026, 03:00" in to_owner.body  # Honolulu, English
    assert "1 июня 2026, 09:00" in to_vet.body  # Toronto, Russian
    assert reminders.run(SOON)["reminders_sent"] == 1
    assert reminders.run(SOON)["reminders_sent"] == 0
    assert reminders.run(START + timedelta(hours=1))["reminders_sent"] == 0
    assert len(_reminders("owner-a")) == len(_reminders("vet-b")) == 2


def test_concurrent_runs_send_each_reminder_once(world: World) -> None:
    booking_id = _book(world)
    with ThreadPoolExecutor(max_workers=6) as pool:
        runs = list(pool.map(lambda _: reminders.run(DAY_BEFORE), range(6)))
    assert len(_reminders("owner-a")) == len(_reminders("vet-b")) == 1
    assert _reminder_mails() == 2
    assert sum(r["reminders_sent"] for r in runs) >= 1
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: reminders.run(SOON + timedelta(minutes=1)), range(6)))
    assert len(_reminders("owner-a")) == len(_reminders("vet-b")) == 2
    assert _reminder_mails() == 4
    assert Booking.get(booking_id).remind_at is None  # nothing more to remind


def test_a_cancelled_booking_gets_no_reminder(world: World) -> None:
    booking_id = _book(world)
    world.clock.shift(timedelta(minutes=5))
    status, _ = world.call("POST", f"/v1/bookings/{booking_id}/cancel", "owner_a")
    assert status == 200
    for at in (DAY_BEFORE, SOON):
        assert reminders.run(at)["reminders_sent"] == 0
    assert _reminders("owner-a") == _reminders("vet-b") == []
    assert Booking.get(booking_id).remind_at is None


def test_a_late_run_sends_only_the_nearest_reminder(world: World) -> None:
    _book(world)
    assert reminders.run(SOON + timedelta(minutes=5)) == {
        "reminders_sent": 1,
        "reminders_skipped": 0,
    }
    assert len(_reminders("owner-a")) == 1
    assert reminders.run(START - timedelta(minutes=1))["reminders_sent"] == 0


def test_a_booking_confirmed_inside_a_day_gets_only_the_short_reminder(world: World) -> None:
    world.clock.move_to(NOW + timedelta(hours=2))  # past T-24 h already
    _book(world)
    assert reminders.run(DAY_BEFORE + timedelta(hours=2))["reminders_sent"] == 0
    assert reminders.run(SOON)["reminders_sent"] == 1
    assert len(_reminders("owner-a")) == 1
