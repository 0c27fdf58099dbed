"""Privacy-rights request and response bodies (P10)."""

from __future__ import annotations

from typing import Literal

from chalicelib.accounts.schemas import Password
from chalicelib.web.validation import Schema


class EraseMeIn(Schema):
    password: Password | None = None  # social-only accounts: a sign-in under 5 minutes old


class ErasureOut(Schema):
    erasure_id: str


class ExportOut(Schema):
    id: str
    status: Literal["pending", "ready"]
    download_url: str | None = None  # presigned, valid until expires_at (15 minutes at most)
    expires_at: str | None = None
