"""No notification lost: a booking's notices are committed with the booking; a process
that dies right after the commit leaves them to the notifications job, which delivers
each e-mail exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.bookings import notices
from chalicelib.bookings.models import Booking
from chalicelib.jobs import notifications
from tests.unit.booking_world import NOW, TORONTO_MONDAY_9, World


def _confirmations() -> list[str]:
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    return sorted(
        to
        for m in sent
        if getattr(m, "subject", "").startswith(("Consultation confirmed", "Консультация"))
        for to in m.destinations["ToAddresses"]
    )


def test_a_process_killed_after_the_commit_still_delivers_the_e_mails_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "drain_after_commit", lambda booking_id, now: None)  # dies
    status, body = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    assert (status, body["status"]) == (201, "confirmed")
    monkeypatch.undo()  # the restarted process
    booking = Booking.get(body["id"])
    assert (booking.notify, booking.notices) == ("1", ["1|booking_confirmed|owner,consultant"])
    assert _confirmations() == []

    assert notifications.run(NOW + timedelta(seconds=30))["notices_redriven"] == 0  # sender's turn
    assert notifications.run(NOW + timedelta(minutes=1))["notices_redriven"] == 1
    assert _confirmations() == ["owner-a@example.com", "vet-b@example.com"]
    assert notifications.run(NOW + timedelta(minutes=2))["notices_redriven"] == 0
    assert notices.drain(body["id"], NOW + timedelta(minutes=3)) == 0
    assert _confirmations() == ["owner-a@example.com", "vet-b@example.com"]
    assert Booking.get(body["id"]).notify is None


def test_a_drain_that_dies_midway_is_finished_without_duplicates(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_notify = notices.notify
    calls: list[str] = []

    def dies_after_the_first(*args: object, **kwargs: object) -> object:
        calls.append(str(kwargs["key"]))
        if len(calls) > 1:
            raise RuntimeError("process killed")
        return real_notify(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(notices, "notify", dies_after_the_first)
    world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    monkeypatch.undo()
    assert len(_confirmations()) == 1
    assert notifications.run(NOW + timedelta(minutes=1))["notices_redriven"] == 1
    assert _confirmations() == ["owner-a@example.com", "vet-b@example.com"]


def test_notices_committed_by_successive_changes_are_all_delivered(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "drain_after_commit", lambda booking_id, now: None)
    _, body = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    world.clock.shift(timedelta(minutes=1))
    world.call("POST", f"/v1/bookings/{body['id']}/cancel", "vet_b")
    monkeypatch.undo()
    assert Booking.get(body["id"]).notices == [
        "1|booking_confirmed|owner,consultant",
        "2|booking_cancelled|owner",
    ]
    notifications.run(NOW + timedelta(minutes=5))
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    to_owner = [m.subject for m in sent if m.destinations["ToAddresses"] == ["owner-a@example.com"]]
    assert [s.split(":")[0] for s in to_owner] == [
        "Consultation confirmed",
        "Consultation cancelled",
    ]
