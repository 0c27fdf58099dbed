"""One contract for every PaymentRepository: the DynamoDB adapter (on moto) and the
in-memory fake pass the same tests."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.payments.domain import Money, Payment, PaymentStatus
from chalicelib.payments.models import PaymentEventItem
from chalicelib.payments.repository import DynamoPaymentRepository, PaymentRepository
from tests.unit.payments.fakes import MemoryPaymentRepository

NOW = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)
P = PaymentStatus


@pytest.fixture(params=["dynamodb", "memory"])
def repo(request: pytest.FixtureRequest) -> Iterator[PaymentRepository]:
    if request.param == "memory":
        yield MemoryPaymentRepository()
    else:
        request.getfixturevalue("aws")
        yield DynamoPaymentRepository()


def _payment(booking_id: str = "bk_1") -> Payment:
    return Payment(
        booking_id=booking_id,
        owner_id="owner-a",
        provider="stripe",
        checkout_ref="cs_1",
        checkout_url="https://pay.example/c/pay/cs_1",
        amount=Money(50000, "UAH"),
        expires_at=NOW + timedelta(minutes=15),
        status=P.PENDING,
        created_at=NOW,
    )


def test_add_then_get_round_trips(repo: PaymentRepository) -> None:
    assert repo.get("bk_1") is None
    assert repo.add(_payment())
    assert repo.get("bk_1") == _payment()


def test_get_many_finds_the_payments_that_exist(repo: PaymentRepository) -> None:
    for booking_id in ("bk_1", "bk_2"):
        assert repo.add(_payment(booking_id))
    assert repo.get_many(["bk_2", "bk_none", "bk_1", "bk_2"]) == {
        "bk_1": _payment("bk_1"),
        "bk_2": _payment("bk_2"),
    }
    assert repo.get_many([]) == {}


def test_get_many_reads_more_keys_than_one_batch_takes(repo: PaymentRepository) -> None:
    """BatchGetItem takes 100 keys; a longer list is split, none is lost."""
    ids = [f"bk_{n:03}" for n in range(130)]
    for booking_id in ids[::2]:
        assert repo.add(_payment(booking_id))
    assert sorted(repo.get_many(ids)) == ids[::2]


def test_a_second_add_for_the_booking_is_refused(repo: PaymentRepository) -> None:
    assert repo.add(_payment())
    other = _payment()
    assert not repo.add(Payment(**{**other.__dict__, "checkout_ref": "cs_2"}))
    stored = repo.get("bk_1")
    assert stored is not None
    assert stored.checkout_ref == "cs_1"


def test_move_only_from_an_allowed_status(repo: PaymentRepository) -> None:
    repo.add(_payment())
    assert not repo.move("bk_1", [P.PAID], P.REFUND_PENDING, NOW)
    assert repo.move("bk_1", [P.PENDING], P.PAID, NOW, payment_ref="pi_1")
    assert not repo.move("bk_1", [P.PENDING], P.PAID, NOW, payment_ref="pi_2")
    stored = repo.get("bk_1")
    assert stored is not None
    assert (stored.status, stored.payment_ref) == (P.PAID, "pi_1")
    assert repo.move("bk_1", [P.PAID], P.REFUND_PENDING, NOW, refunded_amount=50000)
    stored = repo.get("bk_1")
    assert stored is not None
    assert stored.refunded_amount == 50000


def test_refunds_pending_lists_payments_awaiting_their_refund(repo: PaymentRepository) -> None:
    for booking_id in ("bk_1", "bk_2", "bk_3"):
        repo.add(_payment(booking_id))
        repo.move(booking_id, [P.PENDING], P.PAID, NOW)
    repo.move("bk_1", [P.PAID], P.REFUND_PENDING, NOW, refunded_amount=1)
    repo.move("bk_2", [P.PAID], P.REFUND_PENDING, NOW, refunded_amount=1)
    repo.move("bk_2", [P.REFUND_PENDING], P.REFUNDED, NOW)
    assert repo.refunds_pending() == ["bk_1"]


def test_move_of_a_missing_payment_is_refused(repo: PaymentRepository) -> None:
    assert not repo.move("bk_none", [P.PENDING], P.PAID, NOW)
    assert repo.get("bk_none") is None


@pytest.mark.usefixtures("atomic_dynamodb")
def test_concurrent_moves_have_one_winner(repo: PaymentRepository) -> None:
    repo.add(_payment())
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda i: repo.move("bk_1", [P.PENDING], P.PAID, NOW), range(16)))
    assert wins.count(True) == 1


def test_an_event_is_recorded_once(repo: PaymentRepository) -> None:
    assert not repo.seen("stripe:evt_1")
    assert repo.record_event("stripe:evt_1", NOW)
    assert repo.seen("stripe:evt_1")
    assert not repo.record_event("stripe:evt_1", NOW)
    assert not repo.seen("stripe:evt_2")


def test_dynamodb_events_expire_after_at_least_72_hours(aws: None) -> None:
    DynamoPaymentRepository().record_event("liqpay:abc", NOW)
    item = PaymentEventItem.get("liqpay:abc")
    assert item.expires - NOW >= timedelta(hours=72)
