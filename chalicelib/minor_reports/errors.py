"""What minor reports refuse."""

from __future__ import annotations

from chalicelib.errors import DomainError


class AccountUnderReview(DomainError):
    detail = (
        "This account was reported as belonging to someone under 18. Until support has "
        "reviewed the report, it cannot book consultations or ask consultants."
    )


class ReportDecided(DomainError):
    detail = "The report was already confirmed or dismissed."
