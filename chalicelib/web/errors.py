"""The one table from domain exceptions to HTTP problems (RFC 9457).

Each `DomainError` subclass maps to a status, a stable ``code`` and the meaning the
docs show. Routes declare the exception classes they can raise; the OpenAPI document
and the error table of `docs/api.md` are generated from this module, so the code a
client sees, the code a route declares and the code the docs list cannot drift apart.
Errors made by the web layer itself (validation, authentication, Chalice's own) are
listed in `WEB_ERRORS` with the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.errors import Conflict, DomainError, NotFound
from chalicelib.notifications.errors import WebhookSecretInvalid
from chalicelib.web.problems import ProblemError


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    code: str
    meaning: str


# Domain exceptions, grouped by capability.
ERRORS: dict[type[DomainError], ErrorSpec] = {
    # shared
    NotFound: ErrorSpec(404, "not_found", "unknown path, or a resource the caller may not see"),
    Conflict: ErrorSpec(409, "conflict", "a concurrent request changed the same item; retry"),
    # accounts
    # consultants, pets, bookings
    # notifications, chat links
    WebhookSecretInvalid: ErrorSpec(
        401, "invalid_webhook_secret", "a chat-bot webhook call without the bot's secret header"
    ),
}

# Problems the web layer raises itself (never a domain rule).
WEB_ERRORS: tuple[ErrorSpec, ...] = (
    ErrorSpec(400, "validation_error", "malformed JSON, unknown field, wrong type or value"),
    ErrorSpec(401, "unauthorized", "missing, malformed, expired or otherwise invalid access token"),
    ErrorSpec(403, "forbidden", "the caller's role may not call this route"),
    ErrorSpec(405, "method_not_allowed", "the path exists; `Allow` lists its methods"),
    ErrorSpec(413, "payload_too_large", "body over 64 KiB"),
    ErrorSpec(415, "unsupported_media_type", "a body in a type that cannot be JSON"),
    ErrorSpec(500, "internal_error", "a fault of ours; never caused by input"),
)


def spec_of(error: type[DomainError]) -> ErrorSpec:
    """The table entry of ``error`` (the nearest mapped base class)."""
    for cls in error.__mro__:
        if cls in ERRORS:
            return ERRORS[cls]
    raise LookupError(f"{error.__name__} has no entry in chalicelib.web.errors.ERRORS")


def to_problem(error: DomainError) -> ProblemError:
    spec = spec_of(type(error))
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    return ProblemError(spec.status, spec.code, error.message, headers=headers, extra=error.extra)
