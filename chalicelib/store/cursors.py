"""Opaque list cursors: a list position (JSON) plus an HMAC over it and the list's scope.

A cursor is only accepted by the list, and for the caller, it was made for: the scope
(e.g. ``"bookings:owner:<user id>"``) is part of the signed message, so a cursor from
another caller or another list, or one altered or forged, is `InvalidCursor`. The key is
derived from the stage's code key (Secrets Manager), read on first use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from functools import cache
from typing import Any

from chalicelib.store.errors import InvalidCursor

MAX_CURSOR_CHARS = 2048
_TAG_BYTES = 16


@cache
def _key() -> bytes:
    from chalicelib.accounts.code_store import code_key  # lazy: boto3, Secrets Manager

    return hmac.new(code_key(), b"vetpet list cursor v1", hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _tag(scope: str, payload: bytes) -> bytes:
    return hmac.new(_key(), scope.encode() + b"\0" + payload, hashlib.sha256).digest()[:_TAG_BYTES]


def encode(position: Any, scope: str) -> str:
    """The cursor for ``position`` (any JSON value) in the list named by ``scope``."""
    payload = json.dumps(position, sort_keys=True, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_tag(scope, payload))}"


def decode(cursor: str, scope: str) -> Any:
    """The position ``cursor`` stands for, if this service made it for ``scope``."""
    body, _, tag = cursor.partition(".")
    if len(cursor) > MAX_CURSOR_CHARS or not body or not tag:
        raise InvalidCursor
    try:
        payload, signature = _unb64(body), _unb64(tag)
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursor from exc
    if not hmac.compare_digest(signature, _tag(scope, payload)):
        raise InvalidCursor
    return json.loads(payload)
