"""Creating and recovering accounts: registration (18+, P12), e-mail verification,
password reset and change, consultant invites."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from urllib.parse import urlencode

from pynamodb.expressions.update import Action

from chalicelib.accounts import code_store, login_guard, repository, sessions
from chalicelib.accounts.age import is_adult
from chalicelib.accounts.events import Origin, auth_event
from chalicelib.accounts.messages import render
from chalicelib.accounts.models import User
from chalicelib.accounts.password_policy import WeakPasswordError, check_password
from chalicelib.accounts.passwords import hash_password, verify_password
from chalicelib.accounts.schemas import InviteConsultantIn, RegisterIn
from chalicelib.config import (
    EMAIL_CODE_TTL,
    INVITE_CODE_TTL,
    PASSWORD_MIN_ZXCVBN_SCORE,
    RESET_CODE_TTL,
    get_settings,
)
from chalicelib.consent import hooks as consent_hooks
from chalicelib.notifications.channels import SesEmailSender
from chalicelib.web.problems import ProblemError

VERIFY_EMAIL = "verify_email"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a code purpose
INVITE = "invite"


def _invalid_code() -> ProblemError:
    return ProblemError(400, "invalid_code", "The code is wrong or has expired.")


def acceptable_password(password: str, *context: str) -> None:
    """Raise 422 ``weak_password`` unless the password passes the policy."""
    try:
        check_password(password, context, PASSWORD_MIN_ZXCVBN_SCORE)
    except WeakPasswordError as weak:
        raise ProblemError(422, "weak_password", weak.reason) from None


def require_adult(birth_date: date, now: datetime, timezone: str) -> None:
    if not is_adult(birth_date, now, timezone):
        raise ProblemError(422, "underage", "VetPet is only for people aged 18 or over.")


def _send(user: User, kind: str, **values: str) -> None:
    text = render(kind, user.language, **values)
    SesEmailSender().send_email(user.email, text.subject, text.body)


def _link(page: str, email: str, code: str) -> str:
    return f"{get_settings().web_url}/{page}?{urlencode({'email': email, 'code': code})}"


def send_verification(user: User, now: datetime) -> None:
    code = code_store.issue(user.user_id, VERIFY_EMAIL, now, EMAIL_CODE_TTL)
    _send(user, VERIFY_EMAIL, code=code, link=_link("verify-email", user.email, code))


def register(data: RegisterIn, now: datetime, origin: Origin) -> None:
    """Create an unverified owner and e-mail a code. A known address gets a warning
    e-mail instead, after the same work, so the answer never tells whether it exists."""
    require_adult(data.birth_date, now, data.timezone)
    acceptable_password(data.password, str(data.email), data.name)
    password_hash = hash_password(data.password)
    email = repository.normalise_email(str(data.email))
    existing = repository.find_by_email(email)
    if existing is not None and (existing.email_verified or existing.role != "owner"):
        _send(existing, "account_exists")
        auth_event("register_existing", origin, existing.user_id)
        return
    # An unverified account proves nothing: whoever verifies the address owns it, with the
    # details and password of the latest registration (no pre-registration hijacking).
    user = existing or User(str(uuid.uuid4()), created_at=now)
    user.email = email
    user.email_verified = False
    user.password_hash = password_hash
    user.role = "owner"
    user.name = data.name
    user.birth_date = data.birth_date.isoformat()
    user.country = data.country
    user.timezone = data.timezone
    user.language = data.language
    user.phone = data.phone
    user.address = data.address
    user.postcode = data.postcode
    if existing is not None:
        user.save()
    else:
        try:
            repository.create_user(user)
        except repository.EmailTakenError:  # a concurrent registration won; it sends the code
            return
    consent_hooks.registered(user, now, data.cookie_consent_id)
    send_verification(user, now)
    auth_event("registered", origin, user.user_id)


def verify_email(email: str, code: str, now: datetime, origin: Origin) -> None:
    user = repository.find_by_email(email)
    if user is None or code_store.redeem(user.user_id, VERIFY_EMAIL, code, now) is None:
        auth_event("email_verification_failed", origin, user.user_id if user else None)
        raise _invalid_code()
    user.update(actions=[User.email_verified.set(True)])
    auth_event("email_verified", origin, user.user_id)


def resend_verification(email: str, now: datetime, origin: Origin) -> None:
    user = repository.find_by_email(email)
    if user is not None and not user.email_verified:
        send_verification(user, now)
        auth_event("email_verification_resent", origin, user.user_id)


def forgot_password(email: str, now: datetime, origin: Origin) -> None:
    """E-mail a reset code when the account exists; the answer is the same either way."""
    user = repository.find_by_email(email)
    if user is None:
        auth_event("password_reset_unknown", origin, None)
        return
    code = code_store.issue(user.user_id, PASSWORD_RESET, now, RESET_CODE_TTL)
    _send(user, PASSWORD_RESET, code=code)
    auth_event("password_reset_requested", origin, user.user_id)


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
        raise _invalid_code()
    _set_password(user, password, verified=True)
    auth_event(f"{purpose}_done", origin, user.user_id)


def reset_password(email: str, code: str, new_password: str, now: datetime, origin: Origin) -> None:
    _set_password_by_code(PASSWORD_RESET, email, code, new_password, now, origin)


def change_password(user: User, current: str, new: str, origin: Origin) -> None:
    if not verify_password(user.password_hash, current):
        auth_event("password_change_failed", origin, user.user_id)
        raise ProblemError(403, "reauthentication_required", "The current password is wrong.")
    acceptable_password(new, user.email, user.name)
    _set_password(user, new)
    auth_event("password_changed", origin, user.user_id)


def invite_consultant(
    data: InviteConsultantIn, now: datetime, origin: Origin, admin_id: str
) -> str:
    """Create a vet account without a password and e-mail an invite code to set one."""
    email = repository.normalise_email(str(data.email))
    if repository.find_by_email(email) is not None:
        raise ProblemError(409, "email_taken", "An account with this e-mail already exists.")
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
        raise ProblemError(
            409, "email_taken", "An account with this e-mail already exists."
        ) from None
    code = code_store.issue(user.user_id, INVITE, now, INVITE_CODE_TTL)
    _send(user, INVITE, code=code, link=_link("accept-invite", email, code))
    auth_event("consultant_invited", origin, user.user_id, invited_by=admin_id)
    return user.user_id


def accept_invite(email: str, code: str, password: str, now: datetime, origin: Origin) -> None:
    _set_password_by_code(INVITE, email, code, password, now, origin)
