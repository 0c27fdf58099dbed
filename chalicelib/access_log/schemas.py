"""Access-log response bodies and the list query."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chalicelib.web.validation import Schema


class AccessLogQuery(Schema):
    cursor: str | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class AccessEntryOut(Schema):
    at: str
    actor_role: str = Field(
        description="who, by role: `consultant`, `support` or `third_party` (the recipient "
        "of a recording share)"
    )
    action: str
    resource: str
    reason: str | None = None
    recipient: str | None = Field(
        default=None, description="only on a disclosure: who received the data"
    )


class AccessLogOut(Schema):
    items: list[AccessEntryOut]
    next_cursor: str | None


class AccessLogVerification(Schema):
    valid: bool
    entries: int
    broken_at: int | None = Field(
        default=None, description="sequence number of the first entry that breaks the chain"
    )
