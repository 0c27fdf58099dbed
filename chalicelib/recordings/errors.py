"""Recordings refusals."""

from __future__ import annotations

from chalicelib.errors import DomainError


class InvalidGrantExpiry(DomainError):
    """A disclosure grant must end in the future and within 30 days."""

    detail = "expires_at must be in the future and at most 30 days away."
