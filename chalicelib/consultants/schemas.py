"""Directory, profile and availability bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from chalicelib.consultants.availability import AvailabilityError, make_window, validate_timezone
from chalicelib.web.validation import CalendarDay, Instant, InstantText, Schema

Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://", max_length=500)]
Clock = Annotated[str, StringConstraints(pattern=r"^\d{2}:\d{2}$")]

WEEKDAY_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("sunday", "sun"),
            ("monday", "mon"),
            ("tuesday", "tue"),
            ("wednesday", "wed"),
            ("thursday", "thu"),
            ("friday", "fri"),
            ("saturday", "sat"),
        ]
    )
    for name in names
}


class Money(Schema):
    amount: Annotated[int, Field(ge=0, le=10_000_000)]
    currency: Currency


class Licence(Schema):
    country: Country
    region: Annotated[str, StringConstraints(max_length=80)] | None = None
    number: Annotated[str, StringConstraints(min_length=1, max_length=80)]


class ConsultantOut(Schema):
    id: str
    name: str
    photo_url: str | None
    specialties: list[str]
    languages: list[str]
    licences: list[Licence]
    price: Money
    slot_minutes: int
    bio: str | None


class ConsultantList(Schema):
    items: list[ConsultantOut]
    next_cursor: str | None


class ConsultantUpsert(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    photo_url: Annotated[str, StringConstraints(pattern=r"^https?://", max_length=500)] | None = (
        None
    )
    specialties: Annotated[list[Label], Field(max_length=20, default_factory=list)]
    languages: Annotated[list[Language], Field(max_length=20, default_factory=list)]
    licences: Annotated[list[Licence], Field(max_length=20, default_factory=list)]
    price: Money
    slot_minutes: Annotated[int, Field(ge=10, le=240)] = 30
    bio: Annotated[str, StringConstraints(max_length=4000)] | None = None
    listed: bool = True


class HoursIn(Schema):
    start: Clock
    end: Clock

    @field_validator("end")
    @classmethod
    def _window(cls, end: str, info: object) -> str:
        start = getattr(info, "data", {}).get("start")
        if start is not None:
            try:
                make_window(start, end)
            except AvailabilityError as exc:
                raise ValueError(str(exc)) from exc
        return end


class WeeklyHoursIn(HoursIn):
    weekday: int | str

    @field_validator("weekday")
    @classmethod
    def _weekday(cls, value: int | str) -> int:
        """ISO 1 (Monday)..7 (Sunday); 0 is Sunday too (JavaScript); English names accepted."""
        if isinstance(value, str):
            if value.lower() not in WEEKDAY_NAMES:
                raise ValueError("weekday must be 1..7 (Monday..Sunday) or a day name")
            value = WEEKDAY_NAMES[value.lower()]
        if not 0 <= value <= 7:
            raise ValueError("weekday must be 1..7 (Monday..Sunday)")
        return value or 7


class ExceptionIn(Schema):
    date: CalendarDay
    hours: Annotated[list[HoursIn], Field(max_length=12)]


class AvailabilityIn(Schema):
    timezone: str
    weekly: Annotated[list[WeeklyHoursIn], Field(max_length=100)]
    exceptions: Annotated[list[ExceptionIn], Field(max_length=400, default_factory=list)]
    min_notice_minutes: Annotated[int, Field(ge=0, le=60 * 24 * 30)] = 0
    buffer_minutes: Annotated[int, Field(ge=0, le=240)] = 0

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            return validate_timezone(value)
        except AvailabilityError as exc:
            raise ValueError(str(exc)) from exc


class WeeklyHoursOut(Schema):
    weekday: int
    start: str
    end: str


class HoursOut(Schema):
    start: str
    end: str


class ExceptionOut(Schema):
    date: date
    hours: list[HoursOut]


class AvailabilityOut(Schema):
    timezone: str
    weekly: list[WeeklyHoursOut]
    exceptions: list[ExceptionOut]
    min_notice_minutes: int
    buffer_minutes: int


class SlotOut(Schema):
    start: InstantText
    end: InstantText


class SlotList(Schema):
    items: list[SlotOut]
    next_cursor: str | None = None


class DirectoryQuery(Schema):
    specialty: Annotated[str, StringConstraints(max_length=60)] | None = None
    language: Annotated[str, StringConstraints(max_length=8)] | None = None
    country: Annotated[str, StringConstraints(max_length=2)] | None = None
    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class SlotsQuery(Schema):
    start: Instant | None = Field(default=None, alias="from")
    end: Instant | None = Field(default=None, alias="to")
