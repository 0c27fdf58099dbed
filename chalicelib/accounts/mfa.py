"""Second factors (P4): SMS codes and authenticator apps (TOTP), their enrolment and
removal, and the challenges a sign-in must pass when one is enrolled."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib.accounts import code_store, codes, login_guard, mailer, repository, sessions, totp
from chalicelib.accounts.errors import (
    ChallengeConflict,
    ChallengeInvalid,
    InvalidCode,
    InvalidSecondFactorCode,
    ReauthenticationRequired,
    SmsNotEnrolled,
    TooManyCodes,
)
from chalicelib.accounts.events import Origin, auth_event
from chalicelib.accounts.message_limits import allow as allow_message
from chalicelib.accounts.models import LoginChallenge, User
from chalicelib.accounts.passwords import verify_password
from chalicelib.config import (
    MFA_CHALLENGE_TTL,
    REAUTH_MAX_AGE,
    SMS_CODE_TTL,
    SMS_SENDS_PER_CHALLENGE,
    TOTP_ISSUER_NAME,
)
from chalicelib.store.expiry import schedule_purge

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


@dataclass(frozen=True)
class Reauth:
    """What a request offers to confirm a credential change: the current password, or
    the sign-in (session) it was made in; with the request's instant and origin."""

    password: str | None
    session_id: str | None
    now: datetime
    origin: Origin


def require_reauthentication(user: User, proof: Reauth) -> None:
    """Re-authentication before a credential changes (ASVS 5.0 V6.2.3, V6.5.x).

    An account with a password needs it (each try counts against the sign-in back-off);
    a social-only account needs a sign-in at most `REAUTH_MAX_AGE` old.
    """
    password, now = proof.password, proof.now
    if user.password_hash and password is not None:
        key = [login_guard.account_key(user.email)]
        login_guard.reserve(key, now)
        if verify_password(user.password_hash, password):
            login_guard.release(key)
            return
    elif not user.password_hash:
        signed_in = sessions.signed_in_at(proof.session_id) if proof.session_id else None
        if signed_in is not None and now - signed_in <= REAUTH_MAX_AGE:
            return
    auth_event("reauthentication_failed", proof.origin, user.user_id)
    raise ReauthenticationRequired(
        "Confirm this change with your current password."
        if user.password_hash
        else "Sign in again (within the last 5 minutes) to confirm this change."
    )


def _changed(user: User, change: str, origin: Origin) -> None:
    auth_event(f"mfa_{change}", origin, user.user_id)
    mailer.send_now(user, "mfa_changed", change=change)


# --- enrolment and removal -------------------------------------------------------------


def start_sms_enrolment(user: User, phone: str, proof: Reauth) -> None:
    """Send a code to ``phone`` (counted per phone and per account)."""
    require_reauthentication(user, proof)
    allow_message(proof.now, phone=phone, user_id=user.user_id)
    code = code_store.issue(user.user_id, SMS_ENROL, proof.now, SMS_CODE_TTL, pending=phone)
    mailer.send_sms(phone, user.language, code)
    auth_event("sms_enrolment_started", proof.origin, user.user_id)


def confirm_sms_enrolment(user: User, code: str, proof: Reauth) -> list[Method]:
    require_reauthentication(user, proof)
    item = code_store.redeem(user.user_id, SMS_ENROL, code, proof.now)
    if item is None or item.pending is None:
        auth_event("sms_enrolment_failed", proof.origin, user.user_id)
        raise InvalidCode()
    user.update(actions=[User.sms_phone.set(item.pending)])
    _changed(user, "sms_enrolled", proof.origin)
    return methods(user)


def start_totp_enrolment(user: User, proof: Reauth) -> tuple[str, str]:
    """A new secret (pending until confirmed) and its otpauth:// URI for the app's QR code."""
    require_reauthentication(user, proof)
    secret = totp.new_secret()
    user.update(actions=[User.totp_pending_secret.set(secret)])
    auth_event("totp_enrolment_started", proof.origin, user.user_id)
    return secret, totp.provisioning_uri(secret, user.email, TOTP_ISSUER_NAME)


def confirm_totp_enrolment(user: User, code: str, proof: Reauth) -> list[Method]:
    require_reauthentication(user, proof)
    pending = user.totp_pending_secret
    step = totp.accepted_step(pending, code, proof.now, None) if pending else None
    if step is None:
        auth_event("totp_enrolment_failed", proof.origin, user.user_id)
        raise InvalidCode("The code is wrong or outside its time window.")
    try:
        user.update(
            actions=[
                User.totp_secret.set(pending),
                User.totp_last_step.set(step),
                User.totp_pending_secret.remove(),
            ],
            condition=User.totp_pending_secret == pending,
        )
    except UpdateError:  # a new enrolment replaced the secret meanwhile
        raise InvalidCode("The enrolment changed; start again.") from None
    _changed(user, "totp_enrolled", proof.origin)
    return methods(user)


def remove(user: User, method: Method, proof: Reauth) -> list[Method]:
    """Remove one second factor; the factors left."""
    require_reauthentication(user, proof)
    if method in methods(user):
        removed: list[Action] = (
            [User.sms_phone.remove()]
            if method == "sms"
            else [User.totp_secret.remove(), User.totp_pending_secret.remove()]
        )
        user.update(actions=removed)
        _changed(user, f"{method}_removed", proof.origin)
    return methods(user)


# --- challenges at sign-in -------------------------------------------------------------


def start_challenge(user: User, enrolled: list[Method], now: datetime) -> str:
    """A new challenge; it replaces the user's earlier one (one live challenge per user)."""
    challenge_id = secrets.token_urlsafe(24)
    expires_at = now + MFA_CHALLENGE_TTL
    schedule_purge(
        LoginChallenge(
            challenge_id,
            user_id=user.user_id,
            methods=set(enrolled),
            expires_at=expires_at,
            expires=expires_at,
        ),
        expires_at,
    ).save(LoginChallenge.challenge_id.does_not_exist())
    user.update(actions=[User.mfa_challenge_id.set(challenge_id)])
    return challenge_id


def _challenge(challenge_id: str) -> tuple[LoginChallenge, User]:
    try:
        challenge = LoginChallenge.get(challenge_id, consistent_read=True)
    except LoginChallenge.DoesNotExist:
        raise ChallengeInvalid() from None
    user = repository.get_user(challenge.user_id)
    if user is None:
        raise ChallengeInvalid()
    return challenge, user


def _is_live(challenge: LoginChallenge, user: User, now: datetime) -> bool:
    return (
        user.mfa_challenge_id == challenge.challenge_id
        and now < challenge.expires_at
        and challenge.wrong_tries < codes.MAX_WRONG_TRIES
    )


def _sms_binding(challenge_id: str) -> str:
    return f"mfa_sms:{challenge_id}"


def send_challenge_sms(challenge_id: str, now: datetime, origin: Origin) -> None:
    """A fresh SMS code bound to this challenge (it replaces any earlier one)."""
    challenge, user = _challenge(challenge_id)
    if not _is_live(challenge, user, now):
        raise ChallengeInvalid()
    if "sms" not in challenge.methods or not user.sms_phone:
        raise SmsNotEnrolled()
    if challenge.sms_sends >= SMS_SENDS_PER_CHALLENGE:
        raise TooManyCodes()
    allow_message(now, phone=user.sms_phone, user_id=user.user_id)
    code = codes.new_code()
    challenge.sms_code_hash = code_store.hash_for(_sms_binding(challenge_id), code)
    challenge.sms_expires_at = now + SMS_CODE_TTL
    challenge.sms_sends += 1
    try:
        challenge.save()  # conditional on the version read above
    except PutError:
        raise ChallengeConflict() from None
    mailer.send_sms(user.sms_phone, user.language, code)
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

    Every code is first counted against the account's sign-in back-off (across all its
    challenges, replaced ones too), so parallel or spread guesses get at most the limit
    of answers; wrong codes also count against the challenge (five kill it).
    """
    challenge, user = _challenge(challenge_id)
    login_guard.reserve([login_guard.account_key(user.email)], now)
    if not _is_live(challenge, user, now):
        auth_event("mfa_failed", origin, user.user_id, reason="challenge_not_live")
        raise ChallengeInvalid()
    matched = _matched_method(challenge, user, code, now)
    if matched is not None and (matched[1] is None or _consume_totp_step(user, matched[1])):
        try:  # single use: a replay or a concurrent use finds no challenge
            challenge.delete()  # conditional on the version read above
        except DeleteError:
            raise ChallengeInvalid() from None
        return user, matched[0]
    try:
        challenge.update(
            actions=[LoginChallenge.wrong_tries.add(1)],
            condition=LoginChallenge.challenge_id.exists(),
        )
    except UpdateError:
        raise ChallengeInvalid() from None
    auth_event("mfa_failed", origin, user.user_id, tries=int(challenge.wrong_tries))
    raise InvalidSecondFactorCode()
