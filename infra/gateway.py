"""API Gateway's own answers in the API's problem+json format, and the access-log format."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.config import HSTS
from chalicelib.web.problems import PROBLEM_CONTENT_TYPE, problem_body

# API Gateway's own answers, in the API's one error format; each keeps its real status.
GATEWAY_RESPONSES: list[tuple[str, int, str, str]] = [
    ("MISSING_AUTHENTICATION_TOKEN", 404, "not_found", "No route matches this path."),
    ("THROTTLED", 429, "rate_limited", "Too many requests; retry later."),
    ("QUOTA_EXCEEDED", 429, "rate_limited", "Too many requests; retry later."),
    ("WAF_FILTERED", 403, "request_blocked", "The request was refused."),
    ("REQUEST_TOO_LARGE", 413, "payload_too_large", "The request body is too large."),
    ("UNSUPPORTED_MEDIA_TYPE", 415, "unsupported_media_type", "Send the body as JSON."),
    ("INTEGRATION_TIMEOUT", 504, "timeout", "The request took too long."),
    ("DEFAULT_5XX", 502, "bad_gateway", "The service could not answer."),
]


def _problem_response(body: dict[str, Any], status: int | None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "responseParameters": {
            "gatewayresponse.header.Content-Type": f"'{PROBLEM_CONTENT_TYPE}'",
            "gatewayresponse.header.Strict-Transport-Security": f"'{HSTS}'",
        },
        "responseTemplates": {"application/json": json.dumps(body)},
    }
    if status is not None:
        response["statusCode"] = str(status)
    return response


def gateway_responses() -> dict[str, Any]:
    """`x-amazon-apigateway-gateway-responses` of the API definition. DEFAULT_4XX covers
    every other client error and keeps its status, which a template cannot read, so its
    body names none."""
    default_4xx = problem_body(400, "request_rejected", "The request was refused.")
    del default_4xx["status"], default_4xx["title"]
    responses = {"DEFAULT_4XX": _problem_response(default_4xx, None)}
    for kind, status, code, detail in GATEWAY_RESPONSES:
        responses[kind] = _problem_response(problem_body(status, code, detail), status)
    responses["THROTTLED"]["responseParameters"]["gatewayresponse.header.Retry-After"] = "'1'"
    return responses


ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "integrationLatency": "$context.integration.latency",
    "wafStatus": "$context.waf.status",
    "errorType": "$context.error.responseType",
    "xrayTraceId": "$context.xrayTraceId",
}
