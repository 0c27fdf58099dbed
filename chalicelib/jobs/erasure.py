"""Erasure (P10, P12): completes every pending erasure request through the holders of
`chalicelib/privacy/registry.py`. It runs as its own function with its own role: the
only one allowed to delete the append-only consent ledger."""

from __future__ import annotations

from datetime import datetime

from chalicelib.privacy.erasure import complete_pending


def run(now: datetime) -> dict[str, int]:
    return complete_pending(now)
