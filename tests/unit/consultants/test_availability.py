import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.consultants.availability import (
    Availability,
    AvailabilityError,
    Slot,
    Window,
    candidate_slots,
    free_slots,
    make_window,
    normalise_windows,
    parse_clock,
    validate_timezone,
)

EVERY_DAY = range(1, 8)


def every_day(zone: str, start: str, end: str, **kw: int) -> Availability:
    window = make_window(start, end)
    return Availability(zone, dict.fromkeys(EVERY_DAY, (window,)), **kw)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_starts(slots: list[Slot], zone: str) -> list[datetime]:
    return [s.start.astimezone(ZoneInfo(zone)).replace(tzinfo=None) for s in slots]


@pytest.mark.parametrize(
    ("zone", "before", "after", "offset_before", "offset_after"),
    [
        # spring forward: Kyiv 29 Mar 2026 03:00 -> 04:00, New York 8 Mar 2026 02:00 -> 03:00
        ("Europe/Kyiv", date(2026, 3, 28), date(2026, 3, 30), 2, 3),
        ("America/New_York", date(2026, 3, 7), date(2026, 3, 9), -5, -4),
        # fall back: Kyiv 25 Oct 2026 04:00 -> 03:00, New York 1 Nov 2026 02:00 -> 01:00
        ("Europe/Kyiv", date(2026, 10, 24), date(2026, 10, 26), 3, 2),
        ("America/New_York", date(2026, 10, 31), date(2026, 11, 2), -4, -5),
    ],
)
def test_wall_clock_opening_survives_dst_week(
    zone: str, before: date, after: date, offset_before: int, offset_after: int
) -> None:
    availability = every_day(zone, "09:00", "10:00")
    start = datetime.combine(before - timedelta(days=3), time(0), ZoneInfo(zone))
    end = start + timedelta(days=7)
    slots = candidate_slots(availability, 30, start.astimezone(UTC), end.astimezone(UTC))

    assert len(slots) == 14  # two per day, every day of the week
    local = local_starts(slots, zone)
    assert {t.time() for t in local} == {time(9), time(9, 30)}
    assert len({t.date() for t in local}) == 7
    by_day = {s.start.astimezone(ZoneInfo(zone)).date(): s.start for s in slots[::2]}
    assert by_day[before] == datetime.combine(before, time(9 - offset_before), UTC)
    assert by_day[after] == datetime.combine(after, time(9 - offset_after), UTC)
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)


def test_window_across_spring_forward_gap_has_real_length() -> None:
    # 01:00-04:00 local on 8 Mar 2026 in New York is only two real hours.
    availability = every_day("America/New_York", "01:00", "04:00")
    slots = candidate_slots(availability, 30, utc(2026, 3, 8, 0), utc(2026, 3, 9, 0))
    assert len(slots) == 4
    assert slots[0].start == utc(2026, 3, 8, 6)
    assert slots[-1].end == utc(2026, 3, 8, 8)
    local = local_starts(slots, "America/New_York")
    assert [t.hour for t in local] == [1, 1, 3, 3]  # 02:00-03:00 does not exist


def test_window_across_fall_back_has_the_repeated_hour() -> None:
    # 01:00-03:00 local on 1 Nov 2026 in New York is three real hours.
    availability = every_day("America/New_York", "01:00", "03:00")
    slots = candidate_slots(availability, 60, utc(2026, 11, 1, 0), utc(2026, 11, 2, 0))
    assert [s.start for s in slots] == [
        utc(2026, 11, 1, 5),
        utc(2026, 11, 1, 6),
        utc(2026, 11, 1, 7),
    ]
    assert len({s.start for s in slots}) == 3  # distinct instants despite equal wall times


def test_honolulu_day_shows_next_day_kyiv_slots_across_the_date_line() -> None:
    tuesday = make_window("09:00", "10:00")
    availability = Availability("Europe/Kyiv", {2: (tuesday,)})
    honolulu = ZoneInfo("Pacific/Honolulu")
    monday_start = datetime(2026, 6, 1, 0, tzinfo=honolulu)  # Monday in Honolulu
    slots = candidate_slots(
        availability,
        60,
        monday_start.astimezone(UTC),
        (monday_start + timedelta(days=1)).astimezone(UTC),
    )
    assert len(slots) == 1
    assert slots[0].start == utc(2026, 6, 2, 6)  # Tuesday 09:00 in Kyiv (UTC+3)
    seen = slots[0].start.astimezone(honolulu)
    assert (seen.date(), seen.hour) == (date(2026, 6, 1), 20)  # Monday 20:00 in Honolulu


def test_minimum_notice_hides_slots_starting_too_soon() -> None:
    availability = every_day("UTC", "09:00", "12:00", min_notice_minutes=90)
    now = utc(2026, 5, 4, 8, 0)
    slots = free_slots(availability, 60, utc(2026, 5, 4), utc(2026, 5, 5), now)
    assert [s.start.hour for s in slots] == [10, 11]  # 09:00 is only 60 minutes away
    exact = free_slots(availability, 60, utc(2026, 5, 4), utc(2026, 5, 5), utc(2026, 5, 4, 7, 30))
    assert [s.start.hour for s in exact] == [9, 10, 11]  # exactly 90 minutes is enough


def test_buffer_spaces_the_grid_and_keeps_clear_of_taken_slots() -> None:
    availability = every_day("UTC", "09:00", "12:00", buffer_minutes=15)
    day = (utc(2026, 5, 4), utc(2026, 5, 5))
    grid = candidate_slots(availability, 45, *day)
    assert [s.start.strftime("%H:%M") for s in grid] == ["09:00", "10:00", "11:00"]
    taken = [Slot(utc(2026, 5, 4, 10, 50), utc(2026, 5, 4, 11, 0))]  # from an older grid
    free = free_slots(availability, 45, *day, now=utc(2026, 5, 1), taken=taken)
    # 10:00-10:45 ends within 15 minutes of the taken 10:50; 11:00 starts within 15 after
    assert [s.start.strftime("%H:%M") for s in free] == ["09:00"]


def test_taken_slot_is_not_listed_without_buffer() -> None:
    availability = every_day("UTC", "09:00", "11:00")
    day = (utc(2026, 5, 4), utc(2026, 5, 5))
    taken = [Slot(utc(2026, 5, 4, 9), utc(2026, 5, 4, 10))]
    free = free_slots(availability, 60, *day, now=utc(2026, 5, 1), taken=taken)
    assert [s.start.hour for s in free] == [10]


def test_exceptions_close_a_day_or_replace_its_hours() -> None:
    base = every_day("Europe/Warsaw", "09:00", "10:00")
    availability = Availability(
        base.timezone,
        base.weekly,
        exceptions={date(2026, 5, 4): (), date(2026, 5, 5): (make_window("14:00", "15:00"),)},
    )
    slots = candidate_slots(availability, 60, utc(2026, 5, 4), utc(2026, 5, 7))
    local = local_starts(slots, "Europe/Warsaw")
    assert [(t.day, t.hour) for t in local] == [(5, 14), (6, 9)]


def test_end_of_day_window() -> None:
    availability = every_day("UTC", "23:00", "24:00")
    slots = candidate_slots(availability, 30, utc(2026, 5, 4), utc(2026, 5, 5))
    assert [s.end for s in slots] == [utc(2026, 5, 4, 23, 30), utc(2026, 5, 5)]


def test_only_slots_starting_inside_the_range() -> None:
    availability = every_day("UTC", "09:00", "11:00")
    slots = candidate_slots(availability, 60, utc(2026, 5, 4, 9, 30), utc(2026, 5, 4, 10, 30))
    assert [s.start.hour for s in slots] == [10]


@pytest.mark.parametrize("value", ["9:00", "25:00", "09:60", "nine", "09-00", "24:00"])
def test_bad_clock_times_are_refused(value: str) -> None:
    with pytest.raises(AvailabilityError):
        parse_clock(value)


def test_windows_must_be_ordered_and_disjoint() -> None:
    with pytest.raises(AvailabilityError):
        make_window("10:00", "09:00")
    with pytest.raises(AvailabilityError):
        normalise_windows([make_window("09:00", "11:00"), make_window("10:00", "12:00")])
    with pytest.raises(AvailabilityError):
        normalise_windows([make_window("20:00", "24:00"), make_window("21:00", "22:00")])
    ordered = normalise_windows([make_window("13:00", "14:00"), make_window("09:00", "13:00")])
    assert ordered == (Window(time(9), time(13)), Window(time(13), time(14)))


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../etc/passwd", "", "localtime"])
def test_unknown_time_zones_are_refused(zone: str) -> None:
    with pytest.raises(AvailabilityError):
        validate_timezone(zone)


def test_known_time_zone_is_accepted() -> None:
    assert validate_timezone("Pacific/Honolulu") == "Pacific/Honolulu"


def test_windows_pushed_together_by_the_spring_gap_never_overlap() -> None:
    # 01:00-02:30 and 03:00-04:00 on 8 Mar 2026 in New York: 02:30 does not exist and
    # reads as 03:30 EDT, after the second window has begun.
    windows = (make_window("01:00", "02:30"), make_window("03:00", "04:00"))
    availability = Availability("America/New_York", {7: windows})
    slots = candidate_slots(availability, 45, utc(2026, 3, 8), utc(2026, 3, 9))
    assert slots
    assert all(a.end <= b.start for a, b in itertools.pairwise(slots))
