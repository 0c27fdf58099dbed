"""Sign-in rules: password sign-in with back-off, second-factor challenges, token issue,
refresh rotation and logout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.accounts import login_guard, mfa, repository, sessions
from chalicelib.accounts.errors import (
    AccountErasing,
    EmailUnverified,
    InvalidAccessToken,
    InvalidCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
)
from chalicelib.accounts.events import Origin, auth_event
from chalicelib.accounts.models import User
from chalicelib.accounts.passwords import verify_password
from chalicelib.accounts.tokens import issue_access_token
from chalicelib.consent import hooks as consent_hooks


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class MfaChallenge:
    challenge_id: str
    methods: list[mfa.Method]


def issue_tokens(user: User, now: datetime) -> Tokens:
    """An access token and the first refresh token of a new session family; the account's
    counted attempts are forgotten (only a complete sign-in clears them). An account
    being erased gets none."""
    _refuse_erasing(user)
    login_guard.clear(login_guard.account_key(user.email))
    family_id, refresh_token = sessions.start(user.user_id, now)
    access_token, expires_in = issue_access_token(user.user_id, user.role, now, family_id)
    return Tokens(access_token, refresh_token, expires_in)


def _refuse_erasing(user: User) -> None:
    if user.erasure_id is not None:
        raise AccountErasing()


def complete_sign_in(
    user: User, now: datetime, origin: Origin, cookie_consent_id: str | None = None
) -> Tokens | MfaChallenge:
    """Tokens, or a challenge when the user has a second factor (P4)."""
    _refuse_erasing(user)
    methods = mfa.methods(user)
    if methods:
        challenge_id = mfa.start_challenge(user, methods, now)
        auth_event("mfa_challenge_started", origin, user.user_id, methods=",".join(methods))
        return MfaChallenge(challenge_id, methods)
    auth_event("login_succeeded", origin, user.user_id)
    consent_hooks.signed_in(user, now, cookie_consent_id)
    return issue_tokens(user, now)


def login(
    email: str, password: str, now: datetime, origin: Origin, cookie_consent_id: str | None = None
) -> Tokens | MfaChallenge:
    """The attempt is reserved against the account and the IP before the password is
    checked, so parallel guesses get at most the limit of answers; a wrong e-mail and a
    wrong password give the same 401 after the same single argon2 verification."""
    keys = login_guard.keys(email, origin.ip)
    login_guard.reserve(keys, now)
    user = repository.find_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        auth_event("login_failed", origin, user.user_id if user else None)
        raise InvalidCredentials()
    # The password was right: this attempt is no failure. Earlier failures (also wrong
    # second-factor codes) stay counted until a complete sign-in clears them.
    login_guard.release(keys)
    if not user.email_verified:
        auth_event("login_refused_unverified", origin, user.user_id)
        raise EmailUnverified()
    return complete_sign_in(user, now, origin, cookie_consent_id)


def verify_second_factor(challenge_id: str, code: str, now: datetime, origin: Origin) -> Tokens:
    """Tokens for the right code of the user's live challenge. Every code is counted
    against the account's back-off before it is judged, across all its challenges."""
    user, method = mfa.verify_challenge(challenge_id, code, now, origin)
    auth_event("login_succeeded", origin, user.user_id, second_factor=method)
    return issue_tokens(user, now)


def _mint(user_id: str, family_id: str, now: datetime) -> tuple[str, int]:
    user = repository.get_user(user_id)
    if user is None:
        raise InvalidRefreshToken()
    return issue_access_token(user.user_id, user.role, now, family_id)


def refresh(token: str, now: datetime, origin: Origin) -> Tokens:
    try:
        rotated = sessions.rotate(token, now, _mint)
    except RefreshTokenReused as reused:
        auth_event("refresh_reused", origin, reused.user_id)
        raise
    except InvalidRefreshToken:
        auth_event("refresh_refused", origin, None)
        raise
    auth_event("token_refreshed", origin, rotated.user_id)
    return Tokens(rotated.access_token, rotated.refresh_token, rotated.expires_in)


def logout(token: str | None, user_id: str | None, session_id: str | None, origin: Origin) -> None:
    """Revoke the sign-in named by the refresh token, else by the caller's access token.
    An unknown refresh token changes nothing (and says nothing)."""
    if token is not None:
        auth_event("logout", origin, sessions.revoke_family_of(token))
    elif user_id is not None:
        if session_id is not None:
            sessions.revoke_family(session_id, user_id)
        auth_event("logout", origin, user_id)
    else:
        raise InvalidAccessToken("Send the refresh token, or an access token, to sign out.")
