"""The user's own privacy requests, for export and erasure
(`chalicelib/privacy/registry.py`): data exports (with their documents in the exports
bucket). The erasure request is not erased here: the erasure job anonymises it last,
once the deletion receipt is out (`chalicelib/privacy/erasure.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.privacy import exports
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.models import ExportRequest
from chalicelib.privacy.records import records


class PrivacyRequests:
    models = ("ExportRequest", "ErasureRequest")

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {"exports": records(ExportRequest.query(subject.user_id, consistent_read=True))}

    def erase(self, subject: Subject, now: datetime) -> None:
        for request in ExportRequest.query(subject.user_id, consistent_read=True):
            exports.remove(request)


privacy_requests = PrivacyRequests()
