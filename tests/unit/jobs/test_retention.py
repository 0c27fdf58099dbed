"""The retention sweep (P9) removes exactly what expired, through the time-bucket index:
it queries only the hour buckets from its checkpoint to now, so what it reads does not
grow with what is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.accounts import code_store
from chalicelib.accounts.models import AuthCode
from chalicelib.bookings.models import Booking, Question, QuestionMessage
from chalicelib.config import BOOKING_RETENTION, QUESTION_RETENTION
from chalicelib.consultants.models import SlotClaim
from chalicelib.jobs import checkpoints, registry, retention
from chalicelib.jobs.checkpoints import JobCheckpoint
from chalicelib.notifications import chatlinks
from chalicelib.notifications.chatlinks import ChatLinkToken
from chalicelib.store import expiry
from chalicelib.store.expiry import PurgeDue
from tests.unit.booking_world import NOW, TORONTO_MONDAY_9, World


def _hourly_until(at: datetime) -> dict[str, int]:
    """The sweep at ``at`` after hourly runs that found nothing: their checkpoint."""
    checkpoints.advance(retention.JOB, at - timedelta(hours=2))
    return retention.run(at)


def _ask(world: World, text: str) -> str:
    body = {"consultant_id": "vet-b", "pet_id": world.pets["owner_a"], "text": text}
    status, question = world.call("POST", "/v1/questions", "owner_a", body)
    assert status == 201, question
    return str(question["id"])


def test_retention_removes_exactly_the_expired_items(world: World) -> None:
    # A completed booking, and one still open.
    _, done = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b", key="k-done")
    _, open_ = world.book("owner_a", "2026-06-02T13:00:00Z", consultant="vet_b", key="k-open")
    world.clock.move_to(datetime(2026, 6, 1, 13, 0, tzinfo=UTC))
    assert world.call("POST", f"/v1/bookings/{done['id']}/start", "vet_b")[0] == 200
    assert world.call("POST", f"/v1/bookings/{done['id']}/complete", "vet_b")[0] == 200
    # Two threads: one quiet since its first message, one answered later.
    world.clock.move_to(NOW)
    quiet, answered = _ask(world, "first"), _ask(world, "second")
    world.clock.move_to(NOW + timedelta(days=30))
    status, _ = world.call(
        "POST", f"/v1/questions/{answered}/messages", "vet_b", {"text": "answer"}
    )
    assert status == 201
    # Short-lived items: a used-up code and a chat-link token, and a code still valid.
    code_store.issue("owner-a", "reset", NOW, timedelta(minutes=30))
    code_store.issue("owner-b", "verify", NOW + timedelta(days=760), timedelta(days=1))
    chatlinks.new_token("owner-a", "telegram", NOW)

    end = datetime(2026, 6, 1, 13, 45, tzinfo=UTC)
    quiet_ends, booking_ends = NOW + QUESTION_RETENTION, end + BOOKING_RETENTION
    first = _hourly_until(NOW + timedelta(hours=2))
    claims = [_hourly_until(datetime(2026, 6, day, 14, tzinfo=UTC)) for day in (3, 4)]
    at_question = _hourly_until(quiet_ends + timedelta(hours=1))
    later = booking_ends + timedelta(hours=1)
    at_booking = _hourly_until(later)
    assert (first["purged_auth_codes"], first["purged_chat_link_tokens"]) == (1, 1)
    assert first["purged_slot_claims"] == first["purged_bookings"] == 0
    assert [c["purged_slot_claims"] for c in claims] == [1, 1]  # two days after each slot
    assert at_question["purged_questions"] == sum(at_question.values()) == 1
    assert at_booking["purged_bookings"] == sum(at_booking.values()) == 1
    assert [b.booking_id for b in Booking.scan()] == [open_["id"]]
    assert [q.question_id for q in Question.scan()] == [answered]
    assert {m.question_id for m in QuestionMessage.scan()} == {answered}
    assert [(c.user_id, c.purpose) for c in AuthCode.scan()] == [("owner-b", "verify")]
    assert list(ChatLinkToken.scan()) == []
    assert list(SlotClaim.scan()) == []  # both slots are long past (claims live 2 days)
    assert quiet not in {q.question_id for q in Question.scan()}
    assert sum(retention.run(later + timedelta(hours=1)).values()) == 0


def test_a_finished_booking_is_kept_until_its_retention_ends(world: World) -> None:
    _, booking = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    world.call("POST", f"/v1/bookings/{booking['id']}/cancel", "owner_a")
    stored = Booking.get(booking["id"])
    assert stored.purge_at == datetime(2026, 6, 1, 13, 45, tzinfo=UTC) + BOOKING_RETENTION
    assert _hourly_until(stored.purge_at - timedelta(minutes=1))["purged_bookings"] == 0
    assert retention.run(stored.purge_at)["purged_bookings"] == 1


class _Reads:
    """Records each bucket Query of the purge-due index and the keys it returned."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.buckets: list[str] = []
        self.keys = 0
        real = PurgeDue.query

        def query(index: Any, bucket: str, **kwargs: Any) -> Any:
            self.buckets.append(bucket)
            for key in real(index, bucket, **kwargs):
                self.keys += 1
                yield key

        monkeypatch.setattr(PurgeDue, "query", query)


def _seed_tokens(count: int, first: datetime, spread: timedelta) -> None:
    with ChatLinkToken.batch_write() as batch:
        for i in range(count):
            at = first + spread * i / max(count, 1)
            item = ChatLinkToken(
                f"seed-{first.isoformat()}-{i}",
                user_id="u",
                channel="telegram",
                expires_at=at,
                expires=at,
            )
            batch.save(expiry.schedule_purge(item, at))


def test_the_sweep_reads_only_due_buckets_whatever_the_table_holds(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2027, 3, 1, 10, 30, tzinfo=UTC)
    runs = []
    for stored in (50, 500):
        JobCheckpoint(retention.JOB).delete()
        checkpoints.advance(retention.JOB, datetime(2027, 3, 1, 7, tzinfo=UTC))
        _seed_tokens(3, now - timedelta(minutes=50), timedelta(minutes=30))  # due
        _seed_tokens(stored, now + timedelta(minutes=1), timedelta(days=60))  # not yet due
        reads = _Reads(monkeypatch)
        counts = retention.run(now)
        runs.append((reads.buckets, reads.keys, counts["purged_chat_link_tokens"]))
        monkeypatch.undo()
    (buckets_small, keys_small, purged_small), (buckets_large, keys_large, purged_large) = runs
    hours = ["2027-03-01T07", "2027-03-01T08", "2027-03-01T09", "2027-03-01T10"]
    assert buckets_small == buckets_large  # the same Queries for 10x the items
    assert sorted(set(buckets_small)) == [f"purge#{h}" for h in hours]
    assert keys_small == keys_large == 3  # only the due items were read
    assert purged_small == purged_large == 3


def test_a_run_logs_one_summary_line_with_its_counts(aws: None, log_output: Any) -> None:
    counts = registry.run("retention", NOW)
    lines = [line for line in log_output.getvalue().splitlines() if "job finished" in line]
    assert len(lines) == 1
    assert '"job":"retention"' in lines[0].replace(" ", "")
    assert all(f'"{name}":0' in lines[0].replace(" ", "") for name in counts)
