"""The retention sweep (P9): every entity's items whose retention ended, found through
the sparse ``purge-due`` hour buckets from the last checkpoint to now (never a Scan),
each removed by its purge function in `chalicelib.privacy.retention`."""

from __future__ import annotations

from datetime import datetime

from chalicelib.config import SWEEP_FIRST_LOOKBACK
from chalicelib.jobs import checkpoints
from chalicelib.privacy.retention import PURGES
from chalicelib.store.expiry import BUCKET, PURGE, due_keys

JOB = "retention"


def run(now: datetime) -> dict[str, int]:
    since = checkpoints.checkpoint_of(JOB) or now - SWEEP_FIRST_LOOKBACK
    counts = {}
    for entity in PURGES:
        keys = due_keys(entity.model.purge_due, entity.model.purge_at, PURGE, since, now)
        counts[f"purged_{entity.name}"] = sum(entity.purge(key, now) for key in keys)
    checkpoints.advance(JOB, (now - BUCKET).replace(minute=0, second=0, microsecond=0))
    return counts
