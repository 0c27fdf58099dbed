"""The owner's pets."""

from __future__ import annotations

from chalicelib.bookings.service import bookings
from chalicelib.errors import NotFound
from chalicelib.pets import service, views
from chalicelib.pets.errors import PetHasActiveBookings, TooManyPets
from chalicelib.pets.schemas import PetCreate, PetList, PetOut, PetPatch
from chalicelib.web.access import roles
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
    errors=(TooManyPets,),
)
def create(request: ApiRequest[PetCreate, None]) -> PetOut:
    return views.pet_out(service.create_pet(request.user.user_id, request.body, request.now))


@api.route("/v1/me/pets", "GET", access=OWNER, response=PetList, summary="My pets.")
def list_pets(request: ApiRequest[None, None]) -> PetList:
    pets = service.list_pets(request.user.user_id)
    return PetList(items=[views.pet_out(p) for p in pets], next_cursor=None)


@api.route(
    "/v1/me/pets/{pet_id}",
    "GET",
    access=OWNER,
    response=PetOut,
    summary="One of my pets.",
    errors=(NotFound,),
)
def get(request: ApiRequest[None, None], pet_id: str) -> PetOut:
    return views.pet_out(service.get_pet(request.user.user_id, pet_id))


@api.route(
    "/v1/me/pets/{pet_id}",
    "PATCH",
    access=OWNER,
    body=PetPatch,
    response=PetOut,
    summary="Change some fields of a pet (null clears an optional field).",
    errors=(NotFound,),
)
def patch(request: ApiRequest[PetPatch, None], pet_id: str) -> PetOut:
    pet = service.update_pet(request.user.user_id, pet_id, request.body, request.now)
    return views.pet_out(pet)


@api.route(
    "/v1/me/pets/{pet_id}",
    "DELETE",
    access=OWNER,
    status=204,
    summary="Delete a pet that has no open booking.",
    errors=(NotFound, PetHasActiveBookings),
)
def delete(request: ApiRequest[None, None], pet_id: str) -> None:
    owner_id = request.user.user_id
    service.get_pet(owner_id, pet_id)
    if bookings.has_active_bookings(owner_id, pet_id, request.now):
        raise PetHasActiveBookings
    service.delete_pet(owner_id, pet_id)
    return
