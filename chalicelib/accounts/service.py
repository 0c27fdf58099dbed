"""Sign-in rules: password sign-in with back-off, second-factor challenges, token issue,
refresh rotation and logout."""

from __future__ import annotations

from datetime import datetime

from chalicelib.accounts import login_guard, mfa, repository, sessions
from chalicelib.accounts.events import Origin, auth_event
from chalicelib.accounts.models import User
from chalicelib.accounts.passwords import verify_password
from chalicelib.accounts.schemas import MfaRequiredOut, TokensOut
from chalicelib.accounts.tokens import issue_access_token
from chalicelib.consent import hooks as consent_hooks
from chalicelib.web.access import Principal, unauthorized
from chalicelib.web.problems import ProblemError


def _invalid_credentials() -> ProblemError:
    return ProblemError(401, "invalid_credentials", "The e-mail or password is wrong.")


def issue_tokens(user: User, now: datetime) -> TokensOut:
    """An access token and the first refresh token of a new session family; the account's
    failed attempts are forgotten (only a complete sign-in clears them)."""
    login_guard.clear(login_guard.account_key(user.email))
    family_id, refresh_token = sessions.start(user.user_id, now)
    access_token, expires_in = issue_access_token(user.user_id, user.role, now, family_id)
    return TokensOut(access_token=access_token, refresh_token=refresh_token, expires_in=expires_in)


def complete_sign_in(
    user: User, now: datetime, origin: Origin, cookie_consent_id: str | None = None
) -> TokensOut | MfaRequiredOut:
    """Tokens, or a challenge when the user has a second factor (P4)."""
    methods = mfa.methods(user)
    if methods:
        challenge_id = mfa.start_challenge(user, methods, now)
        auth_event("mfa_challenge_started", origin, user.user_id, methods=",".join(methods))
        return MfaRequiredOut(challenge_id=challenge_id, methods=methods)
    auth_event("login_succeeded", origin, user.user_id)
    consent_hooks.signed_in(user, now, cookie_consent_id)
    return issue_tokens(user, now)


def login(
    email: str, password: str, now: datetime, origin: Origin, cookie_consent_id: str | None = None
) -> TokensOut | MfaRequiredOut:
    """A wrong e-mail and a wrong password give the same 401 after the same argon2 work;
    repeated failures per account and per IP back off with 429 (never a lockout)."""
    keys = login_guard.keys(email, origin.ip)
    login_guard.check(keys, now)
    user = repository.find_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        login_guard.record_failure(keys, now)
        auth_event("login_failed", origin, user.user_id if user else None)
        raise _invalid_credentials()
    if not user.email_verified:
        auth_event("login_refused_unverified", origin, user.user_id)
        raise ProblemError(403, "email_unverified", "Verify your e-mail address first.")
    return complete_sign_in(user, now, origin, cookie_consent_id)


def verify_second_factor(challenge_id: str, code: str, now: datetime, origin: Origin) -> TokensOut:
    """Tokens for the right code of a live challenge; wrong codes also count as failed
    sign-ins of the account, so new challenges cannot be used to keep guessing."""
    user, method = mfa.verify_challenge(challenge_id, code, now, origin)
    auth_event("login_succeeded", origin, user.user_id, second_factor=method)
    return issue_tokens(user, now)


def refresh(token: str, now: datetime, origin: Origin) -> TokensOut:
    try:
        session, next_token = sessions.rotate(token, now)
    except sessions.RefreshReusedError as reused:
        auth_event("refresh_reused", origin, reused.user_id)
        raise
    except ProblemError:
        auth_event("refresh_refused", origin, None)
        raise
    user = repository.get_user(session.user_id)
    if user is None:
        raise sessions.invalid_refresh_token()
    access_token, expires_in = issue_access_token(user.user_id, user.role, now, session.family_id)
    auth_event("token_refreshed", origin, user.user_id)
    return TokensOut(access_token=access_token, refresh_token=next_token, expires_in=expires_in)


def logout(token: str | None, caller: Principal | None, origin: Origin) -> None:
    """Revoke the sign-in named by the refresh token, else by the caller's access token.
    An unknown refresh token changes nothing (and says nothing)."""
    if token is not None:
        auth_event("logout", origin, sessions.revoke_family_of(token))
    elif caller is not None:
        if caller.session_id is not None:
            sessions.revoke_family(caller.session_id, caller.user_id)
        auth_event("logout", origin, caller.user_id)
    else:
        raise unauthorized("Send the refresh token, or an access token, to sign out.")
