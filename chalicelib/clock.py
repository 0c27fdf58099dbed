"""The injected clock: services take `now`, handlers ask the clock once per request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def to_rfc3339(instant: datetime) -> str:
    """An instant as RFC 3339 in UTC with a `Z` suffix and second precision."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
