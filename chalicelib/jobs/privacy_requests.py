"""Privacy requests past their due date and still waiting for support's answer: counted
each run, so the job's `overdue` metric can raise an alarm (P20)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.privacy_requests.service import overdue_count


def run(now: datetime) -> dict[str, int]:
    return {"overdue": overdue_count(now)}
