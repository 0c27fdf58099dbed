"""The two projections of bookings and questions: the owner sees everything of their
own; the consultant sees the client as exactly {name, country, timezone} (P7)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.accounts.repository import get_user
from chalicelib.bookings.models import Booking
from chalicelib.bookings.schemas import (
    BookingCreated,
    Client,
    ConsultantBooking,
    ConsultantRef,
    OwnerBooking,
    PetForConsultant,
)
from chalicelib.bookings.service import effective_status
from chalicelib.bookings.states import BookingStatus
from chalicelib.clock import to_rfc3339
from chalicelib.consultants.models import ConsultantProfile
from chalicelib.consultants.schemas import Money
from chalicelib.payments.wiring import payment_summary
from chalicelib.pets import service as pets
from chalicelib.pets.models import Pet
from chalicelib.pets.schemas import PetOut
from chalicelib.web.problems import ProblemError


def created(booking: Booking) -> BookingCreated:
    """The creation response: built from what was fixed at creation, so a replay of the
    same Idempotency-Key returns exactly the same body."""
    pending = booking.initial_status == BookingStatus.PENDING_PAYMENT
    return BookingCreated(
        id=booking.booking_id,
        status=booking.initial_status,
        start=to_rfc3339(booking.start),
        end=to_rfc3339(booking.end),
        hold_expires_at=to_rfc3339(booking.hold_expires_at) if pending else None,
        price=_price(booking),
    )


def _price(booking: Booking) -> Money:
    return Money(amount=int(booking.price_amount), currency=booking.price_currency)


def _pet(owner_id: str, pet_id: str) -> Pet | None:
    try:
        return Pet.get(owner_id, pet_id)
    except Pet.DoesNotExist:
        return None


def consultant_ref(consultant_id: str) -> ConsultantRef:
    try:
        profile = ConsultantProfile.get(consultant_id)
    except ConsultantProfile.DoesNotExist:
        return ConsultantRef(id=consultant_id, name="-", photo_url=None)
    return ConsultantRef(id=consultant_id, name=profile.name, photo_url=profile.photo_url)


def client_of(owner_id: str) -> Client:
    user = get_user(owner_id)
    if user is None:
        raise ProblemError(404, "not_found", "The client no longer exists.")
    return Client(name=user.name, country=user.country, timezone=user.timezone)


def pet_for_owner(owner_id: str, pet_id: str) -> PetOut | None:
    pet = _pet(owner_id, pet_id)
    return pets.to_out(pet) if pet else None


def pet_for_consultant(owner_id: str, pet_id: str) -> PetForConsultant | None:
    out = pet_for_owner(owner_id, pet_id)
    if out is None:
        return None
    return PetForConsultant.model_validate(
        out.model_dump(exclude={"id", "created_at", "updated_at"})
    )


def _common(booking: Booking, now: datetime) -> dict[str, object]:
    return {
        "id": booking.booking_id,
        "status": effective_status(booking, now).value,
        "start": to_rfc3339(booking.start),
        "end": to_rfc3339(booking.end),
        "reason": booking.reason,
        "cancelled_by": booking.cancelled_by,
        "rescheduled_from": booking.rescheduled_from,
        "rescheduled_to": booking.rescheduled_to,
        "created_at": to_rfc3339(booking.created_at),
    }


def for_owner(booking: Booking, now: datetime) -> OwnerBooking:
    status = effective_status(booking, now)
    hold = booking.hold_expires_at if status is BookingStatus.PENDING_PAYMENT else None
    return OwnerBooking.model_validate(
        {
            **_common(booking, now),
            "hold_expires_at": to_rfc3339(hold) if hold else None,
            "price": _price(booking),
            "payment": payment_summary(booking.booking_id, booking.rescheduled_from, now),
            "consultant": consultant_ref(booking.consultant_id),
            "pet": pet_for_owner(booking.owner_id, booking.pet_id),
        }
    )


def for_consultant(booking: Booking, now: datetime) -> ConsultantBooking:
    return ConsultantBooking.model_validate(
        {
            **_common(booking, now),
            "client": client_of(booking.owner_id),
            "pet": pet_for_consultant(booking.owner_id, booking.pet_id),
        }
    )


def for_viewer(booking: Booking, viewer_id: str, now: datetime) -> OwnerBooking | ConsultantBooking:
    if viewer_id == booking.owner_id:
        return for_owner(booking, now)
    return for_consultant(booking, now)
