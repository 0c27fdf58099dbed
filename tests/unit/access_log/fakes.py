"""An in-memory `AccessLogRepository`, held to the same contract suite as the adapter."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.access_log.entries import Entry, Page
from chalicelib.access_log.errors import LogConflict


class InMemoryAccessLog:
    def __init__(self) -> None:
        self._entries: dict[str, dict[int, Entry]] = {}

    def head(self, subject_id: str) -> Entry | None:
        entries = self._entries.get(subject_id, {})
        return entries[max(entries)] if entries else None

    def append(self, entry: Entry) -> None:
        stored = self._entries.setdefault(entry.subject_id, {})
        if entry.sequence in stored:
            raise LogConflict()
        stored[entry.sequence] = entry

    def append_many(self, entries: Sequence[Entry]) -> None:
        if any(e.sequence in self._entries.get(e.subject_id, {}) for e in entries):
            raise LogConflict()
        for entry in entries:
            self.append(entry)

    def page(self, subject_id: str, before: int | None, limit: int) -> Page:
        entries = self._entries.get(subject_id, {})
        newest_first = [
            entries[n] for n in sorted(entries, reverse=True) if before is None or n < before
        ]
        items = newest_first[:limit]
        more = len(newest_first) > limit
        return Page(items, items[-1].sequence if more else None)

    def entries(self, subject_id: str) -> list[Entry]:
        entries = self._entries.get(subject_id, {})
        return [entries[n] for n in sorted(entries)]

    def delete_all(self, subject_id: str) -> int:
        return len(self._entries.pop(subject_id, {}))
