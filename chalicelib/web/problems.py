"""RFC 9457 problem details: the one error format of the whole API."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from chalice.app import Response

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://docs.vetpet.example/problems/"


class ProblemError(Exception):
    """Raised anywhere below a handler; the route wrapper turns it into a response."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def to_body(self) -> dict[str, Any]:
        return problem_body(self.status, self.code, self.detail, self.extra)

    def to_response(self) -> Response:
        return problem_response(self.status, self.code, self.detail, self.headers, self.extra)


def problem_body(
    status: int, code: str, detail: str, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code.replace("_", "-"),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(extra or {})
    return body


def problem_response(
    status: int,
    code: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    return Response(
        body=json.dumps(problem_body(status, code, detail, extra)),
        status_code=status,
        headers={**(headers or {}), "Content-Type": PROBLEM_CONTENT_TYPE},
    )


def not_found(what: str = "resource") -> ProblemError:
    return ProblemError(404, "not_found", f"The {what} does not exist.")


def conflict(code: str, detail: str) -> ProblemError:
    return ProblemError(409, code, detail)
