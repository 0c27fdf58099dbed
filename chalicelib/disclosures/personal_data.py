"""The disclosure trail's share of a user's data: the disclosures of the user's data are
exported; at erasure the entries stay, as the law requires a record of each disclosure,
but lose the user id and the salt that linked them to the user."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import to_rfc3339
from chalicelib.disclosures import repository
from chalicelib.privacy.holders import Subject


class DisclosureHolder:
    models = ("Disclosure",)

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {
            "disclosures": [
                {
                    "id": item.disclosure_id,
                    "at": to_rfc3339(item.at),
                    "recipient": item.recipient,
                    "legal_basis": item.legal_basis,
                    "reference": item.reference,
                    "data_categories": sorted(item.data_categories),
                }
                for item in repository.of_subject(subject.user_id)
            ]
        }

    def erase(self, subject: Subject, now: datetime) -> None:
        repository.anonymise(subject.user_id)


disclosures = DisclosureHolder()
