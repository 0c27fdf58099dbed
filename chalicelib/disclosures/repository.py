"""The disclosure trail in DynamoDB. A disclosure is one transaction: the trail entry and
the subject's access-log entry, each put only on a free sequence number, or neither."""

from __future__ import annotations

from chalicelib.access_log.entries import Entry
from chalicelib.access_log.repository import NEW_SEQUENCE, entry_item
from chalicelib.disclosures.errors import TrailConflict
from chalicelib.disclosures.models import TRAIL, Disclosure
from chalicelib.disclosures.trail import TrailEntry
from chalicelib.store.transact import LabelledWrite, write_labelled


def _entry(item: Disclosure) -> TrailEntry:
    return TrailEntry(
        sequence=int(item.sequence),
        disclosure_id=item.disclosure_id,
        at=item.at,
        admin_id=item.admin_id,
        recipient=item.recipient,
        legal_basis=item.legal_basis,
        reference=item.reference,
        data_categories=tuple(sorted(item.data_categories)),
        subject_digest=item.subject_digest,
        previous_hash=item.previous_hash,
        entry_hash=item.entry_hash,
    )


def head() -> TrailEntry | None:
    for item in Disclosure.query(TRAIL, scan_index_forward=False, limit=1, consistent_read=True):
        return _entry(item)
    return None


def entries() -> list[TrailEntry]:
    """The whole trail, oldest first."""
    return [_entry(item) for item in Disclosure.query(TRAIL, consistent_read=True)]


def append(entry: TrailEntry, subject_id: str, salt: str, logged: Entry) -> None:
    """Put the trail entry and the subject's access-log entry together; `TrailConflict`
    when either sequence number was taken (nothing is written then)."""
    item = Disclosure(
        TRAIL,
        entry.sequence,
        disclosure_id=entry.disclosure_id,
        at=entry.at,
        admin_id=entry.admin_id,
        recipient=entry.recipient,
        legal_basis=entry.legal_basis,
        reference=entry.reference,
        data_categories=set(entry.data_categories),
        subject_digest=entry.subject_digest,
        previous_hash=entry.previous_hash,
        entry_hash=entry.entry_hash,
        subject_id=subject_id,
        subject_salt=salt,
    )

    def build(tx: LabelledWrite) -> None:
        tx.save("trail", item, condition=Disclosure.sequence.does_not_exist())
        tx.save("access-log", entry_item(logged), condition=NEW_SEQUENCE)

    if write_labelled(build):
        raise TrailConflict()


def of_subject(subject_id: str) -> list[Disclosure]:
    keys = [key.sequence for key in Disclosure.by_subject.query(subject_id)]
    return list(Disclosure.batch_get([(TRAIL, sequence) for sequence in keys])) if keys else []


def anonymise(subject_id: str) -> int:
    """Unlink the subject's entries from them (the entries stay: the law requires the
    record of a disclosure); how many there were."""
    found = of_subject(subject_id)
    for item in found:
        item.update(actions=[Disclosure.subject_id.remove(), Disclosure.subject_salt.remove()])
    return len(found)
