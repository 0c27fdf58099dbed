"""Minor-report bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from chalicelib.web.validation import Email, EmailText, Schema

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class MinorReportIn(Schema):
    account_email: Email = Field(description="the e-mail address of the reported account")
    reason: Reason = Field(description="why the account seems to belong to someone under 18")
    reporter_email: Email | None = Field(
        default=None, description="optional: where support may ask the reporter"
    )


class ReportReceivedOut(Schema):
    status: str = Field(
        description="always `received`: the answer does not say whether the address has an account"
    )


class DecisionIn(Schema):
    reason: Reason


class DismissIn(Schema):
    reason: Reason | None = None


class MinorReportOut(Schema):
    id: str
    account_id: str | None
    reason: str | None
    reporter_email: EmailText | None
    reported_at: str
    status: str = Field(description="`pending`, `confirmed` (the account is erased) or `dismissed`")
    decided_at: str | None
    decision_reason: str | None
    erasure_id: str | None


class MinorReportList(Schema):
    items: list[MinorReportOut]


class PendingQuery(Schema):
    limit: Annotated[int, Field(ge=1, le=100)] = 20
