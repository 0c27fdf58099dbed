"""ECS task scale-in protection: a node with a live room must not be stopped by scale-in.

On ECS the agent publishes `$ECS_AGENT_URI`; `PUT $ECS_AGENT_URI/task-protection/v1/state`
with `{"ProtectionEnabled": true, "ExpiresInMinutes": N}` protects the task until the
expiry, `{"ProtectionEnabled": false}` lifts it. The node turns protection on while it
hosts a room (renewing it before it lapses) and off when its last room ends. Without
`ECS_AGENT_URI` (local runs, tests of other parts) nothing is called. A failed call is
logged and tried again at the next heartbeat: an unprotected node is still serving.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from time import monotonic

import aiohttp

logger = logging.getLogger(__name__)

STATE_PATH = "/task-protection/v1/state"
# Protection lasts this long unless renewed; it is renewed once half of it has passed, so
# a node that stops heartbeating (hung, partitioned) loses it within the hour.
EXPIRES_IN_MINUTES = 60
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=5)


class TaskProtection:
    """Keeps the task protected exactly while ``live_rooms`` > 0."""

    def __init__(
        self,
        agent_uri: str,
        *,
        expires_in_minutes: int = EXPIRES_IN_MINUTES,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        self._url = agent_uri.rstrip("/") + STATE_PATH
        self._expires_in = expires_in_minutes
        self._clock = clock
        self._renew_at: float | None = None  # None: not protected (as far as we know)

    @property
    def protected(self) -> bool:
        return self._renew_at is not None

    async def update(self, live_rooms: int) -> None:
        """Protect, renew or release the task for a node hosting ``live_rooms`` rooms."""
        if live_rooms > 0:
            if self._renew_at is None or self._clock() >= self._renew_at:
                body = {"ProtectionEnabled": True, "ExpiresInMinutes": self._expires_in}
                if await self._put(body):
                    self._renew_at = self._clock() + self._expires_in * 60 / 2
        elif self._renew_at is not None and await self._put({"ProtectionEnabled": False}):
            self._renew_at = None

    async def _put(self, body: Mapping[str, object]) -> bool:
        try:
            async with (
                aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session,
                session.put(self._url, json=body) as response,
            ):
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            logger.warning("task protection call failed: %s", type(exc).__name__)
            return False
        failure = answer.get("failure") or answer.get("error") if isinstance(answer, dict) else None
        if response.status != 200 or failure:
            logger.warning("task protection refused: HTTP %s %s", response.status, failure)
            return False
        return True
