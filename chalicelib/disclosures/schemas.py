"""Disclosure request and response bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.access_log.schemas import AccessLogVerification
from chalicelib.web.validation import Schema

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Category = Literal[
    "identity",
    "contact",
    "pets",
    "bookings",
    "questions",
    "payments",
    "recordings",
    "consents",
    "logs",
]


class DisclosureIn(Schema):
    recipient: Short = Field(description="who receives the data (an authority, a clinic)")
    legal_basis: Literal["vital_interest", "legal_obligation"] = Field(
        description="`vital_interest`: a threat to life or health; `legal_obligation`: a "
        "duty in law"
    )
    reference: Short = Field(description="the request or order the disclosure answers")
    data_categories: list[Category] = Field(min_length=1, max_length=9)


class DisclosureOut(Schema):
    id: str
    at: str
    recipient: str
    legal_basis: str
    reference: str
    data_categories: list[str]
    sequence: int = Field(description="place in the disclosure trail's hash chain")
    hash: str


class DisclosureTrailVerification(AccessLogVerification):
    """The disclosure trail's chain recomputed from storage (the same fields as a user's
    access-log check; ``broken_at`` is the trail's sequence number)."""
