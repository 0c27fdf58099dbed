"""Logger, Tracer and Metrics, wired once (P14). Log records are JSON (so CR/LF in
client-controlled values cannot forge lines) and secrets are redacted before they are
written: keys that name a secret lose their values, and token-shaped strings are masked."""

from __future__ import annotations

import os
import re
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

SERVICE = "vetpet-api"
REDACTED = "[redacted]"
_SECRET_KEY = re.compile(
    r"^(?:.*_)?(?:password|secret|token|authorization|cookie|otp|credential|cvv|card_number|pan)$"
    r"|^(?:.*_)?code$(?<!status_code)(?<!error_code)|_hash$",
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(
    r"eyJ[\w-]+\.[\w-]+\.[\w-]*"  # JWTs
    r"|\$argon2[\w$=,+/.-]+"  # password hashes
    r"|\b(?:\d[ -]?){13,19}\b"  # card-number-shaped digit runs
)


def redact(value: Any) -> Any:
    """A copy of `value` with secret-named keys and secret-shaped strings masked."""
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _SECRET_VALUE.sub(REDACTED, value)
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: Any) -> str:
        return super().serialize(redact(log))


logger = Logger(service=SERVICE, logger_formatter=RedactingFormatter())


def tracing_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() != "true"


@cache
def tracer() -> Tracer:
    """The X-Ray tracer, created on first use: the X-Ray SDK costs a quarter of a second to
    import, so the cold path pays for it only where tracing is on (deployed stages)."""
    return Tracer(service=SERVICE)


metrics = Metrics(namespace="VetPet", service=SERVICE)
