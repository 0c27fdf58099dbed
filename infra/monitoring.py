"""Alarms on what needs a person: the API's 5xx rate, throttled functions, dead letters and
failed scheduled-job runs. They notify one SNS topic (subscribe the on-call address)."""

from __future__ import annotations

from aws_cdk import Duration, Fn
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.api import Api
from infra.packaging import API_FUNCTION
from infra.stages import StageConfig
from infra.storage import Storage

PERIOD = Duration.minutes(5)


class Monitoring(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, stage: StageConfig, storage: Storage, api: Api
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "Alarms", topic_name=f"vetpet-{stage.name}-alarms", master_key=storage.data_key
        )

        def api_metric(name: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=name,
                dimensions_map={"ApiName": "vetpet", "Stage": stage.name},
                statistic="Sum",
                period=PERIOD,
            )

        self._alarm(
            "Api5xxRate",
            cloudwatch.MathExpression(
                expression="IF(requests > 0, errors / requests, 0)",
                using_metrics={"errors": api_metric("5XXError"), "requests": api_metric("Count")},
                period=PERIOD,
            ),
            stage.alarm_5xx_rate,
            "Share of API requests answered 5xx",
        )
        for logical_id in api.functions:
            name = Fn.ref(logical_id)
            self._alarm(
                f"{logical_id}Throttles",
                cloudwatch.Metric(
                    namespace="AWS/Lambda",
                    metric_name="Throttles",
                    dimensions_map={"FunctionName": name},
                    statistic="Sum",
                    period=PERIOD,
                ),
                0,
                f"{logical_id} invocations throttled",
            )
        for logical_id in api.functions:
            if logical_id == API_FUNCTION:
                continue
            self._alarm(
                f"{logical_id}Failures",
                cloudwatch.Metric(
                    namespace="AWS/Lambda",
                    metric_name="Errors",
                    dimensions_map={"FunctionName": Fn.ref(logical_id)},
                    statistic="Sum",
                    period=PERIOD,
                ),
                0,
                f"{logical_id} runs that failed",
            )
        self._alarm(
            "DeadLetters",
            api.dead_letters.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ),
            0,
            "Scheduled job events that exhausted their retries",
        )

    def _alarm(
        self, construct_id: str, metric: cloudwatch.IMetric, threshold: float, what: str
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=what,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
