"""Admission at JOIN: the booking is still open and the participant's sign-in still live.

A room token lives a few minutes, but a cancel, logout or password change must shut the
door at once: the media server reads the API's bookings and sessions tables (read-only,
consistent reads) for every join. The port has an in-memory adapter for tests.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol

import boto3

from chalicelib.media_nodes.contract import ROOM_OPEN_STATUSES
from media.dynamo import get_fields, read_time


class AdmissionStore(Protocol):
    async def booking_open(self, booking_id: str) -> bool:
        """Whether the booking exists and is confirmed or in progress."""
        ...

    async def session_live(self, session_id: str, user_id: str) -> bool:
        """Whether the sign-in exists, belongs to ``user_id``, is not revoked nor expired."""
        ...


class InMemoryAdmissionStore:
    def __init__(self) -> None:
        self._bookings: dict[str, str] = {}
        self._sessions: dict[str, tuple[str, bool, datetime]] = {}

    def set_booking(self, booking_id: str, status: str) -> None:
        self._bookings[booking_id] = status

    def set_session(
        self, session_id: str, user_id: str, *, revoked: bool = False, expires_at: datetime
    ) -> None:
        self._sessions[session_id] = (user_id, revoked, expires_at)

    async def booking_open(self, booking_id: str) -> bool:
        return self._bookings.get(booking_id) in ROOM_OPEN_STATUSES

    async def session_live(self, session_id: str, user_id: str) -> bool:
        found = self._sessions.get(session_id)
        if found is None:
            return False
        owner, revoked, expires_at = found
        return owner == user_id and not revoked and expires_at > datetime.now(UTC)


class DynamoAdmissionStore:
    """Reads the API's tables with boto3 (honours AWS_ENDPOINT_URL); never writes."""

    def __init__(self, bookings_table: str, sessions_table: str, region: str) -> None:
        self._bookings = bookings_table
        self._sessions = sessions_table
        self._client = boto3.client("dynamodb", region_name=region)

    def _booking_open(self, booking_id: str) -> bool:
        item = get_fields(self._client, self._bookings, ("booking_id", booking_id), ["status"])
        return item.get("status", {}).get("S") in ROOM_OPEN_STATUSES

    def _session_live(self, session_id: str, user_id: str) -> bool:
        item = get_fields(
            self._client,
            self._sessions,
            ("family_id", session_id),
            ["user_id", "revoked", "expires_at"],
        )
        if not item or item["user_id"]["S"] != user_id:
            return False
        if item.get("revoked", {}).get("BOOL", False):
            return False
        expires_at = read_time(item["expires_at"]["S"])
        return expires_at > datetime.now(UTC)

    async def booking_open(self, booking_id: str) -> bool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._booking_open, booking_id)

    async def session_live(self, session_id: str, user_id: str) -> bool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._session_live, session_id, user_id)
