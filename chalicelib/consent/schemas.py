"""Consent request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from pydantic import Field, StringConstraints

from chalicelib.web.validation import Schema

Version = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[\w.\-]+$"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ConsentId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w\-]+$")]
Lang = Literal["uk", "ru", "en"]


class LocalizedText(Schema):
    uk: Text
    ru: Text
    en: Text


class LocalizedSubject(Schema):
    uk: Short
    ru: Short
    en: Short


class PolicyVersionIn(Schema):
    version: Version
    significant: bool
    effective_at: datetime
    summary: LocalizedText
    text_url: Annotated[str, Field(min_length=8, max_length=2000, pattern=r"^https?://")]


class PolicyVersionOut(Schema):
    version: str
    significant: bool
    effective_at: str
    summary: dict[str, str]
    text_url: str


class PolicyOut(Schema):
    """The version in effect, its summary in the language asked for."""

    version: str
    significant: bool
    effective_at: str
    language: Lang
    summary: str
    text_url: str
    text_sha256: str


class PolicyList(Schema):
    items: list[PolicyVersionOut]
    next_cursor: str | None


class LangQuery(Schema):
    lang: str | None = None


class AcknowledgementIn(Schema):
    version: Version


class AcknowledgementOut(Schema):
    version: str
    acknowledged: bool


class NotificationOut(Schema):
    type: Literal["policy_update"]
    version: str
    effective_at: str
    summary: str
    text_url: str


class NotificationList(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


class ConsentIn(Schema):
    granted: bool


class ConsentOut(Schema):
    purpose: str
    granted: bool
    updated_at: str | None
    policy_version: str | None


class ConsentList(Schema):
    items: list[ConsentOut]
    next_cursor: str | None


class LedgerEventOut(Schema):
    event_id: str
    sequence: int
    subject: str
    purpose: str
    decision: str
    policy_version: str | None
    policy_sha256: str | None
    language: str
    channel: str
    jurisdiction: str | None
    timestamp: str
    previous_hash: str
    hash: str
    receipt: str
    reference: str | None = Field(
        default=None, description="What a decision about one thing is about (a booking, a grant)."
    )
    statement: str | None = Field(
        default=None, description="The text a written consent was given to."
    )
    statement_sha256: str | None = None


class LedgerList(Schema):
    items: list[LedgerEventOut]
    next_cursor: str | None


class CookieCategories(Schema):
    essential: bool = True
    performance: bool
    analytics: bool
    social: bool


class CookieConsentIn(Schema):
    categories: CookieCategories


class CookieCategoriesOut(Schema):
    essential: Literal[True] = True
    performance: bool
    analytics: bool
    social: bool


class CookieConsentOut(Schema):
    consent_id: str
    categories: CookieCategoriesOut


class RestrictionIn(Schema):
    restricted: bool


class RestrictionOut(Schema):
    restricted: bool


class CampaignIn(Schema):
    subject: LocalizedSubject
    body: LocalizedText


class CampaignQueuedOut(Schema):
    id: str


class CampaignOut(Schema):
    id: str
    status: Literal["queued", "sending", "sent"]
    recipients: int
    sent: int


class OneClickIn(Schema):
    """RFC 8058: the mail client posts ``List-Unsubscribe=One-Click`` as a form; a JSON
    body (or none) is accepted as well."""

    list_unsubscribe: Literal["One-Click"] | None = Field(default=None, alias="List-Unsubscribe")

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> OneClickIn:
        try:
            raw = json_data.decode() if isinstance(json_data, bytes | bytearray) else json_data
        except UnicodeDecodeError:  # not a form, not JSON: pydantic says so (a 400)
            return super().model_validate_json(json_data, **kwargs)
        if raw.strip().startswith("{"):
            return super().model_validate_json(raw, **kwargs)
        form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        return cls.model_validate(form)


class UnsubscribeOut(Schema):
    status: str
