"""Request and response models of the accounts API."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.web.validation import Email, Schema


class LoginIn(Schema):
    email: Email
    password: str = Field(min_length=1, max_length=1024)


class TokensOut(Schema):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name
    expires_in: int


class Jwk(Schema):
    kty: str
    crv: str
    x: str
    y: str
    kid: str
    use: str
    alg: str


class JwksOut(Schema):
    keys: list[Jwk]
