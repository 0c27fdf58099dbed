"""Social sign-in (P3): an ID token from Google, Apple or Facebook creates or links an account."""

from __future__ import annotations

import uuid
from datetime import datetime

from chalicelib.accounts import repository, social
from chalicelib.accounts.events import Origin, auth_event
from chalicelib.accounts.models import SocialLink, User
from chalicelib.accounts.registration import require_adult
from chalicelib.accounts.schemas import MfaRequiredOut, SocialSignInIn, TokensOut
from chalicelib.accounts.service import complete_sign_in
from chalicelib.web.problems import ProblemError

# Where the providers' public keys come from (tests substitute an in-process key source).
key_source: social.KeySource = social.jwks_key


def _verified_profile(
    provider_name: str, data: SocialSignInIn, now: datetime, origin: Origin
) -> social.SocialProfile:
    provider = social.configured_providers().get(provider_name)
    if provider is None:
        raise ProblemError(404, "not_found", f"Unknown sign-in provider '{provider_name}'.")
    try:
        return social.verify_id_token(provider, data.id_token, data.nonce, now, key_source)
    except social.SocialTokenError as refused:
        auth_event("social_login_failed", origin, None, provider=provider_name, reason=str(refused))
        raise ProblemError(401, "invalid_id_token", "The ID token was refused.") from None


def _new_account(
    profile: social.SocialProfile, email: str, data: SocialSignInIn, now: datetime
) -> User:
    missing = [name for name in ("birth_date", "country") if getattr(data, name) is None]
    if missing or data.birth_date is None:
        raise ProblemError(
            422,
            "profile_incomplete",
            "A first social sign-in needs your birth date and country.",
            extra={"missing": missing},
        )
    timezone = data.timezone or "UTC"
    require_adult(data.birth_date, now, timezone)
    user = User(
        str(uuid.uuid4()),
        email=email,
        email_verified=True,
        role="owner",
        name=data.name or profile.name or email.split("@")[0],
        birth_date=data.birth_date.isoformat(),
        country=data.country,
        timezone=timezone,
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


def _account_for(profile: social.SocialProfile, data: SocialSignInIn, now: datetime) -> User:
    identity = f"{profile.provider}#{profile.subject}"
    try:
        linked = repository.get_user(SocialLink.get(identity).user_id)
    except SocialLink.DoesNotExist:
        linked = None
    if linked is not None:
        return linked
    if not profile.email or not profile.email_verified:
        raise ProblemError(
            422, "email_unverified", "The provider did not confirm an e-mail address."
        )
    user = repository.find_by_email(profile.email)
    if user is None:
        user = _new_account(profile, profile.email, data, now)
    elif not user.email_verified:
        # Whoever registered the unverified account proved nothing: drop their password.
        user.update(actions=[User.email_verified.set(True), User.password_hash.remove()])
    SocialLink(identity, user_id=user.user_id, created_at=now).save()
    return user


def sign_in(
    provider_name: str, data: SocialSignInIn, now: datetime, origin: Origin
) -> TokensOut | MfaRequiredOut:
    profile = _verified_profile(provider_name, data, now, origin)
    user = _account_for(profile, data, now)
    auth_event("social_login", origin, user.user_id, provider=provider_name)
    return complete_sign_in(user, now, origin)
