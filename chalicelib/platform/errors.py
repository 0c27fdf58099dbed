"""What the platform routes report."""

from __future__ import annotations

from chalicelib.errors import DomainError


class StoreUnavailable(DomainError):
    detail = "The data store does not answer."
