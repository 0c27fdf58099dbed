"""Access-log use cases. `record_access` is the hook other capabilities call when someone
other than the user touches the user's data: a consultant reading a booking or a
question, an admin action, a lawful disclosure. It costs one query and one conditional
write; a concurrent append makes it rebuild on the new head, so the chain stays linear.
`record_listing` is its counterpart for a page of many users' items (a consultant's
list, a support queue): one entry per user shown, all in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial

from chalicelib.access_log.entries import (
    CONSULTANT_ROLE,
    MAX_BATCH,
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


@dataclass(frozen=True)
class Access:
    """What someone other than the subject did: by role, to which resource, why, and (a
    disclosure) for whom."""

    actor_role: str
    action: str
    resource: str
    reason: str | None = None
    recipient: str | None = None


def _on_head(subject_id: str, access: Access, at: datetime) -> Entry:
    """The entry of ``access`` after the subject's current head."""
    return next_entry(repository.head(subject_id), subject_id, at=at, **asdict(access))


def _entries(accesses: Sequence[tuple[str, Access]], at: datetime) -> list[Entry]:
    return [_on_head(subject_id, access, at) for subject_id, access in accesses]


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
    access = Access(actor_role, action, resource, reason, recipient)
    append_with_retries(
        lambda: _on_head(subject_id, access, at),
        repository.append,
        conflict=LogConflict,
        attempts=LEDGER_APPEND_RETRIES,
    )


def record_listing(
    shown: Iterable[tuple[str, str]], *, actor_role: str, action: str, now: datetime
) -> None:
    """Someone other than the owners saw a page of items, given as (owner id, resource)
    pairs: each owner gets one entry whose resource names their items on the page, in page
    order (``"booking/bk_1, booking/bk_2"``). One head query per owner, then one
    transaction per `MAX_BATCH` owners; a concurrent append rebuilds that batch."""
    resources: dict[str, list[str]] = {}
    for subject_id, resource in shown:
        listed = resources.setdefault(subject_id, [])
        if resource not in listed:
            listed.append(resource)
    accesses = [(s, Access(actor_role, action, ", ".join(r))) for s, r in resources.items()]
    for start in range(0, len(accesses), MAX_BATCH):
        append_with_retries(
            partial(_entries, accesses[start : start + MAX_BATCH], now),
            repository.append_many,
            conflict=LogConflict,
            attempts=LEDGER_APPEND_RETRIES,
        )


def consultant_read(owner_id: str, resource: str, now: datetime) -> None:
    """A consultant read one of the owner's items (a booking, a question thread)."""
    record_access(owner_id, actor_role=CONSULTANT_ROLE, action="read", resource=resource, now=now)


def consultant_listed(shown: Iterable[tuple[str, str]], action: str, now: datetime) -> None:
    """A consultant saw a page of their clients' items, as (owner id, resource) pairs."""
    record_listing(shown, actor_role=CONSULTANT_ROLE, action=action, now=now)


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
