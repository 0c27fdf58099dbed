"""The 18+ rule (P12): someone is 18 only once they are 18 everywhere on Earth.

The date is judged at UTC-12, the zone whose date is the earliest, whatever time zone the
user picks: choosing a zone that is already "tomorrow" (Pacific/Kiritimati, UTC+14)
cannot make a 17-year-old 18 a day early.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

ADULT_AGE = 18
EARLIEST_ZONE = timezone(timedelta(hours=-12))


def nth_birthday(birth_date: date, years: int) -> date:
    """The day someone born on ``birth_date`` turns ``years``; 29 February counts as 1 March."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # born on 29 February, target year is not a leap year
        return date(birth_date.year + years, 3, 1)


def earliest_today(now: datetime) -> date:
    """The earliest date anywhere on Earth at the instant ``now`` (which must be aware)."""
    return now.astimezone(EARLIEST_ZONE).date()


def is_adult(birth_date: date, now: datetime) -> bool:
    """True when the person is at least 18 on today's date at UTC-12."""
    return earliest_today(now) >= nth_birthday(birth_date, ADULT_AGE)
