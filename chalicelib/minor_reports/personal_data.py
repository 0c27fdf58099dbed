"""Minor reports' share of a user's data: the reports about the user (without who filed
them: the reporter's data is theirs) and the reports the user filed. At erasure a report
about the user loses the account id and both reasons (and leaves support's queue, as there
is no account left to decide on), a report by the user loses the
reporter's address; the decision itself (status, time, erasure id) stays as the proof
that a confirmed report was acted on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import to_rfc3339
from chalicelib.minor_reports import service
from chalicelib.minor_reports.models import MinorReport
from chalicelib.privacy.holders import Subject


def _exported(item: MinorReport) -> dict[str, Any]:
    return {
        "id": item.report_id,
        "reported_at": to_rfc3339(item.reported_at),
        "reason": item.reason,
        "status": item.status,
        "decided_at": to_rfc3339(item.decided_at) if item.decided_at else None,
        "decision_reason": item.decision_reason,
    }


class MinorReportHolder:
    models = ("MinorReport",)

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {
            "minor_reports_about_me": [
                _exported(i) for i in service.about_account(subject.user_id)
            ],
            "minor_reports_i_filed": [_exported(i) for i in service.by_reporter(subject.email)],
        }

    def erase(self, subject: Subject, now: datetime) -> None:
        for item in service.about_account(subject.user_id):
            item.update(
                actions=[
                    MinorReport.account_id.remove(),
                    MinorReport.reason.remove(),
                    MinorReport.decision_reason.remove(),
                    MinorReport.review_account.remove(),
                    MinorReport.pending.remove(),  # nothing is left to decide on
                ]
            )
        for item in service.by_reporter(subject.email):
            item.update(actions=[MinorReport.reporter_email.remove()])


minor_reports = MinorReportHolder()
