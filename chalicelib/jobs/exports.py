"""Data exports (P10): writes every pending export document to the exports bucket."""

from __future__ import annotations

from datetime import datetime

from chalicelib.privacy.exports import write_pending


def run(now: datetime) -> dict[str, int]:
    return write_pending(now)
