"""Append-only hash chains, shared by every per-subject trail (the consent ledger, the
access log): each entry carries its sequence number (1, 2, ...), the previous entry's hash
(`GENESIS` before the first) and its own hash, the SHA-256 of its canonical JSON. A write
is conditional on the sequence number being free, so two writers that read the same head
cannot both append: the loser rebuilds on the new head and tries again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

GENESIS = "0" * 64  # the previous hash of a subject's first entry

T = TypeVar("T")


@dataclass(frozen=True)
class Link:
    """One entry's place in its chain: what it stores and what its fields hash to now."""

    sequence: int
    previous_hash: str
    stored_hash: str
    computed_hash: str


def digest(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``fields`` (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def first_break(links: Iterable[Link]) -> int | None:
    """The position (1-based) of the first entry that does not hash to what it stores,
    does not link to the entry before it, or is out of sequence; None for a sound chain."""
    previous_hash = GENESIS
    for position, link in enumerate(links, start=1):
        if link.sequence != position or link.previous_hash != previous_hash:
            return position
        if link.stored_hash != link.computed_hash:
            return position
        previous_hash = link.stored_hash
    return None


def append_with_retries(
    build: Callable[[], T],
    write: Callable[[T], None],
    *,
    conflict: type[Exception],
    attempts: int,
) -> T:
    """Build entries on the current head and write them; a ``conflict`` (another writer
    took the sequence number first) rebuilds on the new head, up to ``attempts`` times,
    then is raised."""
    for _ in range(attempts):
        built = build()
        try:
            write(built)
        except conflict:
            continue
        return built
    raise conflict()
