"""Sparse time-bucket indexes: how a sweep finds what is due without a Scan.

An item that must be acted on at an instant carries ``<kind>_bucket`` = ``<kind>#<hour>``
(``purge#2027-03-01T10``) and ``<kind>_at`` = the instant; a keys-only GSI on that pair
holds only such items. A sweep queries the hour buckets from its checkpoint to now, each
with ``<kind>_at <= now``, so it reads what is due and nothing else, however large the
table grows. An item that is done removes the pair and leaves the index.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.update import Action
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

M = TypeVar("M", bound=Model)
BUCKET = timedelta(hours=1)
PURGE = "purge"


def bucket_of(kind: str, instant: datetime) -> str:
    """The hour bucket of ``instant``: ``<kind>#YYYY-MM-DDTHH`` (UTC)."""
    return f"{kind}#{instant.astimezone(UTC):%Y-%m-%dT%H}"


def buckets_between(kind: str, since: datetime, until: datetime) -> list[str]:
    """Every hour bucket from the one holding ``since`` to the one holding ``until``."""
    hour = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    buckets = []
    while hour <= until:
        buckets.append(bucket_of(kind, hour))
        hour += BUCKET
    return buckets


class PurgeDue(GlobalSecondaryIndex[Any]):  # type: ignore[no-untyped-call]
    """Sparse: only items with a retention deadline carry ``purge_bucket``. Each model
    declares its own instance (``purge_due = PurgeDue()``) and the two attributes."""

    class Meta:
        index_name = "purge-due"
        projection = KeysOnlyProjection()

    purge_bucket = UnicodeAttribute(hash_key=True)
    purge_at = UTCDateTimeAttribute(range_key=True)


def schedule_purge(item: M, at: datetime) -> M:
    """Put ``item`` (not yet saved) in the purge bucket of ``at``."""
    setattr(item, "purge_bucket", bucket_of(PURGE, at))  # noqa: B010 - any purgeable model
    setattr(item, "purge_at", at)  # noqa: B010
    return item


def due_keys(
    index: GlobalSecondaryIndex[Any], at_attribute: Any, kind: str, since: datetime, now: datetime
) -> Iterator[Any]:
    """Keys of the items whose instant is in ``[bucket of since, now]``: one Query per
    hour bucket, each bounded by the instant, so only due items are read."""
    for bucket in buckets_between(kind, since, now):
        yield from index.query(bucket, range_key_condition=at_attribute <= now)


def purge_actions(model: Any, at: datetime) -> list[Action]:
    """Update actions that (re)schedule an item of ``model`` for purging at ``at``."""
    return [model.purge_bucket.set(bucket_of(PURGE, at)), model.purge_at.set(at)]
