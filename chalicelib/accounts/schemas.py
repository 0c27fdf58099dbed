"""Request and response models of the accounts API."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from chalicelib.web.validation import Email, OneOf, Schema

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@cache
def _timezones() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def _country(value: str) -> str:
    from iso3166 import countries_by_alpha2

    if value not in countries_by_alpha2:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return value


def _timezone(value: str) -> str:
    if value not in _timezones():
        raise ValueError("not an IANA time zone")
    return value


def _phone(value: str) -> str:
    if not _E164.match(value):
        raise ValueError("not an E.164 phone number (+ and digits)")
    import phonenumbers

    if not phonenumbers.is_valid_number(phonenumbers.parse(value)):
        raise ValueError("not a valid phone number")
    return value


Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]
Timezone = Annotated[str, Field(max_length=64), AfterValidator(_timezone)]
Phone = Annotated[str, Field(max_length=16), AfterValidator(_phone)]
Language = Literal["uk", "ru", "en"]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Address = Annotated[str, Field(max_length=500)]
Postcode = Annotated[str, Field(max_length=20)]
# Length rules live in the password policy (422 weak_password); this bound only stops abuse.
Password = Annotated[str, Field(min_length=1, max_length=4096)]
Code = Annotated[str, Field(min_length=1, max_length=16)]


CookieConsentId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w\-]+$")]


class LoginIn(Schema):
    email: Email
    password: Password
    cookie_consent_id: CookieConsentId | None = None


class RegisterIn(Schema):
    email: Email
    password: Password
    name: Name
    birth_date: date
    country: Country
    timezone: Timezone
    language: Language
    phone: Phone | None = None
    address: Address | None = None
    postcode: Postcode | None = None
    cookie_consent_id: CookieConsentId | None = None


class StatusOut(Schema):
    status: str


class VerifyEmailIn(Schema):
    email: Email
    code: Code


class EmailIn(Schema):
    email: Email


class ResetPasswordIn(Schema):
    email: Email
    code: Code
    new_password: Password


class AcceptInviteIn(Schema):
    email: Email
    code: Code
    password: Password


class ChangePasswordIn(Schema):
    current_password: Password
    new_password: Password


class TokensOut(Schema):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name
    expires_in: int


class MfaRequiredOut(Schema):
    mfa_required: Literal[True] = True
    challenge_id: str
    methods: list[Literal["sms", "totp"]]


class LoginOut(OneOf[TokensOut | MfaRequiredOut]):
    """Tokens, or a second-factor challenge when the account has one enrolled."""


class RefreshIn(Schema):
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class LogoutIn(Schema):
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)] | None = None


class ChallengeIn(Schema):
    challenge_id: Annotated[str, Field(min_length=1, max_length=64)]


class MfaVerifyIn(ChallengeIn):
    code: Code


class SmsEnrolIn(Schema):
    phone: Phone
    password: Password | None = None  # social-only accounts: a sign-in under 5 minutes old


class ReauthIn(Schema):
    password: Password | None = None


class ConfirmFactorIn(Schema):
    code: Code
    password: Password | None = None  # social-only accounts: a sign-in under 5 minutes old


class NonceOut(Schema):
    nonce: str
    expires_at: str


class TotpEnrolOut(Schema):
    secret: str
    otpauth_uri: str


class MfaMethodsOut(Schema):
    methods: list[Literal["sms", "totp"]]


class SocialSignInIn(Schema):
    id_token: Annotated[str, Field(min_length=1, max_length=8192)]
    nonce: Annotated[str, Field(min_length=1, max_length=256)]
    password: Password | None = None  # links an existing account that has one
    birth_date: date | None = None
    country: Country | None = None
    name: Name | None = None
    timezone: Timezone | None = None
    language: Language | None = None


class ProfileOut(Schema):
    user_id: str
    email: str
    email_verified: bool
    role: str
    name: str
    birth_date: date | None
    country: str | None
    timezone: str
    language: str
    phone: str | None
    address: str | None
    postcode: str | None
    mfa_methods: list[Literal["sms", "totp"]]
    restricted: bool  # processing restricted by the user (P11)
    created_at: str


class ProfilePatchIn(Schema):
    name: Name | None = None
    address: Address | None = None
    postcode: Postcode | None = None
    language: Language | None = None
    timezone: Timezone | None = None


class InviteConsultantIn(Schema):
    email: Email
    name: Name
    country: Country | None = None
    timezone: Timezone = "UTC"
    language: Language = "en"


class InviteOut(Schema):
    user_id: str
    status: Literal["invited"] = "invited"


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
