"""The owner's booking list shows each booking's payment, read in batches: one BatchGet
for the page, one more per step back along a reschedule chain, never one per booking."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.client import BaseClient

from chalicelib.payments.models import PaymentItem
from tests.unit.booking_world import KYIV_MONDAY_930
from tests.unit.payments.conftest import Pay

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])  # the payment stand-in


def _paid_booking(pay: Pay) -> str:
    booking = pay.booking()
    session = pay.checkout(booking)[1]["checkout_url"].rsplit("/", 1)[1]
    assert pay.standin.pay_session(session, paid=True) == 200
    return booking


def test_the_owners_list_reads_payments_in_batches(
    pay: Pay, monkeypatch: pytest.MonkeyPatch
) -> None:
    paid = _paid_booking(pay)
    status, moved = pay.world.call(
        "POST", f"/v1/bookings/{paid}/reschedule", "owner_a", {"start": "2026-06-01T07:00:00Z"}
    )
    assert status == 201, moved
    unpaid = pay.booking(KYIV_MONDAY_930, key="k-2")
    table = PaymentItem.Meta.table_name
    reads: list[str] = []
    make_api_call = BaseClient._make_api_call

    def recorded(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if table in (params.get("TableName"), *params.get("RequestItems", {})):
            reads.append(operation)
        return make_api_call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
    status, page = pay.world.call("GET", "/v1/bookings", "owner_a")
    assert status == 200, page
    payments = {b["id"]: b["payment"] and b["payment"]["status"] for b in page["items"]}
    assert payments == {paid: "paid", moved["id"]: "paid", unpaid: None}
    # the page's own payments, then the moved booking's predecessor
    assert reads == ["BatchGetItem", "BatchGetItem"]
