"""One stack per deployed stage, built from the stage's name."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from infra.api import Api
from infra.media import Media
from infra.monitoring import Monitoring
from infra.stages import StageConfig
from infra.storage import Storage


class VetPetStack(Stack):
    def __init__(self, scope: Construct, stage: StageConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            f"vetpet-{stage.name}",
            description=f"VetPet backend, {stage.name} stage",
            termination_protection=stage.name == "prod",
            **kwargs,
        )
        Tags.of(self).add("project", "vetpet")
        Tags.of(self).add("stage", stage.name)
        self.storage = Storage(self, "Data", stage)
        self.api = Api(self, "Api", stage, self.storage)
        self.monitoring = Monitoring(self, "Monitoring", stage, self.storage, self.api)
        self.media = Media(self, "Media", stage, self.storage, self.api.zone)
        CfnOutput(self, "ApiUrl", value=stage.issuer)
        CfnOutput(self, "AlarmTopic", value=self.monitoring.topic.topic_arn)
