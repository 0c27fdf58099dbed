"""The two projections of bookings and questions: the owner sees everything of their
own; the consultant sees the client as exactly {name, country, timezone} (P7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.accounts.repository import get_user
from chalicelib.bookings.models import Booking, Question, QuestionMessage
from chalicelib.bookings.rooms import RoomPass
from chalicelib.bookings.schemas import (
    BookingCreated,
    Client,
    ConsultantBooking,
    ConsultantQuestion,
    ConsultantRef,
    IceServerOut,
    MessageOut,
    OwnerBooking,
    OwnerQuestion,
    PetForConsultant,
    RoomOut,
)
from chalicelib.bookings.states import BookingStatus, effective_status
from chalicelib.clock import to_rfc3339
from chalicelib.consultants.models import ConsultantProfile
from chalicelib.consultants.schemas import Money
from chalicelib.errors import NotFound
from chalicelib.payments.schemas import PaymentSummary
from chalicelib.payments.wiring import payment_summaries
from chalicelib.pets.models import Pet
from chalicelib.pets.schemas import PetOut
from chalicelib.pets.views import pet_out


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
        raise NotFound("client")
    return Client(name=user.name, country=user.country, timezone=user.timezone)


def pet_for_owner(owner_id: str, pet_id: str) -> PetOut | None:
    pet = _pet(owner_id, pet_id)
    return pet_out(pet) if pet else None


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


def for_owner(booking: Booking, now: datetime, payment: PaymentSummary | None) -> OwnerBooking:
    status = effective_status(booking, now)
    hold = booking.hold_expires_at if status is BookingStatus.PENDING_PAYMENT else None
    return OwnerBooking.model_validate(
        {
            **_common(booking, now),
            "hold_expires_at": to_rfc3339(hold) if hold else None,
            "price": _price(booking),
            "payment": payment,
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


def for_viewers(
    bookings: Sequence[Booking], viewer_id: str, now: datetime
) -> list[OwnerBooking | ConsultantBooking]:
    """Each booking as the viewer sees it; the payments of the viewer's own bookings are
    read together (batched), not one by one."""
    owned = {b.booking_id: b.rescheduled_from for b in bookings if b.owner_id == viewer_id}
    payments = payment_summaries(owned, now) if owned else {}
    return [
        for_owner(b, now, payments[b.booking_id])
        if b.owner_id == viewer_id
        else for_consultant(b, now)
        for b in bookings
    ]


def for_viewer(booking: Booking, viewer_id: str, now: datetime) -> OwnerBooking | ConsultantBooking:
    return for_viewers([booking], viewer_id, now)[0]


def message_out(message: QuestionMessage) -> MessageOut:
    return MessageOut(
        id=message.message_id,
        author=message.author_role,  # type: ignore[arg-type]
        text=message.text,
        created_at=to_rfc3339(message.created_at),
    )


def question_view(question: Question, viewer_id: str) -> OwnerQuestion | ConsultantQuestion:
    common = {
        "id": question.question_id,
        "messages": [message_out(m) for m in QuestionMessage.query(question.question_id)],
        "created_at": to_rfc3339(question.created_at),
        "updated_at": to_rfc3339(question.updated_at),
    }
    if viewer_id == question.owner_id:
        return OwnerQuestion.model_validate(
            {
                **common,
                "consultant": consultant_ref(question.consultant_id),
                "pet": pet_for_owner(question.owner_id, question.pet_id),
            }
        )
    return ConsultantQuestion.model_validate(
        {
            **common,
            "client": client_of(question.owner_id),
            "pet": pet_for_consultant(question.owner_id, question.pet_id),
        }
    )


def room_out(room: RoomPass) -> RoomOut:
    return RoomOut(
        room_id=room.room_id,
        token=room.token,
        expires_at=to_rfc3339(room.expires_at),
        signalling_url=room.signalling_url,
        ice_servers=[
            IceServerOut(urls=s.urls, username=s.username, credential=s.credential)
            for s in room.ice_servers
        ],
    )
