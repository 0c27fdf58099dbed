"""One contract for the `AccessLogRepository` port: the PynamoDB adapter (on moto) and the
in-memory fake must behave the same."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.access_log import service
from chalicelib.access_log.entries import (
    MAX_BATCH,
    AccessLogRepository,
    Entry,
    broken_at,
    next_entry,
)
from chalicelib.access_log.errors import LogConflict
from chalicelib.access_log.repository import DynamoAccessLog
from tests.unit.access_log.fakes import InMemoryAccessLog

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ANNA = "u-anna"


@pytest.fixture(params=["dynamodb", "in-memory"])
def repository(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AccessLogRepository:
    if request.param == "dynamodb":
        request.getfixturevalue("aws")
        chosen: AccessLogRepository = DynamoAccessLog()
    else:
        chosen = InMemoryAccessLog()
    monkeypatch.setattr(service, "repository", chosen)
    return chosen


def _record(n: int, subject: str = ANNA) -> None:
    for i in range(n):
        service.record_access(
            subject,
            actor_role="vet",
            action="read",
            resource=f"booking/b-{i}",
            now=NOW + timedelta(minutes=i),
        )


def test_entries_chain_in_order_and_the_head_is_the_last(
    repository: AccessLogRepository,
) -> None:
    assert repository.head(ANNA) is None
    _record(3)
    entries = repository.entries(ANNA)
    assert [e.sequence for e in entries] == [1, 2, 3]
    assert [e.resource for e in entries] == ["booking/b-0", "booking/b-1", "booking/b-2"]
    assert entries[1].previous_hash == entries[0].entry_hash
    assert repository.head(ANNA) == entries[-1]
    assert broken_at(entries) is None
    assert repository.entries("u-other") == []


def test_an_append_on_a_taken_sequence_fails_and_changes_nothing(
    repository: AccessLogRepository,
) -> None:
    first = next_entry(
        None,
        ANNA,
        at=NOW,
        actor_role="vet",
        action="read",
        resource="a",
        reason=None,
        recipient=None,
    )
    racing = next_entry(
        None,
        ANNA,
        at=NOW,
        actor_role="admin",
        action="read",
        resource="b",
        reason="x",
        recipient=None,
    )
    repository.append(first)
    with pytest.raises(LogConflict):
        repository.append(racing)
    assert repository.entries(ANNA) == [first]


def test_a_writer_on_a_stale_head_rebuilds_and_the_chain_stays_linear(
    repository: AccessLogRepository,
) -> None:
    stale = repository.head(ANNA)
    _record(1)
    late = next_entry(
        stale,
        ANNA,
        at=NOW,
        actor_role="vet",
        action="read",
        resource="late",
        reason=None,
        recipient=None,
    )
    with pytest.raises(LogConflict):
        repository.append(late)
    _record(1)
    entries = repository.entries(ANNA)
    assert [e.sequence for e in entries] == [1, 2]
    assert broken_at(entries) is None


def test_pages_run_newest_first_and_end(repository: AccessLogRepository) -> None:
    _record(5)
    first = repository.page(ANNA, None, 2)
    assert [e.sequence for e in first.entries] == [5, 4]
    second = repository.page(ANNA, first.before, 2)
    assert [e.sequence for e in second.entries] == [3, 2]
    last = repository.page(ANNA, second.before, 2)
    assert [e.sequence for e in last.entries] == [1]
    assert last.before is None
    exact = repository.page(ANNA, None, 5)
    assert len(exact.entries) == 5
    assert exact.before is None


def test_an_altered_entry_breaks_the_chain_at_its_place(repository: AccessLogRepository) -> None:
    _record(3)
    entries = repository.entries(ANNA)
    altered = [entries[0], dataclasses.replace(entries[1], actor_role="owner"), entries[2]]
    assert broken_at(altered) == 2
    assert broken_at([entries[0], entries[2]]) == 2
    assert service.verify(ANNA) == service.Verification(True, 3, None)


def test_delete_all_removes_only_the_subject(repository: AccessLogRepository) -> None:
    _record(2)
    _record(1, subject="u-bob")
    assert repository.delete_all(ANNA) == 2
    assert repository.entries(ANNA) == []
    assert len(repository.entries("u-bob")) == 1


def _entry_for(subject: str, resource: str) -> Entry:
    return next_entry(
        None,
        subject,
        at=NOW,
        actor_role="consultant",
        action="list_bookings",
        resource=resource,
        reason=None,
        recipient=None,
    )


def test_a_batch_is_stored_whole_or_not_at_all(repository: AccessLogRepository) -> None:
    anna, bob = _entry_for(ANNA, "booking/b-1"), _entry_for("u-bob", "booking/b-2")
    repository.append_many([anna, bob])
    assert (repository.entries(ANNA), repository.entries("u-bob")) == ([anna], [bob])
    carol = _entry_for("u-carol", "booking/b-3")
    with pytest.raises(LogConflict):
        repository.append_many([carol, _entry_for(ANNA, "booking/b-4")])  # 1 is taken
    assert repository.entries("u-carol") == []
    assert repository.entries(ANNA) == [anna]


def test_a_full_batch_is_one_write(repository: AccessLogRepository) -> None:
    batch = [_entry_for(f"u-{n}", f"booking/b-{n}") for n in range(MAX_BATCH)]
    repository.append_many(batch)
    assert [repository.head(f"u-{n}") for n in range(MAX_BATCH)] == batch
