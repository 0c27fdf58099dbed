"""Changing the account's e-mail address (P10, correction): the new address is proven by
a code sent to it; until then the old one stays in use. Confirming moves the address
claim and the sign-in index at once, and the old address is told."""

from __future__ import annotations

from datetime import datetime

from chalicelib.accounts import code_store, mfa, repository
from chalicelib.accounts.errors import EmailTaken, InvalidCode
from chalicelib.accounts.events import auth_event
from chalicelib.accounts.message_limits import allow as allow_message
from chalicelib.accounts.messages import render
from chalicelib.accounts.models import EmailClaim, User
from chalicelib.config import EMAIL_CODE_TTL
from chalicelib.notifications.channels import SesEmailSender

EMAIL_CHANGE = "email_change"


def _send(to: str, language: str, kind: str, **values: str) -> None:
    text = render(kind, language, **values)
    SesEmailSender().send_email(to, text.subject, text.body)


def _taken(email: str) -> bool:
    try:
        EmailClaim.get(email, consistent_read=True)
    except EmailClaim.DoesNotExist:
        return False
    return True


def start(user: User, new_email: str, proof: mfa.Reauth) -> None:
    """Send a code to ``new_email`` (after re-authentication); nothing changes yet."""
    mfa.require_reauthentication(user, proof)
    new_email = repository.normalise_email(new_email)
    if new_email == user.email or _taken(new_email):
        raise EmailTaken()
    allow_message(proof.now, email=new_email, user_id=user.user_id)
    code = code_store.issue(user.user_id, EMAIL_CHANGE, proof.now, EMAIL_CODE_TTL, new_email)
    _send(new_email, user.language, EMAIL_CHANGE, code=code)
    auth_event("email_change_requested", proof.origin, user.user_id)


def confirm(user: User, code: str, now: datetime) -> User:
    """Move the account to the address the code was sent to."""
    item = code_store.redeem(user.user_id, EMAIL_CHANGE, code, now)
    if item is None or item.pending is None:
        raise InvalidCode()
    old_email = user.email
    try:
        repository.change_email(user, item.pending)
    except repository.EmailTakenError:
        raise EmailTaken() from None
    _send(old_email, user.language, "email_changed", new_email=user.email)
    return user
