"""Account storage."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import BaseModel, table_name
from chalicelib.store.expiry import PurgeDue


class EmailIndex(GlobalSecondaryIndex["User"]):  # type: ignore[no-untyped-call]
    """Find a user by normalised e-mail (sign-in, duplicate check)."""

    class Meta:
        index_name = "email-index"
        projection = KeysOnlyProjection()

    email = UnicodeAttribute(hash_key=True)


class User(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("users")

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    email_verified = BooleanAttribute(default=False)
    password_hash = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    name = UnicodeAttribute()
    birth_date = UnicodeAttribute(null=True)
    country = UnicodeAttribute(null=True)
    timezone = UnicodeAttribute(default="UTC")
    language = UnicodeAttribute(default="en")
    phone = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute(null=True)
    sms_phone = UnicodeAttribute(null=True)
    totp_secret = UnicodeAttribute(null=True)
    totp_pending_secret = UnicodeAttribute(null=True)
    totp_last_step = NumberAttribute(null=True)
    mfa_challenge_id = UnicodeAttribute(null=True)  # the one live sign-in challenge
    erasure_id = UnicodeAttribute(null=True)  # set at an erasure request: no more sign-ins
    created_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)

    email_index = EmailIndex()


class UserIndex(GlobalSecondaryIndex[Any]):  # type: ignore[no-untyped-call]
    """Every item of a user, found by Query on the user id (erasure, export, revocation)."""

    class Meta:
        index_name = "user-index"
        projection = KeysOnlyProjection()

    user_id = UnicodeAttribute(hash_key=True)


class AuthCode(BaseModel):
    """A pending one-time code of a user, one per purpose (e-mail verification, reset,
    invite, SMS or TOTP enrolment); only its keyed hash is stored."""

    class Meta(BaseModel.Meta):
        table_name = table_name("auth-codes")

    user_id = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute(range_key=True)
    code_hash = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    wrong_tries = NumberAttribute(default=0)
    pending = UnicodeAttribute(null=True)
    expires = TTLAttribute()
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    purge_due = PurgeDue()


class LoginChallenge(BaseModel):
    """A sign-in waiting for its second factor; SMS codes are bound to it."""

    class Meta(BaseModel.Meta):
        table_name = table_name("login-challenges")

    challenge_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    methods = UnicodeSetAttribute()
    expires_at = UTCDateTimeAttribute()
    wrong_tries = NumberAttribute(default=0)
    sms_code_hash = UnicodeAttribute(null=True)
    sms_expires_at = UTCDateTimeAttribute(null=True)
    sms_sends = NumberAttribute(default=0)
    expires = TTLAttribute()
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()

    user_index = UserIndex()
    purge_due = PurgeDue()


class Session(BaseModel):
    """A refresh-token family: the digest of its current token (rotated on each use) and of
    every token it issued (to tell reuse from a forgery)."""

    class Meta(BaseModel.Meta):
        table_name = table_name("sessions")

    family_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    current_digest = UnicodeAttribute()
    issued_digests = UnicodeSetAttribute(null=True)  # every secret the family issued
    previous_digest = UnicodeAttribute(null=True)
    rotated_at = UTCDateTimeAttribute(null=True)
    grace_answer = UnicodeAttribute(null=True)  # encrypted under the previous secret
    expires_at = UTCDateTimeAttribute()
    revoked = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    expires = TTLAttribute()
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    user_index = UserIndex()
    purge_due = PurgeDue()


class LoginFailures(BaseModel):
    """A fixed-window counter of one key: sign-in attempts of an account (e-mail digest) or a
    client IP, second-factor attempts, or messages sent to an address, phone or account."""

    class Meta(BaseModel.Meta):
        table_name = table_name("login-failures")

    key = UnicodeAttribute(hash_key=True)
    uses = NumberAttribute(default=0)
    window_ends = NumberAttribute(default=0)  # epoch seconds
    expires = TTLAttribute()
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    purge_due = PurgeDue()


class SocialLink(BaseModel):
    """A social identity (provider + subject) linked to an account."""

    class Meta(BaseModel.Meta):
        table_name = table_name("social-links")

    identity = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()

    user_index = UserIndex()


class EmailClaim(BaseModel):
    """One account per e-mail address: created in the same transaction as the account."""

    class Meta(BaseModel.Meta):
        table_name = table_name("email-claims")

    email = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()

    user_index = UserIndex()


class SocialNonce(BaseModel):
    """A nonce the server issued for one social sign-in: single use, 10 minutes."""

    class Meta(BaseModel.Meta):
        table_name = table_name("social-nonces")

    nonce_digest = UnicodeAttribute(hash_key=True)
    expires_at = UTCDateTimeAttribute()
    expires = TTLAttribute()
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    purge_due = PurgeDue()
