"""Consultant directory (public, P1), profiles (admin), availability (vet) and slots."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.repository import get_user
from chalicelib.clock import to_rfc3339
from chalicelib.config import SLOT_RANGE_DEFAULT
from chalicelib.consultants import service, views
from chalicelib.consultants.errors import InvalidField, RangeTooLong
from chalicelib.consultants.schemas import (
    AvailabilityIn,
    AvailabilityOut,
    ConsultantList,
    ConsultantOut,
    ConsultantUpsert,
    DirectoryQuery,
    SlotList,
    SlotOut,
    SlotsQuery,
)
from chalicelib.errors import NotFound
from chalicelib.store.errors import InvalidCursor
from chalicelib.web.access import PUBLIC, roles
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="consultants")


@api.route(
    "/v1/consultants",
    "GET",
    access=PUBLIC,
    query=DirectoryQuery,
    response=ConsultantList,
    summary="Browse consultants (no account needed).",
    errors=(InvalidCursor,),
)
def directory(request: ApiRequest[None, DirectoryQuery]) -> ConsultantList:
    q = request.query
    page, cursor = service.list_directory(
        specialty=q.specialty,
        language=q.language,
        country=q.country,
        cursor=q.cursor,
        limit=q.limit,
    )
    return ConsultantList(items=[views.profile_out(p) for p in page], next_cursor=cursor)


@api.route(
    "/v1/consultants/{consultant_id}",
    "GET",
    access=PUBLIC,
    response=ConsultantOut,
    summary="One consultant's public profile.",
    errors=(NotFound,),
)
def profile(request: ApiRequest[None, None], consultant_id: str) -> ConsultantOut:
    return views.profile_out(service.get_profile(consultant_id))


@api.route(
    "/v1/consultants/{consultant_id}",
    "PUT",
    access=roles("admin"),
    body=ConsultantUpsert,
    response=ConsultantOut,
    summary="Create or edit a consultant's profile (admin).",
    errors=(NotFound,),
)
def upsert(request: ApiRequest[ConsultantUpsert, None], consultant_id: str) -> ConsultantOut:
    user = get_user(consultant_id)
    if user is None or user.role != "vet":
        raise NotFound("consultant account")
    return views.profile_out(service.upsert_profile(consultant_id, request.body, request.now))


@api.route(
    "/v1/consultants/{consultant_id}/slots",
    "GET",
    access=PUBLIC,
    query=SlotsQuery,
    response=SlotList,
    summary="Free slots, as UTC instants (at most 31 days per request).",
    errors=(NotFound, RangeTooLong, InvalidField),
)
def slots(request: ApiRequest[None, SlotsQuery], consultant_id: str) -> SlotList:
    profile = service.get_profile(consultant_id)
    start = request.query.start or request.now
    end = request.query.end or start + SLOT_RANGE_DEFAULT
    service.check_range(start, end)
    free = service.list_free_slots(profile, start, end, request.now)
    return SlotList(items=[SlotOut(start=to_rfc3339(s.start), end=to_rfc3339(s.end)) for s in free])


@api.route(
    "/v1/vet/availability",
    "PUT",
    access=roles("vet"),
    body=AvailabilityIn,
    response=AvailabilityOut,
    summary="Set my weekly hours, exceptions, notice and buffer.",
    errors=(InvalidField,),
)
def set_availability(request: ApiRequest[AvailabilityIn, None]) -> dict[str, Any]:
    user = get_user(request.user.user_id)
    name = user.name if user else "-"
    return service.set_availability(request.user.user_id, request.body, name, request.now)


@api.route(
    "/v1/vet/availability",
    "GET",
    access=roles("vet"),
    response=AvailabilityOut,
    summary="My availability.",
    errors=(NotFound,),
)
def get_availability(request: ApiRequest[None, None]) -> dict[str, Any]:
    document = service.get_profile(request.user.user_id, listed_only=False).availability
    if document is None:
        raise NotFound("availability")
    return dict(document)
