"""Pet values a client can send that once reached the store and failed there (a 500):
every one is now a 400 problem naming the field."""

from __future__ import annotations

import pytest

from tests.unit.booking_world import World


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", "0001-01-01"),
        ("birth_date", "9999-12-31"),
        ("birth_date", "2026-06-02"),  # two days after the frozen today: the future
        ("birth_date", "1895-05-31"),  # over 130 years ago
        ("weight_kg", 5e-324),
        ("weight_kg", 0.001),
        ("weight_kg", 1e308),
    ],
)
def test_implausible_birth_dates_and_weights_are_400_not_500(
    world: World, field: str, value: object
) -> None:
    body = {"name": "Kesha", "species": "bird", field: value}
    status, problem = world.call("POST", "/v1/me/pets", "owner_a", body)
    assert (status, problem["code"]) == (400, "validation_error"), problem
    assert field in {e["field"] for e in problem["errors"]}
    path = f"/v1/me/pets/{world.pets['owner_a']}"
    status, problem = world.call("PATCH", path, "owner_a", {field: value})
    assert (status, problem["code"]) == (400, "validation_error"), problem


@pytest.mark.parametrize(
    ("field", "value"),
    [("birth_date", "2026-06-01"), ("birth_date", "1900-01-01"), ("weight_kg", 0.01)],
)
def test_the_edges_of_the_plausible_ranges_are_accepted(
    world: World, field: str, value: object
) -> None:
    body = {"name": "Kesha", "species": "bird", field: value}
    status, pet = world.call("POST", "/v1/me/pets", "owner_a", body)
    assert status == 201, pet
    assert pet[field] == value
