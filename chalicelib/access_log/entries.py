"""Access-log entries and their per-user hash chain, free of storage: an entry names the
actor by role (a disclosure also names its recipient), what was done to which resource,
and links to the entry before it, so an entry altered in storage breaks the chain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Protocol

from chalicelib.clock import to_rfc3339
from chalicelib.hashchain import GENESIS, Link, digest, first_break

# How the log names an actor: by role, never by identity.
CONSULTANT_ROLE = "consultant"
SUPPORT_ROLE = "support"  # an admin of the service

# The most entries `append_many` stores at once (DynamoDB's TransactWriteItems limit).
MAX_BATCH = 100


@dataclass(frozen=True)
class Entry:
    subject_id: str
    sequence: int
    at: datetime
    actor_role: str
    action: str
    resource: str
    reason: str | None
    recipient: str | None
    previous_hash: str
    entry_hash: str = ""


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    before: int | None  # the sequence to continue below (newest first); None at the end


class AccessLogRepository(Protocol):
    """The port: one chain of entries per subject."""

    def head(self, subject_id: str) -> Entry | None:
        """The subject's latest entry (consistent read)."""
        ...

    def append(self, entry: Entry) -> None:
        """Store ``entry``; `LogConflict` when its sequence number is taken."""
        ...

    def append_many(self, entries: Sequence[Entry]) -> None:
        """Store ``entries`` (at most `MAX_BATCH`, one per subject) all at once, or none
        and `LogConflict` when any of their sequence numbers is taken."""
        ...

    def page(self, subject_id: str, before: int | None, limit: int) -> Page:
        """Up to ``limit`` entries, newest first, with sequence below ``before``."""
        ...

    def entries(self, subject_id: str) -> list[Entry]:
        """Every entry of the subject, oldest first (consistent read)."""
        ...

    def delete_all(self, subject_id: str) -> int:
        """Remove the subject's entries (erasure); how many there were."""
        ...


def hash_entry(entry: Entry) -> str:
    """SHA-256 of the canonical JSON of every field but the hash itself."""
    fields = asdict(entry)
    fields.pop("entry_hash")
    fields["at"] = to_rfc3339(entry.at)
    return digest(fields)


def next_entry(
    head: Entry | None,
    subject_id: str,
    *,
    at: datetime,
    actor_role: str,
    action: str,
    resource: str,
    reason: str | None,
    recipient: str | None,
) -> Entry:
    """The entry after ``head``, linked to it and hashed."""
    entry = Entry(
        subject_id=subject_id,
        sequence=head.sequence + 1 if head else 1,
        at=at,
        actor_role=actor_role,
        action=action,
        resource=resource,
        reason=reason,
        recipient=recipient,
        previous_hash=head.entry_hash if head else GENESIS,
    )
    return replace(entry, entry_hash=hash_entry(entry))


def broken_at(entries: Sequence[Entry]) -> int | None:
    """The sequence of the first entry that breaks the chain; None when it is sound."""
    links = (Link(e.sequence, e.previous_hash, e.entry_hash, hash_entry(e)) for e in entries)
    return first_break(links)
