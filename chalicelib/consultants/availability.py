"""Weekly availability and free-slot generation (pure, no AWS).

Slots are generated per local calendar day in the consultant's IANA zone, so a
09:00 opening stays 09:00 on the wall clock on both sides of a daylight-saving
change. Each opening window is converted to UTC instants and then cut into slots
of real elapsed time, so a window that spans a transition yields slots of the
true length (the missing hour yields none; the repeated hour yields extra ones).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

END_OF_DAY = "24:00"


class AvailabilityError(ValueError):
    """An availability document that cannot describe real opening hours."""


@dataclass(frozen=True)
class Window:
    """Opening hours within one local day; ``end`` None means midnight at the day's end."""

    start: time
    end: time | None

    def instants(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
        start = _to_utc(datetime.combine(day, self.start), zone)
        if self.end is None:
            end = _to_utc(datetime.combine(day + timedelta(days=1), time(0)), zone)
        else:
            end = _to_utc(datetime.combine(day, self.end), zone)
        return start, end


@dataclass(frozen=True)
class Availability:
    timezone: str
    weekly: Mapping[int, tuple[Window, ...]]  # ISO weekday 1 (Monday) .. 7 (Sunday)
    exceptions: Mapping[date, tuple[Window, ...]] = field(default_factory=dict)
    min_notice_minutes: int = 0
    buffer_minutes: int = 0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def windows_on(self, day: date) -> tuple[Window, ...]:
        if day in self.exceptions:
            return self.exceptions[day]
        return self.weekly.get(day.isoweekday(), ())


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime
    end: datetime

    def overlaps(self, other: Slot, margin: timedelta) -> bool:
        return self.start < other.end + margin and other.start < self.end + margin


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    # fold=0: a wall time in the autumn repeat is its first occurrence; one in the
    # spring gap is read with the offset in force before the gap (i.e. moved forward).
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def validate_timezone(name: str) -> str:
    if name not in _zone_names():
        raise AvailabilityError(f"unknown IANA time zone: {name}")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise AvailabilityError(f"unknown IANA time zone: {name}") from exc
    return name


_ZONES: set[str] = set()


def _zone_names() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones() - {"localtime", "posixrules", "Factory"})
    return _ZONES


def parse_clock(value: str, *, allow_end_of_day: bool = False) -> time | None:
    """Parse "HH:MM"; "24:00" (end of day) parses to None when allowed."""
    if allow_end_of_day and value == END_OF_DAY:
        return None
    try:
        hours, minutes = value.split(":")
        if len(hours) != 2 or len(minutes) != 2:
            raise ValueError(value)
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise AvailabilityError(f"not a HH:MM time: {value}") from exc


def make_window(start: str, end: str) -> Window:
    start_t = parse_clock(start)
    end_t = parse_clock(end, allow_end_of_day=True)
    assert start_t is not None
    if end_t is not None and end_t <= start_t:
        raise AvailabilityError(f"window end {end} must be after its start {start}")
    return Window(start_t, end_t)


def normalise_windows(windows: Iterable[Window]) -> tuple[Window, ...]:
    """Sort windows by start and refuse overlaps within one day."""
    ordered = sorted(windows, key=lambda w: w.start)
    for before, after in itertools.pairwise(ordered):
        if before.end is None or before.end > after.start:
            raise AvailabilityError("opening windows on one day overlap")
    return tuple(ordered)


def format_clock(value: time | None) -> str:
    return END_OF_DAY if value is None else value.strftime("%H:%M")


def _local_days(start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[date]:
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        yield day
        day += timedelta(days=1)


def candidate_slots(
    availability: Availability,
    slot_minutes: int,
    range_start: datetime,
    range_end: datetime,
) -> list[Slot]:
    """Every slot of the opening hours that starts in [range_start, range_end).

    Slots never overlap (nor come closer than the buffer): windows that the spring gap
    pushes into each other would otherwise yield overlapping slots with distinct starts,
    which the one-claim-per-start lock could not keep apart."""
    zone = availability.zone
    length = timedelta(minutes=slot_minutes)
    buffer = timedelta(minutes=availability.buffer_minutes)
    generated: set[Slot] = set()
    for day in _local_days(range_start, range_end, zone):
        for window in availability.windows_on(day):
            cursor, window_end = window.instants(day, zone)
            while cursor + length <= window_end:
                generated.add(Slot(cursor, cursor + length))
                cursor += length + buffer
    kept: list[Slot] = []
    for slot in sorted(generated):
        if not kept or slot.start >= kept[-1].end + buffer:
            kept.append(slot)
    return [slot for slot in kept if range_start <= slot.start < range_end]


def free_slots(
    availability: Availability,
    slot_minutes: int,
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    taken: Sequence[Slot] = (),
) -> list[Slot]:
    """Slots bookable at ``now``: past the minimum notice and clear of taken ones by the buffer."""
    earliest = now + timedelta(minutes=availability.min_notice_minutes)
    margin = timedelta(minutes=availability.buffer_minutes)
    return [
        slot
        for slot in candidate_slots(availability, slot_minutes, range_start, range_end)
        if slot.start >= earliest and not any(slot.overlaps(t, margin) for t in taken)
    ]
