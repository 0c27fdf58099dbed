"""A lawful disclosure (P8): support states the recipient, the legal basis (a threat to
life or health, or a duty in law) and its reference; the disclosure goes in the service's
disclosure trail and in the user's access log, in one transaction."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from chalicelib.access_log import service as access_log
from chalicelib.access_log.entries import SUPPORT_ROLE, Entry, next_entry
from chalicelib.accounts.repository import get_user
from chalicelib.config import LEDGER_APPEND_RETRIES
from chalicelib.disclosures import repository
from chalicelib.disclosures.errors import TrailConflict
from chalicelib.disclosures.trail import Request, TrailEntry, broken_at, subject_digest
from chalicelib.disclosures.trail import next_entry as next_trail_entry
from chalicelib.errors import NotFound
from chalicelib.hashchain import append_with_retries

DISCLOSED = "disclosure"


@dataclass(frozen=True)
class Recorded:
    entry: TrailEntry
    logged: Entry


def disclose(subject_id: str, request: Request, *, admin_id: str, now: datetime) -> TrailEntry:
    """Record the disclosure of ``subject_id``'s data; `NotFound` for an unknown user."""
    if get_user(subject_id) is None:
        raise NotFound("account")
    disclosure_id = f"dis_{uuid.uuid4().hex}"
    salt = secrets.token_hex(16)
    request = Request(
        request.recipient,
        request.legal_basis,
        request.reference,
        tuple(sorted(set(request.data_categories))),
    )

    def build() -> Recorded:
        entry = next_trail_entry(
            repository.head(),
            request,
            disclosure_id=disclosure_id,
            admin_id=admin_id,
            subject=subject_digest(salt, subject_id),
            at=now,
        )
        logged = next_entry(
            access_log.repository.head(subject_id),
            subject_id,
            at=now,
            actor_role=SUPPORT_ROLE,
            action=DISCLOSED,
            resource=f"disclosure/{disclosure_id}: {', '.join(request.data_categories)}",
            reason=f"{request.legal_basis}: {request.reference}",
            recipient=request.recipient,
        )
        return Recorded(entry, logged)

    recorded = append_with_retries(
        build,
        lambda r: repository.append(r.entry, subject_id, salt, r.logged),
        conflict=TrailConflict,
        attempts=LEDGER_APPEND_RETRIES,
    )
    return recorded.entry


def verify_trail() -> access_log.Verification:
    """Recompute the disclosure trail's hash chain from storage."""
    entries = repository.entries()
    broken = broken_at(entries)
    return access_log.Verification(broken is None, len(entries), broken)


def trail_broken_at() -> int | None:
    """The first disclosure-trail entry that breaks the chain; None when it is sound."""
    return verify_trail().broken_at
