from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from media.passwords import DynamoRoomPasswordStore, hash_password, room_password_ok


@pytest.fixture
def rooms_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="rooms",
            KeySchema=[{"AttributeName": "room_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "room_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(
            TableName="rooms",
            Item={"room_id": {"S": "locked"}, "password_hash": {"S": hash_password("s3cret")}},
        )
        client.put_item(TableName="rooms", Item={"room_id": {"S": "open"}})
        yield "rooms"


@pytest.mark.asyncio
async def test_dynamo_store_reads_password_hash(rooms_table: str) -> None:
    store = DynamoRoomPasswordStore(rooms_table, "eu-west-1")
    assert await store.password_hash("open") is None
    assert await store.password_hash("missing") is None
    stored = await store.password_hash("locked")
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert await room_password_ok(store, "locked", "s3cret")
    assert not await room_password_ok(store, "locked", "S3cret")
    assert not await room_password_ok(store, "locked", None)
    assert await room_password_ok(store, "open", None)
