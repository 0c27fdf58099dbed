"""Minor reports (P12). Anyone may report an account as belonging to someone under 18;
the answer is the same whether or not the address has an account (nothing is stored for
an unknown one), so a report cannot probe who uses the service. While a report waits for
support, the account is under review: it may still sign in (to see why, export or erase
its data, and so that a false report cannot lock anyone out) but cannot book or ask a
consultant, so no new data of a possible minor reaches anyone. Support confirms (the
account is erased) or dismisses (the restriction ends with the last waiting report)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.access_log.entries import SUPPORT_ROLE
from chalicelib.access_log.service import record_access, record_listing
from chalicelib.accounts import counters
from chalicelib.accounts.errors import AccountGone
from chalicelib.accounts.repository import find_by_email
from chalicelib.config import MINOR_REPORT_WINDOW, MINOR_REPORTS_PER_IP
from chalicelib.errors import NotFound
from chalicelib.minor_reports.errors import AccountUnderReview, ReportDecided, TooManyReports
from chalicelib.minor_reports.models import PENDING, MinorReport
from chalicelib.privacy.erasure import request_erasure

WAITING, CONFIRMED, DISMISSED = "pending", "confirmed", "dismissed"
LIST_REPORTS = "list_minor_reports"  # the access-log action of support's queue


@dataclass(frozen=True)
class Report:
    report_id: str
    account_id: str | None
    reason: str | None
    reporter_email: str | None
    reported_at: datetime
    status: str
    decided_at: datetime | None
    decision_reason: str | None
    erasure_id: str | None


def _report(item: MinorReport) -> Report:
    return Report(
        report_id=item.report_id,
        account_id=item.account_id,
        reason=item.reason,
        reporter_email=item.reporter_email,
        reported_at=item.reported_at,
        status=item.status,
        decided_at=item.decided_at,
        decision_reason=item.decision_reason,
        erasure_id=item.erasure_id,
    )


def file_report(
    account_email: str, reason: str, reporter_email: str | None, client_ip: str, now: datetime
) -> None:
    """Record a report of the account with ``account_email``, if there is one. Each
    report counts against the sender's address (`TooManyReports` past the limit), found
    account or not, so the limit reveals nothing either."""
    ip_key = f"minor-report-ip:{hashlib.sha256(client_ip.encode()).hexdigest()}"
    wait = counters.reserve(ip_key, MINOR_REPORTS_PER_IP, MINOR_REPORT_WINDOW, now)
    if wait is not None:
        raise TooManyReports(wait)
    account = find_by_email(account_email)
    if account is None:
        return
    item = MinorReport(
        f"mr_{secrets.token_hex(12)}",
        account_id=account.user_id,
        reason=reason,
        reporter_email=reporter_email,
        reported_at=now,
        status=WAITING,
        pending=PENDING,
        review_account=account.user_id,
    )
    item.save(condition=MinorReport.report_id.does_not_exist())


def is_under_review(account_id: str) -> bool:
    return any(True for _ in MinorReport.under_review.query(account_id, limit=1))


def check_not_under_review(account_id: str) -> None:
    """`AccountUnderReview` while a report of the account waits for support."""
    if is_under_review(account_id):
        raise AccountUnderReview()


def waiting(limit: int, now: datetime) -> list[Report]:
    """Reports waiting for a decision, the oldest first; support's view of them goes in
    each reported account's access log."""
    ids = [k.report_id for k in MinorReport.pending_reports.query(PENDING, limit=limit)]
    found = {i.report_id: i for i in MinorReport.batch_get(ids)} if ids else {}
    reports = [_report(found[i]) for i in ids if i in found]
    shown = ((r.account_id, f"minor-report/{r.report_id}") for r in reports if r.account_id)
    record_listing(shown, actor_role=SUPPORT_ROLE, action=LIST_REPORTS, now=now)
    return reports


def _load(report_id: str) -> MinorReport:
    try:
        return MinorReport.get(report_id, consistent_read=True)
    except MinorReport.DoesNotExist:
        raise NotFound("report") from None


def _decide(
    item: MinorReport,
    status: str,
    reason: str | None,
    now: datetime,
    erasure_id: str | None = None,
) -> None:
    actions: list[Action] = [
        MinorReport.status.set(status),
        MinorReport.decided_at.set(now),
        MinorReport.pending.remove(),
        MinorReport.review_account.remove(),
    ]
    if reason:
        actions.append(MinorReport.decision_reason.set(reason))
    if erasure_id:
        actions.append(MinorReport.erasure_id.set(erasure_id))
    try:
        item.update(actions=actions, condition=MinorReport.status == WAITING)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise ReportDecided() from None
        raise


def _pending_item(report_id: str) -> MinorReport:
    item = _load(report_id)
    if item.status != WAITING:
        raise ReportDecided()
    return item


def _logged(
    account_id: str, action: str, report_id: str, reason: str | None, now: datetime
) -> None:
    record_access(
        account_id,
        actor_role=SUPPORT_ROLE,
        action=action,
        resource=f"minor-report/{report_id}",
        reason=reason,
        now=now,
    )


def confirm(report_id: str, reason: str, now: datetime) -> Report:
    """The account belongs to a minor: erase the account (closed at once, erased by the
    erasure job), then decide the report. Erasure is asked first and is idempotent, so a
    failure in between leaves the report waiting and a retry completes it."""
    item = _pending_item(report_id)
    account_id = str(item.account_id)
    try:
        erasure_id: str | None = request_erasure(
            account_id, reason=f"minor report: {reason}", now=now
        )
    except AccountGone:  # erased meanwhile: nothing is left to erase
        erasure_id = None
    _decide(item, CONFIRMED, reason, now, erasure_id)
    _logged(account_id, "confirm minor report", report_id, reason, now)
    return _report(item)


def dismiss(report_id: str, reason: str | None, now: datetime) -> Report:
    """The account is not a minor's: decide the report; with no other report waiting,
    the account is no longer under review."""
    item = _pending_item(report_id)
    _decide(item, DISMISSED, reason, now)
    _logged(str(item.account_id), "dismiss minor report", report_id, reason, now)
    return _report(item)


def about_account(account_id: str) -> list[MinorReport]:
    ids = [k.report_id for k in MinorReport.by_account.query(account_id)]
    return list(MinorReport.batch_get(ids)) if ids else []


def by_reporter(email: str) -> list[MinorReport]:
    ids = [k.report_id for k in MinorReport.by_reporter.query(email)]
    return list(MinorReport.batch_get(ids)) if ids else []
