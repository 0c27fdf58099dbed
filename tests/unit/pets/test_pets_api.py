"""Pets: several per owner, reachable only by their owner."""

from __future__ import annotations

from tests.unit.booking_world import TORONTO_MONDAY_9, World


def test_crud_of_pets(world: World) -> None:
    body = {
        "name": "Kesha",
        "species": "bird",
        "breed": "budgie",
        "birth_date": "2024-04-01",
        "weight_kg": 0.04,
        "sex": "male",
        "neutered": False,
        "notes": "plucks feathers",
    }
    status, pet = world.call("POST", "/v1/me/pets", "owner_a", body)
    assert status == 201, pet
    assert {k: pet[k] for k in body} == body
    status, listed = world.call("GET", "/v1/me/pets", "owner_a")
    assert sorted(p["name"] for p in listed["items"]) == ["Kesha", "Rex"]
    assert listed["next_cursor"] is None
    path = f"/v1/me/pets/{pet['id']}"
    status, changed = world.call("PATCH", path, "owner_a", {"weight_kg": 0.05, "breed": None})
    assert status == 200, changed
    assert (changed["weight_kg"], changed["breed"], changed["name"]) == (0.05, None, "Kesha")
    assert world.call("GET", path, "owner_a")[1]["breed"] is None
    status, problem = world.call("PATCH", path, "owner_a", {"name": None})
    assert (status, problem["code"]) == (400, "validation_error")
    assert world.call("DELETE", path, "owner_a")[0] == 204
    assert world.call("GET", path, "owner_a")[0] == 404
    assert world.call("DELETE", path, "owner_a")[0] == 404


def test_another_owner_cannot_reach_my_pet(world: World) -> None:
    path = f"/v1/me/pets/{world.pets['owner_a']}"
    assert world.call("GET", path, "owner_b")[0] == 404
    assert world.call("PATCH", path, "owner_b", {"name": "Stolen"})[0] == 404
    assert world.call("DELETE", path, "owner_b")[0] == 404
    assert world.call("GET", path, "owner_a")[1]["name"] == "Rex"
    assert world.call("GET", "/v1/me/pets", "vet_a")[0] == 403
    assert world.call("GET", "/v1/me/pets")[0] == 401


def test_unknown_fields_and_bad_values_are_refused(world: World) -> None:
    for body in (
        {"name": "X", "species": "dog", "card_number": "4111111111111111"},
        {"name": "X", "species": "dragon"},
        {"name": "", "species": "cat"},
        {"name": "X", "species": "cat", "weight_kg": -1},
    ):
        status, problem = world.call("POST", "/v1/me/pets", "owner_a", body)
        assert (status, problem["code"]) == (400, "validation_error"), body


def test_a_pet_with_an_open_booking_cannot_be_deleted(world: World) -> None:
    _, booking = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    path = f"/v1/me/pets/{world.pets['owner_a']}"
    status, problem = world.call("DELETE", path, "owner_a")
    assert (status, problem["code"]) == (409, "pet_has_active_bookings")
    world.call("POST", f"/v1/bookings/{booking['id']}/cancel", "owner_a")
    assert world.call("DELETE", path, "owner_a")[0] == 204
