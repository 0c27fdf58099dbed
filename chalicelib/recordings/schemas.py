"""Recordings request and response bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from chalicelib.accounts.schemas import Password
from chalicelib.web.validation import Email, Instant, InstantText, Schema


class RecordingConsentIn(Schema):
    granted: bool


class RecordingConsentOut(Schema):
    booking_id: str
    owner_granted: bool
    consultant_granted: bool
    recording_allowed: bool = Field(description="Both sides granted: room tokens carry `rec`.")
    updated_at: InstantText | None


class RecordingOut(Schema):
    id: str
    started_at: InstantText
    duration_s: float
    size_bytes: int


class RecordingList(Schema):
    items: list[RecordingOut]


class PlaybackOut(Schema):
    url: str = Field(description="The media node's decrypting endpoint, with a token.")
    expires_at: InstantText


class GrantIn(Schema):
    recipient_email: Email
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    expires_at: Instant = Field(description="At most 30 days from now.")
    consent_text: Annotated[str, StringConstraints(min_length=1, max_length=10_000)] = Field(
        description="The text the owner consents to in writing; kept in the consent ledger."
    )
    password: Password = Field(description="The owner's current password.")


class GrantOut(Schema):
    id: str
    recording_id: str
    recipient_email: str
    purpose: str
    expires_at: InstantText
    consent_sha256: str


class SharedPlaybackIn(Schema):
    key: Annotated[str, StringConstraints(min_length=1, max_length=128)] = Field(
        description="The key from the recipient's link."
    )
