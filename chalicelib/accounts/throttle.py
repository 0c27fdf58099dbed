"""Login back-off (ASVS 5.0 V6.3.1): after too many failures in a window, wait; never lock forever.

Failures are counted per key (an account's e-mail digest, a client IP). When the key has
``limit`` failures inside ``window``, further attempts are refused until the oldest of
those failures leaves the window. Refused attempts are not counted, so the wait never
grows beyond one window: nobody can inflict a permanent lockout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Backoff:
    limit: int
    window: timedelta

    def recent(self, failures: Sequence[datetime], now: datetime) -> list[datetime]:
        """The failures still inside the window, oldest first, at most ``limit`` of them."""
        inside = sorted(at for at in failures if now - at < self.window)
        return inside[-self.limit :]

    def retry_after(self, failures: Sequence[datetime], now: datetime) -> int | None:
        """Seconds to wait before the next attempt, or None when an attempt is allowed."""
        inside = self.recent(failures, now)
        if len(inside) < self.limit:
            return None
        wait = (inside[0] + self.window - now).total_seconds()
        return max(1, math.ceil(wait))
