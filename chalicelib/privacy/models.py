"""Privacy-rights storage: erasure requests and data exports, each found by the job that
completes it through a sparse index of what is still to do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import BaseModel, table_name
from chalicelib.store.expiry import PurgeDue

# The value of the sparse ``todo`` attribute while a request waits for its job.
TODO = "todo"


class Todo(GlobalSecondaryIndex[Any]):  # type: ignore[no-untyped-call]
    """Sparse: only requests still to complete carry ``todo``; the job Queries it."""

    class Meta:
        index_name = "todo"
        projection = KeysOnlyProjection()

    todo = UnicodeAttribute(hash_key=True)
    requested_at = UTCDateTimeAttribute(range_key=True)


class ErasureRequest(BaseModel):
    """An account to erase. While pending it names the user and where the deletion
    receipt goes; once done only the id, the reason and the instants remain."""

    class Meta(BaseModel.Meta):
        table_name = table_name("erasures")

    erasure_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()
    status = UnicodeAttribute()  # pending, done
    requested_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    todo = UnicodeAttribute(null=True)
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    pending = Todo()
    purge_due = PurgeDue()


class ExportRequest(BaseModel):
    """A data export of a user: pending until the job wrote the document to the exports
    bucket, then ready until it expires."""

    class Meta(BaseModel.Meta):
        table_name = table_name("exports")

    user_id = UnicodeAttribute(hash_key=True)
    export_id = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute()  # pending, ready
    object_key = UnicodeAttribute(null=True)
    requested_at = UTCDateTimeAttribute()
    ready_at = UTCDateTimeAttribute(null=True)
    expires_at = UTCDateTimeAttribute(null=True)
    todo = UnicodeAttribute(null=True)
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    pending = Todo()
    purge_due = PurgeDue()


def waiting(model: Any, now: datetime, key: Callable[[Any], tuple[str, ...]]) -> Iterator[Any]:
    """The requests of ``model`` still to do (asked by ``now``), re-read in full."""
    for found in model.pending.query(TODO, model.requested_at <= now):
        with suppress(model.DoesNotExist):
            yield model.get(*key(found), consistent_read=True)
