"""Account e-mails and SMS.

Codes and resets that a public endpoint asks for are queued as an account request in the
outbox (one write, whatever the address) and delivered after the answer: delivery looks
the account up, issues the code and sends it, or sends nothing. So the endpoint does the
same work for known and unknown addresses and its timing tells nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from chalicelib.accounts import code_store, repository
from chalicelib.accounts.messages import render
from chalicelib.accounts.models import User
from chalicelib.config import (
    ACCOUNT_MAIL_AFTER_ANSWER,
    EMAIL_CODE_TTL,
    RESET_CODE_TTL,
    get_settings,
)
from chalicelib.notifications.channels import SesEmailSender, SnsSmsSender
from chalicelib.notifications.outbox import OutboxMessage, deliver, enqueue

VERIFY_EMAIL = "verify_email"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a code purpose
REGISTERED = "registered"  # a registration: a code if pending, a warning if not
RESEND = "resend"  # a new verification code if the account is pending

SENT, NOTHING_TO_SEND = "sent", "nothing-to-send"


def send_now(user: User, kind: str, **values: str) -> None:
    text = render(kind, user.language, **values)
    SesEmailSender().send_email(user.email, text.subject, text.body)


def send_sms(phone: str, language: str, code: str) -> None:
    SnsSmsSender().send_sms(phone, render("sms_code", language, code=code).body)


def link(page: str, email: str, code: str) -> str:
    return f"{get_settings().web_url}/{page}?{urlencode({'email': email, 'code': code})}"


def send_verification(user: User, now: datetime) -> None:
    code = code_store.issue(user.user_id, VERIFY_EMAIL, now, EMAIL_CODE_TTL)
    send_now(user, VERIFY_EMAIL, code=code, link=link("verify-email", user.email, code))


def deliver_request(kind: str, email: str) -> str:
    """Carry out a queued account request (the outbox's ``account`` channel)."""
    now = datetime.now(UTC)
    user = repository.find_by_email(email)
    if user is None:
        return NOTHING_TO_SEND
    pending = not user.email_verified and user.role == "owner"
    if kind in (REGISTERED, RESEND) and pending:
        send_verification(user, now)
    elif kind == REGISTERED:
        send_now(user, "account_exists")
    elif kind == PASSWORD_RESET:
        code = code_store.issue(user.user_id, PASSWORD_RESET, now, RESET_CODE_TTL)
        send_now(user, PASSWORD_RESET, code=code, link=link("reset-password", user.email, code))
    else:
        return NOTHING_TO_SEND
    return SENT


def _after_the_answer(message: OutboxMessage, now: datetime) -> None:
    delay = ACCOUNT_MAIL_AFTER_ANSWER.total_seconds()
    timer = threading.Timer(delay, deliver, args=(message, now))
    timer.daemon = True
    timer.start()


# How a queued request is delivered after the answer: a timer thread of this process
# starts once the answer has gone out, so its work never overlaps the request being
# timed (the scheduled retry takes over if it never runs). Tests deliver in-line.
dispatch: Callable[[OutboxMessage, datetime], None] = _after_the_answer


def request(kind: str, email: str, now: datetime) -> None:
    """Queue an account request for ``email`` and have it delivered after the answer."""
    dispatch(enqueue("account", repository.normalise_email(email), kind, now), now)
