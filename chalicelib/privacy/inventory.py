"""The personal-data inventory (P2, P9, P10): every stored attribute of every model,
with whether it is personal data, why it is kept and for how long. A test fails when a
model gains an attribute that is not listed here; export and erasure walk this list."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Retention(StrEnum):
    ACCOUNT = "while the account exists, then erased"
    SHORT_LIVED = "until it expires (minutes to days), then removed by TTL and sweep"
    OPERATIONAL = "not personal; kept while the item exists"


@dataclass(frozen=True)
class Item:
    personal: bool
    purpose: str
    retention: Retention


def _key(purpose: str) -> Item:
    return Item(False, purpose, Retention.OPERATIONAL)


def _personal(purpose: str, retention: Retention = Retention.ACCOUNT) -> Item:
    return Item(True, purpose, retention)


INVENTORY: dict[str, dict[str, Item]] = {
    "User": {
        "user_id": _key("identifies the account"),
        "email": _personal("sign-in, account and service e-mail"),
        "email_verified": _key("sign-in is allowed only after verification"),
        "password_hash": _personal("credential (argon2id hash only)"),
        "role": _key("authorization"),
        "name": _personal("shown to the chosen consultant (P7) and in e-mails"),
        "birth_date": _personal("18+ check (P12)"),
        "country": _personal("shown to the chosen consultant (P7); applicable law"),
        "timezone": _personal("times shown in the user's zone; shown to the consultant (P7)"),
        "language": _personal("language of e-mails and the app"),
        "phone": _personal("contact data the user chose to give at registration"),
        "sms_phone": _personal("SMS second factor (P4), confirmed by a code"),
        "totp_secret": _personal("authenticator-app second factor (P4)"),
        "totp_pending_secret": _personal("authenticator-app enrolment until confirmed (P4)"),
        "totp_last_step": _key("refuses a replayed authenticator code"),
        "address": _personal("contact data the user chose to give"),
        "postcode": _personal("contact data the user chose to give"),
        "created_at": _key("account age, audit"),
        "version": _key("optimistic locking"),
    },
    "EmailClaim": {
        "email": _personal("one account per e-mail address"),
        "user_id": _key("the account holding the address"),
    },
    "AuthCode": {
        "user_id": _key("the user the code was sent to"),
        "purpose": _key("what the code is for"),
        "code_hash": _personal("keyed hash of a one-time code", Retention.SHORT_LIVED),
        "expires_at": _key("codes expire (24 h, 30 min, 10 min, 7 days)"),
        "wrong_tries": _key("a code dies after five wrong tries"),
        "pending": _personal("phone being enrolled for SMS codes", Retention.SHORT_LIVED),
        "expires": _key("DynamoDB TTL"),
    },
    "LoginChallenge": {
        "challenge_id": _key("identifies a sign-in waiting for its second factor"),
        "user_id": _key("the user signing in"),
        "methods": _key("second factors offered"),
        "expires_at": _key("challenges expire after 15 minutes"),
        "wrong_tries": _key("five wrong codes kill the challenge"),
        "sms_code_hash": _personal("keyed hash of the SMS code", Retention.SHORT_LIVED),
        "sms_expires_at": _key("SMS codes expire after 10 minutes"),
        "sms_sends": _key("limits SMS sent per sign-in"),
        "expires": _key("DynamoDB TTL"),
        "version": _key("optimistic locking"),
    },
    "Session": {
        "family_id": _key("identifies a refresh-token family"),
        "user_id": _key("the signed-in user"),
        "current_digest": _personal("SHA-256 of the current refresh token", Retention.SHORT_LIVED),
        "expires_at": _key("refresh tokens expire after 30 days"),
        "revoked": _key("logout, reuse, password change"),
        "created_at": _key("sign-in time"),
        "expires": _key("DynamoDB TTL"),
    },
    "LoginFailures": {
        "key": _personal(
            "back-off key: client IP or a digest of the e-mail (P14)", Retention.SHORT_LIVED
        ),
        "failures": _key("times of recent failed sign-ins (15 minutes)"),
        "expires": _key("DynamoDB TTL"),
    },
    "SocialLink": {
        "identity": _personal("provider and subject of a linked social account (P3)"),
        "user_id": _key("the linked account"),
        "created_at": _key("when the social account was linked"),
    },
}
