"""Suppressions of security findings, each with its reason, in one form for every checker:
cdk-nag (`AwsSolutions-*`), checkov (`CKV*`) and cfn-lint (`W*`/`E*`) read them from the
construct (cdk-nag) or from the resource's template metadata (checkov, cfn-lint)."""

from __future__ import annotations

import re

from aws_cdk import CfnResource
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import IConstruct

_KNOWN = re.compile(r"AwsSolutions-[A-Z0-9]+$|CKV2?_AWS_\d+$|[WE]\d{4}$")


def suppress(scope: IConstruct, *findings: tuple[str, str]) -> None:
    """Suppress each `(rule id, reason)` on `scope` and every resource below it."""
    for rule, why in findings:
        if not why.strip() or not _KNOWN.match(rule):
            raise ValueError(f"suppression of {rule!r} needs a known rule id and a reason")
    nag = [
        NagPackSuppression(id=rule, reason=why)
        for rule, why in findings
        if rule.startswith("AwsSolutions-")
    ]
    checkov = [{"id": rule, "comment": why} for rule, why in findings if rule.startswith("CKV")]
    lint = [rule for rule, _ in findings if rule[1:].isdigit()]
    if nag:
        NagSuppressions.add_resource_suppressions(scope, nag, apply_to_children=True)
    for resource in scope.node.find_all():
        if not isinstance(resource, CfnResource):
            continue
        if checkov:
            skips = (resource.get_metadata("checkov") or {"skip": []})["skip"]
            resource.add_metadata("checkov", {"skip": skips + checkov})
        if lint:
            config = resource.get_metadata("cfn-lint") or {"config": {"ignore_checks": []}}
            ignored = config["config"]["ignore_checks"]
            resource.add_metadata("cfn-lint", {"config": {"ignore_checks": ignored + lint}})
