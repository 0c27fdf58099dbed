"""Minor reports (P12): anyone reports an account, support confirms (the account is
erased) or dismisses."""

from __future__ import annotations

from chalicelib.clock import to_rfc3339
from chalicelib.errors import NotFound
from chalicelib.minor_reports import service
from chalicelib.minor_reports.errors import ReportDecided, TooManyReports
from chalicelib.minor_reports.schemas import (
    DecisionIn,
    DismissIn,
    MinorReportIn,
    MinorReportList,
    MinorReportOut,
    PendingQuery,
    ReportReceivedOut,
)
from chalicelib.web.access import PUBLIC, roles
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="privacy")
ADMIN = roles("admin")


def _out(report: service.Report) -> MinorReportOut:
    return MinorReportOut(
        id=report.report_id,
        account_id=report.account_id,
        reason=report.reason,
        reporter_email=report.reporter_email,
        reported_at=to_rfc3339(report.reported_at),
        status=report.status,
        decided_at=to_rfc3339(report.decided_at) if report.decided_at else None,
        decision_reason=report.decision_reason,
        erasure_id=report.erasure_id,
    )


@api.route(
    "/v1/minor-reports",
    "POST",
    access=PUBLIC,
    body=MinorReportIn,
    response=ReportReceivedOut,
    status=202,
    summary="Report an account that seems to belong to someone under 18. Support reviews "
    "it; meanwhile the account cannot book or ask consultants.",
    errors=(TooManyReports,),
)
def report(request: ApiRequest[MinorReportIn, None]) -> ReportReceivedOut:
    body = request.body
    service.file_report(
        body.account_email, body.reason, body.reporter_email, request.client_ip, request.now
    )
    return ReportReceivedOut(status="received")


@api.route(
    "/v1/admin/minor-reports",
    "GET",
    access=ADMIN,
    query=PendingQuery,
    response=MinorReportList,
    summary="Minor reports waiting for a decision, the oldest first (each goes in the "
    "reported account's access log).",
)
def pending(request: ApiRequest[None, PendingQuery]) -> MinorReportList:
    reports = service.waiting(request.query.limit, request.now)
    return MinorReportList(items=[_out(r) for r in reports])


@api.route(
    "/v1/admin/minor-reports/{report_id}/confirm",
    "POST",
    access=ADMIN,
    body=DecisionIn,
    response=MinorReportOut,
    summary="Confirm a minor report: the account is closed at once and erased.",
    errors=(NotFound, ReportDecided),
)
def confirm(request: ApiRequest[DecisionIn, None], report_id: str) -> MinorReportOut:
    return _out(service.confirm(report_id, request.body.reason, request.now))


@api.route(
    "/v1/admin/minor-reports/{report_id}/dismiss",
    "POST",
    access=ADMIN,
    body=DismissIn,
    response=MinorReportOut,
    summary="Dismiss a minor report; the account's restriction ends with its last report.",
    errors=(NotFound, ReportDecided),
)
def dismiss(request: ApiRequest[DismissIn, None], report_id: str) -> MinorReportOut:
    return _out(service.dismiss(report_id, request.body.reason, request.now))
