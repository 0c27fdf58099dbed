"""What the storage helpers refuse."""

from __future__ import annotations

from chalicelib.errors import DomainError


class InvalidCursor(DomainError):
    detail = "The cursor is not one this list handed out."
