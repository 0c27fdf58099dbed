"""Access-log use cases. `record_access` is the one hook other capabilities call when
someone other than the user touches the user's data: a consultant reading a booking or
a question, an admin action, a lawful disclosure. It costs one query and one conditional
write; a concurrent append makes it rebuild on the new head, so the chain stays linear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.access_log.entries import (
    CONSULTANT_ROLE,
    AccessLogRepository,
    Entry,
    broken_at,
    next_entry,
)
from chalicelib.access_log.errors import LogConflict
from chalicelib.access_log.repository import DynamoAccessLog
from chalicelib.config import LEDGER_APPEND_RETRIES
from chalicelib.hashchain import append_with_retries
from chalicelib.store import cursors

repository: AccessLogRepository = DynamoAccessLog()


@dataclass(frozen=True)
class Verification:
    valid: bool
    entries: int
    broken_at: int | None


def record_access(
    subject_id: str,
    *,
    actor_role: str,
    action: str,
    resource: str,
    reason: str | None = None,
    recipient: str | None = None,
    now: datetime | None = None,
) -> None:
    """Append one entry to ``subject_id``'s access log."""
    at = now or datetime.now(UTC)

    def build() -> Entry:
        return next_entry(
            repository.head(subject_id),
            subject_id,
            at=at,
            actor_role=actor_role,
            action=action,
            resource=resource,
            reason=reason,
            recipient=recipient,
        )

    append_with_retries(
        build, repository.append, conflict=LogConflict, attempts=LEDGER_APPEND_RETRIES
    )


def consultant_read(owner_id: str, resource: str, now: datetime) -> None:
    """A consultant read one of the owner's items (a booking, a question thread)."""
    record_access(owner_id, actor_role=CONSULTANT_ROLE, action="read", resource=resource, now=now)


def page(subject_id: str, cursor: str | None, limit: int) -> tuple[list[Entry], str | None]:
    """The subject's entries, newest first, and the cursor of the next page."""
    scope = f"access-log:{subject_id}"
    before = int(cursors.decode(cursor, scope)) if cursor else None
    found = repository.page(subject_id, before, limit)
    return found.entries, cursors.encode(found.before, scope) if found.before else None


def verify(subject_id: str) -> Verification:
    """Recompute the subject's chain from storage."""
    entries = repository.entries(subject_id)
    broken = broken_at(entries)
    return Verification(broken is None, len(entries), broken)
