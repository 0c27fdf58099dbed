"""Erasure end to end in-process: a user with a paid consultation still to come, a
question thread, consents, a room password, a chat-link token and a data export is
erased; the consultation is cancelled and refunded, the consultant told, the user gets a
receipt, and a Scan of every table and index and every bucket finds nothing of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.accounts.models import User
from chalicelib.config import TAX_RECORD_RETENTION, get_settings
from chalicelib.notifications import chatlinks
from chalicelib.payments.models import PaymentItem
from chalicelib.privacy import erasure, exports
from chalicelib.privacy.models import ErasureRequest
from chalicelib.privacy.registry import holders
from chalicelib.privacy.retention import purge_payment
from tests.residue import residue
from tests.unit.booking_world import NOW
from tests.unit.payments.conftest import Pay, pay, world

__all__ = ["pay", "world"]

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])  # the payment stand-in

OWNER_ID, EMAIL, NAME, PHONE = "owner-a", "owner-a@example.com", "Ana Owner", "+380501234567"


def _sent_to(address: str) -> list[tuple[str, str]]:
    sent = ses_backends[DEFAULT_ACCOUNT_ID][get_settings().region].sent_messages
    return [(m.subject, m.body) for m in sent if address in m.destinations.get("ToAddresses", [])]


@pytest.fixture
def exports_bucket(pay: Pay) -> None:
    boto3.client("s3", region_name=get_settings().region).create_bucket(
        Bucket=get_settings().exports_bucket
    )


# Wednesday 3 June 2026, 09:00 in Kyiv: more than 24 hours ahead, so a full refund.
LATER = "2026-06-03T06:00:00Z"


def _paid_booking(pay: Pay) -> str:
    booking = pay.booking(start=LATER)
    session = pay.checkout(booking)[1]["checkout_url"].rsplit("/", 1)[1]
    assert pay.standin.pay_session(session, paid=True) == 200
    assert pay.get(booking)["status"] == "confirmed"
    return booking


def _use_everything(pay: Pay) -> str:
    """Every feature the owner can reach in-process; the paid booking's id."""
    world = pay.world
    User(OWNER_ID).update(actions=[User.phone.set(PHONE), User.address.set("Khreshchatyk 1")])
    booking = _paid_booking(pay)
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


def test_erasure_cancels_and_refunds_the_future_booking_and_leaves_no_residue(
    pay: Pay, exports_bucket: None
) -> None:
    booking = _use_everything(pay)
    vet_mail_before = len(_sent_to("vet-a@example.com"))

    erasure_id = erasure.request_erasure(OWNER_ID, reason="user_request", now=NOW)
    assert erasure.complete_pending(NOW) == {"erased": 1}

    assert sum(r["amount"] for r in pay.standin.refunds.values()) == 50000
    payment = PaymentItem.get(booking)
    assert (payment.status, payment.owner_id, payment.amount) == ("refunded", "erased", 50000)
    assert payment.purge_at == payment.created_at + TAX_RECORD_RETENTION
    assert len(_sent_to("vet-a@example.com")) > vet_mail_before  # the consultant was told
    (receipt,) = [m for m in _sent_to(EMAIL) if erasure_id in m[1]]
    assert "deleted" in receipt[0]
    record = ErasureRequest.get(erasure_id)
    assert (record.status, record.user_id, record.email) == ("done", None, None)

    region = get_settings().region
    found = residue(
        boto3.client("dynamodb", region_name=region),
        boto3.client("s3", region_name=region),
        [OWNER_ID, EMAIL, NAME, PHONE],
    )
    assert found == []
    assert erasure.complete_pending(NOW) == {"erased": 0}  # nothing left to do


def test_the_anonymised_payment_is_purged_when_its_tax_retention_ends(
    pay: Pay, exports_bucket: None
) -> None:
    booking = _paid_booking(pay)
    erasure.request_erasure(OWNER_ID, reason="user_request", now=NOW)
    erasure.complete_pending(NOW)
    due = PaymentItem.get(booking).purge_at
    assert due is not None
    assert not purge_payment(PaymentItem(booking), due - timedelta(seconds=1))
    assert purge_payment(PaymentItem(booking), due)
    assert PaymentItem.count(booking) == 0


def test_a_repeated_run_after_a_failure_finishes_the_erasure(
    pay: Pay, exports_bucket: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _paid_booking(pay)
    erasure_id = erasure.request_erasure(OWNER_ID, reason="user_request", now=NOW)
    account = holders()[-1]

    def broken(*args: object) -> None:
        raise RuntimeError("lost the connection")

    monkeypatch.setattr(type(account), "erase", broken)
    with pytest.raises(RuntimeError):
        erasure.complete_pending(NOW)
    assert ErasureRequest.get(erasure_id).status == "pending"
    monkeypatch.undo()
    later = datetime.now(UTC)
    assert erasure.complete_pending(later) == {"erased": 1}
    assert User.count(OWNER_ID) == 0
