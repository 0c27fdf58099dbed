"""The API: the Chalice app packaged by `chalice.cdk.Chalice` (functions, schedule, REST
API), one IAM role per function with exact resources, the REST API's own error answers,
its single stage (throttling, JSON access logs, X-Ray), the custom domain, and WAF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import Acknowledgment, ArnFormat, CfnParameter, Fn, RemovalPolicy, Stack, Validations
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from chalicelib.config import HSTS, MAX_BODY_BYTES
from chalicelib.web.problems import PROBLEM_CONTENT_TYPE, problem_body
from infra import names
from infra.nag import suppress
from infra.packaging import CompiledChalice
from infra.stages import StageConfig
from infra.storage import Storage

ROOT = Path(__file__).resolve().parent.parent
API_FUNCTION = "APIHandler"  # logical ids `chalice package` gives
REST_API = "RestAPI"
HOUSEKEEPING = "BookingHousekeeping"

TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
]
# The tables the housekeeping job reads and writes: bookings and their claims, the outbox,
# and what a notice needs about its recipients (jobs/bookings.py and what it calls).
HOUSEKEEPING_TABLES = ["bookings", "slot-claims", "outbox", "users", "consultants", "pets"]

# The IAM actions a statement may grant on `*`, each with the reason: the service has no
# resource-level permission for it (or CDK's ECS construct grants it so, as AWS documents
# for the container-instance role). Tests hold every identity policy to this list; in a
# KMS key policy `*` means the key itself.
WILDCARD_ALLOWED = {
    "xray:PutTraceSegments": "X-Ray has no resource-level permissions.",
    "xray:PutTelemetryRecords": "X-Ray has no resource-level permissions.",
    "sns:Publish": "SMS straight to a phone number has no topic ARN to name.",
    "ecr:GetAuthorizationToken": "ECR's registry login has no resource-level permissions.",
    "ecs:DiscoverPollEndpoint": "ECS agent endpoint discovery has no resource-level permissions.",
    "ecs:Poll": "ECS container-instance role (CDK's construct, AWS's managed role).",
    "ecs:StartTelemetrySession": "ECS container-instance role (CDK's construct).",
    "logs:CreateLogStream": "ECS container-instance role as CDK grants it; Lambda roles "
    "name their log group.",
    "logs:PutLogEvents": "ECS container-instance role as CDK grants it; Lambda roles "
    "name their log group.",
}

WAF_BODY_LIMIT = 8 * 1024  # AWSManagedRulesCommonRuleSet's SizeRestrictions_BODY

# API Gateway's own answers, in the API's one error format; each keeps its real status.
GATEWAY_RESPONSES: list[tuple[str, int, str, str]] = [
    ("MISSING_AUTHENTICATION_TOKEN", 404, "not_found", "No route matches this path."),
    ("THROTTLED", 429, "rate_limited", "Too many requests; retry later."),
    ("QUOTA_EXCEEDED", 429, "rate_limited", "Too many requests; retry later."),
    ("WAF_FILTERED", 403, "forbidden", "The request was refused."),
    ("REQUEST_TOO_LARGE", 413, "payload_too_large", "The request body is too large."),
    ("UNSUPPORTED_MEDIA_TYPE", 415, "unsupported_media_type", "Send the body as JSON."),
    ("INTEGRATION_TIMEOUT", 504, "timeout", "The request took too long."),
    ("DEFAULT_5XX", 502, "bad_gateway", "The service could not answer."),
]


def _problem_response(body: dict[str, Any], status: int | None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "responseParameters": {
            "gatewayresponse.header.Content-Type": f"'{PROBLEM_CONTENT_TYPE}'",
            "gatewayresponse.header.Strict-Transport-Security": f"'{HSTS}'",
        },
        "responseTemplates": {"application/json": json.dumps(body)},
    }
    if status is not None:
        response["statusCode"] = str(status)
    return response


def gateway_responses() -> dict[str, Any]:
    """`x-amazon-apigateway-gateway-responses` of the API definition. DEFAULT_4XX covers
    every other client error and keeps its status, which a template cannot read, so its
    body names none."""
    default_4xx = problem_body(400, "request_rejected", "The request was refused.")
    del default_4xx["status"], default_4xx["title"]
    responses = {"DEFAULT_4XX": _problem_response(default_4xx, None)}
    for kind, status, code, detail in GATEWAY_RESPONSES:
        responses[kind] = _problem_response(problem_body(status, code, detail), status)
    responses["THROTTLED"]["responseParameters"]["gatewayresponse.header.Retry-After"] = "'1'"
    return responses


ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "integrationLatency": "$context.integration.latency",
    "wafStatus": "$context.waf.status",
    "errorType": "$context.error.responseType",
    "xrayTraceId": "$context.xrayTraceId",
}


class Api(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, stage: StageConfig, storage: Storage
    ) -> None:
        super().__init__(scope, construct_id)
        self.stage = stage
        self.dead_letters = sqs.Queue(
            self,
            "HousekeepingDeadLetters",
            queue_name=f"vetpet-{stage.name}-housekeeping-dlq",
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
            self.log_groups[logical_id] = logs.LogGroup(
                self,
                f"{logical_id}Logs",
                log_group_name=Fn.join("", ["/aws/lambda/", Fn.ref(logical_id)]),
                retention=retention(stage.log_retention_days),
                encryption_key=storage.data_key,
                removal_policy=RemovalPolicy.RETAIN,
            )
            role = self._role(logical_id, storage)
            function.add_property_override("Role", role.role_arn)
            function.add_property_override("Environment.Variables.VETPET_TURN_SECRET", turn)
        housekeeping = self.functions[HOUSEKEEPING]
        housekeeping.add_property_override("ReservedConcurrentExecutions", 1)
        housekeeping.add_property_override(
            "DeadLetterQueue", {"Type": "SQS", "TargetArn": self.dead_letters.queue_arn}
        )
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=f"/vetpet/{stage.name}/api-access",
            retention=retention(stage.log_retention_days),
            encryption_key=storage.data_key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self._configure_rest_api()
        self._api_gateway_logging_role()
        self.web_acl = self._waf(storage)
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
            ("CKV_AWS_116", "The API function answers synchronously; the job has a DLQ."),
            (
                "CKV_AWS_115",
                "Only the housekeeping job has reserved concurrency; the API "
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

    # -- roles ------------------------------------------------------------------------------

    def _role(self, logical_id: str, storage: Storage) -> iam.Role:
        role = iam.Role(
            self,
            f"{logical_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"VetPet {self.stage.name} {logical_id}",
        )
        stack = Stack.of(self)
        is_api = logical_id == API_FUNCTION
        suffixes = list(storage.tables) if is_api else HOUSEKEEPING_TABLES
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Tables", actions=TABLE_ACTIONS, resources=storage.table_arns(suffixes)
            )
        )
        secrets = [storage.signing_keys, storage.code_key] if is_api else []
        if secrets:
            role.add_to_policy(
                iam.PolicyStatement(
                    sid="Secrets",
                    actions=["secretsmanager:GetSecretValue"],
                    resources=[s.secret_arn for s in secrets],
                )
            )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="DataKeyThroughServices",
                actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                resources=[storage.data_key.key_arn],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": [
                            f"dynamodb.{stack.region}.amazonaws.com",
                            f"secretsmanager.{stack.region}.amazonaws.com",
                            f"sqs.{stack.region}.amazonaws.com",
                        ]
                    }
                },
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Email",
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[
                    stack.format_arn(
                        service="ses",
                        resource="identity",
                        resource_name=self.stage.email_sender.split("@", 1)[1],
                    )
                ],
                conditions={"StringEquals": {"ses:FromAddress": self.stage.email_sender}},
            )
        )
        if is_api:  # SMS codes are sent by the API only; the outbox sends e-mail
            role.add_to_policy(
                iam.PolicyStatement(sid="Sms", actions=["sns:Publish"], resources=["*"])
            )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Tracing",
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                resources=["*"],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Logs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_groups[logical_id].log_group_arn],
            )
        )
        if logical_id == HOUSEKEEPING:
            role.add_to_policy(
                iam.PolicyStatement(
                    sid="DeadLetters",
                    actions=["sqs:SendMessage"],
                    resources=[self.dead_letters.queue_arn],
                )
            )
        wildcards = "Wildcards only where AWS requires them: " + "; ".join(
            f"{a}: {why}" for a, why in WILDCARD_ALLOWED.items()
        )
        suppress(role, ("AwsSolutions-IAM5", wildcards), ("CKV_AWS_111", wildcards))
        return role

    # -- WAF ---------------------------------------------------------------------------------

    def _waf(self, storage: Storage) -> wafv2.CfnWebACL:
        name = f"vetpet-{self.stage.name}-api"

        def visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
            )

        def managed(priority: int, group: str, excluded: list[str] | None = None) -> Any:
            return wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                visibility_config=visibility(group),
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name=group,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule,
                                action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}),
                            )
                            for rule in excluded or []
                        ]
                        or None,
                    )
                ),
            )

        def rate(priority: int, rule: str, limit: int, prefix: str | None) -> Any:
            scope_down = None
            if prefix:
                scope_down = wafv2.CfnWebACL.StatementProperty(
                    byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                        positional_constraint="STARTS_WITH",
                        search_string=prefix,
                        text_transformations=[
                            wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                        ],
                    )
                )
            return wafv2.CfnWebACL.RuleProperty(
                name=rule,
                priority=priority,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        aggregate_key_type="IP", limit=limit, scope_down_statement=scope_down
                    )
                ),
                visibility_config=visibility(rule),
            )

        acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=name,
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility(name),
            rules=[
                rate(0, "auth-rate", self.stage.waf_auth_limit, "/v1/auth/"),
                rate(1, "api-rate", self.stage.waf_limit, None),
                managed(2, "AWSManagedRulesAmazonIpReputationList"),
                # The API takes JSON bodies up to MAX_BODY_BYTES; above the rule set's 8 KB
                # body limit the rule only counts, and the API refuses larger bodies itself.
                managed(
                    3,
                    "AWSManagedRulesCommonRuleSet",
                    ["SizeRestrictions_BODY"] if MAX_BODY_BYTES > WAF_BODY_LIMIT else None,
                ),
                managed(4, "AWSManagedRulesKnownBadInputsRuleSet"),
            ],
        )
        _sam_stage_reference(
            wafv2.CfnWebACLAssociation(
                self, "WebAclAssociation", resource_arn=self.stage_arn, web_acl_arn=acl.attr_arn
            )
        )
        waf_logs = logs.LogGroup(
            self,
            "WafLogs",
            log_group_name=f"aws-waf-logs-vetpet-{self.stage.name}",  # WAF requires the prefix
            retention=retention(self.stage.log_retention_days),
            encryption_key=storage.data_key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        wafv2.CfnLoggingConfiguration(
            self,
            "WafLogging",
            resource_arn=acl.attr_arn,
            log_destination_configs=[waf_logs.log_group_arn],
        )
        return acl

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
        _sam_stage_reference(
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


def _sam_stage_reference(construct: Construct) -> None:
    """`RestAPI.Stage` is SAM's name for the stage it generates (and a dependency on it);
    CDK's validation runs before the SAM transform and cannot know it."""
    Validations.of(construct).acknowledge(
        Acknowledgment(
            id="CloudFormation-Validate::F1020",
            reason="SAM resolves RestAPI.Stage to the stage it generates.",
        )
    )


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
