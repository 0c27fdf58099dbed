"""Who holds a user's personal data: one `PersonalData` holder per capability, each
accounting for some of the inventory's models. Export and erasure walk every holder, and
a test fails when a model with personal data belongs to no holder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Subject:
    """The user whose data is exported or erased, with what a residue scan looks for."""

    user_id: str
    email: str
    role: str
    name: str | None = None
    phone: str | None = None


class PersonalData(Protocol):
    """One capability's share of a user's data."""

    @property
    def models(self) -> tuple[str, ...]:
        """Names of the inventory models (`INVENTORY` keys) this holder accounts for."""
        ...

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        """Every item of the subject, JSON-ready, by section name."""
        ...

    def erase(self, subject: Subject, now: datetime) -> None:
        """Remove or anonymise every item of the subject. Safe to repeat."""
        ...
