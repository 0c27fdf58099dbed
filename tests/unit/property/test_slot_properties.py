"""Slot generation holds its promises for any zone, weekly hours and dates, most of all
on the days a zone changes its clocks."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.consultants.availability import (
    Availability,
    Slot,
    Window,
    candidate_slots,
    free_slots,
)

# Zones with daylight saving of every shape: north and south, one hour and half an hour
# (Lord Howe), a gap at midnight (Santiago, Havana), plus zones that never change.
CHANGING = (
    "Europe/Kyiv",
    "Europe/London",
    "America/New_York",
    "America/Santiago",
    "America/Havana",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Pacific/Chatham",
)
zones = st.one_of(st.sampled_from(CHANGING), st.timezone_keys())
YEAR = 2026


@cache
def clock_changes(zone: str) -> tuple[date, ...]:
    """The local dates in YEAR on which the zone's UTC offset changes."""
    tz = ZoneInfo(zone)
    days = [date(YEAR, 1, 1) + timedelta(days=n) for n in range(366)]
    noon = [datetime.combine(d, time(12), tz).utcoffset() for d in days]
    return tuple(
        d for d, before, after in zip(days[1:], noon, noon[1:], strict=False) if before != after
    )


@st.composite
def day_windows(draw: st.DrawFn) -> tuple[Window, ...]:
    """Up to three windows in one day on a quarter-hour grid, often touching or a little
    apart (where slots of neighbours meet), often in the small hours (where clocks change);
    the last may run to midnight."""
    windows = []
    cursor = draw(st.integers(0, 10 * 4))
    for _ in range(draw(st.integers(0, 3))):
        end = min(cursor + draw(st.integers(1, 8 * 4)), QUARTERS)
        windows.append(Window(_clock(cursor), None if end == QUARTERS else _clock(end)))
        cursor = end + draw(st.integers(0, 4))
        if cursor >= QUARTERS:
            break
    return tuple(windows)


QUARTERS = 24 * 4


def _clock(quarter: int) -> time:
    return time(quarter // 4, quarter % 4 * 15)


@st.composite
def availabilities(draw: st.DrawFn) -> Availability:
    return Availability(
        timezone=draw(zones),
        weekly={day: draw(day_windows()) for day in range(1, 8)},
        min_notice_minutes=draw(st.integers(0, 48 * 60)),
        buffer_minutes=draw(st.sampled_from([0, 5, 10, 15, 30])),
    )


@st.composite
def ranges(draw: st.DrawFn, zone: str) -> tuple[datetime, datetime]:
    """A few days in UTC around one of the zone's clock changes (any day if it has none)."""
    changes = clock_changes(zone)
    if changes:
        centre = draw(st.sampled_from(changes)) + timedelta(days=draw(st.integers(-2, 2)))
    else:
        centre = date(YEAR, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
    start = datetime.combine(centre, time(0), UTC) + timedelta(minutes=draw(st.integers(-1440, 0)))
    return start, start + timedelta(hours=draw(st.integers(1, 96)))


@st.composite
def schedules(draw: st.DrawFn) -> tuple[Availability, int, datetime, datetime]:
    """Weekly hours, a slot length and a range of days around a clock change."""
    availability = draw(availabilities())
    range_start, range_end = draw(ranges(availability.timezone))
    return availability, draw(st.sampled_from([15, 20, 30, 45, 60, 90])), range_start, range_end


def opening_intervals(availability: Availability, slot: Slot) -> list[tuple[datetime, datetime]]:
    """The opening windows near the slot as UTC intervals, read the standard way: a wall
    time in a repeated hour is its first occurrence, one in a gap keeps the earlier offset."""
    zone = ZoneInfo(availability.timezone)
    local_day = slot.start.astimezone(zone).date()
    intervals = []
    for day in (local_day - timedelta(days=1), local_day, local_day + timedelta(days=1)):
        for window in availability.windows_on(day):
            start = datetime.combine(day, window.start, zone)
            end = (
                datetime.combine(day + timedelta(days=1), time(0), zone)
                if window.end is None
                else datetime.combine(day, window.end, zone)
            )
            intervals.append((start.astimezone(UTC), end.astimezone(UTC)))
    return intervals


@given(schedules())
def test_slots_are_whole_inside_opening_hours_and_never_overlap(
    schedule: tuple[Availability, int, datetime, datetime],
) -> None:
    availability, minutes, range_start, range_end = schedule
    slots = candidate_slots(availability, minutes, range_start, range_end)

    buffer = timedelta(minutes=availability.buffer_minutes)
    for slot in slots:
        assert slot.end - slot.start == timedelta(minutes=minutes)
        assert range_start <= slot.start < range_end
        assert any(
            start <= slot.start and slot.end <= end
            for start, end in opening_intervals(availability, slot)
        ), slot
    for earlier, later in itertools.pairwise(slots):
        assert later.start >= earlier.end + buffer


@given(schedules(), st.data())
def test_free_slots_respect_minimum_notice_and_the_buffer_around_taken_ones(
    schedule: tuple[Availability, int, datetime, datetime], data: st.DataObject
) -> None:
    availability, minutes, range_start, range_end = schedule
    candidates = candidate_slots(availability, minutes, range_start, range_end)
    taken = data.draw(st.lists(st.sampled_from(candidates), max_size=3)) if candidates else []
    now = range_start + timedelta(minutes=data.draw(st.integers(-1440, 96 * 60)))

    free = free_slots(availability, minutes, range_start, range_end, now, taken)

    earliest = now + timedelta(minutes=availability.min_notice_minutes)
    buffer = timedelta(minutes=availability.buffer_minutes)

    def clear(slot: Slot) -> bool:
        return all(
            slot.end + buffer <= other.start or other.end + buffer <= slot.start for other in taken
        )

    assert free == [s for s in candidates if s.start >= earliest and clear(s)]
    assert not set(free) & set(taken)
