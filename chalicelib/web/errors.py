"""The one table from domain exceptions to HTTP problems (RFC 9457).

Each `DomainError` subclass maps to a status, a stable ``code`` and the meaning the
docs show. Routes declare the exception classes they can raise; the OpenAPI document
and the error table of `docs/api.md` are generated from this module, so the code a
client sees, the code a route declares and the code the docs list cannot drift apart.
Errors made by the web layer itself (validation, authentication, Chalice's own) are
listed in `WEB_ERRORS` with the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.accounts import errors as accounts
from chalicelib.bookings import errors as bookings
from chalicelib.consent.errors import (
    EssentialRequired,
    InvalidUnsubscribeToken,
    NoPolicyInEffect,
    PolicyVersionExists,
    UnknownPolicyVersion,
    UnknownPurpose,
)
from chalicelib.consultants.errors import InvalidField, RangeTooLong, SlotTaken, SlotUnavailable
from chalicelib.errors import Conflict, DomainError, NotFound
from chalicelib.media_nodes.errors import NoMediaNode
from chalicelib.minor_reports.errors import AccountUnderReview, ReportDecided
from chalicelib.notifications.errors import WebhookSecretInvalid
from chalicelib.payments.errors import (
    CheckoutOpen,
    CurrencyNotSupported,
    InvalidSignature,
    ProviderUnavailable,
)
from chalicelib.pets.errors import PetHasActiveBookings, TooManyPets
from chalicelib.platform.errors import StoreUnavailable
from chalicelib.privacy_requests import errors as privacy_requests
from chalicelib.recordings.errors import InvalidGrantExpiry
from chalicelib.store.errors import InvalidCursor
from chalicelib.web.access import unauthorized
from chalicelib.web.problems import ProblemError


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    code: str
    meaning: str
    # Request fields the problem is about, first match in the route's body wins: the
    # problem then names it in `errors: [{field, code, message}]`.
    fields: tuple[str, ...] = ()


# Domain exceptions, grouped by capability.
ERRORS: dict[type[DomainError], ErrorSpec] = {
    # shared
    NotFound: ErrorSpec(404, "not_found", "unknown path, or a resource the caller may not see"),
    Conflict: ErrorSpec(409, "conflict", "a concurrent request changed the same item; retry"),
    # accounts
    accounts.InvalidCredentials: ErrorSpec(
        401, "invalid_credentials", "wrong e-mail or password (the same for both)"
    ),
    accounts.InvalidAccessToken: ErrorSpec(
        401, "unauthorized", "missing, malformed, expired or otherwise invalid access token"
    ),
    accounts.AccountGone: ErrorSpec(401, "unauthorized", "the token's account no longer exists"),
    accounts.AccountErasing: ErrorSpec(
        401, "account_erased", "the account asked to be erased; it can no longer sign in"
    ),
    accounts.EmailUnverified: ErrorSpec(
        403, "email_unverified", "sign-in before the e-mail address is verified"
    ),
    accounts.ProviderEmailUnverified: ErrorSpec(
        422, "email_unverified", "social sign-in: the provider did not confirm the e-mail"
    ),
    accounts.Underage: ErrorSpec(
        422, "underage", "under 18 somewhere on Earth today (judged at UTC-12)", ("birth_date",)
    ),
    accounts.WeakPassword: ErrorSpec(
        422,
        "weak_password",
        "shorter than 8, longer than 1024, or too common / guessable",
        ("new_password", "password"),
    ),
    accounts.InvalidCode: ErrorSpec(400, "invalid_code", "wrong, expired or used one-time code"),
    accounts.InvalidSecondFactorCode: ErrorSpec(
        401, "invalid_code", "wrong or used code at `/v1/auth/mfa/verify`"
    ),
    accounts.TooManyAttempts: ErrorSpec(
        429, "too_many_attempts", "sign-in or second-factor back-off; `Retry-After` says when"
    ),
    accounts.TooManyMessages: ErrorSpec(
        429, "too_many_messages", "e-mail/SMS limit per address, phone or account per hour"
    ),
    accounts.TooManyCodes: ErrorSpec(
        429, "too_many_codes", "more than 3 SMS for one sign-in challenge"
    ),
    accounts.ChallengeInvalid: ErrorSpec(
        401, "challenge_invalid", "unknown, expired, replaced, used or killed challenge"
    ),
    accounts.SmsNotEnrolled: ErrorSpec(
        409, "sms_not_enrolled", "SMS code asked for an account without an SMS phone"
    ),
    accounts.ChallengeConflict: ErrorSpec(
        409, "conflict", "a concurrent request changed the same sign-in challenge; retry"
    ),
    accounts.InvalidRefreshToken: ErrorSpec(
        401, "invalid_refresh_token", "unknown, expired, revoked or malformed refresh token"
    ),
    accounts.RefreshTokenReused: ErrorSpec(
        401, "refresh_token_reused", "an issued, rotated refresh token came back: family revoked"
    ),
    accounts.ReauthenticationRequired: ErrorSpec(
        403,
        "reauthentication_required",
        "needs the current password (or a fresh sign-in)",
        ("current_password", "password"),
    ),
    accounts.InvalidIdToken: ErrorSpec(
        401, "invalid_id_token", "ID token refused (signature, claims, or nonce not issued/used)"
    ),
    accounts.SocialLinkRefused: ErrorSpec(
        403, "social_link_refused", "social sign-in for a vet or admin e-mail (never linked)"
    ),
    accounts.UnknownProvider: ErrorSpec(404, "not_found", "unknown social sign-in provider"),
    accounts.ProfileIncomplete: ErrorSpec(
        422, "profile_incomplete", "first social sign-in without `birth_date` / `country`"
    ),
    accounts.EmailTaken: ErrorSpec(
        409, "email_taken", "an admin invites a consultant whose e-mail has an account", ("email",)
    ),
    accounts.FieldRequired: ErrorSpec(400, "validation_error", "a required field sent as null"),
    # consultants, pets, bookings
    InvalidField: ErrorSpec(400, "validation_error", "a value the rules refuse (names the field)"),
    RangeTooLong: ErrorSpec(400, "range_too_long", "slots asked for more than 31 days"),
    SlotTaken: ErrorSpec(
        409, "slot_taken", "another booking holds the slot (also the loser of a concurrent race)"
    ),
    SlotUnavailable: ErrorSpec(
        422,
        "slot_unavailable",
        "the start is not a slot of the consultant's hours, or is inside the minimum notice",
    ),
    TooManyPets: ErrorSpec(409, "too_many_pets", "more than 50 pets on one account"),
    PetHasActiveBookings: ErrorSpec(
        409, "pet_has_active_bookings", "a pet with an open booking cannot be deleted"
    ),
    bookings.IdempotencyKeyRequired: ErrorSpec(
        400,
        "idempotency_key_required",
        "`POST /v1/bookings` without an `Idempotency-Key` header (1 to 128 chars)",
    ),
    bookings.IdempotencyKeyReused: ErrorSpec(
        422, "idempotency_key_reused", "the same `Idempotency-Key` with another request body"
    ),
    bookings.InvalidTransition: ErrorSpec(
        409,
        "invalid_transition",
        "the booking's state does not allow this change (e.g. cancel a cancelled one)",
    ),
    bookings.RoomUnavailable: ErrorSpec(
        409, "room_unavailable", "room access for a booking that is not confirmed / in progress"
    ),
    bookings.RoomClosed: ErrorSpec(
        403, "room_closed", "room access outside 10 minutes before the start … the end of the slot"
    ),
    bookings.QuotaExceeded: ErrorSpec(
        409,
        "quota_exceeded",
        "over 3 unpaid holds or 10 upcoming bookings per owner, or 2 overlapping per pet",
    ),
    InvalidCursor: ErrorSpec(
        400, "invalid_cursor", "a list cursor altered, forged or from another list"
    ),
    # payments
    CheckoutOpen: ErrorSpec(409, "checkout_open", "a checkout with another provider is open"),
    CurrencyNotSupported: ErrorSpec(
        422, "currency_not_supported", "the provider does not take the booking's currency"
    ),
    InvalidSignature: ErrorSpec(
        400, "invalid_signature", "webhook signature missing, wrong or outside its time window"
    ),
    ProviderUnavailable: ErrorSpec(503, "provider_unavailable", "the processor did not answer"),
    # platform
    StoreUnavailable: ErrorSpec(
        503, "store_unavailable", "health check: the data store does not answer"
    ),
    # consent
    UnknownPurpose: ErrorSpec(404, "unknown_purpose", "no such consent purpose"),
    EssentialRequired: ErrorSpec(
        422, "essential_required", "essential cookies cannot be refused (`essential: false`)"
    ),
    PolicyVersionExists: ErrorSpec(409, "policy_version_exists", "the version is published"),
    UnknownPolicyVersion: ErrorSpec(
        422, "unknown_policy_version", "acknowledging a version not published or not in effect"
    ),
    NoPolicyInEffect: ErrorSpec(404, "no_policy_in_effect", "no policy version is in effect"),
    InvalidUnsubscribeToken: ErrorSpec(
        400, "invalid_unsubscribe_token", "unsubscribe link forged, expired or for another use"
    ),
    # minor reports
    AccountUnderReview: ErrorSpec(
        403,
        "account_under_review",
        "the account was reported as a minor's: no booking or question until support decides",
    ),
    ReportDecided: ErrorSpec(
        409, "report_decided", "the report was already confirmed or dismissed"
    ),
    # privacy requests
    privacy_requests.RequestClosed: ErrorSpec(
        409, "request_closed", "the privacy request is closed: nothing more can be done"
    ),
    privacy_requests.AlreadyExtended: ErrorSpec(
        409, "already_extended", "a privacy request's due date may be extended only once"
    ),
    privacy_requests.ThreadFull: ErrorSpec(
        409, "thread_full", "the privacy request's thread is full (50 messages); close it"
    ),
    # media nodes
    NoMediaNode: ErrorSpec(503, "media_unavailable", "no media server can take the call now"),
    # recordings
    InvalidGrantExpiry: ErrorSpec(
        422,
        "invalid_grant_expiry",
        "a share must end in the future and at most 30 days away",
        fields=("expires_at",),
    ),
    # notifications, chat links
    WebhookSecretInvalid: ErrorSpec(
        401, "invalid_webhook_secret", "a chat-bot webhook call without the bot's secret header"
    ),
}

# Problems the web layer raises itself (never a domain rule).
WEB_ERRORS: tuple[ErrorSpec, ...] = (
    ErrorSpec(
        400,
        "validation_error",
        "malformed JSON, unknown field, wrong type or value (names the field)",
    ),
    ErrorSpec(401, "unauthorized", "missing, malformed, expired or otherwise invalid access token"),
    ErrorSpec(403, "forbidden", "the caller's role may not call this route"),
    ErrorSpec(405, "method_not_allowed", "the path exists; `Allow` lists its methods"),
    ErrorSpec(413, "payload_too_large", "body over 64 KiB"),
    ErrorSpec(422, "card_data_refused", "a field holds a card number (P15): never sent to us"),
    ErrorSpec(415, "unsupported_media_type", "a body in a type that cannot be JSON"),
    ErrorSpec(500, "internal_error", "a fault of ours; never caused by input"),
)


def every_spec() -> list[ErrorSpec]:
    """Every problem the API can answer, web layer first."""
    return [*WEB_ERRORS, *ERRORS.values()]


def spec_of(error: type[DomainError]) -> ErrorSpec:
    """The table entry of ``error`` (the nearest mapped base class)."""
    for cls in error.__mro__:
        if cls in ERRORS:
            return ERRORS[cls]
    raise LookupError(f"{error.__name__} has no entry in chalicelib.web.errors.ERRORS")


def to_problem(error: DomainError) -> ProblemError:
    spec = spec_of(type(error))
    if spec.code == "unauthorized":
        return unauthorized(error.message)
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    return ProblemError(spec.status, spec.code, error.message, headers=headers, extra=error.extra)
