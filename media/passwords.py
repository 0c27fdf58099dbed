"""Room passwords: the store port, its adapters and argon2id verification."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

import argon2
import boto3

_hasher = argon2.PasswordHasher()

# Wrong room passwords tolerated per room and window before the room backs off.
PASSWORD_FAILURE_LIMIT = 5
PASSWORD_FAILURE_WINDOW = 15 * 60.0


class PasswordAttempts:
    """Per-room back-off: after LIMIT wrong passwords within WINDOW seconds, every attempt
    (even with the right password) is refused until the oldest failure leaves the window.

    Kept in the process that hosts the room: placement sends every join of a room to one
    node and the front routes it to one worker, so the count sees every attempt.
    """

    def __init__(
        self,
        limit: int = PASSWORD_FAILURE_LIMIT,
        window: float = PASSWORD_FAILURE_WINDOW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, room_id: str) -> deque[float]:
        failures = self._failures.get(room_id)
        if failures is None:
            return deque()
        cutoff = self._clock() - self._window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            del self._failures[room_id]
        return failures

    def backing_off(self, room_id: str) -> bool:
        return len(self._recent(room_id)) >= self._limit

    def failed(self, room_id: str) -> bool:
        """Record a wrong password; True when the room now backs off."""
        failures = self._recent(room_id)
        failures.append(self._clock())
        self._failures[room_id] = failures
        return len(failures) >= self._limit


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

    def __init__(self, table_name: str, region: str) -> None:
        self._table_name = table_name
        self._client = boto3.client("dynamodb", region_name=region)

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
