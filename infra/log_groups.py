"""Log groups: retention per stage, encrypted with the stage's data key."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.stages import StageConfig
from infra.storage import Storage

_RETENTION = {
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


def retention(days: int) -> logs.RetentionDays:
    """CloudWatch Logs accepts a fixed set of retention periods."""
    return _RETENTION[days]


def log_group(
    scope: Construct,
    construct_id: str,
    stage: StageConfig,
    storage: Storage,
    name: str | None = None,
    removal: RemovalPolicy = RemovalPolicy.RETAIN,
) -> logs.LogGroup:
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=name,
        retention=retention(stage.log_retention_days),
        encryption_key=storage.data_key,
        removal_policy=removal,
    )
