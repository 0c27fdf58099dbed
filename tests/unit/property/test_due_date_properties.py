"""The due date of a privacy request is one calendar month later (GDPR Art. 12(3)):
never earlier than 28 days, never later than 31, on the same day of the next month when
it has one, else on that month's last day, at the same time of day."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.privacy_requests.rules import due_at, extended_due

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 11, 30), timezones=st.just(UTC)
)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


@given(instants)
def test_due_is_the_same_day_next_month_or_its_last_day(opened: datetime) -> None:
    due = due_at(opened)
    year, month = _next_month(opened.year, opened.month)
    last = calendar.monthrange(year, month)[1]
    assert (due.year, due.month, due.day) == (year, month, min(opened.day, last))
    assert due.timetz() == opened.timetz()
    assert timedelta(days=28) <= due - opened <= timedelta(days=31)


@given(instants, st.sampled_from([1, 2]))
def test_an_extension_moves_the_due_date_by_whole_months(opened: datetime, months: int) -> None:
    due = due_at(opened)
    later = extended_due(due, months)
    assert (later.year * 12 + later.month) - (due.year * 12 + due.month) == months
    assert later.day <= due.day
    assert later.timetz() == due.timetz()
