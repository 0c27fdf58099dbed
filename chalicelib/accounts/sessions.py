"""Refresh-token families: start, rotate (with reuse detection and a short grace for a
lost answer), revoke."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.accounts import refresh
from chalicelib.accounts.errors import InvalidRefreshToken, RefreshTokenReused
from chalicelib.accounts.models import Session
from chalicelib.config import ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL
from chalicelib.store.expiry import purge_actions, schedule_purge

# Mints the access token of a rotation: (user id, family id, now) -> (token, lifetime).
Mint = Callable[[str, str, datetime], tuple[str, int]]


@dataclass(frozen=True)
class Rotated:
    user_id: str
    family_id: str
    access_token: str
    refresh_token: str
    expires_in: int


def start(user_id: str, now: datetime) -> tuple[str, str]:
    """A new family for a fresh sign-in: (family id, its first refresh token)."""
    family_id, secret = refresh.new_family_id(), refresh.new_secret()
    expires_at = now + REFRESH_TOKEN_TTL
    schedule_purge(
        Session(
            family_id,
            user_id=user_id,
            current_digest=refresh.digest(secret),
            issued_digests={refresh.digest(secret)},
            expires_at=expires_at,
            revoked=False,
            created_at=now,
            expires=expires_at,
        ),
        expires_at,
    ).save(Session.family_id.does_not_exist())
    return family_id, refresh.compose(family_id, secret)


def _family(token: str) -> tuple[Session, str] | None:
    parsed = refresh.parse(token)
    if parsed is None:
        return None
    family_id, secret = parsed
    try:
        return Session.get(family_id, consistent_read=True), secret
    except Session.DoesNotExist:
        return None


def _state(session: Session) -> refresh.FamilyState:
    return refresh.FamilyState(
        session.current_digest,
        session.expires_at,
        session.revoked,
        frozenset(session.issued_digests or ()),
        session.previous_digest,
        session.rotated_at,
    )


def _revoke(session: Session) -> None:
    with suppress(UpdateError):  # an expired family needs no revoking (nor recreating)
        session.update(actions=[Session.revoked.set(True)], condition=Session.family_id.exists())


def _rotate_current(session: Session, secret: str, now: datetime, mint: Mint) -> Rotated | None:
    """Rotate; None when a concurrent request rotated the same token first."""
    next_secret = refresh.new_secret()
    access_token, expires_in = mint(session.user_id, session.family_id, now)
    rotated = Rotated(
        session.user_id,
        session.family_id,
        access_token,
        refresh.compose(session.family_id, next_secret),
        expires_in,
    )
    answer = {"access_token": access_token, "refresh_token": rotated.refresh_token}
    expires_at = now + REFRESH_TOKEN_TTL
    try:
        session.update(
            actions=[
                Session.current_digest.set(refresh.digest(next_secret)),
                Session.issued_digests.add({refresh.digest(next_secret)}),
                Session.previous_digest.set(refresh.digest(secret)),
                Session.rotated_at.set(now),
                Session.grace_answer.set(refresh.seal_answer(secret, answer)),
                Session.expires_at.set(expires_at),
                Session.expires.set(expires_at),
                *purge_actions(Session, expires_at),
            ],
            condition=(Session.current_digest == refresh.digest(secret))
            & (Session.revoked == False),  # noqa: E712 - a PynamoDB condition
        )
    except UpdateError:
        return None
    return rotated


def _grace_answer(session: Session, secret: str) -> Rotated | None:
    opened = refresh.open_answer(secret, session.grace_answer) if session.grace_answer else None
    if opened is None:
        return None
    access_token, refresh_token = opened["access_token"], opened["refresh_token"]
    expires_in = int(ACCESS_TOKEN_TTL.total_seconds())
    return Rotated(session.user_id, session.family_id, access_token, refresh_token, expires_in)


def rotate(token: str, now: datetime, mint: Mint) -> Rotated:
    """The family's next pair for its current token (or, within the grace, the pair its
    previous token already received).

    Raises `RefreshTokenReused` (and revokes the family) for an issued secret that was
    rotated away earlier, and `InvalidRefreshToken` for anything else, changing nothing.
    """
    for _ in range(2):  # once more after losing a race on the same token
        found = _family(token)
        if found is None:
            raise InvalidRefreshToken()
        session, secret = found
        verdict = _state(session).judge(secret, now)
        if verdict is refresh.Presented.CURRENT:
            rotated = _rotate_current(session, secret, now, mint)
            if rotated is not None:
                return rotated
            continue
        if verdict is refresh.Presented.GRACE:
            answered = _grace_answer(session, secret)
            if answered is not None:
                return answered
        if verdict is refresh.Presented.REUSED:
            _revoke(session)
            raise RefreshTokenReused(session.user_id)
        break
    raise InvalidRefreshToken()


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


def signed_in_at(family_id: str) -> datetime | None:
    """When the sign-in of a live family happened (its first token was issued)."""
    try:
        session = Session.get(family_id, consistent_read=True)
    except Session.DoesNotExist:
        return None
    return None if session.revoked else session.created_at


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
