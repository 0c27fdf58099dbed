"""Booking, room and question routes."""

from __future__ import annotations

from typing import Any

from chalicelib.bookings import questions, rooms, service, views
from chalicelib.bookings.errors import (
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    InvalidTransition,
    QuotaExceeded,
    RoomClosed,
    RoomUnavailable,
)
from chalicelib.bookings.idempotency import MAX_KEY_LENGTH
from chalicelib.bookings.schemas import (
    BookingCreate,
    BookingCreated,
    BookingList,
    BookingListQuery,
    BookingView,
    ConsultantBooking,
    ConsultantQuestion,
    ListQuery,
    MessageIn,
    MessageOut,
    OwnerBooking,
    OwnerQuestion,
    QuestionCreate,
    QuestionList,
    QuestionView,
    RescheduleIn,
    RoomOut,
    RoomPasswordIn,
)
from chalicelib.bookings.service import Actor
from chalicelib.bookings.states import BookingStatus, effective_status
from chalicelib.consultants.errors import SlotTaken, SlotUnavailable
from chalicelib.errors import Conflict, NotFound
from chalicelib.media_nodes.errors import NoMediaNode
from chalicelib.minor_reports.errors import AccountUnderReview
from chalicelib.payments.wiring import booking_cancelled
from chalicelib.store.errors import InvalidCursor
from chalicelib.web.access import AUTHENTICATED, roles
from chalicelib.web.routing import ApiBlueprint, ApiRequest, Header, Reply

api = ApiBlueprint(__name__, tag="bookings")
OWNER = roles("owner")
PARTICIPANT = roles("owner", "vet")
VET = roles("vet")
AnyBooking = OwnerBooking | ConsultantBooking
IDEMPOTENCY_KEY = Header(
    "Idempotency-Key",
    "Any unique string per booking attempt; a retry with the same key and body replays "
    "the first answer (with `Idempotent-Replayed: true`).",
    max_length=MAX_KEY_LENGTH,
)


def _actor(request: ApiRequest[Any, Any]) -> Actor:
    return Actor(request.user.user_id, request.user.role)


def _idempotency_key(request: ApiRequest[Any, Any]) -> str:
    key = (request.headers.get("idempotency-key") or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise IdempotencyKeyRequired(
            f"Send an 'Idempotency-Key' header of 1 to {MAX_KEY_LENGTH} characters."
        )
    return key


@api.route(
    "/v1/bookings",
    "POST",
    access=OWNER,
    headers=(IDEMPOTENCY_KEY,),
    reply_headers=("Idempotent-Replayed",),
    body=BookingCreate,
    response=BookingCreated,
    status=201,
    summary="Hold (or, when free, confirm) a slot for one of my pets.",
    errors=(
        IdempotencyKeyRequired,
        IdempotencyKeyReused,
        QuotaExceeded,
        Conflict,
        SlotTaken,
        SlotUnavailable,
        NotFound,
        AccountUnderReview,
    ),
)
def create(request: ApiRequest[BookingCreate, None]) -> Reply:
    body = request.body
    result = service.bookings.create_booking(
        request.user.user_id,
        _idempotency_key(request),
        service.NewBooking(body.consultant_id, body.pet_id, body.start, body.reason),
        request.now,
    )
    replayed = {"Idempotent-Replayed": "true"} if result.replayed else {}
    return Reply(views.created(result.booking), headers=replayed)


@api.route(
    "/v1/bookings",
    "GET",
    access=PARTICIPANT,
    query=BookingListQuery,
    response=BookingList,
    summary="My bookings, newest first (owner: mine; consultant: with me), filtered by "
    "status and time. A page is short of `limit` only at the end of the list, or when ten "
    "index reads found too few matches (`next_cursor` then goes on).",
    errors=(InvalidCursor,),
)
def list_bookings(request: ApiRequest[None, BookingListQuery]) -> BookingList:
    actor, query, now = _actor(request), request.query, request.now
    wanted = set(query.status or BookingStatus)
    kept, cursor = service.bookings.bookings_page(
        actor,
        query.cursor,
        query.limit,
        now,
        lambda b: effective_status(b, now) in wanted and query.upcoming in (None, b.end > now),
    )
    items = views.for_viewers(kept, actor.user_id, now)
    return BookingList(items=items, next_cursor=cursor)


@api.route(
    "/v1/bookings/{booking_id}",
    "GET",
    access=AUTHENTICATED,
    response=BookingView,
    summary="One booking, as its owner or its consultant sees it.",
    errors=(NotFound,),
)
def get(request: ApiRequest[None, None], booking_id: str) -> AnyBooking:
    booking = service.bookings.read_for(booking_id, _actor(request), request.now)
    return views.for_viewer(booking, request.user.user_id, request.now)


@api.route(
    "/v1/bookings/{booking_id}/cancel",
    "POST",
    access=PARTICIPANT,
    response=BookingView,
    summary="Cancel a booking and free its slot.",
    errors=(NotFound, InvalidTransition),
)
def cancel(request: ApiRequest[None, None], booking_id: str) -> AnyBooking:
    actor = _actor(request)
    booking = service.bookings.cancel_booking(
        service.bookings.load_for(booking_id, actor), actor, request.now
    )
    booking_cancelled(booking.booking_id, str(booking.cancelled_by), request.now)
    return views.for_viewer(booking, actor.user_id, request.now)


@api.route(
    "/v1/bookings/{booking_id}/reschedule",
    "POST",
    access=PARTICIPANT,
    body=RescheduleIn,
    response=BookingView,
    status=201,
    summary="Move a booking: a new booking and the old one cancelled, atomically.",
    errors=(
        NotFound,
        InvalidTransition,
        QuotaExceeded,
        Conflict,
        SlotTaken,
        SlotUnavailable,
    ),
)
def reschedule(request: ApiRequest[RescheduleIn, None], booking_id: str) -> AnyBooking:
    actor = _actor(request)
    old = service.bookings.load_for(booking_id, actor)
    new = service.bookings.reschedule(old, actor, request.body.start, request.now)
    return views.for_viewer(new, actor.user_id, request.now)


def _advance(request: ApiRequest[None, None], booking_id: str, target: BookingStatus) -> AnyBooking:
    actor = _actor(request)
    booking = service.bookings.load_for(booking_id, actor)
    if actor.user_id != booking.consultant_id:
        raise NotFound("booking")
    booking = service.bookings.advance(booking, target, actor, request.now)
    return views.for_viewer(booking, actor.user_id, request.now)


@api.route(
    "/v1/bookings/{booking_id}/start",
    "POST",
    access=VET,
    response=ConsultantBooking,
    summary="The consultant starts the consultation.",
    errors=(NotFound, InvalidTransition),
)
def start(request: ApiRequest[None, None], booking_id: str) -> AnyBooking:
    return _advance(request, booking_id, BookingStatus.IN_PROGRESS)


@api.route(
    "/v1/bookings/{booking_id}/complete",
    "POST",
    access=VET,
    response=ConsultantBooking,
    summary="The consultant completes the consultation.",
    errors=(NotFound, InvalidTransition),
)
def complete(request: ApiRequest[None, None], booking_id: str) -> AnyBooking:
    return _advance(request, booking_id, BookingStatus.COMPLETED)


@api.route(
    "/v1/bookings/{booking_id}/no-show",
    "POST",
    access=VET,
    operation_id="markBookingNoShow",
    response=ConsultantBooking,
    summary="The consultant records that the client did not come.",
    errors=(NotFound, InvalidTransition),
)
def no_show(request: ApiRequest[None, None], booking_id: str) -> AnyBooking:
    return _advance(request, booking_id, BookingStatus.NO_SHOW)


@api.route(
    "/v1/bookings/{booking_id}/room",
    "POST",
    access=PARTICIPANT,
    operation_id="openBookingRoom",
    response=RoomOut,
    summary="A room token, its media node's signalling URL and TURN credentials"
    " (10 minutes before the start to the end).",
    errors=(NotFound, RoomUnavailable, RoomClosed, NoMediaNode),
)
def room(request: ApiRequest[None, None], booking_id: str) -> RoomOut:
    actor = _actor(request)
    booking = service.bookings.load_for(booking_id, actor)
    return views.room_out(rooms.room_access(booking, actor, request.now, request.user.session_id))


@api.route(
    "/v1/bookings/{booking_id}/room-password",
    "PUT",
    access=OWNER,
    body=RoomPasswordIn,
    status=204,
    summary="Set a password the media server asks for (stored as argon2id).",
    errors=(NotFound, RoomUnavailable),
)
def room_password(request: ApiRequest[RoomPasswordIn, None], booking_id: str) -> None:
    booking = service.bookings.load_for(booking_id, _actor(request))
    if booking.owner_id != request.user.user_id:
        raise NotFound("booking")
    rooms.set_room_password(booking, request.body.password, request.now)
    return


@api.route(
    "/v1/questions",
    "POST",
    access=OWNER,
    body=QuestionCreate,
    response=QuestionView,
    status=201,
    summary="Ask a consultant a question about one of my pets.",
    errors=(NotFound, AccountUnderReview),
)
def ask(request: ApiRequest[QuestionCreate, None]) -> OwnerQuestion | ConsultantQuestion:
    question = questions.ask(request.user.user_id, request.body, request.now)
    return views.question_view(question, request.user.user_id)


@api.route(
    "/v1/questions",
    "GET",
    access=PARTICIPANT,
    query=ListQuery,
    response=QuestionList,
    summary="My question threads, newest first (owner: asked; consultant: addressed to me).",
    errors=(InvalidCursor,),
)
def list_questions(request: ApiRequest[None, ListQuery]) -> QuestionList:
    actor = _actor(request)
    page, cursor = questions.questions_page(
        actor, request.query.cursor, request.query.limit, request.now
    )
    items = [views.question_view(q, actor.user_id) for q in page]
    return QuestionList(items=items, next_cursor=cursor)


@api.route(
    "/v1/questions/{question_id}",
    "GET",
    access=AUTHENTICATED,
    response=QuestionView,
    summary="A question thread, as its owner or its consultant sees it.",
    errors=(NotFound,),
)
def question(
    request: ApiRequest[None, None], question_id: str
) -> OwnerQuestion | ConsultantQuestion:
    found = questions.read_for(question_id, _actor(request), request.now)
    return views.question_view(found, request.user.user_id)


@api.route(
    "/v1/questions/{question_id}/messages",
    "POST",
    access=PARTICIPANT,
    body=MessageIn,
    response=MessageOut,
    status=201,
    summary="Add a message to the thread.",
    errors=(NotFound,),
)
def message(request: ApiRequest[MessageIn, None], question_id: str) -> MessageOut:
    actor = _actor(request)
    found = questions.load_for(question_id, actor)
    return views.message_out(questions.reply(found, actor, request.body.text, request.now))
