"""Idempotency keys for booking creation (pure).

The booking id is derived from the owner and the client's key, so the booking item
itself is the idempotency record: a retry writes the same item id, the conditional
put fails, and the stored fingerprint tells a replay from a reused key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

MAX_KEY_LENGTH = 128


def booking_id_for(owner_id: str, key: str) -> str:
    digest = hashlib.sha256(f"booking\0{owner_id}\0{key}".encode()).hexdigest()
    return f"bk_{digest[:32]}"


def fingerprint(body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
