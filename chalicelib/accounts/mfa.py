"""Second factors (P4): SMS codes and authenticator apps (TOTP), their enrolment, and the
challenges a sign-in must pass when one is enrolled."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.accounts import code_store, codes, login_guard, repository, totp
from chalicelib.accounts.events import Origin, auth_event
from chalicelib.accounts.messages import render
from chalicelib.accounts.models import LoginChallenge, User
from chalicelib.accounts.passwords import verify_password
from chalicelib.config import (
    MFA_CHALLENGE_TTL,
    SMS_CODE_TTL,
    SMS_SENDS_PER_CHALLENGE,
    TOTP_ISSUER_NAME,
)
from chalicelib.notifications.channels import SnsSmsSender
from chalicelib.web.problems import ProblemError

Method = Literal["sms", "totp"]
SMS_ENROL = "sms_enrol"


def methods(user: User) -> list[Method]:
    """The user's enrolled second factors, strongest first."""
    enrolled: list[Method] = []
    if user.totp_secret:
        enrolled.append("totp")
    if user.sms_phone:
        enrolled.append("sms")
    return enrolled


def require_password(user: User, password: str | None, origin: Origin) -> None:
    """Re-authentication before a credential changes (ASVS 5.0 V6.2.3)."""
    if password is None or not verify_password(user.password_hash, password):
        auth_event("reauthentication_failed", origin, user.user_id)
        raise ProblemError(
            403, "reauthentication_required", "Confirm this change with your current password."
        )


def _send_sms(phone: str, code: str, language: str) -> None:
    SnsSmsSender().send_sms(phone, render("sms_code", language, code=code).body)


# --- enrolment -------------------------------------------------------------------------


def start_sms_enrolment(
    user: User, phone: str, password: str | None, now: datetime, origin: Origin
) -> None:
    """Send a code to ``phone``; replacing an enrolled phone needs the password."""
    if user.sms_phone:
        require_password(user, password, origin)
    code = code_store.issue(user.user_id, SMS_ENROL, now, SMS_CODE_TTL, pending=phone)
    _send_sms(phone, code, user.language)
    auth_event("sms_enrolment_started", origin, user.user_id)


def confirm_sms_enrolment(user: User, code: str, now: datetime, origin: Origin) -> list[Method]:
    item = code_store.redeem(user.user_id, SMS_ENROL, code, now)
    if item is None or item.pending is None:
        auth_event("sms_enrolment_failed", origin, user.user_id)
        raise ProblemError(400, "invalid_code", "The code is wrong or has expired.")
    user.update(actions=[User.sms_phone.set(item.pending)])
    auth_event("sms_enrolled", origin, user.user_id)
    return methods(user)


def start_totp_enrolment(user: User, password: str | None, origin: Origin) -> tuple[str, str]:
    """A new secret (pending until confirmed) and its otpauth:// URI for the app's QR code."""
    if user.totp_secret:
        require_password(user, password, origin)
    secret = totp.new_secret()
    user.update(actions=[User.totp_pending_secret.set(secret)])
    auth_event("totp_enrolment_started", origin, user.user_id)
    return secret, totp.provisioning_uri(secret, user.email, TOTP_ISSUER_NAME)


def confirm_totp_enrolment(user: User, code: str, now: datetime, origin: Origin) -> list[Method]:
    pending = user.totp_pending_secret
    step = totp.accepted_step(pending, code, now, None) if pending else None
    if step is None:
        auth_event("totp_enrolment_failed", origin, user.user_id)
        raise ProblemError(400, "invalid_code", "The code is wrong or outside its time window.")
    user.update(
        actions=[
            User.totp_secret.set(pending),
            User.totp_last_step.set(step),
            User.totp_pending_secret.remove(),
        ],
        condition=User.totp_pending_secret == pending,
    )
    auth_event("totp_enrolled", origin, user.user_id)
    return methods(user)


# --- challenges at sign-in -------------------------------------------------------------


def start_challenge(user: User, enrolled: list[Method], now: datetime) -> str:
    challenge_id = secrets.token_urlsafe(24)
    expires_at = now + MFA_CHALLENGE_TTL
    LoginChallenge(
        challenge_id,
        user_id=user.user_id,
        methods=set(enrolled),
        expires_at=expires_at,
        expires=expires_at,
    ).save(LoginChallenge.challenge_id.does_not_exist())
    return challenge_id


def _dead() -> ProblemError:
    return ProblemError(
        401, "challenge_invalid", "This sign-in has expired or failed; sign in again."
    )


def _live_challenge(challenge_id: str, now: datetime) -> LoginChallenge:
    try:
        challenge = LoginChallenge.get(challenge_id)
    except LoginChallenge.DoesNotExist:
        raise _dead() from None
    if now >= challenge.expires_at or challenge.wrong_tries >= codes.MAX_WRONG_TRIES:
        raise _dead()
    return challenge


def _sms_binding(challenge_id: str) -> str:
    return f"mfa_sms:{challenge_id}"


def send_challenge_sms(challenge_id: str, now: datetime, origin: Origin) -> None:
    """A fresh SMS code bound to this challenge (it replaces any earlier one)."""
    challenge = _live_challenge(challenge_id, now)
    user = repository.get_user(challenge.user_id)
    if "sms" not in challenge.methods or user is None or not user.sms_phone:
        raise ProblemError(409, "sms_not_enrolled", "No phone is enrolled for SMS codes.")
    if challenge.sms_sends >= SMS_SENDS_PER_CHALLENGE:
        raise ProblemError(429, "too_many_codes", "No more codes for this sign-in; sign in again.")
    code = codes.new_code()
    challenge.sms_code_hash = code_store.hash_for(_sms_binding(challenge_id), code)
    challenge.sms_expires_at = now + SMS_CODE_TTL
    challenge.sms_sends += 1
    challenge.save()  # conditional on the version read above
    _send_sms(user.sms_phone, code, user.language)
    auth_event("mfa_sms_sent", origin, user.user_id)


def _matched_method(
    challenge: LoginChallenge, user: User, code: str, now: datetime
) -> tuple[Method, int | None] | None:
    if "sms" in challenge.methods and challenge.sms_code_hash and challenge.sms_expires_at:
        issued = codes.IssuedCode(challenge.sms_code_hash, challenge.sms_expires_at)
        candidate = code_store.hash_for(_sms_binding(challenge.challenge_id), code)
        if issued.check(candidate, now) is codes.CodeCheck.OK:
            return "sms", None
    if "totp" in challenge.methods and user.totp_secret:
        last = int(user.totp_last_step) if user.totp_last_step is not None else None
        step = totp.accepted_step(user.totp_secret, code, now, last)
        if step is not None:
            return "totp", step
    return None


def _consume_totp_step(user: User, step: int) -> bool:
    try:
        user.update(
            actions=[User.totp_last_step.set(step)],
            condition=User.totp_last_step.does_not_exist() | (User.totp_last_step < step),
        )
    except UpdateError:
        return False
    return True


def verify_challenge(
    challenge_id: str, code: str, now: datetime, origin: Origin
) -> tuple[User, Method]:
    """The user and the factor that passed; the challenge is then used up.

    Wrong codes count against the challenge (five kill it) and against the account's
    sign-in back-off.
    """
    challenge = _live_challenge(challenge_id, now)
    user = repository.get_user(challenge.user_id)
    if user is None:
        raise _dead()
    matched = _matched_method(challenge, user, code, now)
    if matched is not None and (matched[1] is None or _consume_totp_step(user, matched[1])):
        try:  # single use: a replay or a concurrent use finds no challenge
            challenge.delete()  # conditional on the version read above
        except DeleteError:
            raise _dead() from None
        return user, matched[0]
    try:
        challenge.update(
            actions=[LoginChallenge.wrong_tries.add(1)],
            condition=LoginChallenge.challenge_id.exists(),
        )
    except UpdateError:
        raise _dead() from None
    login_guard.record_failure([login_guard.account_key(user.email)], now)
    auth_event("mfa_failed", origin, user.user_id, tries=int(challenge.wrong_tries))
    raise ProblemError(401, "invalid_code", "The code is wrong or has expired.")
