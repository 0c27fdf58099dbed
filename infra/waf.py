"""WAF for the API stage: per-IP rate limits (stricter on /v1/auth/), AWS managed rule
groups, logs to CloudWatch."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from chalicelib.config import MAX_BODY_BYTES
from infra.log_groups import log_group
from infra.packaging import sam_stage_reference
from infra.stages import StageConfig
from infra.storage import Storage

WAF_BODY_LIMIT = 8 * 1024  # AWSManagedRulesCommonRuleSet's SizeRestrictions_BODY


class Firewall(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        stage: StageConfig,
        storage: Storage,
        stage_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        name = f"vetpet-{stage.name}-api"

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
                rate(0, "auth-rate", stage.waf_auth_limit, "/v1/auth/"),
                rate(1, "api-rate", stage.waf_limit, None),
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
        sam_stage_reference(
            wafv2.CfnWebACLAssociation(
                self, "WebAclAssociation", resource_arn=stage_arn, web_acl_arn=acl.attr_arn
            )
        )
        # WAF requires the `aws-waf-logs-` prefix.
        waf_logs = log_group(self, "WafLogs", stage, storage, f"aws-waf-logs-vetpet-{stage.name}")
        wafv2.CfnLoggingConfiguration(
            self,
            "WafLogging",
            resource_arn=acl.attr_arn,
            log_destination_configs=[waf_logs.log_group_arn],
        )
        self.acl = acl
