"""Minor-report storage. A report waiting for support carries ``pending`` (the support
queue, by report time) and ``review_account`` (the reported account: while any report of
it waits, the account is under review); a decision removes both."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import BaseModel, table_name

PENDING = "1"


class PendingReports(GlobalSecondaryIndex["MinorReport"]):  # type: ignore[no-untyped-call]
    """Sparse: only reports waiting for a decision."""

    class Meta:
        index_name = "pending-reports"
        projection = KeysOnlyProjection()

    pending = UnicodeAttribute(hash_key=True)
    reported_at = UTCDateTimeAttribute(range_key=True)


class UnderReview(GlobalSecondaryIndex["MinorReport"]):  # type: ignore[no-untyped-call]
    """Sparse: the accounts with a report waiting for a decision."""

    class Meta:
        index_name = "under-review"
        projection = KeysOnlyProjection()

    review_account = UnicodeAttribute(hash_key=True)
    reported_at = UTCDateTimeAttribute(range_key=True)


class ByAccount(GlobalSecondaryIndex["MinorReport"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-account"
        projection = KeysOnlyProjection()

    account_id = UnicodeAttribute(hash_key=True)
    reported_at = UTCDateTimeAttribute(range_key=True)


class ByReporter(GlobalSecondaryIndex["MinorReport"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-reporter"
        projection = KeysOnlyProjection()

    reporter_email = UnicodeAttribute(hash_key=True)
    reported_at = UTCDateTimeAttribute(range_key=True)


class MinorReport(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("minor-reports")

    report_id = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    reporter_email = UnicodeAttribute(null=True)
    reported_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    decided_at = UTCDateTimeAttribute(null=True)
    decision_reason = UnicodeAttribute(null=True)
    erasure_id = UnicodeAttribute(null=True)
    pending = UnicodeAttribute(null=True)
    review_account = UnicodeAttribute(null=True)

    pending_reports = PendingReports()
    under_review = UnderReview()
    by_account = ByAccount()
    by_reporter = ByReporter()
