"""One owner who used every feature reachable in-process (the booking world of
`tests/unit/booking_world.py` plus the payment stand-in): what the erasure and export
tests start from."""

from __future__ import annotations

import boto3
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.accounts.models import User
from chalicelib.config import get_settings
from chalicelib.notifications import chatlinks
from chalicelib.privacy import exports
from tests.unit.booking_world import NOW
from tests.unit.payments.conftest import Pay

OWNER_ID, EMAIL, NAME, PHONE = "owner-a", "owner-a@example.com", "Ana Owner", "+380501234567"


def sent_to(address: str) -> list[tuple[str, str]]:
    sent = ses_backends[DEFAULT_ACCOUNT_ID][get_settings().region].sent_messages
    return [(m.subject, m.body) for m in sent if address in m.destinations.get("ToAddresses", [])]


def create_exports_bucket() -> None:
    boto3.client("s3", region_name=get_settings().region).create_bucket(
        Bucket=get_settings().exports_bucket
    )


# Wednesday 3 June 2026, 09:00 in Kyiv: more than 24 hours ahead, so a full refund.
LATER = "2026-06-03T06:00:00Z"


def paid_booking(pay: Pay) -> str:
    booking = pay.booking(start=LATER)
    session = pay.checkout(booking)[1]["checkout_url"].rsplit("/", 1)[1]
    assert pay.standin.pay_session(session, paid=True) == 200
    assert pay.get(booking)["status"] == "confirmed"
    return booking


def use_everything(pay: Pay) -> str:
    """Every feature the owner can reach in-process; the paid booking's id."""
    world = pay.world
    User(OWNER_ID).update(actions=[User.phone.set(PHONE), User.address.set("Khreshchatyk 1")])
    booking = paid_booking(pay)
    assert world.call(
        "PUT", f"/v1/bookings/{booking}/room-password", "owner_a", {"password": "room-secret-1"}
    )[0] in (200, 204)
    status, question = world.call(
        "POST",
        "/v1/questions",
        "owner_a",
        {"consultant_id": "vet-a", "pet_id": world.pets["owner_a"], "text": "Rex scratches"},
    )
    assert status == 201, question
    reply = world.call(
        "POST", f"/v1/questions/{question['id']}/messages", "vet_a", {"text": "Since when?"}
    )
    assert reply[0] == 201, reply
    assert world.call("PUT", "/v1/me/consents/marketing", "owner_a", {"granted": True})[0] == 200
    assert world.call("PUT", "/v1/me/restriction", "owner_a", {"restricted": False})[0] == 200
    linked = chatlinks.new_token(OWNER_ID, chatlinks.TELEGRAM, NOW)
    assert chatlinks.redeem(chatlinks.TELEGRAM, linked.token, "777001", NOW) == OWNER_ID
    chatlinks.new_token(OWNER_ID, chatlinks.TELEGRAM, NOW)  # one left unused
    status, export = world.call("POST", "/v1/me/exports", "owner_a")
    assert status == 202, export
    assert exports.write_pending(NOW)["written"] == 1
    return booking
