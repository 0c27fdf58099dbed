"""The base of every domain exception.

Domain code (services, rules, repositories) raises a named subclass of `DomainError`
from its capability's ``errors.py``; it never knows about HTTP. Only `chalicelib.web`
turns one into a problem response, through the single table in `web/errors.py`, which
also feeds each route's declared errors, the OpenAPI document and `docs/api.md`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class DomainError(Exception):
    """A rule refused what was asked. ``detail`` is safe to show to the caller."""

    detail: ClassVar[str] = "The request was refused."

    def __init__(
        self,
        detail: str | None = None,
        *,
        retry_after: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = detail or type(self).detail
        self.retry_after = retry_after
        self.extra = dict(extra or {})
        super().__init__(self.message)


class NotFound(DomainError):
    """The resource does not exist, or the caller may not see it (the same answer)."""

    detail = "The resource does not exist."

    def __init__(self, what: str = "resource") -> None:
        super().__init__(f"The {what} does not exist.")


class Conflict(DomainError):
    """A concurrent request changed the same item; the caller may retry."""

    detail = "A concurrent request changed the same item; retry."
