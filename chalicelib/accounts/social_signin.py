"""Social sign-in (P3): an ID token from Google, Apple or Facebook creates or links an
owner account. Vet and admin accounts are never linked; linking an existing owner that
has a password needs that password; the ID token must carry a nonce this server issued."""

from __future__ import annotations

import uuid
from datetime import datetime

from chalicelib.accounts import login_guard, nonces, repository, social
from chalicelib.accounts.errors import (
    InvalidIdToken,
    ProfileIncomplete,
    ProviderEmailUnverified,
    ReauthenticationRequired,
    SocialLinkRefused,
    UnknownProvider,
)
from chalicelib.accounts.events import Origin, auth_event
from chalicelib.accounts.models import SocialLink, User
from chalicelib.accounts.passwords import verify_password
from chalicelib.accounts.registration import require_adult
from chalicelib.accounts.schemas import SocialSignInIn
from chalicelib.accounts.service import MfaChallenge, Tokens, complete_sign_in

# Where the providers' public keys come from (tests substitute an in-process key source).
key_source: social.KeySource = social.jwks_key


def _verified_profile(
    provider_name: str, data: SocialSignInIn, now: datetime, origin: Origin
) -> social.SocialProfile:
    provider = social.configured_providers().get(provider_name)
    if provider is None:
        raise UnknownProvider(f"Unknown sign-in provider '{provider_name}'.")
    try:
        profile = social.verify_id_token(provider, data.id_token, data.nonce, now, key_source)
    except social.SocialTokenError as refused:
        auth_event("social_login_failed", origin, None, provider=provider_name, reason=str(refused))
        raise InvalidIdToken() from None
    if not nonces.is_live(data.nonce, now):
        auth_event("social_login_failed", origin, None, provider=provider_name, reason="nonce")
        raise InvalidIdToken()
    return profile


def _new_account(
    profile: social.SocialProfile, email: str, data: SocialSignInIn, now: datetime
) -> User:
    missing = [name for name in ("birth_date", "country") if getattr(data, name) is None]
    if missing or data.birth_date is None:
        raise ProfileIncomplete(extra={"missing": missing})
    require_adult(data.birth_date, now)
    user = User(
        str(uuid.uuid4()),
        email=email,
        email_verified=True,
        role="owner",
        name=data.name or profile.name or email.split("@")[0],
        birth_date=data.birth_date.isoformat(),
        country=data.country,
        timezone=data.timezone or "UTC",
        language=data.language or "en",
        created_at=now,
    )
    try:
        repository.create_user(user)
    except repository.EmailTakenError:  # a concurrent sign-in created it: use that one
        existing = repository.find_by_email(email)
        if existing is None:
            raise
        return existing
    return user


def _may_link(user: User, data: SocialSignInIn, now: datetime, origin: Origin) -> None:
    """An existing account is linked only if it is an owner's and, when it has a
    password, the request proves it."""
    if user.role != "owner":
        auth_event("social_link_refused", origin, user.user_id, reason="role")
        raise SocialLinkRefused()
    if not user.email_verified:
        return  # a pending registration proved nothing; the provider proves the address
    if user.password_hash:
        key = [login_guard.account_key(user.email)]
        login_guard.reserve(key, now)
        if data.password is None or not verify_password(user.password_hash, data.password):
            auth_event("social_link_refused", origin, user.user_id, reason="password")
            raise ReauthenticationRequired(
                "This e-mail has an account: send its password to link the social sign-in."
            )
        login_guard.release(key)


def _account_for(
    profile: social.SocialProfile, data: SocialSignInIn, now: datetime, origin: Origin
) -> User:
    identity = f"{profile.provider}#{profile.subject}"
    try:
        linked = repository.get_user(SocialLink.get(identity).user_id)
    except SocialLink.DoesNotExist:
        linked = None
    if linked is not None:
        return linked
    if not profile.email or not profile.email_verified:
        raise ProviderEmailUnverified()
    user = repository.find_by_email(profile.email)
    if user is None:
        user = _new_account(profile, profile.email, data, now)
    else:
        _may_link(user, data, now, origin)
        if not user.email_verified:
            # Whoever registered the unverified account proved nothing: drop their password.
            user.update(actions=[User.email_verified.set(True), User.password_hash.remove()])
    SocialLink(identity, user_id=user.user_id, created_at=now).save()
    return user


def sign_in(
    provider_name: str, data: SocialSignInIn, now: datetime, origin: Origin
) -> Tokens | MfaChallenge:
    profile = _verified_profile(provider_name, data, now, origin)
    user = _account_for(profile, data, now, origin)
    if not nonces.consume(data.nonce, now):  # a concurrent request used it first
        raise InvalidIdToken()
    auth_event("social_login", origin, user.user_id, provider=provider_name)
    return complete_sign_in(user, now, origin)
