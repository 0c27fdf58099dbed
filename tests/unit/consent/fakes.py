"""An in-memory `ConsentRepository`, held to the same contract suite as the adapter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.consent.errors import ChainConflict
from chalicelib.consent.service import (
    MARKETING,
    Acknowledge,
    Change,
    ConsentState,
    Event,
    SetConsent,
    SetRestriction,
)


class InMemoryConsentRepository:
    def __init__(self) -> None:
        self._events: dict[str, dict[int, Event]] = {}
        self._consents: dict[str, dict[str, ConsentState]] = {}
        self._restricted: dict[str, bool] = {}
        self._acknowledged: set[tuple[str, str]] = set()

    def head(self, subject: str) -> Event | None:
        events = self._events.get(subject, {})
        return events[max(events)] if events else None

    def events(self, subject: str) -> list[Event]:
        events = self._events.get(subject, {})
        return [events[n] for n in sorted(events)]

    def append(self, events: Sequence[Event], changes: Sequence[Change], now: datetime) -> None:
        if not events:
            return
        subject = events[0].subject
        stored = self._events.setdefault(subject, {})
        if any(e.sequence in stored for e in events):
            raise ChainConflict()
        for event in events:
            stored[event.sequence] = event
        for change in changes:
            if isinstance(change, SetConsent):
                self._consents.setdefault(subject, {})[change.purpose] = ConsentState(
                    change.purpose, change.granted, now, change.policy_version
                )
            elif isinstance(change, SetRestriction):
                self._restricted[subject] = change.restricted
            elif isinstance(change, Acknowledge):
                self._acknowledged.add((subject, change.version))

    def consents(self, subject: str) -> dict[str, ConsentState]:
        return dict(self._consents.get(subject, {}))

    def restricted(self, subject: str) -> bool:
        return self._restricted.get(subject, False)

    def acknowledged(self, subject: str, version: str) -> bool:
        return (subject, version) in self._acknowledged

    def marketing_audience(self) -> list[str]:
        return sorted(
            subject
            for subject, states in self._consents.items()
            if MARKETING in states and states[MARKETING].granted
        )
