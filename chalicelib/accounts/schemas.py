"""Request and response models of the accounts API."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, ConfigDict, Field

from chalicelib.web.validation import Email, EmailText, InstantText, OneOf, Schema, not_null

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


# The patterns are the document's statement of the checks the validators make.
Country = Annotated[
    str,
    Field(min_length=2, max_length=2, json_schema_extra={"pattern": "^[A-Z]{2}$"}),
    AfterValidator(_country),
]
Timezone = Annotated[
    str,
    Field(max_length=64, json_schema_extra={"pattern": r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$"}),
    AfterValidator(_timezone),
]
Phone = Annotated[
    str, Field(max_length=16, json_schema_extra={"pattern": _E164.pattern}), AfterValidator(_phone)
]
Language = Literal["uk", "ru", "en"]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Address = Annotated[str, Field(max_length=500)]
Postcode = Annotated[str, Field(max_length=20)]
# Length rules live in the password policy (422 weak_password); this bound only stops abuse.
Password = Annotated[str, Field(min_length=1, max_length=4096)]
# A password being set: the document states the policy's length (8 to 1024; 422 otherwise).
NewPassword = Annotated[
    str, Field(min_length=1, max_length=4096, json_schema_extra={"minLength": 8, "maxLength": 1024})
]
Code = Annotated[str, Field(min_length=1, max_length=16)]
UserId = Annotated[str, Field(json_schema_extra={"format": "uuid"})]


CookieConsentId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w\-]+$")]


class LoginIn(Schema):
    email: Email
    password: Password
    cookie_consent_id: CookieConsentId | None = None


class RegisterIn(Schema):
    email: Email
    password: NewPassword
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
    new_password: NewPassword


class AcceptInviteIn(Schema):
    email: Email
    code: Code
    password: NewPassword


class ChangePasswordIn(Schema):
    current_password: Password
    new_password: NewPassword


class TokensOut(Schema):
    object: Literal["tokens"] = "tokens"
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name
    expires_in: int


class MfaRequiredOut(Schema):
    object: Literal["mfa_challenge"] = "mfa_challenge"
    mfa_required: Literal[True] = True
    challenge_id: str
    methods: list[Literal["sms", "totp"]]


class LoginOut(OneOf[Annotated[TokensOut | MfaRequiredOut, Field(discriminator="object")]]):
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
    user_id: UserId
    email: EmailText
    email_verified: bool
    role: Annotated[str, Field(json_schema_extra={"enum": ["owner", "vet", "admin"]})]
    name: str
    birth_date: date | None
    country: str | None
    timezone: str
    language: Annotated[str, Field(json_schema_extra={"enum": list(get_args(Language))})]
    phone: str | None
    address: str | None
    postcode: str | None
    mfa_methods: list[Literal["sms", "totp"]]
    restricted: bool  # processing restricted by the user (P11)
    created_at: InstantText


class ProfilePatchIn(Schema):
    # name, birth date, country, language and timezone may be left out, not cleared (400
    # when sent as null); phone, address and postcode are cleared by null.
    model_config = ConfigDict(
        **Schema.model_config,
        json_schema_extra=not_null("name", "birth_date", "country", "language", "timezone"),
    )

    name: Name | None = None
    birth_date: date | None = None
    country: Country | None = None
    phone: Phone | None = None
    address: Address | None = None
    postcode: Postcode | None = None
    language: Language | None = None
    timezone: Timezone | None = None


class EmailChangeIn(Schema):
    new_email: Email
    password: Password | None = None  # social-only accounts: a sign-in under 5 minutes old


class EmailConfirmIn(Schema):
    code: Code


class InviteConsultantIn(Schema):
    email: Email
    name: Name
    country: Country | None = None
    timezone: Timezone = "UTC"
    language: Language = "en"


class InviteOut(Schema):
    user_id: UserId
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
