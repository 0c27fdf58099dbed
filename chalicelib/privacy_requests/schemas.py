"""Privacy-request bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.web.validation import Schema

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Kind = Literal["access", "rectification", "erasure", "restriction", "objection", "question"]


class PrivacyRequestIn(Schema):
    kind: Kind
    message: Text


class ThreadMessageIn(Schema):
    """A message added to a request's thread (the user's reply, support's answer)."""

    message: Text = Field(examples=["I also need the records of my second pet."])


class CloseIn(Schema):
    message: Text | None = None


class ExtendIn(Schema):
    months: Literal[1, 2] = Field(description="how far the due date moves (once, at most 2)")
    reason: Reason = Field(description="why more time is needed; e-mailed to the user")


class WaitingQuery(Schema):
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class MessageOut(Schema):
    at: str
    author: str = Field(description="`user` or `support`")
    text: str


class PrivacyRequestOut(Schema):
    id: str
    kind: str
    status: str = Field(description="`open` (waiting for support), `answered` or `closed`")
    opened_at: str
    due_at: str = Field(description="one calendar month after opening (GDPR Art. 12(3))")
    overdue: bool = Field(description="still waiting for support's answer after `due_at`")
    extended: bool
    extension_reason: str | None
    closed_at: str | None
    messages: list[MessageOut]


class PrivacyRequestList(Schema):
    items: list[PrivacyRequestOut]
