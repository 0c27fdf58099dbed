"""Per-booking recording consent (P17): both sides decide; room tokens carry `rec: true`
only while both have granted; each decision is a consent-ledger event of its decider."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import jwt
import pytest

from chalicelib.config import get_settings
from chalicelib.consent.operations import ledger
from chalicelib.consent.service import verify_chain
from chalicelib.media_nodes.contract import RECORDING_CONSENTS_TABLE
from tests.unit.booking_world import World
from tests.unit.recordings.conftest import later

pytestmark = pytest.mark.usefixtures("media_node")


def _consent(world: World, booking_id: str, who: str, granted: bool) -> tuple[int, dict[str, Any]]:
    path = f"/v1/bookings/{booking_id}/recording-consent"
    return world.call("PUT", path, who, {"granted": granted})


def _rec_claim(world: World, booking: dict[str, str], who: str) -> bool:
    world.clock.move_to(later(booking["start"], 1))
    status, room = world.call("POST", f"/v1/bookings/{booking['id']}/room", who)
    assert status == 200, room
    return bool(jwt.decode(room["token"], options={"verify_signature": False})["rec"])


def test_room_tokens_allow_recording_only_when_both_granted(
    world: World, booking: dict[str, str]
) -> None:
    assert _rec_claim(world, booking, "owner_a") is False
    status, state = _consent(world, booking["id"], "owner_a", True)
    assert status == 200, state
    assert (state["owner_granted"], state["consultant_granted"]) == (True, False)
    assert state["recording_allowed"] is False
    assert _rec_claim(world, booking, "vet_b") is False
    status, state = _consent(world, booking["id"], "vet_b", True)
    assert state["recording_allowed"] is True
    assert _rec_claim(world, booking, "owner_a") is True
    assert _rec_claim(world, booking, "vet_b") is True
    _consent(world, booking["id"], "vet_b", False)
    assert _rec_claim(world, booking, "owner_a") is False


def test_the_media_server_reads_the_pair_by_the_contract_names(
    world: World, booking: dict[str, str]
) -> None:
    _consent(world, booking["id"], "vet_b", True)
    settings = get_settings()
    table = boto3.resource("dynamodb", region_name=settings.region).Table(
        settings.table_name(RECORDING_CONSENTS_TABLE)
    )
    item = table.get_item(Key={"booking_id": booking["id"]}, ConsistentRead=True)["Item"]
    assert item["owner_granted"] is False
    assert item["consultant_granted"] is True
    assert "updated_at" in item


def test_each_decision_is_a_ledger_event_of_its_decider(
    world: World, booking: dict[str, str]
) -> None:
    owner, vet = world.users["owner_a"].user_id, world.users["vet_b"].user_id
    _consent(world, booking["id"], "owner_a", True)
    _consent(world, booking["id"], "owner_a", True)  # no change: no second event
    world.clock.move_to(later(booking["start"], -60))
    _consent(world, booking["id"], "owner_a", False)
    _consent(world, booking["id"], "vet_b", True)
    owner_events = [e for e in ledger(owner) if e.purpose == "recording"]
    assert [(e.decision, e.reference) for e in owner_events] == [
        ("granted", booking["id"]),
        ("withdrawn", booking["id"]),
    ]
    assert verify_chain(ledger(owner))
    vet_events = [e for e in ledger(vet) if e.purpose == "recording"]
    assert [(e.decision, e.reference) for e in vet_events] == [("granted", booking["id"])]
    status, body = world.call("GET", "/v1/me/consents/ledger", "owner_a")
    assert status == 200, body
    assert [e["reference"] for e in body["items"] if e["purpose"] == "recording"] == [
        booking["id"],
        booking["id"],
    ]


def test_only_the_participants_decide(world: World, booking: dict[str, str]) -> None:
    assert _consent(world, booking["id"], "owner_b", True)[0] == 404
    assert _consent(world, booking["id"], "vet_a", True)[0] == 404
    assert _consent(world, booking["id"], "admin", True)[0] == 403
    assert _consent(world, "no-such-booking", "owner_a", True)[0] == 404


def test_the_pair_is_purged_after_the_slot(world: World, booking: dict[str, str]) -> None:
    from chalicelib.jobs import retention
    from chalicelib.recordings.consents import current

    _consent(world, booking["id"], "owner_a", True)
    world.clock.move_to(later(booking["start"], 45) + timedelta(days=2, hours=2))
    counts = retention.run(later(booking["start"], 45) + timedelta(days=2, hours=2))
    assert counts["purged_recording_consents"] == 1
    assert current(booking["id"]).owner_granted is False
