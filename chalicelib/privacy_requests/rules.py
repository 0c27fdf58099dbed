"""Privacy-request rules, free of storage: the kinds, the lifecycle and the due date.

The answer is due one calendar month after the request (GDPR Art. 12(3)): the same day
of the next month, or that month's last day when it has no such day (31 January -> 28
or 29 February). Support may extend it once, by one or two further months, stating why;
the extension counts from the original due date (Art. 12(3): "extended by two further
months")."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta

from chalicelib.privacy_requests.errors import AlreadyExtended, RequestClosed, ThreadFull

KINDS = ("access", "rectification", "erasure", "restriction", "objection", "question")
OPEN, ANSWERED, CLOSED = "open", "answered", "closed"
STATUSES = (OPEN, ANSWERED, CLOSED)
USER, SUPPORT = "user", "support"
ANSWER_PERIOD = relativedelta(months=1)
MAX_EXTENSION_MONTHS = 2
MAX_MESSAGES = 50


def due_at(opened_at: datetime) -> datetime:
    """One calendar month after ``opened_at`` (clamped to the month's last day)."""
    result: datetime = opened_at + ANSWER_PERIOD
    return result


def extended_due(due: datetime, months: int) -> datetime:
    """``due`` moved by ``months`` (1 or 2) calendar months."""
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"an extension is 1 to {MAX_EXTENSION_MONTHS} months")
    result: datetime = due + relativedelta(months=months)
    return result


def check_open(status: str) -> None:
    """Support may answer, close or extend anything not closed yet."""
    if status == CLOSED:
        raise RequestClosed()


def check_extendable(status: str, extended: bool) -> None:
    check_open(status)
    if extended:
        raise AlreadyExtended()


def check_room(messages: int) -> None:
    if messages >= MAX_MESSAGES:
        raise ThreadFull()


def is_overdue(status: str, due: datetime, now: datetime) -> bool:
    """Support owes an answer past its due date."""
    return status == OPEN and now > due
