"""The 18+ rule (P12): age is judged on the registration day in the user's own time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

ADULT_AGE = 18


def nth_birthday(birth_date: date, years: int) -> date:
    """The day someone born on ``birth_date`` turns ``years``; 29 February counts as 1 March."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # born on 29 February, target year is not a leap year
        return date(birth_date.year + years, 3, 1)


def local_today(now: datetime, timezone: str) -> date:
    """Today's date in ``timezone`` at the instant ``now`` (which must be aware)."""
    return now.astimezone(ZoneInfo(timezone)).date()


def is_adult(birth_date: date, now: datetime, timezone: str) -> bool:
    """True when the person is at least 18 on today's date in their time zone."""
    return local_today(now, timezone) >= nth_birthday(birth_date, ADULT_AGE)
