"""Room passwords: the store port, its adapters and argon2id verification."""

from __future__ import annotations

import asyncio
from typing import Protocol

import argon2
import boto3

_hasher = argon2.PasswordHasher()


class RoomPasswordStore(Protocol):
    async def password_hash(self, room_id: str) -> str | None:
        """The argon2id hash of the room's password, or None if it has none."""
        ...


class InMemoryRoomPasswordStore:
    def __init__(self, hashes: dict[str, str] | None = None) -> None:
        self._hashes = dict(hashes or {})

    def set_password(self, room_id: str, password: str) -> None:
        self._hashes[room_id] = hash_password(password)

    async def password_hash(self, room_id: str) -> str | None:
        return self._hashes.get(room_id)


class DynamoRoomPasswordStore:
    """Reads ``password_hash`` from the API's rooms table (honours AWS_ENDPOINT_URL)."""

    def __init__(self, table_name: str) -> None:
        self._table_name = table_name
        self._client = boto3.client("dynamodb")

    def _read(self, room_id: str) -> str | None:
        item = self._client.get_item(
            TableName=self._table_name,
            Key={"room_id": {"S": room_id}},
            ProjectionExpression="password_hash",
            ConsistentRead=True,
        ).get("Item")
        if not item or "password_hash" not in item:
            return None
        return str(item["password_hash"]["S"])

    async def password_hash(self, room_id: str) -> str | None:
        return await asyncio.get_running_loop().run_in_executor(None, self._read, room_id)


def hash_password(password: str) -> str:
    """argon2id hash, as the API stores it."""
    return _hasher.hash(password)


async def room_password_ok(store: RoomPasswordStore, room_id: str, password: str | None) -> bool:
    """True when the room has no password or ``password`` matches its hash."""
    stored = await store.password_hash(room_id)
    if stored is None:
        return True
    if not password:
        return False
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(None, _hasher.verify, stored, password)
    except argon2.exceptions.VerificationError:
        return False
    except argon2.exceptions.InvalidHashError:
        return False
