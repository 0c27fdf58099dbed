"""CORS for browser clients: an allow-list of origins per stage (`VETPET_CORS_ORIGINS`),
credentials off; a preflight (`OPTIONS`) is answered on every path with the methods the
path accepts and the headers the API reads. Other origins get no CORS headers at all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from chalice.app import Response

from chalicelib.config import get_settings

ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key"
EXPOSED_HEADERS = "Request-Id, Idempotent-Replayed, Retry-After, Location, Allow"
PREFLIGHT_MAX_AGE = "600"


def allowed_origin(headers: Mapping[str, str]) -> str | None:
    """The request's `Origin` when the stage allows it."""
    origin = headers.get("origin")
    if origin and origin in get_settings().cors_origins:
        return origin
    return None


def add_headers(response: Response, origin: str | None) -> None:
    """CORS headers of an actual (non-preflight) answer to ``origin``."""
    response.headers["Vary"] = "Origin"
    if origin is None:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


def preflight(headers: Mapping[str, str], methods: Iterable[str]) -> Response:
    """The answer to an `OPTIONS` preflight: 204, with CORS headers for an allowed origin."""
    allow = ", ".join(sorted({*methods, "OPTIONS"}))
    response = Response(body="", status_code=204, headers={"Allow": allow})
    if allowed_origin(headers) is not None:
        response.headers.update(
            {
                "Access-Control-Allow-Methods": allow,
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
            }
        )
    return response
