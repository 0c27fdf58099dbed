"""Room access rules: the entry window and coturn TURN REST credentials (pure)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class IceServer:
    urls: list[str]
    username: str
    credential: str


def room_window_open(now: datetime, start: datetime, end: datetime, early: timedelta) -> bool:
    """A room may be entered from ``early`` before the start until the end of the slot."""
    return start - early <= now < end


def turn_credentials(user_id: str, expires: datetime, secret: str) -> tuple[str, str]:
    """coturn ``use-auth-secret``: username "expiry:user", credential base64(HMAC-SHA1)."""
    username = f"{int(expires.timestamp())}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(
    urls: Sequence[str], user_id: str, expires: datetime, secret: str
) -> list[IceServer]:
    """One entry for all configured STUN/TURN urls, carrying the TURN REST credentials."""
    username, credential = turn_credentials(user_id, expires, secret)
    return [IceServer(urls=list(urls), username=username, credential=credential)]
