"""P15: card numbers sent in any field of any request body are refused (422
card_data_refused, naming the field) and appear nowhere: not in a table, not in a log."""

from __future__ import annotations

import io
import json
import re

import pytest

from chalicelib.store.tables import all_models
from chalicelib.web.card_guard import holds_card_number, refuse_card_data
from chalicelib.web.lazy import load_all
from chalicelib.web.problems import ProblemError
from chalicelib.web.routing import ROUTES, RouteSpec
from tests.unit.payments.conftest import Pay

CARDS = ["4242 4242 4242 4242", "5555-5555-5555-4444", "378282246310005", "6011111111111117"]
DIGITS = [re.sub(r"\D", "", card) for card in CARDS]
ROLE_USER = {"owner": "owner_a", "vet": "vet_a", "admin": "admin"}

# The payment stand-in listens on loopback; nothing else is reached.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def _caller(spec: RouteSpec) -> str | None:
    if spec.access.public:
        return None
    return next(ROLE_USER[r] for r in ("owner", "vet", "admin") if r in spec.access.roles)


def _path(spec: RouteSpec) -> str:
    return re.sub(r"\{(\w+)\}", r"\1-1", spec.path)


load_all()  # every capability declares its routes in ROUTES
BODY_ROUTES = [s for s in ROUTES if s.body is not None or s.raw_body]


@pytest.mark.parametrize("spec", BODY_ROUTES, ids=[f"{s.method} {s.path}" for s in BODY_ROUTES])
def test_card_numbers_in_every_body_are_refused(
    pay: Pay, log_output: io.StringIO, spec: RouteSpec
) -> None:
    model = spec.body
    fields = [f.alias or n for n, f in model.model_fields.items()] if model else ["note"]
    body = {name: f"my card {CARDS[i % len(CARDS)]} thanks" for i, name in enumerate(fields)}
    status, problem = pay.world.call(spec.method, _path(spec), _caller(spec), body)
    if spec.raw_body:  # a processor's webhook: the signature fails first
        assert (status, problem["code"]) == (400, "invalid_signature")
    else:
        assert (status, problem["code"]) == (422, "card_data_refused")
        named = {e["field"] for e in problem["errors"]}
        assert named == set(fields)
        assert {e["code"] for e in problem["errors"]} == {"card_data_refused"}
    stored = json.dumps([item.to_simple_dict() for m in all_models() for item in m.scan()])
    logged = log_output.getvalue()
    for digits in DIGITS:
        assert digits not in re.sub(r"[ -]", "", stored)
        assert digits not in re.sub(r"[ -]", "", logged)


def test_nested_strings_are_searched_and_named() -> None:
    with pytest.raises(ProblemError) as caught:
        refuse_card_data({"weekly": [{"note": "ok"}, {"note": CARDS[1]}]})
    assert caught.value.status == 422
    assert caught.value.extra["errors"][0]["field"] == "weekly.1.note"


def test_only_luhn_valid_runs_of_13_to_19_digits_count() -> None:
    assert holds_card_number("4242-4242-4242-4242")
    assert not holds_card_number("4242 4242 4242 4241")  # Luhn fails
    assert not holds_card_number("424242424242")  # 12 digits
    assert not holds_card_number("+380 67 123 45 67")
    assert not holds_card_number("2026-06-01T06:00:00Z")


@pytest.mark.parametrize(
    "text",
    [
        "card:4242424242424242.",
        "(4242 4242 4242 4242)",
        "4242424242424242",
        "pay with 5555-5555-5555-4444 please",
    ],
)
def test_a_card_number_standing_on_its_own_is_found(text: str) -> None:
    assert holds_card_number(text)


@pytest.mark.parametrize(
    "identifier",
    [
        "pet_4242424242424242abcdef01",  # a run inside a random id
        "pet_ab4242424242424242cdef01",
        "a1b2c3d4-4242-4242-4242-424242424242",  # a UUID ending in digit groups
        "42424242-4242-4242-4242-4242abcdef12",  # and one starting with them
        "ref-4242424242424242x",
    ],
)
def test_digits_inside_an_identifier_are_not_a_card_number(identifier: str) -> None:
    assert not holds_card_number(identifier)
