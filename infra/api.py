"""The API: the Chalice app packaged by `chalice.cdk.Chalice` (functions, schedule, REST
API) with a role per function, the REST API's single stage (throttling, JSON access logs,
X-Ray, problem+json gateway answers), its custom domain and its WAF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import ArnFormat, CfnParameter, Fn, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import names
from infra.gateway import ACCESS_LOG_FORMAT, gateway_responses
from infra.log_groups import log_group
from infra.nag import suppress
from infra.packaging import API_FUNCTION, REST_API, CompiledChalice, sam_stage_reference
from infra.roles import function_role
from infra.stages import StageConfig
from infra.storage import Storage
from infra.waf import Firewall

ROOT = Path(__file__).resolve().parent.parent


class Api(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, stage: StageConfig, storage: Storage
    ) -> None:
        super().__init__(scope, construct_id)
        self.stage = stage
        self.dead_letters = sqs.Queue(
            self,
            "JobDeadLetters",
            queue_name=f"vetpet-{stage.name}-jobs-dlq",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=storage.data_key,
            enforce_ssl=True,
        )
        suppress(self.dead_letters, ("AwsSolutions-SQS3", "This queue is the dead-letter queue."))
        self.app = CompiledChalice(
            self,
            "App",
            source_dir=str(ROOT),
            stage_config={
                "api_gateway_stage": stage.name,
                "lambda_architecture": "arm64",
                "lambda_memory_size": stage.lambda_memory_mb,
                "lambda_timeout": 29,  # API Gateway's own limit
                "xray": True,
                "manage_iam_role": False,
                "iam_role_arn": "replaced-by-the-stack",
                "environment_variables": names.lambda_environment(stage),
            },
        )
        self.functions = {
            logical_id: self.app.sam_template.get_resource(logical_id)
            for logical_id, resource in self._sam()["Resources"].items()
            if resource["Type"] == "AWS::Serverless::Function"
        }
        turn = Fn.join(
            "", ["{{resolve:secretsmanager:", storage.turn_secret.secret_arn, ":SecretString}}"]
        )
        self.log_groups: dict[str, logs.LogGroup] = {}
        for logical_id, function in self.functions.items():
            # chalice's own `log_retention_in_days` names the API function's group wrongly
            # (`${ApiHandler}`), so the stack creates each function's group itself.
            self.log_groups[logical_id] = log_group(
                self,
                f"{logical_id}Logs",
                stage,
                storage,
                Fn.join("", ["/aws/lambda/", Fn.ref(logical_id)]),
            )
            role = function_role(
                self,
                logical_id,
                stage,
                storage,
                self.log_groups[logical_id],
                None if logical_id == API_FUNCTION else self.dead_letters,
            )
            function.add_property_override("Role", role.role_arn)
            function.add_property_override("Environment.Variables.VETPET_TURN_SECRET", turn)
            if logical_id != API_FUNCTION:  # a scheduled job: one run at a time, failures kept
                function.add_property_override("ReservedConcurrentExecutions", 1)
                function.add_property_override(
                    "DeadLetterQueue", {"Type": "SQS", "TargetArn": self.dead_letters.queue_arn}
                )
        self.access_logs = log_group(
            self, "AccessLogs", stage, storage, f"/vetpet/{stage.name}/api-access"
        )
        self._configure_rest_api()
        self._api_gateway_logging_role()
        self.firewall = Firewall(self, "Waf", stage, storage, self.stage_arn)
        self._domain()

    # -- the Chalice template -------------------------------------------------------------

    def _sam(self) -> dict[str, Any]:
        path = Path(self.app._sam_package_dir, "sam.json")
        return json.loads(path.read_text())  # type: ignore[no-any-return]

    @property
    def stage_arn(self) -> str:
        return Fn.sub(
            "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Stage}",
            {"Api": Fn.ref(REST_API), "Stage": Fn.ref(f"{REST_API}.Stage")},
        )

    def _configure_rest_api(self) -> None:
        api = self.app.sam_template.get_resource(REST_API)
        api.add_property_override("OpenApiVersion", "2.0")  # SAM then adds no "Stage" stage
        api.add_property_override(
            "DefinitionBody.x-amazon-apigateway-gateway-responses", gateway_responses()
        )
        api.add_property_override("DisableExecuteApiEndpoint", True)  # only via domain + WAF
        api.add_property_override("TracingEnabled", True)
        api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": self.stage.throttle_rate,
                    "ThrottlingBurstLimit": self.stage.throttle_burst,
                    "MetricsEnabled": True,
                    "LoggingLevel": "ERROR",
                    "DataTraceEnabled": False,  # bodies carry personal data
                }
            ],
        )
        api.add_property_override(
            "AccessLogSetting",
            {
                "DestinationArn": self.access_logs.log_group_arn,
                "Format": json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")),
            },
        )
        suppress(
            self.app,
            ("AwsSolutions-APIG4", "Authorization is the app's bearer tokens, checked in code."),
            ("AwsSolutions-COG4", "The API issues its own tokens; Cognito is not used."),
            ("CKV_AWS_59", "Authorization is the app's bearer tokens, checked in code."),
            ("CKV_AWS_120", "Answers are per user and carry personal data: never cached."),
            ("CKV_AWS_117", "The functions reach only AWS APIs; a VPC adds NAT cost, no safety."),
            ("CKV_AWS_116", "The API function answers synchronously; the jobs have a DLQ."),
            (
                "CKV_AWS_115",
                "Only the scheduled jobs have reserved concurrency; the API "
                "is bounded by the stage throttle.",
            ),
            (
                "CKV_AWS_173",
                "Environment variables hold no secret but the TURN secret, which "
                "Lambda encrypts at rest with the AWS key.",
            ),
        )

    def _api_gateway_logging_role(self) -> None:
        """API Gateway writes access and execution logs with the region's account role."""
        role = iam.Role(
            self,
            "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                    "logs:PutRetentionPolicy",
                ],
                resources=[
                    self.access_logs.log_group_arn,
                    Stack.of(self).format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="API-Gateway-Execution-Logs_*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    ),
                ],
            )
        )
        suppress(
            role,
            (
                "AwsSolutions-IAM5",
                "API Gateway names its execution log groups "
                "API-Gateway-Execution-Logs_<api id>/<stage>: the prefix is the narrowest ARN.",
            ),
        )
        account = apigateway.CfnAccount(
            self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn
        )
        self.app.sam_template.get_resource(REST_API).add_resource_dependency(
            account, "the stage's logging settings need the account's logging role first"
        )

    # -- custom domain -------------------------------------------------------------------------

    def _domain(self) -> None:
        zone_id = CfnParameter(
            Stack.of(self),  # at stack level, so its name stays `HostedZoneId`
            "HostedZoneId",
            type="AWS::Route53::HostedZone::Id",
            description=f"Route 53 hosted zone of {self.stage.zone_name}",
        )
        zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=zone_id.value_as_string, zone_name=self.stage.zone_name
        )
        self.zone = zone
        certificate = acm.Certificate(
            self,
            "ApiCertificate",
            domain_name=self.stage.api_domain,
            validation=acm.CertificateValidation.from_dns(zone),
        )
        domain = apigateway.CfnDomainName(
            self,
            "ApiDomain",
            domain_name=self.stage.api_domain,
            regional_certificate_arn=certificate.certificate_arn,
            endpoint_configuration=apigateway.CfnDomainName.EndpointConfigurationProperty(
                types=["REGIONAL"]
            ),
            security_policy="TLS_1_2",
        )
        sam_stage_reference(
            apigateway.CfnBasePathMapping(
                self,
                "ApiMapping",
                domain_name=domain.ref,
                rest_api_id=Fn.ref(REST_API),
                stage=Fn.ref(f"{REST_API}.Stage"),
            )
        )
        route53.ARecord(
            self,
            "ApiRecord",
            zone=zone,
            record_name=self.stage.api_domain,
            target=route53.RecordTarget.from_alias(
                targets.ApiGatewayDomain(
                    apigateway.DomainName.from_domain_name_attributes(
                        self,
                        "ApiDomainRef",
                        domain_name=domain.ref,
                        domain_name_alias_target=domain.attr_regional_domain_name,
                        domain_name_alias_hosted_zone_id=domain.attr_regional_hosted_zone_id,
                    )
                )
            ),
        )
