"""One page of a keys-only index, newest first, then the items themselves by BatchGet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

M = TypeVar("M", bound=Model)
Position = dict[str, Any]


def keys_then_items(
    index: GlobalSecondaryIndex[M],
    model: type[M],
    key_of: Callable[[Any], str],
    partition: str,
    after: Position | None,
    limit: int,
) -> tuple[list[M], Position | None]:
    """Up to ``limit`` items of ``partition`` in index order (descending), and the position
    after the last one (None on the last page). Items deleted since the index saw them are
    left out."""
    result = index.query(partition, scan_index_forward=False, limit=limit, last_evaluated_key=after)
    ids = [key_of(key) for key in result]
    found = {key_of(item): item for item in model.batch_get(ids)} if ids else {}
    last: Position | None = result.last_evaluated_key
    return [found[i] for i in ids if i in found], last or None
