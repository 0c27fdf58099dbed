"""Creating and recovering accounts: registration (18+, P12), e-mail verification,
password reset and change, consultant invites."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pynamodb.expressions.update import Action

from chalicelib.accounts import code_store, login_guard, mailer, repository, sessions
from chalicelib.accounts.age import is_adult
from chalicelib.accounts.errors import (
    EmailTaken,
    InvalidCode,
    ReauthenticationRequired,
    Underage,
    WeakPassword,
)
from chalicelib.accounts.events import Origin, auth_event
from chalicelib.accounts.message_limits import allow as allow_message
from chalicelib.accounts.models import User
from chalicelib.accounts.password_policy import WeakPasswordError, check_password
from chalicelib.accounts.passwords import hash_password, verify_password
from chalicelib.accounts.schemas import InviteConsultantIn, RegisterIn
from chalicelib.config import INVITE_CODE_TTL, PASSWORD_MIN_ZXCVBN_SCORE
from chalicelib.consent import hooks as consent_hooks

INVITE = "invite"


def acceptable_password(password: str, *context: str) -> None:
    """Raise `WeakPassword` unless the password passes the policy."""
    try:
        check_password(password, context, PASSWORD_MIN_ZXCVBN_SCORE)
    except WeakPasswordError as weak:
        raise WeakPassword(weak.reason) from None


def require_adult(birth_date: date, now: datetime) -> None:
    if not is_adult(birth_date, now):
        raise Underage()


def register(data: RegisterIn, now: datetime, origin: Origin) -> None:
    """Create a pending (unverified) owner and, after the answer, e-mail a code.

    The same work happens for every address: the password is hashed, the new account's
    first consent-ledger events (its acceptance of the policy, its cookie choice) are
    built and signed, and the account is attempted together with them in one transaction
    that fails when the address is taken. So an account never exists without its
    recorded acceptance, and a taken address changes nothing: a pending registration is
    never overwritten (it gets a fresh code), a verified account gets a warning e-mail.
    """
    require_adult(data.birth_date, now)
    acceptable_password(data.password, str(data.email), data.name)
    email = repository.normalise_email(str(data.email))
    allow_message(now, email=email)
    user = User(
        str(uuid.uuid4()),
        email=email,
        email_verified=False,
        password_hash=hash_password(data.password),
        role="owner",
        name=data.name,
        birth_date=data.birth_date.isoformat(),
        country=data.country,
        timezone=data.timezone,
        language=data.language,
        phone=data.phone,
        address=data.address,
        postcode=data.postcode,
        created_at=now,
    )
    opening = consent_hooks.opening(user, now, data.cookie_consent_id)
    try:
        repository.create_user(user, opening)
    except repository.EmailTakenError:
        auth_event("registration_requested", origin, None)
    else:
        auth_event("registration_requested", origin, user.user_id)
    mailer.request(mailer.REGISTERED, email, now)


def verify_email(email: str, code: str, now: datetime, origin: Origin) -> None:
    """The code confirms only the registration it was sent for (it is bound to its id)."""
    user = repository.find_by_email(email)
    if user is None or code_store.redeem(user.user_id, mailer.VERIFY_EMAIL, code, now) is None:
        auth_event("email_verification_failed", origin, user.user_id if user else None)
        raise InvalidCode()
    user.update(actions=[User.email_verified.set(True)])
    auth_event("email_verified", origin, user.user_id)


def resend_verification(email: str, now: datetime, origin: Origin) -> None:
    allow_message(now, email=email)
    mailer.request(mailer.RESEND, email, now)
    auth_event("email_verification_requested", origin, None)


def forgot_password(email: str, now: datetime, origin: Origin) -> None:
    """Queue a reset code; the answer and the work are the same for any address."""
    allow_message(now, email=email)
    mailer.request(mailer.PASSWORD_RESET, email, now)
    auth_event("password_reset_requested", origin, None)


def _set_password(user: User, password: str, *, verified: bool = False) -> None:
    actions: list[Action] = [User.password_hash.set(hash_password(password))]
    if verified:  # the code came by e-mail: the address is proven
        actions.append(User.email_verified.set(True))
    user.update(actions=actions)
    sessions.revoke_all(user.user_id)
    login_guard.clear(login_guard.account_key(user.email))


def _set_password_by_code(
    purpose: str, email: str, code: str, password: str, now: datetime, origin: Origin
) -> None:
    """Set the password of the account an e-mailed code (reset, invite) was sent to; the
    password is judged before the code is spent, so a weak one does not burn it."""
    user = repository.find_by_email(email)
    acceptable_password(password, email, user.name if user else "")
    if user is None or code_store.redeem(user.user_id, purpose, code, now) is None:
        auth_event(f"{purpose}_failed", origin, user.user_id if user else None)
        raise InvalidCode()
    _set_password(user, password, verified=True)
    auth_event(f"{purpose}_done", origin, user.user_id)


def reset_password(email: str, code: str, new_password: str, now: datetime, origin: Origin) -> None:
    _set_password_by_code(mailer.PASSWORD_RESET, email, code, new_password, now, origin)


def change_password(user: User, current: str, new: str, origin: Origin) -> None:
    if not verify_password(user.password_hash, current):
        auth_event("password_change_failed", origin, user.user_id)
        raise ReauthenticationRequired("The current password is wrong.")
    acceptable_password(new, user.email, user.name)
    _set_password(user, new)
    auth_event("password_changed", origin, user.user_id)


def invite_consultant(
    data: InviteConsultantIn, now: datetime, origin: Origin, admin_id: str
) -> str:
    """Create a vet account without a password and e-mail an invite code to set one."""
    email = repository.normalise_email(str(data.email))
    user = User(
        str(uuid.uuid4()),
        email=email,
        email_verified=False,
        role="vet",
        name=data.name,
        country=data.country,
        timezone=data.timezone,
        language=data.language,
        created_at=now,
    )
    try:
        repository.create_user(user)
    except repository.EmailTakenError:
        raise EmailTaken() from None
    code = code_store.issue(user.user_id, INVITE, now, INVITE_CODE_TTL)
    mailer.send_now(user, INVITE, code=code, link=mailer.link("accept-invite", email, code))
    auth_event("consultant_invited", origin, user.user_id, invited_by=admin_id)
    return user.user_id


def accept_invite(email: str, code: str, password: str, now: datetime, origin: Origin) -> None:
    _set_password_by_code(INVITE, email, code, password, now, origin)
