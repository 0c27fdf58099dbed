"""The PynamoDB adapter of the `AccessLogRepository` port."""

from __future__ import annotations

from collections.abc import Sequence

from pynamodb.exceptions import PutError

from chalicelib.access_log.entries import Entry, Page
from chalicelib.access_log.errors import LogConflict
from chalicelib.access_log.models import AccessLogEntry
from chalicelib.store.transact import LabelledWrite, write_labelled


def _entry(item: AccessLogEntry) -> Entry:
    return Entry(
        subject_id=item.subject_id,
        sequence=int(item.sequence),
        at=item.at,
        actor_role=item.actor_role,
        action=item.action,
        resource=item.resource,
        reason=item.reason,
        recipient=item.recipient,
        previous_hash=item.previous_hash,
        entry_hash=item.entry_hash,
    )


def entry_item(entry: Entry) -> AccessLogEntry:
    """The item of ``entry``; put it only with `NEW_SEQUENCE` (a transaction may)."""
    return AccessLogEntry(
        entry.subject_id,
        entry.sequence,
        at=entry.at,
        actor_role=entry.actor_role,
        action=entry.action,
        resource=entry.resource,
        reason=entry.reason,
        recipient=entry.recipient,
        previous_hash=entry.previous_hash,
        entry_hash=entry.entry_hash,
    )


NEW_SEQUENCE = AccessLogEntry.sequence.does_not_exist()


class DynamoAccessLog:
    def head(self, subject_id: str) -> Entry | None:
        for item in AccessLogEntry.query(
            subject_id, scan_index_forward=False, limit=1, consistent_read=True
        ):
            return _entry(item)
        return None

    def append(self, entry: Entry) -> None:
        try:
            entry_item(entry).save(condition=NEW_SEQUENCE)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise LogConflict() from None
            raise

    def append_many(self, entries: Sequence[Entry]) -> None:
        """One transaction of conditional puts: every entry or none."""

        def build(tx: LabelledWrite) -> None:
            for entry in entries:
                tx.save(entry.subject_id, entry_item(entry), condition=NEW_SEQUENCE)

        if entries and write_labelled(build):
            raise LogConflict()

    def page(self, subject_id: str, before: int | None, limit: int) -> Page:
        condition = AccessLogEntry.sequence < before if before is not None else None
        items = [
            _entry(item)
            for item in AccessLogEntry.query(
                subject_id, range_key_condition=condition, scan_index_forward=False, limit=limit
            )
        ]
        more = len(items) == limit and items[-1].sequence > 1
        return Page(items, items[-1].sequence if more else None)

    def entries(self, subject_id: str) -> list[Entry]:
        return [_entry(i) for i in AccessLogEntry.query(subject_id, consistent_read=True)]

    def delete_all(self, subject_id: str) -> int:
        count = 0
        with AccessLogEntry.batch_write() as batch:
            for item in AccessLogEntry.query(subject_id, consistent_read=True):
                batch.delete(item)
                count += 1
        return count
