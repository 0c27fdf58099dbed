"""Refresh-token families: start, rotate (with reuse detection), revoke."""

from __future__ import annotations

import hmac
from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.accounts import refresh
from chalicelib.accounts.models import Session
from chalicelib.config import REFRESH_TOKEN_TTL
from chalicelib.web.problems import ProblemError


class RefreshReusedError(ProblemError):
    """A rotated token came back: its family is now revoked."""

    def __init__(self, user_id: str) -> None:
        super().__init__(
            401, "refresh_token_reused", "The refresh token was already used; sign in again."
        )
        self.user_id = user_id


def _invalid() -> ProblemError:
    return ProblemError(401, "invalid_refresh_token", "The refresh token is not valid.")


def start(user_id: str, now: datetime) -> tuple[str, str]:
    """A new family for a fresh sign-in: (family id, its first refresh token)."""
    family_id, secret = refresh.new_family_id(), refresh.new_secret()
    expires_at = now + REFRESH_TOKEN_TTL
    Session(
        family_id,
        user_id=user_id,
        current_digest=refresh.digest(secret),
        expires_at=expires_at,
        revoked=False,
        created_at=now,
        expires=expires_at,
    ).save(Session.family_id.does_not_exist())
    return family_id, refresh.compose(family_id, secret)


def _family(token: str) -> tuple[Session, str] | None:
    parsed = refresh.parse(token)
    if parsed is None:
        return None
    family_id, secret = parsed
    try:
        return Session.get(family_id), secret
    except Session.DoesNotExist:
        return None


def _revoke(session: Session) -> None:
    session.update(actions=[Session.revoked.set(True)])


def rotate(token: str, now: datetime) -> tuple[Session, str]:
    """(the family, its next refresh token) for the family's current token.

    A token the family has already rotated away revokes the family (it was copied).
    Raises 401 ``refresh_token_reused`` then, and 401 ``invalid_refresh_token`` for
    anything else that is not current.
    """
    found = _family(token)
    if found is None:
        raise _invalid()
    session, secret = found
    state = refresh.FamilyState(session.current_digest, session.expires_at, session.revoked)
    verdict = state.judge(secret, now)
    if verdict is refresh.Presented.CURRENT:
        next_secret = refresh.new_secret()
        expires_at = now + REFRESH_TOKEN_TTL
        try:
            session.update(
                actions=[
                    Session.current_digest.set(refresh.digest(next_secret)),
                    Session.expires_at.set(expires_at),
                    Session.expires.set(expires_at),
                ],
                condition=(Session.current_digest == state.current_digest)
                & (Session.revoked == False),  # noqa: E712 - a PynamoDB condition
            )
        except UpdateError:  # a concurrent use of the same token won: this one is a reuse
            verdict = refresh.Presented.REUSED
        else:
            return session, refresh.compose(session.family_id, next_secret)
    if verdict is refresh.Presented.REUSED:
        _revoke(session)
        raise RefreshReusedError(session.user_id)
    raise _invalid()


def revoke_family_of(token: str) -> str | None:
    """Revoke the family of a token (logout); the family's user id, or None if unknown."""
    found = _family(token)
    if found is None:
        return None
    session, secret = found
    if not hmac.compare_digest(session.current_digest, refresh.digest(secret)):
        return None
    _revoke(session)
    return session.user_id


def is_live(family_id: str) -> bool:
    """Whether the sign-in is still on (its access tokens are refused once it is revoked)."""
    try:
        return not Session.get(family_id, consistent_read=True).revoked
    except Session.DoesNotExist:
        return False


def revoke_family(family_id: str, user_id: str) -> None:
    """Revoke one of the user's families (logout with an access token)."""
    try:
        session = Session.get(family_id)
    except Session.DoesNotExist:
        return
    if session.user_id == user_id:
        _revoke(session)


def revoke_all(user_id: str) -> int:
    """Revoke every session of a user (password change or reset, erasure); how many."""
    revoked = 0
    for key in Session.user_index.query(user_id):
        _revoke(Session(key.family_id))
        revoked += 1
    return revoked
