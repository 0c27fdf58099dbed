"""The disclosure trail, free of storage: one hash chain of every lawful disclosure the
service made. An entry names its subject only through ``subject_digest``, the SHA-256 of
a random per-entry salt and the user id; the salt and the user id are stored beside the
entry but outside the hash. Erasing the user removes both, so the kept entry (the proof
the law requires) no longer points to anyone, and the chain still verifies."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from chalicelib.clock import to_rfc3339
from chalicelib.hashchain import GENESIS, Link, digest, first_break


@dataclass(frozen=True)
class Request:
    """What support asks to disclose, and on which ground."""

    recipient: str
    legal_basis: str
    reference: str
    data_categories: tuple[str, ...]


@dataclass(frozen=True)
class TrailEntry:
    sequence: int
    disclosure_id: str
    at: datetime
    admin_id: str
    recipient: str
    legal_basis: str
    reference: str
    data_categories: tuple[str, ...]
    subject_digest: str
    previous_hash: str
    entry_hash: str = ""


def subject_digest(salt: str, subject_id: str) -> str:
    return hashlib.sha256(f"{salt}\0{subject_id}".encode()).hexdigest()


def hash_entry(entry: TrailEntry) -> str:
    fields = asdict(entry)
    fields.pop("entry_hash")
    fields["at"] = to_rfc3339(entry.at)
    fields["data_categories"] = sorted(entry.data_categories)
    return digest(fields)


def next_entry(
    head: TrailEntry | None,
    request: Request,
    *,
    disclosure_id: str,
    admin_id: str,
    subject: str,
    at: datetime,
) -> TrailEntry:
    """The entry after ``head``; ``subject`` is the salted digest of the user id."""
    entry = TrailEntry(
        sequence=head.sequence + 1 if head else 1,
        disclosure_id=disclosure_id,
        at=at,
        admin_id=admin_id,
        recipient=request.recipient,
        legal_basis=request.legal_basis,
        reference=request.reference,
        data_categories=request.data_categories,
        subject_digest=subject,
        previous_hash=head.entry_hash if head else GENESIS,
    )
    return replace(entry, entry_hash=hash_entry(entry))


def broken_at(entries: Sequence[TrailEntry]) -> int | None:
    links = (Link(e.sequence, e.previous_hash, e.entry_hash, hash_entry(e)) for e in entries)
    return first_break(links)
