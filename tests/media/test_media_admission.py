"""The media server's read of the API's tables, against the rows the API really writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from chalicelib.accounts import sessions
from chalicelib.bookings.states import ROOM_OPEN
from chalicelib.config import get_settings
from chalicelib.media_nodes.contract import BOOKINGS_TABLE, ROOM_OPEN_STATUSES, SESSIONS_TABLE
from chalicelib.store.tables import create_tables
from media.admission import DynamoAdmissionStore


@pytest.fixture
def store() -> Iterator[DynamoAdmissionStore]:
    settings = get_settings()
    with mock_aws():
        create_tables()
        yield DynamoAdmissionStore(
            settings.table_name(BOOKINGS_TABLE),
            settings.table_name(SESSIONS_TABLE),
            settings.region,
        )


def test_contract_open_statuses_are_the_apis() -> None:
    assert {str(s) for s in ROOM_OPEN} == ROOM_OPEN_STATUSES


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "open_"),
    [("confirmed", True), ("in_progress", True), ("cancelled", False), ("pending_payment", False)],
)
async def test_booking_open_only_while_confirmed_or_in_progress(
    status: str, open_: bool, store: DynamoAdmissionStore
) -> None:
    settings = get_settings()
    boto3.client("dynamodb", region_name=settings.region).put_item(
        TableName=settings.table_name(BOOKINGS_TABLE),
        Item={"booking_id": {"S": "b-1"}, "status": {"S": status}},
    )
    assert await store.booking_open("b-1") is open_
    assert await store.booking_open("b-unknown") is False


@pytest.mark.asyncio
async def test_sign_in_is_live_until_logout_and_only_for_its_user(
    store: DynamoAdmissionStore,
) -> None:
    family_id, _ = sessions.start("user-1", datetime.now(UTC))
    assert await store.session_live(family_id, "user-1")
    assert not await store.session_live(family_id, "user-2")
    assert not await store.session_live("no-such-family", "user-1")
    sessions.revoke_family(family_id, "user-1")  # logout; a password change revokes all
    assert not await store.session_live(family_id, "user-1")


@pytest.mark.asyncio
async def test_expired_sign_in_is_not_live(store: DynamoAdmissionStore) -> None:
    family_id, _ = sessions.start("user-1", datetime.now(UTC) - timedelta(days=31))
    assert not await store.session_live(family_id, "user-1")
