"""The account itself, its sign-ins, codes, social links and back-off counters, for
export and erasure (`chalicelib/privacy/registry.py`). It runs last in erasure: the
other holders are driven by the account, and a run that fails is simply repeated."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from chalicelib.accounts import login_guard, message_limits
from chalicelib.accounts.models import (
    AuthCode,
    EmailClaim,
    LoginChallenge,
    LoginFailures,
    Session,
    SocialLink,
    User,
)
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.records import delete_all, one, records


def _counter_keys(subject: Subject, users: list[User]) -> set[str]:
    """The back-off and message-limit counters of the account (by digest or id)."""
    emails = {subject.email, *(user.email for user in users)}
    phones = {p for user in users for p in (user.phone, user.sms_phone) if p}
    if subject.phone:
        phones.add(subject.phone)
    return {
        message_limits.account_key(subject.user_id),
        *(login_guard.account_key(email) for email in emails),
        *(message_limits.email_key(email) for email in emails),
        *(message_limits.phone_key(phone) for phone in phones),
    }


def _counters(keys: set[str]) -> list[LoginFailures]:
    found = []
    for key in sorted(keys):
        with suppress(LoginFailures.DoesNotExist):
            found.append(LoginFailures.get(key, consistent_read=True))
    return found


# The models found by the keys-only ``user-index``, with their hash key's name.
_INDEXED: dict[type[Any], str] = {
    LoginChallenge: "challenge_id",
    Session: "family_id",
    SocialLink: "identity",
    EmailClaim: "email",
}


def _by_user(model: Any, user_id: str) -> list[Any]:
    """The user's items of a model with a ``user-index``, re-read in full."""
    found = []
    for key in model.user_index.query(user_id):
        with suppress(model.DoesNotExist):
            found.append(model.get(getattr(key, _INDEXED[model]), consistent_read=True))
    return found


class Account:
    models = (
        "User",
        "EmailClaim",
        "AuthCode",
        "LoginChallenge",
        "Session",
        "SocialLink",
        "LoginFailures",
    )

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        user_id = subject.user_id
        users = one(User, user_id)
        return {
            "account": records(users),
            "email_claims": records(_by_user(EmailClaim, user_id)),
            "one_time_codes": records(AuthCode.query(user_id, consistent_read=True)),
            "sign_in_challenges": records(_by_user(LoginChallenge, user_id)),
            "sessions": records(_by_user(Session, user_id)),
            "social_links": records(_by_user(SocialLink, user_id)),
            "counters": records(_counters(_counter_keys(subject, users))),
        }

    def erase(self, subject: Subject, now: datetime) -> None:
        user_id = subject.user_id
        users = one(User, user_id)
        delete_all(_counters(_counter_keys(subject, users)))
        delete_all(AuthCode.query(user_id, consistent_read=True))
        for model in _INDEXED:
            delete_all(_by_user(model, user_id))
        delete_all(users)


account = Account()
