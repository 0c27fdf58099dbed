"""Where a bucket sweep stopped: one item per job, advanced only forwards."""

from __future__ import annotations

import contextlib
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.store.base import BaseModel, table_name


class JobCheckpoint(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("job-checkpoints")

    job = UnicodeAttribute(hash_key=True)
    checkpoint = UTCDateTimeAttribute()


def checkpoint_of(job: str) -> datetime | None:
    try:
        return JobCheckpoint.get(job, consistent_read=True).checkpoint
    except JobCheckpoint.DoesNotExist:
        return None


def advance(job: str, to: datetime) -> None:
    """Move the checkpoint to ``to`` unless a concurrent run already moved it further."""
    item = JobCheckpoint(job)
    with contextlib.suppress(UpdateError):
        item.update(
            actions=[JobCheckpoint.checkpoint.set(to)],
            condition=JobCheckpoint.checkpoint.does_not_exist() | (JobCheckpoint.checkpoint < to),
        )
