"""Accounts routes."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts import service
from chalicelib.accounts.keys import key_ring
from chalicelib.accounts.schemas import JwksOut, LoginIn, TokensOut
from chalicelib.web.access import PUBLIC
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="accounts")


@api.route(
    "/v1/auth/login",
    "POST",
    access=PUBLIC,
    body=LoginIn,
    response=TokensOut,
    summary="Sign in with e-mail and password.",
    errors=("invalid_credentials", "email_unverified"),
)
def login(request: ApiRequest[LoginIn, None]) -> TokensOut:
    token, expires_in = service.login(request.body.email, request.body.password, request.now)
    return TokensOut(access_token=token, expires_in=expires_in)


@api.route(
    "/v1/.well-known/jwks.json",
    "GET",
    access=PUBLIC,
    response=JwksOut,
    summary="Public keys that verify access and room tokens.",
)
def jwks(request: ApiRequest[None, None]) -> dict[str, Any]:
    return key_ring.jwks()
