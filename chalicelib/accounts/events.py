"""Authentication events (P14, ASVS 5.0 V16): who, from where, what happened; never a secret.

Callers pass only identifiers and outcomes; the shared formatter redacts anything
secret-shaped besides, and the JSON format keeps CR/LF in user agents from forging lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.observability import logger


@dataclass(frozen=True)
class Origin:
    """Where a request came from: the client IP and user agent, as the edge saw them."""

    ip: str
    user_agent: str


def auth_event(event: str, origin: Origin, user_id: str | None, **details: str | int) -> None:
    """Log one authentication event, e.g. ``login_succeeded`` or ``refresh_reused``."""
    logger.info(
        "auth event",
        extra={
            "auth_event": event,
            "user_id": user_id,
            "client_ip": origin.ip,
            "user_agent": origin.user_agent,
            **details,
        },
    )
