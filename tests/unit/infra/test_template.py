"""The deployed stack derives from the same definitions as the local one (P16 too)."""

from __future__ import annotations

import json

import boto3
import pytest

from chalicelib.store.tables import all_models
from infra.template import build

pytestmark = pytest.mark.usefixtures("aws")


def _tables() -> dict[str, dict[str, object]]:
    return {
        r["Properties"]["TableName"]: r["Properties"]
        for r in build()["Resources"].values()
        if r["Type"] == "AWS::DynamoDB::Table"
    }


def test_template_tables_match_the_tables_the_bootstrap_created() -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    tables = _tables()
    assert set(tables) == {m.Meta.table_name for m in all_models()}
    for name, properties in tables.items():
        live = client.describe_table(TableName=name)["Table"]
        assert properties["KeySchema"] == live["KeySchema"]
        live_indexes = {
            i["IndexName"]: i["KeySchema"] for i in live.get("GlobalSecondaryIndexes", [])
        }
        declared = {
            i["IndexName"]: i["KeySchema"] for i in properties.get("GlobalSecondaryIndexes", [])
        }  # type: ignore[attr-defined]
        assert declared == live_indexes


def test_recordings_bucket_refuses_plain_http_and_public_access() -> None:
    resources = build()["Resources"]
    statement = resources["RecordingsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    block = resources["RecordingsBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_unknown_paths_are_404_problem_json_when_deployed() -> None:
    response = build()["Resources"]["MissingAuthenticationTokenResponse"]["Properties"]
    assert response["ResponseType"] == "MISSING_AUTHENTICATION_TOKEN"
    assert response["StatusCode"] == "404"
    body = json.loads(response["ResponseTemplates"]["application/json"])
    assert body["code"] == "not_found"
    assert (
        response["ResponseParameters"]["gatewayresponse.header.Content-Type"]
        == "'application/problem+json'"
    )


def test_committed_iam_policies_are_current_and_scoped_to_their_stage() -> None:
    from infra.policy import STAGES, path, render

    for stage in STAGES:
        assert path(stage).read_text() == render(stage), "run: python -m infra.policy"
        policy = json.loads(render(stage))
        tables = next(s for s in policy["Statement"] if s["Sid"] == "Tables")["Resource"]
        assert all(f"table/vetpet-{stage}-" in arn for arn in tables)
        assert "dynamodb:Scan" not in json.dumps(policy)
