"""The owner's pets."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.bookings.service import has_active_bookings
from chalicelib.pets import service
from chalicelib.pets.schemas import PetCreate, PetList, PetOut, PetPatch
from chalicelib.web.access import roles
from chalicelib.web.problems import conflict
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="pets")
OWNER = roles("owner")


@api.route(
    "/v1/me/pets",
    "POST",
    access=OWNER,
    body=PetCreate,
    response=PetOut,
    status=201,
    summary="Add a pet.",
    errors=("validation_error", "too_many_pets"),
)
def create(request: ApiRequest[PetCreate, None]) -> PetOut:
    return service.to_out(service.create_pet(request.user.user_id, request.body, request.now))


@api.route("/v1/me/pets", "GET", access=OWNER, response=PetList, summary="My pets.")
def list_pets(request: ApiRequest[None, None]) -> PetList:
    pets = service.list_pets(request.user.user_id)
    return PetList(items=[service.to_out(p) for p in pets], next_cursor=None)


@api.route(
    "/v1/me/pets/{pet_id}",
    "GET",
    access=OWNER,
    response=PetOut,
    summary="One of my pets.",
    errors=("not_found",),
)
def get(request: ApiRequest[None, None], pet_id: str) -> PetOut:
    return service.to_out(service.get_pet(request.user.user_id, pet_id))


@api.route(
    "/v1/me/pets/{pet_id}",
    "PATCH",
    access=OWNER,
    body=PetPatch,
    response=PetOut,
    summary="Change some fields of a pet (null clears an optional field).",
    errors=("not_found", "validation_error"),
)
def patch(request: ApiRequest[PetPatch, None], pet_id: str) -> PetOut:
    pet = service.update_pet(request.user.user_id, pet_id, request.body, request.now)
    return service.to_out(pet)


@api.route(
    "/v1/me/pets/{pet_id}",
    "DELETE",
    access=OWNER,
    status=204,
    summary="Delete a pet that has no open booking.",
    errors=("not_found", "pet_has_active_bookings"),
)
def delete(request: ApiRequest[None, None], pet_id: str) -> Response:
    owner_id = request.user.user_id
    service.get_pet(owner_id, pet_id)
    if has_active_bookings(owner_id, pet_id, request.now):
        raise conflict("pet_has_active_bookings", "The pet has an open booking; cancel it first.")
    service.delete_pet(owner_id, pet_id)
    return Response(body="", status_code=204)
