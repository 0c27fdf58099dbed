"""Privacy requests to support (P20): the user opens one and reads its thread and due
date; support works through the queue, soonest due first."""

from __future__ import annotations

from datetime import datetime

from chalicelib.clock import to_rfc3339
from chalicelib.errors import Conflict, DomainError, NotFound
from chalicelib.privacy_requests import rules, service
from chalicelib.privacy_requests.errors import AlreadyExtended, RequestClosed, ThreadFull
from chalicelib.privacy_requests.schemas import (
    CloseIn,
    ExtendIn,
    MessageOut,
    PrivacyRequestIn,
    PrivacyRequestList,
    PrivacyRequestOut,
    ThreadMessageIn,
    WaitingQuery,
)
from chalicelib.web.access import AUTHENTICATED, roles
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="privacy")
ADMIN = roles("admin")


def _out(thread: service.Thread, now: datetime) -> PrivacyRequestOut:
    return PrivacyRequestOut(
        id=thread.request_id,
        kind=thread.kind,
        status=thread.status,
        opened_at=to_rfc3339(thread.opened_at),
        due_at=to_rfc3339(thread.due_at),
        overdue=rules.is_overdue(thread.status, thread.due_at, now),
        extended=thread.extended_at is not None,
        extension_reason=thread.extension_reason,
        closed_at=to_rfc3339(thread.closed_at) if thread.closed_at else None,
        messages=[
            MessageOut(at=to_rfc3339(m.at), author=m.author, text=m.text) for m in thread.messages
        ],
    )


@api.route(
    "/v1/privacy-requests",
    "POST",
    access=AUTHENTICATED,
    body=PrivacyRequestIn,
    response=PrivacyRequestOut,
    status=201,
    summary="Ask support about my data (access, rectification, erasure, restriction, "
    "objection, or a question); the answer is due one calendar month later.",
)
def open_request(request: ApiRequest[PrivacyRequestIn, None]) -> PrivacyRequestOut:
    body = request.body
    thread = service.open_request(request.user.user_id, body.kind, body.message, request.now)
    return _out(thread, request.now)


@api.route(
    "/v1/privacy-requests/{request_id}",
    "GET",
    access=AUTHENTICATED,
    response=PrivacyRequestOut,
    summary="My privacy request: its thread, status and due date.",
    errors=(NotFound,),
)
def my_request(request: ApiRequest[None, None], request_id: str) -> PrivacyRequestOut:
    return _out(service.for_user(request_id, request.user.user_id), request.now)


@api.route(
    "/v1/privacy-requests/{request_id}/messages",
    "POST",
    access=AUTHENTICATED,
    operation_id="replyToPrivacyRequest",
    body=ThreadMessageIn,
    response=PrivacyRequestOut,
    status=201,
    summary="Reply in my privacy request's thread; an answered request waits for support "
    "again (same due date).",
    errors=(NotFound, RequestClosed, ThreadFull, Conflict),
)
def reply(request: ApiRequest[ThreadMessageIn, None], request_id: str) -> PrivacyRequestOut:
    user_id, text = request.user.user_id, request.body.message
    return _out(service.reply(request_id, user_id, text, request.now), request.now)


@api.route(
    "/v1/admin/privacy-requests",
    "GET",
    access=ADMIN,
    query=WaitingQuery,
    response=PrivacyRequestList,
    summary="Privacy requests waiting for an answer, the soonest due first (each goes in "
    "its user's access log).",
)
def waiting(request: ApiRequest[None, WaitingQuery]) -> PrivacyRequestList:
    threads = service.waiting(request.query.limit, request.now)
    return PrivacyRequestList(items=[_out(t, request.now) for t in threads])


@api.route(
    "/v1/admin/privacy-requests/{request_id}",
    "GET",
    access=ADMIN,
    response=PrivacyRequestOut,
    summary="Read a privacy request (goes in the user's access log).",
    errors=(NotFound,),
)
def support_read(request: ApiRequest[None, None], request_id: str) -> PrivacyRequestOut:
    return _out(service.for_support(request_id, request.now), request.now)


_CHANGES: tuple[type[DomainError], ...] = (NotFound, RequestClosed, ThreadFull, Conflict)


@api.route(
    "/v1/admin/privacy-requests/{request_id}/answer",
    "POST",
    access=ADMIN,
    body=ThreadMessageIn,
    response=PrivacyRequestOut,
    summary="Answer a privacy request; it no longer waits. The user is e-mailed a link to "
    "it (not the answer).",
    errors=_CHANGES,
)
def answer(request: ApiRequest[ThreadMessageIn, None], request_id: str) -> PrivacyRequestOut:
    return _out(service.answer(request_id, request.body.message, request.now), request.now)


@api.route(
    "/v1/admin/privacy-requests/{request_id}/close",
    "POST",
    access=ADMIN,
    body=CloseIn,
    response=PrivacyRequestOut,
    summary="Close a privacy request, with an optional last message.",
    errors=_CHANGES,
)
def close(request: ApiRequest[CloseIn, None], request_id: str) -> PrivacyRequestOut:
    return _out(service.close(request_id, request.body.message, request.now), request.now)


@api.route(
    "/v1/admin/privacy-requests/{request_id}/extend",
    "POST",
    access=ADMIN,
    body=ExtendIn,
    response=PrivacyRequestOut,
    summary="Extend the due date once, by one or two months, with a reason the user is "
    "told by e-mail.",
    errors=(NotFound, RequestClosed, AlreadyExtended, Conflict),
)
def extend(request: ApiRequest[ExtendIn, None], request_id: str) -> PrivacyRequestOut:
    body = request.body
    thread = service.extend(request_id, body.months, body.reason, request.now)
    return _out(thread, request.now)
