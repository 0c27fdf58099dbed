"""Erasure end to end in-process: a user with a paid consultation still to come, a
question thread, consents, a room password, a chat-link token and a data export is
erased; the consultation is cancelled and refunded, the consultant told, the user gets a
receipt, and a Scan of every table and index and every bucket finds nothing of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from chalicelib.accounts.models import User
from chalicelib.config import TAX_RECORD_RETENTION, get_settings
from chalicelib.payments.models import PaymentItem
from chalicelib.privacy import erasure
from chalicelib.privacy.models import ErasureRequest
from chalicelib.privacy.registry import holders
from chalicelib.privacy.retention import purge_payment
from tests.residue import residue
from tests.unit.booking_world import NOW
from tests.unit.payments.conftest import Pay, pay, world
from tests.unit.privacy.everything import (
    EMAIL,
    NAME,
    OWNER_ID,
    PHONE,
    create_exports_bucket,
    paid_booking,
    sent_to,
    use_everything,
)

__all__ = ["pay", "world"]

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])  # the payment stand-in


@pytest.fixture
def exports_bucket(pay: Pay) -> None:
    create_exports_bucket()


def test_erasure_cancels_and_refunds_the_future_booking_and_leaves_no_residue(
    pay: Pay, exports_bucket: None
) -> None:
    booking = use_everything(pay)
    vet_mail_before = len(sent_to("vet-a@example.com"))

    erasure_id = erasure.request_erasure(OWNER_ID, reason="user_request", now=NOW)
    assert erasure.complete_pending(NOW) == {"erased": 1}

    assert sum(r["amount"] for r in pay.standin.refunds.values()) == 50000
    payment = PaymentItem.get(booking)
    assert (payment.status, payment.owner_id, payment.amount) == ("refunded", "erased", 50000)
    assert payment.purge_at == payment.created_at + TAX_RECORD_RETENTION
    assert len(sent_to("vet-a@example.com")) > vet_mail_before  # the consultant was told
    (receipt,) = [m for m in sent_to(EMAIL) if erasure_id in m[1]]
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
    booking = paid_booking(pay)
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
    paid_booking(pay)
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


def test_a_consultant_erasure_cancels_their_consultations_with_a_full_refund(
    pay: Pay, exports_bucket: None
) -> None:
    booking = paid_booking(pay)
    erasure.request_erasure("vet-a", reason="user_request", now=NOW)
    assert erasure.complete_pending(NOW) == {"erased": 1}
    assert sum(r["amount"] for r in pay.standin.refunds.values()) == 50000
    kept = pay.get(booking)  # the owner still sees their booking, without the consultant
    assert kept["status"] == "cancelled"
    region = get_settings().region
    left = residue(
        boto3.client("dynamodb", region_name=region),
        boto3.client("s3", region_name=region),
        ["vet-a", "vet-a@example.com"],
    )
    assert left == []
