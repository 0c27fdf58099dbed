"""A consultant's directory profile and calendar claims, for export and erasure
(`chalicelib/privacy/registry.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.consultants.models import ConsultantProfile, SlotClaim
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.records import delete_all, one, records


class Consultant:
    models = ("ConsultantProfile", "SlotClaim")

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {
            "consultant_profile": records(one(ConsultantProfile, subject.user_id)),
            "slot_claims": records(SlotClaim.query(subject.user_id, consistent_read=True)),
        }

    def erase(self, subject: Subject, now: datetime) -> None:
        delete_all(one(ConsultantProfile, subject.user_id))
        delete_all(SlotClaim.query(subject.user_id, consistent_read=True))


consultant = Consultant()
