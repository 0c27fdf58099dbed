"""A repository seam for races: another request runs, start to finish, at a chosen
moment inside this one (after its reads, before its transaction)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.bookings.models import Booking
from chalicelib.bookings.repository import BookingRepository, Ledger


class Interleaved:
    """Delegates to ``inner``; the first ``create`` (or first ledger read) runs
    ``meanwhile`` once before going on, as a concurrent request would."""

    def __init__(
        self, inner: BookingRepository, meanwhile: Callable[[], Any], *, at: str = "create"
    ) -> None:
        self.inner = inner
        self.at = at
        self.pending: Callable[[], Any] | None = meanwhile
        self.results: list[Any] = []

    def _run_meanwhile(self) -> None:
        run, self.pending = self.pending, None
        if run is not None:
            self.results.append(run())

    def ledger(self, owner_id: str) -> Ledger:
        read = self.inner.ledger(owner_id)
        if self.at == "ledger":
            self._run_meanwhile()
        return read

    def create(self, booking: Booking, ledger: Ledger, now: datetime) -> None:
        if self.at == "create":
            self._run_meanwhile()
        self.inner.create(booking, ledger, now)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
