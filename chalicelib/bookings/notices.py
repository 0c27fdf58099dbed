"""Who hears about a booking or question change, and with which template (P5).

The side that caused a change is not notified; a change with no acting side (a
confirmation by payment or because the consultation is free) goes to both sides.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.accounts.repository import get_user
from chalicelib.bookings.models import Booking
from chalicelib.consultants.models import ConsultantProfile
from chalicelib.notifications.outbox import Recipient, notify
from chalicelib.observability import logger
from chalicelib.pets.models import Pet

OWNER, CONSULTANT = "owner", "consultant"


def recipient(user_id: str) -> Recipient | None:
    user = get_user(user_id)
    if user is None:
        return None
    return Recipient(user.user_id, user.email, user.name, user.language, user.timezone)


def pet_name(owner_id: str, pet_id: str) -> str:
    try:
        return str(Pet.get(owner_id, pet_id).name)
    except Pet.DoesNotExist:
        return "-"


def consultant_name(consultant_id: str) -> str:
    try:
        return str(ConsultantProfile.get(consultant_id).name)
    except ConsultantProfile.DoesNotExist:
        user = get_user(consultant_id)
        return user.name if user else "-"


def _send(
    sides: tuple[str, ...],
    owner_id: str,
    consultant_id: str,
    pet: str,
    template: str,
    instants: dict[str, datetime],
    now: datetime,
) -> None:
    owner = recipient(owner_id)
    consultant = recipient(consultant_id)
    names = {OWNER: consultant_name(consultant_id), CONSULTANT: owner.name if owner else "-"}
    for side in sides:
        target = owner if side == OWNER else consultant
        if target is None:
            continue
        values = {"counterpart": names[side], "pet": pet}
        try:
            notify(target, template, instants=instants, values=values, now=now)
        except Exception:  # the change is committed; a lost notice must not undo or 500 it
            logger.exception("notification not recorded", extra={"template": template})


def _other(by: str | None) -> tuple[str, ...]:
    if by is None:
        return (OWNER, CONSULTANT)
    return (CONSULTANT,) if by == OWNER else (OWNER,)


def booking_changed(booking: Booking, by: str | None, now: datetime) -> None:
    _send(
        _other(by),
        booking.owner_id,
        booking.consultant_id,
        pet_name(booking.owner_id, booking.pet_id),
        f"booking_{booking.status}",
        {"when": booking.start},
        now,
    )


def booking_expired(booking: Booking, now: datetime) -> None:
    _send(
        (OWNER,),
        booking.owner_id,
        booking.consultant_id,
        pet_name(booking.owner_id, booking.pet_id),
        "booking_expired",
        {"when": booking.start},
        now,
    )


def booking_rescheduled(old: Booking, new: Booking, by: str, now: datetime) -> None:
    _send(
        _other(by),
        new.owner_id,
        new.consultant_id,
        pet_name(new.owner_id, new.pet_id),
        "booking_rescheduled",
        {"when": new.start, "previous_when": old.start},
        now,
    )


def question_message(
    owner_id: str, consultant_id: str, pet_id: str, by: str, now: datetime
) -> None:
    _send(
        _other(by),
        owner_id,
        consultant_id,
        pet_name(owner_id, pet_id),
        "question_message",
        {"when": now},
        now,
    )
