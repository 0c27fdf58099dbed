"""Payment housekeeping: refunds the processor has not confirmed are sent again."""

from __future__ import annotations

from datetime import datetime

from chalicelib.payments.wiring import retry_refunds


def run(now: datetime) -> dict[str, int]:
    return {"refunds_confirmed": retry_refunds(now)}
