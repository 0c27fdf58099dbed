"""`record_listing`: one entry per user shown on a page, written in one batch per
`MAX_BATCH` users, rebuilt on the new heads when another append wins the race."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from chalicelib.access_log import service
from chalicelib.access_log.entries import Entry, broken_at
from tests.unit.access_log.fakes import InMemoryAccessLog

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class CountingLog(InMemoryAccessLog):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def append_many(self, entries: Sequence[Entry]) -> None:
        self.batches.append([e.subject_id for e in entries])
        super().append_many(entries)


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> CountingLog:
    chosen = CountingLog()
    monkeypatch.setattr(service, "repository", chosen)
    return chosen


def _list(shown: list[tuple[str, str]]) -> None:
    service.record_listing(shown, actor_role="consultant", action="list_bookings", now=NOW)


def test_each_owner_gets_one_entry_naming_their_items_in_page_order(log: CountingLog) -> None:
    _list([("u-a", "booking/b2"), ("u-b", "booking/b3"), ("u-a", "booking/b1")])
    assert log.batches == [["u-a", "u-b"]]
    [anna] = log.entries("u-a")
    assert (anna.actor_role, anna.action, anna.resource) == (
        "consultant",
        "list_bookings",
        "booking/b2, booking/b1",
    )
    assert [e.resource for e in log.entries("u-b")] == ["booking/b3"]


def test_an_empty_page_writes_nothing(log: CountingLog) -> None:
    _list([])
    assert log.batches == []


def test_owners_beyond_a_batch_go_in_the_next_one(
    log: CountingLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_BATCH", 2)
    _list([(f"u-{n}", f"booking/b{n}") for n in range(5)])
    assert log.batches == [["u-0", "u-1"], ["u-2", "u-3"], ["u-4"]]


def test_a_batch_that_loses_a_race_is_rebuilt_on_the_new_heads(
    log: CountingLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = log.append_many

    def racing(entries: Sequence[Entry]) -> None:
        if len(log.batches) == 0:  # another writer appends to u-b first
            service.consultant_read("u-b", "booking/b9", NOW)
        original(entries)

    monkeypatch.setattr(log, "append_many", racing)
    _list([("u-a", "booking/b1"), ("u-b", "booking/b2")])
    assert len(log.batches) == 2  # the first lost: nothing of it was kept
    assert [e.resource for e in log.entries("u-a")] == ["booking/b1"]
    bob = log.entries("u-b")
    assert [(e.sequence, e.resource) for e in bob] == [(1, "booking/b9"), (2, "booking/b2")]
    assert broken_at(bob) is None
