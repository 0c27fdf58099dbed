"""The access log's share of a user's data: exported whole; erased with the account (the
log exists for the user, so nothing of it is kept)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.access_log import service
from chalicelib.clock import to_rfc3339
from chalicelib.privacy.holders import Subject


class AccessLogHolder:
    models = ("AccessLogEntry",)

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {
            "access_log": [
                {
                    "sequence": e.sequence,
                    "at": to_rfc3339(e.at),
                    "actor_role": e.actor_role,
                    "action": e.action,
                    "resource": e.resource,
                    "reason": e.reason,
                    "recipient": e.recipient,
                    "previous_hash": e.previous_hash,
                    "hash": e.entry_hash,
                }
                for e in service.repository.entries(subject.user_id)
            ]
        }

    def erase(self, subject: Subject, now: datetime) -> None:
        service.repository.delete_all(subject.user_id)


access_log = AccessLogHolder()
