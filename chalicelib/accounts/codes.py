"""Six-digit one-time codes (e-mail verification, password reset, invites, SMS).

A code is stored only as a keyed hash bound to its purpose and subject, so a code issued
for one challenge or user never matches another. Each code is single use, expires, and
dies after a few wrong tries.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

CODE_DIGITS = 6
MAX_WRONG_TRIES = 5


def new_code() -> str:
    """A uniformly random 6-digit code (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(key: bytes, binding: str, code: str) -> str:
    """HMAC-SHA256 of the code under the server key, bound to ``binding`` (purpose + subject)."""
    return hmac.new(key, f"{binding}\x00{code}".encode(), hashlib.sha256).hexdigest()


class CodeCheck(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"


@dataclass(frozen=True)
class IssuedCode:
    """The stored side of a code: its hash, expiry and the wrong tries so far."""

    hash: str
    expires_at: datetime
    wrong_tries: int = 0

    def check(self, candidate_hash: str, now: datetime) -> CodeCheck:
        """Judge a candidate; the caller deletes the code on OK and counts a try on WRONG."""
        if self.wrong_tries >= MAX_WRONG_TRIES:
            return CodeCheck.EXHAUSTED
        if now >= self.expires_at:
            return CodeCheck.EXPIRED
        if hmac.compare_digest(self.hash, candidate_hash):
            return CodeCheck.OK
        return CodeCheck.WRONG
