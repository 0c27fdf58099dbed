"""Cursor pages over a user's keys-only index (newest first). A cursor is an opaque,
base64url DynamoDB position that is only accepted inside the caller's own partition."""

from __future__ import annotations

import json
from typing import Any

from pynamodb.indexes import GlobalSecondaryIndex

from chalicelib.consultants.errors import InvalidField
from chalicelib.consultants.service import decode_cursor, encode_cursor


def _decode(cursor: str, field: str, partition: str) -> dict[str, Any]:
    try:
        key = json.loads(decode_cursor(cursor))
        valid = isinstance(key, dict) and key.get(field) == {"S": partition}
    except ValueError:
        valid = False
    if not valid:
        raise InvalidField("cursor", "not a cursor of this list")
    return dict(key)


def keys_page(
    index: GlobalSecondaryIndex[Any], field: str, partition: str, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    start = _decode(cursor, field, partition) if cursor else None
    result = index.query(partition, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    keys = list(result)
    last = result.last_evaluated_key
    next_cursor = encode_cursor(json.dumps(last, sort_keys=True, separators=(",", ":")))
    return keys, next_cursor if last else None
