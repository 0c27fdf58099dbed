"""Configuration in one place: per-stage settings from the environment, plus the limits,
lifetimes and retention periods the rest of the code reads (never literals elsewhere)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from chalicelib.media_nodes.contract import MEDIA_TOKEN_AUDIENCE as MEDIA_TOKEN_AUDIENCE

# Lifetimes and limits (ASVS L2 and the API contract).
ACCESS_TOKEN_TTL = timedelta(minutes=15)
REFRESH_TOKEN_TTL = timedelta(days=30)
# A just-rotated refresh token presented again this soon gets the same new pair (lost answer).
REFRESH_GRACE = timedelta(seconds=10)
EMAIL_CODE_TTL = timedelta(hours=24)
RESET_CODE_TTL = timedelta(minutes=30)
SMS_CODE_TTL = timedelta(minutes=10)
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
LOGIN_FAILURE_LIMIT = 5
# Many people share an address (carrier NAT, offices): the per-IP limit is wider.
LOGIN_FAILURE_LIMIT_PER_IP = 50
INVITE_CODE_TTL = timedelta(days=7)
MFA_CHALLENGE_TTL = timedelta(minutes=15)
SMS_SENDS_PER_CHALLENGE = 3
# Second-factor changes by a social-only account need a sign-in at most this old.
REAUTH_MAX_AGE = timedelta(minutes=5)
SOCIAL_NONCE_TTL = timedelta(minutes=10)
# Account e-mails and SMS (codes, resets, enrolment) per hour, by address, phone and account.
MESSAGE_WINDOW = timedelta(hours=1)
MESSAGES_PER_EMAIL = 5
MESSAGES_PER_PHONE = 5
MESSAGES_PER_ACCOUNT = 10
# Queued account e-mails (codes, resets) are delivered this long after the request, once
# its answer is out, so their work never shows in the answer's timing.
ACCOUNT_MAIL_AFTER_ANSWER = timedelta(milliseconds=50)
PASSWORD_MIN_ZXCVBN_SCORE = 2
TOTP_ISSUER_NAME = "VetPet"
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
MAX_BODY_BYTES = 64 * 1024

# Consultants, pets, bookings, questions, rooms and notifications.
MAX_PETS_PER_OWNER = 50
SLOT_RANGE_DEFAULT = timedelta(days=7)
SLOT_RANGE_MAX = timedelta(days=31)
BOOKING_HOLD_TTL = timedelta(minutes=15)
SLOT_CLAIM_RETENTION = timedelta(days=2)
BOOKING_REASON_MAX_CHARS = 500
QUESTION_TEXT_MAX_CHARS = 4000
# Booking quotas: per owner, unpaid holds and bookings still to come; per pet, bookings
# whose times overlap (a pet can only be in one consultation, two allows one retry).
MAX_UNPAID_HOLDS_PER_OWNER = 3
MAX_FUTURE_BOOKINGS_PER_OWNER = 10
MAX_OVERLAPPING_BOOKINGS_PER_PET = 2
ROOM_EARLY_ENTRY = timedelta(minutes=10)
# Input bounds: instants and calendar days a client sends lie in [EARLIEST, LATEST)
# years; a pet is born no later than tomorrow (any time zone) and at most 130 years ago.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
PET_MAX_AGE_YEARS = 130
PET_WEIGHT_KG_MIN = 0.01
PET_WEIGHT_KG_MAX = 1000
TURN_CREDENTIAL_MAX_TTL = timedelta(hours=2)
ROOM_PASSWORD_MIN_LENGTH = 6
ROOM_PASSWORD_MAX_LENGTH = 128
OUTBOX_MAX_ATTEMPTS = 5
OUTBOX_RETRY_BASE = timedelta(minutes=1)
OUTBOX_RETENTION = timedelta(days=90)

# Privacy rights (P10): exports, erasure, and what erasure keeps anonymised.
EXPORT_RETENTION = timedelta(days=7)  # the exports bucket's lifecycle rule says the same
EXPORT_URL_TTL = timedelta(minutes=15)  # a presigned download link
EXPORT_SCHEMA_VERSION = 1
ERASURE_RECORD_RETENTION = timedelta(days=3 * 365)  # the anonymised proof of an erasure
TAX_RECORD_RETENTION = timedelta(days=1095)  # anonymised payments (Tax Code of Ukraine 44.3)

# Payments (P15): card data never reaches us; processors host the payment page.
PAYMENT_EVENT_RETENTION = timedelta(days=7)  # event ids kept for de-duplication (>= 72 h)
STRIPE_WEBHOOK_TOLERANCE = timedelta(seconds=300)
LIQPAY_CURRENCY = "UAH"
RESCHEDULE_CHAIN_MAX = 20  # how far back a rescheduled booking's payment is looked for


@dataclass(frozen=True)
class RefundPolicy:
    """Shown with every checkout, before the owner pays, and applied on cancellation."""

    owner_full_refund_notice: timedelta = timedelta(hours=24)
    owner_early_cancellation: str = "full"
    owner_late_cancellation: str = "none"
    consultant_cancellation_or_no_show: str = "full"


REFUND_POLICY = RefundPolicy()

# Consent, cookie choices, policy versions, marketing.
POLICY_CACHE_TTL = timedelta(seconds=60)
COOKIE_CONSENT_TTL = timedelta(days=395)  # about 13 months, then the visitor is asked again
LEDGER_APPEND_RETRIES = 3
UNSUBSCRIBE_TOKEN_TTL = timedelta(days=365)
MARKETING_AUDIENCE_SHARDS = 8  # partitions of the sparse marketing index
UNSUBSCRIBE_AUDIENCE = "vetpet-unsubscribe"
CONSENT_RECEIPT_TYPE = "consent-receipt+jwt"

# Scheduled jobs, retention (P9) and the chat-bot channel (P5).
REMINDER_LEADS = (timedelta(hours=24), timedelta(minutes=15))  # before a confirmed start
NOTICE_REDRIVE_AFTER = timedelta(minutes=1)  # a booking notice not drained by then is re-driven
OUTBOX_SEND_LEASE = timedelta(minutes=1)  # a queued message not sent by then is retried
BOOKING_RETENTION = timedelta(days=730)  # after the end of a finished booking
QUESTION_RETENTION = timedelta(days=730)  # after the last message of a question thread
# Consultation recordings are kept this long after the consultation (a stage may change it).
RECORDING_RETENTION_DEFAULT = timedelta(days=3 * 365 + 1)  # three years, one of them leap
SWEEP_FIRST_LOOKBACK = timedelta(days=3)  # a sweep without a checkpoint starts this far back
CHAT_LINK_TOKEN_TTL = timedelta(minutes=15)
TELEGRAM_TIMEOUT_SECONDS = 10.0

# Argon2id parameters: at or above OWASP's floor (m >= 19 MiB, t >= 2, p = 1).
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1

# HTTPS only in deployed stages (P16); the local stage is plain HTTP on loopback.
HSTS = "max-age=63072000; includeSubDomains; preload"

ACCESS_TOKEN_AUDIENCE = "vetpet-api"  # noqa: S105 - an audience
# Room tokens: audience shared with the media server (one definition, in the contract).
ROOM_TOKEN_TTL = timedelta(minutes=5)
# Recordings (P17): playback tokens live at most 5 minutes; a written-consent grant at
# most 30 days; a booking's consent state is kept this long after its slot (the ledger
# keeps every decision).
PLAYBACK_TOKEN_TTL = timedelta(minutes=5)
RECORDING_GRANT_MAX_TTL = timedelta(days=30)
RECORDING_CONSENT_RETENTION = timedelta(days=2)
# An SFU node without a heartbeat for this long is dead: no new rooms, its rooms move.
NODE_LIVENESS = timedelta(seconds=15)
# Nodes whose load ratio is within this of the least-loaded one count as tied (placement).
PLACEMENT_SLACK = 0.02


@dataclass(frozen=True)
class Settings:
    """Per-stage settings. `.chalice/config.json` sets them for each stage; the local
    runner adds the embedded AWS endpoint and ports."""

    stage: str
    region: str
    table_prefix: str
    aws_endpoint_url: str | None
    issuer: str
    signing_keys_secret_id: str
    code_key_secret_id: str
    telegram_secret_id: str
    telegram_api_url: str
    web_url: str
    oidc_local_issuer: str | None
    google_client_id: str
    apple_client_id: str
    facebook_client_id: str
    email_sender: str
    recordings_bucket: str
    recordings_key_alias: str
    recording_retention: timedelta
    exports_bucket: str
    turn_secret: str
    turn_urls: tuple[str, ...]
    log_level: str
    stripe_secret_id: str
    liqpay_secret_id: str
    stripe_api_base: str | None
    liqpay_api_base: str
    cors_origins: frozenset[str]
    contract_strict: bool

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    def table_name(self, name: str) -> str:
        return f"{self.table_prefix}{name}"


class ConfigurationError(RuntimeError):
    """A deployed stage is missing a secret it must have; the function does not start."""


# Outside the local stage these must be non-empty (a TURN secret, the secret ids of the
# signing keys and of the code key): an empty one would sign or hash with nothing.
REQUIRED_OUTSIDE_LOCAL = ("turn_secret", "signing_keys_secret_id", "code_key_secret_id")


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def read_settings() -> Settings:
    """The settings the environment describes, unchecked (deployment tooling derives
    resource names from them without holding the deployed secrets)."""
    stage = _env("VETPET_STAGE", "local")
    return Settings(
        stage=stage,
        region=_env("AWS_DEFAULT_REGION", "us-east-1"),
        table_prefix=_env("VETPET_TABLE_PREFIX", f"vetpet-{stage}-"),
        aws_endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
        issuer=_env("VETPET_ISSUER", "http://127.0.0.1:8000"),
        signing_keys_secret_id=_env("VETPET_SIGNING_KEYS_SECRET", f"vetpet/{stage}/signing-keys"),
        code_key_secret_id=_env("VETPET_CODE_KEY_SECRET", f"vetpet/{stage}/code-key"),
        telegram_secret_id=_env("VETPET_TELEGRAM_SECRET", f"vetpet/{stage}/telegram"),
        telegram_api_url=_env("VETPET_TELEGRAM_API_URL", "https://api.telegram.org"),
        web_url=_env("VETPET_WEB_URL", "http://127.0.0.1:8000"),
        oidc_local_issuer=os.environ.get("VETPET_OIDC_LOCAL_ISSUER") or None,
        google_client_id=_env("VETPET_GOOGLE_CLIENT_ID", f"vetpet-{stage}-google"),
        apple_client_id=_env("VETPET_APPLE_CLIENT_ID", f"vetpet-{stage}-apple"),
        facebook_client_id=_env("VETPET_FACEBOOK_CLIENT_ID", f"vetpet-{stage}-facebook"),
        email_sender=_env("VETPET_EMAIL_SENDER", "no-reply@vetpet.test"),
        recordings_bucket=_env("VETPET_RECORDINGS_BUCKET", f"vetpet-{stage}-recordings"),
        recordings_key_alias=_env(
            "VETPET_RECORDINGS_KEY_ALIAS", f"alias/vetpet-{stage}-recordings"
        ),
        recording_retention=timedelta(
            days=float(
                _env("VETPET_RECORDING_RETENTION_DAYS", str(RECORDING_RETENTION_DEFAULT.days))
            )
        ),
        exports_bucket=_env("VETPET_EXPORTS_BUCKET", f"vetpet-{stage}-exports"),
        turn_secret=_env("VETPET_TURN_SECRET", ""),
        turn_urls=tuple(u for u in _env("VETPET_TURN_URLS", "turn:127.0.0.1:3478").split(",") if u),
        log_level=_env("POWERTOOLS_LOG_LEVEL", "INFO"),
        stripe_secret_id=_env("VETPET_STRIPE_SECRET", f"vetpet/{stage}/stripe"),
        liqpay_secret_id=_env("VETPET_LIQPAY_SECRET", f"vetpet/{stage}/liqpay"),
        stripe_api_base=os.environ.get("VETPET_STRIPE_API_BASE") or None,
        liqpay_api_base=_env("VETPET_LIQPAY_API_BASE", "https://www.liqpay.ua"),
        # Browser origins allowed to call the API (comma-separated); others get no CORS.
        cors_origins=frozenset(o for o in _env("VETPET_CORS_ORIGINS", "").split(",") if o),
        # Undeclared problems fail loudly where the contract is tested (local and tests).
        contract_strict=_env("VETPET_CONTRACT_STRICT", "1" if stage in ("local", "test") else "0")
        == "1",
    )


@cache
def get_settings() -> Settings:
    """Settings read once per process from the environment; a deployed stage missing a
    secret refuses to start."""
    settings = read_settings()
    missing = [name for name in REQUIRED_OUTSIDE_LOCAL if not getattr(settings, name).strip()]
    if missing and not settings.is_local:
        raise ConfigurationError(
            f"stage {settings.stage!r} refuses to start without {', '.join(missing)}"
        )
    return settings
