"""Who may call a route. Every route declares its `Access`; nothing is open by default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.web.problems import ProblemError

ROLES = frozenset({"owner", "vet", "admin"})


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    user_id: str
    role: str
    session_id: str | None = None  # the sign-in (refresh-token family) the token came from


@dataclass(frozen=True)
class Access:
    public: bool
    roles: frozenset[str]

    def describe(self) -> str:
        return "public" if self.public else " | ".join(sorted(self.roles))


PUBLIC = Access(public=True, roles=frozenset())
AUTHENTICATED = Access(public=False, roles=ROLES)


def roles(*names: str) -> Access:
    unknown = set(names) - ROLES
    if unknown or not names:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    return Access(public=False, roles=frozenset(names))


def unauthorized(detail: str) -> ProblemError:
    """A 401 that asks for a bearer token."""
    return ProblemError(401, "unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization")
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Use an 'Authorization: Bearer <token>' header.")
    return token.strip()


def authorize(access: Access, headers: Mapping[str, str]) -> Principal | None:
    """The caller's principal if the route lets them in; a 401/403 problem otherwise.
    A public route still identifies a caller who sends a valid token."""
    token = _bearer(headers)
    if token is None:
        if access.public:
            return None
        raise unauthorized("This endpoint needs an access token.")
    from chalicelib.accounts.errors import InvalidAccessToken
    from chalicelib.accounts.tokens import verify_access_token

    try:
        claims = verify_access_token(token)
    except InvalidAccessToken as invalid:
        raise unauthorized(invalid.message) from None
    principal = Principal(user_id=claims["sub"], role=claims["role"], session_id=claims.get("sid"))
    if principal.session_id is not None:
        from chalicelib.accounts.sessions import is_live

        if not is_live(principal.session_id):  # logout, reuse or password change ended it
            raise unauthorized("This sign-in has ended; sign in again.")
    if not access.public and principal.role not in access.roles:
        raise ProblemError(403, "forbidden", "Your role may not call this endpoint.")
    return principal
