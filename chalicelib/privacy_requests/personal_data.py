"""Privacy requests' share of a user's data: every thread is exported and, at erasure,
deleted (the erasure itself is recorded by the erasure request)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.privacy.holders import Subject
from chalicelib.privacy.records import delete_all, records
from chalicelib.privacy_requests import service


class PrivacyRequestHolder:
    models = ("PrivacyRequest",)

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {"privacy_requests": records(service.of_user(subject.user_id))}

    def erase(self, subject: Subject, now: datetime) -> None:
        delete_all(service.of_user(subject.user_id))


privacy_requests = PrivacyRequestHolder()
