"""The owner's pets, for export and erasure (`chalicelib/privacy/registry.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.pets.models import Pet
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.records import delete_all, records


class Pets:
    models = ("Pet",)

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {"pets": records(Pet.query(subject.user_id, consistent_read=True))}

    def erase(self, subject: Subject, now: datetime) -> None:
        delete_all(Pet.query(subject.user_id, consistent_read=True))


pets = Pets()
