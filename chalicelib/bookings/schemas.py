"""Booking, room and question bodies; two projections of every booking and question:
the owner's (everything) and the consultant's (client = name, country, timezone; P7)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.config import (
    BOOKING_REASON_MAX_CHARS,
    QUESTION_TEXT_MAX_CHARS,
    ROOM_PASSWORD_MAX_LENGTH,
    ROOM_PASSWORD_MIN_LENGTH,
)
from chalicelib.consultants.schemas import Money
from chalicelib.payments.schemas import PaymentSummary
from chalicelib.pets.schemas import PetOut
from chalicelib.web.validation import Instant, OneOf, Schema

Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=QUESTION_TEXT_MAX_CHARS)]


class BookingCreate(Schema):
    consultant_id: Id
    pet_id: Id
    start: Instant
    reason: Annotated[str, StringConstraints(min_length=1, max_length=BOOKING_REASON_MAX_CHARS)]


class RescheduleIn(Schema):
    start: Instant


class BookingCreated(Schema):
    id: str
    status: str
    start: str
    end: str
    hold_expires_at: str | None
    price: Money


class ConsultantRef(Schema):
    id: str
    name: str
    photo_url: str | None


class Client(Schema):
    """Exactly what a consultant learns about a client (P7)."""

    name: str
    country: str | None
    timezone: str


class PetForConsultant(Schema):
    name: str
    species: str
    breed: str | None
    birth_date: date | None
    weight_kg: float | None
    sex: str | None
    neutered: bool | None
    notes: str | None


class BookingCommon(Schema):
    id: str
    status: str
    start: str
    end: str
    reason: str
    cancelled_by: Literal["owner", "consultant"] | None
    rescheduled_from: str | None
    rescheduled_to: str | None
    created_at: str


class OwnerBooking(BookingCommon):
    hold_expires_at: str | None
    price: Money
    payment: PaymentSummary | None = None  # the owner's only (P7, P15)
    consultant: ConsultantRef
    pet: PetOut | None


class ConsultantBooking(BookingCommon):
    client: Client
    pet: PetForConsultant | None


class BookingView(OneOf[OwnerBooking | ConsultantBooking]):
    """A booking as its owner (everything) or its consultant (the P7 projection) sees it."""


class BookingList(Schema):
    items: list[OwnerBooking | ConsultantBooking]
    next_cursor: str | None


class ListQuery(Schema):
    cursor: str | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class IceServerOut(Schema):
    urls: list[str]
    username: str
    credential: str


class RoomOut(Schema):
    room_id: str
    token: str
    expires_at: str
    signalling_url: str
    ice_servers: list[IceServerOut]


class RoomPasswordIn(Schema):
    password: Annotated[
        str,
        StringConstraints(
            min_length=ROOM_PASSWORD_MIN_LENGTH,
            max_length=ROOM_PASSWORD_MAX_LENGTH,
            strip_whitespace=False,
        ),
    ]


class QuestionCreate(Schema):
    consultant_id: Id
    pet_id: Id
    text: Text


class MessageIn(Schema):
    text: Text


class MessageOut(Schema):
    id: str
    author: Literal["owner", "consultant"]
    text: str
    created_at: str


class QuestionCommon(Schema):
    id: str
    messages: list[MessageOut]
    created_at: str
    updated_at: str


class OwnerQuestion(QuestionCommon):
    consultant: ConsultantRef
    pet: PetOut | None


class ConsultantQuestion(QuestionCommon):
    client: Client
    pet: PetForConsultant | None


class QuestionList(Schema):
    items: list[OwnerQuestion | ConsultantQuestion]
    next_cursor: str | None


class QuestionView(OneOf[OwnerQuestion | ConsultantQuestion]):
    """A question thread as its owner or its consultant sees it."""
