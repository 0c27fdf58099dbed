"""Social sign-in (P3): verify an OIDC ID token against its provider's published keys.

The same code runs in every stage; only configuration differs (the local stage points all
three providers at the local issuer stand-in). Keys come from the provider's JWKS through
PyJWKClient, cached per URI for the life of the process.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jwt

_LEEWAY = timedelta(seconds=60)
_REQUIRED = ["iss", "aud", "sub", "exp", "iat"]


@dataclass(frozen=True)
class OidcProvider:
    name: str
    issuers: tuple[str, ...]
    client_id: str
    jwks_uri: str
    algorithms: tuple[str, ...] = ("RS256",)
    # Apple (and some SDKs) put SHA-256(nonce) in the token; the client sends the raw nonce.
    nonce_hashed: bool = False


@dataclass(frozen=True)
class SocialProfile:
    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


class SocialTokenError(ValueError):
    """The ID token is refused; the message is safe to log (it never contains the token)."""


KeySource = Callable[[OidcProvider, str], Any]


@cache
def _jwk_client(jwks_uri: str) -> jwt.PyJWKClient:
    import jwt

    return jwt.PyJWKClient(jwks_uri, cache_jwk_set=True, lifespan=3600, timeout=5)


def jwks_key(provider: OidcProvider, token: str) -> Any:
    """The provider's published key named by the token's ``kid`` (PyJWKClient, cached)."""
    return _jwk_client(provider.jwks_uri).get_signing_key_from_jwt(token).key


def _truthy(value: object) -> bool:
    return value is True or value == "true"


def _nonce_matches(provider: OidcProvider, claimed: object, nonce: str) -> bool:
    expected = hashlib.sha256(nonce.encode()).hexdigest() if provider.nonce_hashed else nonce
    return isinstance(claimed, str) and hmac.compare_digest(claimed, expected)


def verify_id_token(
    provider: OidcProvider,
    id_token: str,
    nonce: str,
    now: datetime,
    key_source: KeySource = jwks_key,
) -> SocialProfile:
    """Check signature (pinned algorithms), ``iss``, ``aud``, ``exp``, ``iat`` and ``nonce``."""
    import jwt

    try:
        key = key_source(provider, id_token)
        claims: Mapping[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=list(provider.algorithms),
            audience=provider.client_id,
            options={
                "require": _REQUIRED,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_iss": False,
            },
        )
    except (jwt.PyJWTError, ValueError) as error:
        raise SocialTokenError(f"id token rejected: {type(error).__name__}") from None
    if claims["iss"] not in provider.issuers:
        raise SocialTokenError("id token rejected: issuer")
    instant = now.timestamp()
    if not isinstance(claims["exp"], int | float) or claims["exp"] <= instant - _LEEWAY.seconds:
        raise SocialTokenError("id token rejected: expired")
    if not isinstance(claims["iat"], int | float) or claims["iat"] > instant + _LEEWAY.seconds:
        raise SocialTokenError("id token rejected: issued in the future")
    if not _nonce_matches(provider, claims.get("nonce"), nonce):
        raise SocialTokenError("id token rejected: nonce")
    email = claims.get("email")
    name = claims.get("name")
    return SocialProfile(
        provider=provider.name,
        subject=str(claims["sub"]),
        email=email.strip().lower() if isinstance(email, str) else None,
        email_verified=_truthy(claims.get("email_verified")),
        name=name if isinstance(name, str) else None,
    )


def configured_providers() -> dict[str, OidcProvider]:
    """The providers of this stage: the real ones, or all three played by the local issuer."""
    from chalicelib.config import get_settings

    settings = get_settings()
    client_ids = {
        "google": settings.google_client_id,
        "apple": settings.apple_client_id,
        "facebook": settings.facebook_client_id,
    }
    local = settings.oidc_local_issuer
    if local:
        return {
            name: OidcProvider(name, (local,), client_id, f"{local}/jwks.json")
            for name, client_id in client_ids.items()
        }
    return {
        "google": OidcProvider(
            "google",
            ("https://accounts.google.com", "accounts.google.com"),
            client_ids["google"],
            "https://www.googleapis.com/oauth2/v3/certs",
        ),
        "apple": OidcProvider(
            "apple",
            ("https://appleid.apple.com",),
            client_ids["apple"],
            "https://appleid.apple.com/auth/keys",
            nonce_hashed=True,
        ),
        "facebook": OidcProvider(
            "facebook",
            ("https://www.facebook.com",),
            client_ids["facebook"],
            "https://limited.facebook.com/.well-known/oauth/openid/jwks/",
        ),
    }
