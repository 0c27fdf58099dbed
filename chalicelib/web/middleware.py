"""The HTTP middleware: per-request log context (P14), one error format for the errors
Chalice itself produces (405, 415, 500), security and CORS headers, the `Request-Id`
every answer carries (the correlation id of the request's log lines), and a request log
line."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from chalice.app import Request, Response

from chalicelib.config import HSTS, get_settings
from chalicelib.observability import logger, metrics, tracer, tracing_enabled
from chalicelib.web import cors
from chalicelib.web.problems import PROBLEM_CONTENT_TYPE, problem_response

REQUEST_ID = "Request-Id"

_CHALICE_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    405: ("method_not_allowed", "This method is not allowed on this path."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
}


def _normalise(response: Response, method: str) -> Response:
    """Chalice's own error bodies (`{"Code", "Message"}`) become problem+json."""
    headers = {k.lower(): v for k, v in response.headers.items()}
    if response.status_code < 400 or headers.get("content-type") == PROBLEM_CONTENT_TYPE:
        return response
    code, detail = _CHALICE_ERRORS.get(
        response.status_code, ("internal_error", "An internal error occurred.")
    )
    status = response.status_code if response.status_code in _CHALICE_ERRORS else 500
    if status == 405:
        detail = f"{method} is not allowed here; allowed: {headers.get('allow', '')}."
    kept = {k: str(v) for k, v in response.headers.items() if k.lower() == "allow"}
    return problem_response(status, code, detail, kept)


def _security_headers(response: Response) -> None:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not get_settings().is_local:
        response.headers.setdefault("Strict-Transport-Security", HSTS)


def http_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    context: dict[str, Any] = event.context or {}
    identity = context.get("identity") or {}
    logger.thread_safe_clear_keys()
    request_id = str(context.get("requestId") or uuid.uuid4())
    logger.set_correlation_id(request_id)
    logger.thread_safe_append_keys(
        client_ip=identity.get("sourceIp"), user_agent=event.headers.get("user-agent")
    )
    if tracing_enabled():  # creating the Tracer also patches boto for AWS call traces
        tracer().put_annotation(key="route", value=str(context.get("resourcePath")))
    started = time.perf_counter()
    response = _normalise(get_response(event), event.method)
    _security_headers(response)
    cors.add_headers(response, cors.allowed_origin(event.headers))
    response.headers[REQUEST_ID] = request_id
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    fields = {
        "method": event.method,
        "path": context.get("resourcePath"),
        "status": response.status_code,
    }
    if response.status_code >= 400:
        body = response.body if isinstance(response.body, str) else json.dumps(response.body)
        fields["error"] = json.loads(body).get("code") if body.startswith("{") else None
        logger.warning("request failed", extra={**fields, "duration_ms": elapsed_ms})
    else:
        logger.info("request", extra={**fields, "duration_ms": elapsed_ms})
    if response.status_code >= 400:
        kind = "ServerErrors" if response.status_code >= 500 else "ClientErrors"
        metrics.add_metric(name=kind, unit=MetricUnit.Count, value=1)
        metrics.flush_metrics()
    return response
