"""A client generated from the document (openapi-python-client) runs the owner journey:
list consultants, register, verify by the e-mailed code, sign in, add a pet, book with an
idempotency key, read the booking, cancel it. Only the mailbox is read by hand."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import requests

from local.launcher import Stack
from tests.integration.clients import PASSWORD, TIMEOUT, mailbox_code

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def generated(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("client")
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(requests.get(stack.url("/v1/openapi.json"), timeout=TIMEOUT).json()))
    generator = Path(sys.executable).parent / "openapi-python-client"
    subprocess.run(
        [str(generator), "generate", "--path", str(spec), "--meta", "none",
         "--output-path", str(folder / "vetpet_client")],
        cwd=folder, check=True, capture_output=True, text=True,
    )  # fmt: skip
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("vetpet_client")
    finally:
        sys.path.remove(str(folder))


def test_the_owner_journey_through_the_generated_client(
    stack: Stack, generated: ModuleType
) -> None:
    api = importlib.import_module("vetpet_client.api")
    models = importlib.import_module("vetpet_client.models")
    client_module = importlib.import_module("vetpet_client.client")
    for name in ("accounts", "consultants", "pets", "bookings"):
        importlib.import_module(f"vetpet_client.api.{name}")
    anonymous = client_module.Client(base_url=stack.api, timeout=TIMEOUT)

    from vetpet_client.api.accounts import login, register, verify_email
    from vetpet_client.api.bookings import cancel_booking, create_booking, get_booking
    from vetpet_client.api.consultants import list_consultant_slots, list_consultants
    from vetpet_client.api.pets import create_my_pet

    consultants = list_consultants.sync(client=anonymous)
    consultant = next(c for c in consultants.items if c.name)
    email = f"generated-{uuid.uuid4().hex[:10]}@example.com"
    registered = register.sync_detailed(
        client=anonymous,
        body=models.RegisterIn(
            email=email, password=PASSWORD, name="Generated Owner", birth_date=_day("1990-05-17"),
            country="UA", timezone="Europe/Kyiv", language=models.RegisterInLanguage("en"),
        ),
    )  # fmt: skip
    assert registered.status_code == 202
    verified = verify_email.sync_detailed(
        client=anonymous,
        body=models.VerifyEmailIn(email=email, code=mailbox_code(stack.mailbox, email)),
    )
    assert verified.status_code == 200
    tokens = login.sync(client=anonymous, body=models.LoginIn(email=email, password=PASSWORD))
    assert isinstance(tokens, models.TokensOut)
    owner = client_module.AuthenticatedClient(
        base_url=stack.api, token=tokens.access_token, timeout=TIMEOUT
    )
    pet = create_my_pet.sync(
        client=owner, body=models.PetCreate(name="Rex", species=models.PetCreateSpecies("dog"))
    )
    slots = list_consultant_slots.sync(client=owner, consultant_id=consultant.id)
    body = models.BookingCreate(
        consultant_id=consultant.id, pet_id=pet.id, start=slots.items[0].start, reason="Cough"
    )
    key = uuid.uuid4().hex
    created = create_booking.sync_detailed(client=owner, body=body, idempotency_key=key)
    assert created.status_code == 201
    replay = create_booking.sync_detailed(client=owner, body=body, idempotency_key=key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    booking_id = created.parsed.id
    read = get_booking.sync(client=owner, booking_id=booking_id)
    assert isinstance(read, models.OwnerBooking)
    cancelled = cancel_booking.sync(client=owner, booking_id=booking_id)
    assert isinstance(cancelled, models.OwnerBooking)
    assert str(cancelled.status) == "cancelled"
    del api


def _day(text: str) -> object:
    from datetime import date

    return date.fromisoformat(text)
