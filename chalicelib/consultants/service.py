"""Directory, availability and free slots."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.config import SLOT_RANGE_MAX
from chalicelib.consultants.availability import (
    Availability,
    AvailabilityError,
    Slot,
    Window,
    candidate_slots,
    free_slots,
    make_window,
    normalise_windows,
)
from chalicelib.consultants.errors import (
    InvalidField,
    RangeTooLong,
    SlotTaken,
    SlotUnavailable,
)
from chalicelib.consultants.models import ConsultantProfile, SlotClaim
from chalicelib.consultants.schemas import AvailabilityIn, ConsultantUpsert
from chalicelib.errors import NotFound
from chalicelib.store import cursors

LISTED = "1"
DIRECTORY = "consultants:directory"


def get_profile(consultant_id: str, *, listed_only: bool = True) -> ConsultantProfile:
    try:
        profile = ConsultantProfile.get(consultant_id)
    except ConsultantProfile.DoesNotExist as exc:
        raise NotFound("consultant") from exc
    if listed_only and profile.listed != LISTED:
        raise NotFound("consultant")
    return profile


def _matches(
    profile: ConsultantProfile, specialty: str | None, language: str | None, country: str | None
) -> bool:
    if specialty and specialty.casefold() not in {s.casefold() for s in profile.specialties}:
        return False
    if language and language.lower() not in profile.languages:
        return False
    return not country or country.upper() in {lic["country"] for lic in profile.licences}


def list_directory(
    *,
    specialty: str | None,
    language: str | None,
    country: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[ConsultantProfile], str | None]:
    """One page of listed consultants ordered by id, filtered in memory (the directory is small)."""
    after = str(cursors.decode(cursor, DIRECTORY)) if cursor else None
    condition = ConsultantProfile.consultant_id > after if after else None
    matches: list[ConsultantProfile] = []
    for profile in ConsultantProfile.directory.query(LISTED, range_key_condition=condition):
        if _matches(profile, specialty, language, country):
            matches.append(profile)
            if len(matches) > limit:
                break
    page = matches[:limit]
    more = len(matches) > limit
    return page, cursors.encode(page[-1].consultant_id, DIRECTORY) if more else None


def upsert_profile(consultant_id: str, body: ConsultantUpsert, now: datetime) -> ConsultantProfile:
    try:
        profile = ConsultantProfile.get(consultant_id, consistent_read=True)
    except ConsultantProfile.DoesNotExist:
        profile = ConsultantProfile(consultant_id)
    profile.name = body.name
    profile.photo_url = body.photo_url
    profile.specialties = list(body.specialties)
    profile.languages = list(body.languages)
    profile.licences = [lic.model_dump(exclude_none=True) for lic in body.licences]
    profile.price_amount = body.price.amount
    profile.price_currency = body.price.currency
    profile.slot_minutes = body.slot_minutes
    profile.bio = body.bio
    profile.listed = LISTED if body.listed else None
    profile.version = int(profile.version or 0) + 1
    profile.updated_at = now
    profile.save()
    return profile


def to_availability(document: dict[str, Any]) -> Availability:
    weekly: dict[int, list[Window]] = defaultdict(list)
    for entry in document["weekly"]:
        weekly[int(entry["weekday"])].append(make_window(entry["start"], entry["end"]))
    exceptions = {
        date.fromisoformat(ex["date"]): normalise_windows(
            make_window(h["start"], h["end"]) for h in ex["hours"]
        )
        for ex in document["exceptions"]
    }
    return Availability(
        timezone=document["timezone"],
        weekly={day: normalise_windows(windows) for day, windows in weekly.items()},
        exceptions=exceptions,
        min_notice_minutes=int(document["min_notice_minutes"]),
        buffer_minutes=int(document["buffer_minutes"]),
    )


def set_availability(
    consultant_id: str, body: AvailabilityIn, default_name: str, now: datetime
) -> dict[str, Any]:
    """Store the availability document (validated); creates an unlisted profile if none yet."""
    document = body.model_dump(mode="json")
    try:
        to_availability(document)
    except AvailabilityError as exc:
        raise InvalidField("weekly", str(exc)) from exc
    dates = [ex["date"] for ex in document["exceptions"]]
    if len(dates) != len(set(dates)):
        raise InvalidField("exceptions", "a date is listed twice")
    try:
        profile = ConsultantProfile.get(consultant_id, consistent_read=True)
    except ConsultantProfile.DoesNotExist:
        profile = ConsultantProfile(consultant_id, name=default_name)
    profile.availability = document
    profile.version = int(profile.version or 0) + 1
    profile.updated_at = now
    profile.save()
    return document


def taken_slots(consultant_id: str, start: datetime, end: datetime, now: datetime) -> list[Slot]:
    """Slots held by a confirmed booking or an unexpired hold, starting in [start, end)."""
    epoch = now.timestamp()
    return [
        Slot(claim.start, claim.end)
        for claim in SlotClaim.query(
            consultant_id,
            range_key_condition=SlotClaim.start.between(start, end),
            consistent_read=True,
        )
        if claim.hold_until is None or claim.hold_until > epoch
    ]


def _margin(profile: ConsultantProfile, availability: Availability) -> timedelta:
    return timedelta(minutes=int(profile.slot_minutes) + availability.buffer_minutes + 240)


def list_free_slots(
    profile: ConsultantProfile, start: datetime, end: datetime, now: datetime
) -> list[Slot]:
    if profile.availability is None:
        return []
    availability = to_availability(profile.availability)
    margin = _margin(profile, availability)
    taken = taken_slots(profile.consultant_id, start - margin, end + margin, now)
    return free_slots(availability, int(profile.slot_minutes), start, end, now, taken)


def bookable_slot(profile: ConsultantProfile, start: datetime, now: datetime) -> Slot:
    """The slot starting at ``start`` if it can be booked now; the transaction still decides."""
    if profile.availability is None:
        raise SlotUnavailable
    availability = to_availability(profile.availability)
    window = (start, start + timedelta(seconds=1))
    grid = candidate_slots(availability, int(profile.slot_minutes), *window)
    if not grid or grid[0].start != start:
        raise SlotUnavailable
    if not free_slots(availability, int(profile.slot_minutes), *window, now):
        raise SlotUnavailable  # too soon (minimum notice) or already past
    if not list_free_slots(profile, *window, now=now):
        raise SlotTaken
    return grid[0]


def check_range(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidField("to", "must be after 'from'")
    if end - start > SLOT_RANGE_MAX:
        raise RangeTooLong(f"At most {SLOT_RANGE_MAX.days} days of slots per request.")


def profiles(ids: Iterable[str]) -> dict[str, ConsultantProfile]:
    return {p.consultant_id: p for p in ConsultantProfile.batch_get(list(set(ids)))}
