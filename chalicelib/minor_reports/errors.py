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


class TooManyReports(DomainError):
    """Too many reports from one network address; ``retry_after`` says when to retry."""

    detail = "Too many reports were sent from this address; try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many reports were sent from this address. Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )
