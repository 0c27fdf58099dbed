"""Privacy requests' share of a user's data: every thread is exported and, at erasure,
deleted (the erasure itself is recorded by the erasure request)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import to_rfc3339
from chalicelib.privacy.holders import Subject
from chalicelib.privacy_requests import service
from chalicelib.privacy_requests.models import PrivacyRequest


def _optional(instant: datetime | None) -> str | None:
    return to_rfc3339(instant) if instant else None


def _exported(item: PrivacyRequest) -> dict[str, Any]:
    return {
        "id": item.request_id,
        "kind": item.kind,
        "status": item.status,
        "opened_at": to_rfc3339(item.opened_at),
        "due_at": to_rfc3339(item.due_at),
        "extended_at": _optional(item.extended_at),
        "extension_reason": item.extension_reason,
        "closed_at": _optional(item.closed_at),
        "messages": [
            {"at": to_rfc3339(m.at), "author": m.author, "text": m.text}
            for m in item.messages or []
        ],
    }


class PrivacyRequestHolder:
    models = ("PrivacyRequest",)

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {"privacy_requests": [_exported(i) for i in service.of_user(subject.user_id)]}

    def erase(self, subject: Subject, now: datetime) -> None:
        for item in service.of_user(subject.user_id):
            item.delete()
