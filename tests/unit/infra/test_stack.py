"""The synthesized stacks keep their security properties, one test per property."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.media_nodes import contract
from chalicelib.media_nodes.contract import RECORDING_KEYS_TABLE, RECORDING_PURPOSE
from chalicelib.store.tables import all_models
from infra.gateway import GATEWAY_RESPONSES
from infra.roles import WILDCARD_ALLOWED
from infra.stages import DEPLOYED_STAGES, stage_config

from .conftest import Assembly

pytestmark = pytest.mark.parametrize("stage", DEPLOYED_STAGES)


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["Statement"])


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _unordered(elements: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(e["AttributeName"], e["KeyType"]) for e in elements}


def test_every_table_has_pitr_kms_encryption_deletion_protection_and_is_retained(
    assembly: Assembly, stage: str
) -> None:
    tables = assembly.resources(stage, "AWS::DynamoDB::Table")
    assert len(tables) == len(all_models())
    for table in tables.values():
        p = table["Properties"]
        recoverable = not p["TableName"].endswith(f"-{RECORDING_KEYS_TABLE}")
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
        assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": recoverable}
        assert p["SSESpecification"]["SSEEnabled"] is True
        assert p["SSESpecification"]["SSEType"] == "KMS"
        assert "KMSMasterKeyId" in p["SSESpecification"]
        assert p["DeletionProtectionEnabled"] is True
        assert p["BillingMode"] == "PAY_PER_REQUEST"


def test_tables_have_the_models_keys_indexes_and_ttl(assembly: Assembly, stage: str) -> None:
    from pynamodb.attributes import TTLAttribute

    by_suffix = {
        t["Properties"]["TableName"].removeprefix(f"vetpet-{stage}-"): t["Properties"]
        for t in assembly.resources(stage, "AWS::DynamoDB::Table").values()
    }
    for model in all_models():
        suffix = model.Meta.table_name.split("-", 2)[2]
        declared = by_suffix[suffix]
        schema = model._get_schema()
        assert _unordered(declared["KeySchema"]) == _unordered(schema["key_schema"])
        indexes = {i["IndexName"] for i in declared.get("GlobalSecondaryIndexes", [])}
        assert indexes == {i["index_name"] for i in schema["global_secondary_indexes"]}
        ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
        assert declared.get("TimeToLiveSpecification", {}).get("AttributeName") == (
            ttl[0] if ttl else None
        )


def test_every_bucket_denies_plain_http_and_blocks_public_access(
    assembly: Assembly, stage: str
) -> None:
    buckets = assembly.resources(stage, "AWS::S3::Bucket")
    policies = assembly.resources(stage, "AWS::S3::BucketPolicy")
    assert len(buckets) == 3  # recordings, data exports, access logs
    for logical_id, bucket in buckets.items():
        assert all(bucket["Properties"]["PublicAccessBlockConfiguration"].values())
        assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
        rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
        assert any("NoncurrentVersionExpiration" in r for r in rules)
        assert bucket["DeletionPolicy"] == "Retain"
        policy = next(
            p for p in policies.values() if p["Properties"]["Bucket"] == {"Ref": logical_id}
        )
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in _statements(policy["Properties"]["PolicyDocument"])
        )


def test_exports_are_kms_encrypted_access_logged_and_deleted_after_a_week(
    assembly: Assembly, stage: str
) -> None:
    bucket = next(
        b
        for b in assembly.resources(stage, "AWS::S3::Bucket").values()
        if b["Properties"]["BucketName"] == f"vetpet-{stage}-exports"
    )
    sse = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert "LoggingConfiguration" in bucket["Properties"]
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any(r.get("ExpirationInDays") == 7 for r in rules)


def test_recordings_are_kms_encrypted_access_logged_and_their_key_retained(
    assembly: Assembly, stage: str
) -> None:
    bucket = next(
        b
        for b in assembly.resources(stage, "AWS::S3::Bucket").values()
        if b["Properties"]["BucketName"] == f"vetpet-{stage}-recordings"
    )
    sse = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert "LoggingConfiguration" in bucket["Properties"]
    keys = assembly.resources(stage, "AWS::KMS::Key")
    assert len(keys) == 2
    assert all(k["DeletionPolicy"] == "Retain" for k in keys.values())
    assert all(k["Properties"]["EnableKeyRotation"] for k in keys.values())
    recordings_key = next(
        k for k in keys.values() if "recordings" in k["Properties"]["Description"]
    )
    contexts = [
        s["Condition"]["StringLike"]
        for s in _statements(recordings_key["Properties"]["KeyPolicy"])
        if "StringLike" in s.get("Condition", {})
    ]
    assert any("kms:EncryptionContext:aws:s3:arn" in c for c in contexts)


def test_no_identity_policy_grants_star_beyond_the_allow_list(
    assembly: Assembly, stage: str
) -> None:
    template = assembly.template(stage)
    offending = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        for statement in _statements(resource["Properties"]["PolicyDocument"]):
            actions = _as_list(statement["Action"])
            assert not any(a.endswith(":*") or a == "*" for a in actions), (logical_id, actions)
            if "*" in _as_list(statement["Resource"]):
                offending += [(logical_id, a) for a in actions if a not in WILDCARD_ALLOWED]
    assert offending == []


def test_each_function_has_its_own_role(assembly: Assembly, stage: str) -> None:
    functions = assembly.resources(stage, "AWS::Serverless::Function")
    roles = [json.dumps(f["Properties"]["Role"]) for f in functions.values()]
    assert len(functions) >= 2
    assert len(set(roles)) == len(roles)


def test_waf_is_attached_to_the_stage_with_a_stricter_auth_limit(
    assembly: Assembly, stage: str
) -> None:
    (association,) = assembly.resources(stage, "AWS::WAFv2::WebACLAssociation").values()
    assert "RestAPI.Stage" in json.dumps(association["Properties"]["ResourceArn"])
    (acl,) = assembly.resources(stage, "AWS::WAFv2::WebACL").values()
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    auth = rules["auth-rate"]["Statement"]["RateBasedStatement"]
    overall = rules["api-rate"]["Statement"]["RateBasedStatement"]
    assert auth["ScopeDownStatement"]["ByteMatchStatement"]["SearchString"] == "/v1/auth/"
    assert auth["Limit"] < overall["Limit"]
    assert "AWSManagedRulesCommonRuleSet" in rules


def test_every_log_group_has_retention(assembly: Assembly, stage: str) -> None:
    groups = assembly.resources(stage, "AWS::Logs::LogGroup")
    assert len(groups) >= 6
    days = stage_config(stage).log_retention_days
    assert {g["Properties"].get("RetentionInDays") for g in groups.values()} == {days}


def test_api_has_one_stage_with_throttling_access_logs_tracing_and_problem_responses(
    assembly: Assembly, stage: str
) -> None:
    api = assembly.template(stage)["Resources"]["RestAPI"]["Properties"]
    assert api["OpenApiVersion"] == "2.0"  # SAM adds no second "Stage" stage
    assert api["StageName"] == stage
    assert api["TracingEnabled"] is True
    assert api["DisableExecuteApiEndpoint"] is True
    assert "DestinationArn" in api["AccessLogSetting"]
    assert json.loads(api["AccessLogSetting"]["Format"])["requestId"] == "$context.requestId"
    (settings,) = api["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == stage_config(stage).throttle_rate
    responses = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    assert {"DEFAULT_4XX", *(kind for kind, *_ in GATEWAY_RESPONSES)} == set(responses)
    assert "statusCode" not in responses["DEFAULT_4XX"]  # keeps the real status
    for kind, status in (("MISSING_AUTHENTICATION_TOKEN", 404), ("THROTTLED", 429)):
        body = json.loads(responses[kind]["responseTemplates"]["application/json"])
        assert responses[kind]["statusCode"] == str(status) == str(body["status"])
        content_type = responses[kind]["responseParameters"]["gatewayresponse.header.Content-Type"]
        assert content_type == "'application/problem+json'"
    assert responses["DEFAULT_5XX"]["statusCode"] == "502"


def test_functions_are_arm64_traced_large_enough_and_the_job_runs_alone(
    assembly: Assembly, stage: str
) -> None:
    functions = assembly.resources(stage, "AWS::Serverless::Function")
    for function in functions.values():
        p = function["Properties"]
        assert p["Architectures"] == ["arm64"]
        assert p["MemorySize"] >= 1024
        assert p["Tracing"] == "Active"
        assert p["Tags"]["aws-chalice"].endswith(f":stage={stage}:app=vetpet")
    (layer,) = assembly.resources(stage, "AWS::Serverless::LayerVersion").values()
    assert layer["Properties"]["LayerName"] == f"vetpet-{stage}-managed-layer"
    jobs = [f["Properties"] for k, f in functions.items() if k != "APIHandler"]
    assert len(jobs) >= 2
    for job in jobs:
        assert job["ReservedConcurrentExecutions"] == 1
        assert job["DeadLetterQueue"]["Type"] == "SQS"


def test_alarms_cover_5xx_throttles_dead_letters_and_job_failures(
    assembly: Assembly, stage: str
) -> None:
    alarms = assembly.resources(stage, "AWS::CloudWatch::Alarm").values()
    described = " ".join(a["Properties"]["AlarmDescription"] for a in alarms)
    for what in ("5xx", "throttled", "exhausted their retries", "failed"):
        assert what in described
    assert all(a["Properties"]["AlarmActions"] for a in alarms)


def test_lambda_environment_uses_the_stage_domain_and_a_turn_secret(
    assembly: Assembly, stage: str
) -> None:
    config = stage_config(stage)
    for function in assembly.resources(stage, "AWS::Serverless::Function").values():
        env = function["Properties"]["Environment"]["Variables"]
        assert env["VETPET_WEB_URL"] == config.web_origin
        assert env["VETPET_ISSUER"] == f"https://{config.api_domain}"
        assert "127.0.0.1" not in json.dumps(env)
        assert "resolve:secretsmanager:" in json.dumps(env["VETPET_TURN_SECRET"])


def test_media_tasks_coturn_refuses_private_peers_and_the_sfu_runs_as_its_stage(
    assembly: Assembly, stage: str
) -> None:
    definitions = assembly.resources(stage, "AWS::ECS::TaskDefinition").values()
    command = next(
        c["Command"][0]
        for d in definitions
        for c in d["Properties"]["ContainerDefinitions"]
        if c["Name"] == "coturn"
    )
    for denied in ("10.0.0.0-", "127.0.0.0-", "169.254.0.0-", "172.16.0.0-", "192.168.0.0-"):
        assert f"--denied-peer-ip={denied}" in command
    sfu = next(
        c
        for d in definitions
        for c in d["Properties"]["ContainerDefinitions"]
        if c["Name"] == "sfu"
    )
    env = {e["Name"]: e["Value"] for e in sfu["Environment"]}
    assert env["VETPET_JWKS_URL"] == stage_config(stage).jwks_url
    assert env["VETPET_MEDIA_UDP_PORTS"] == stage_config(stage).media_udp_ports
    assert all(d["Properties"]["NetworkMode"] == "host" for d in definitions)
    # The media server runs as its stage and finds the tables the stack creates.
    assert env["VETPET_STAGE"] == stage
    created = {
        t["Properties"]["TableName"]
        for t in assembly.resources(stage, "AWS::DynamoDB::Table").values()
    }
    read = (contract.BOOKINGS_TABLE, contract.SESSIONS_TABLE, contract.ROOMS_TABLE)
    assert {env["VETPET_TABLE_PREFIX"] + name for name in read} <= created


def _sfu_container(assembly: Assembly, stage: str) -> dict[str, Any]:
    return next(
        c
        for d in assembly.resources(stage, "AWS::ECS::TaskDefinition").values()
        for c in d["Properties"]["ContainerDefinitions"]
        if c["Name"] == "sfu"
    )


def test_sfu_nodes_share_the_public_signalling_name_and_find_their_own_addresses(
    assembly: Assembly, stage: str
) -> None:
    env = {e["Name"]: e["Value"] for e in _sfu_container(assembly, stage)["Environment"]}
    media_domain = stage_config(stage).media_domain
    assert env["VETPET_MEDIA_SIGNALLING_URL"] == f"wss://{media_domain}"
    records = assembly.resources(stage, "AWS::Route53::RecordSet").values()
    assert media_domain in {r["Properties"]["Name"].rstrip(".") for r in records}
    # No per-node address in the task: each node asks the metadata service (IMDSv2) ...
    assert not {"VETPET_MEDIA_PUBLIC_IP", "VETPET_MEDIA_PRIVATE_IP"} & set(env)
    assert "VETPET_MEDIA_IMDS_ENDPOINT" not in env  # the instance's own, 169.254.169.254
    # ... which a host-networked container reaches in one hop: the launch template's
    # default hop limit (1) is enough; tokens are required. Bridge networking would
    # need HttpPutResponseHopLimit >= 2.
    (template,) = assembly.resources(stage, "AWS::EC2::LaunchTemplate").values()
    metadata = template["Properties"]["LaunchTemplateData"]["MetadataOptions"]
    assert metadata["HttpTokens"] == "required"
    sfu_task = next(
        d
        for d in assembly.resources(stage, "AWS::ECS::TaskDefinition").values()
        if any(c["Name"] == "sfu" for c in d["Properties"]["ContainerDefinitions"])
    )
    assert sfu_task["Properties"]["NetworkMode"] == "host"
    assert "169.254.169.254" not in json.dumps(template)  # no iptables rule blocks it


def test_sfu_nodes_reach_each_other_on_the_signalling_port_only_from_their_group(
    assembly: Assembly, stage: str
) -> None:
    groups = assembly.resources(stage, "AWS::EC2::SecurityGroup")
    (nodes,) = (k for k in groups if k.startswith("MediaNodes"))
    port = int(_sfu_container(assembly, stage)["PortMappings"][0]["ContainerPort"])
    self_rules = [
        r["Properties"]
        for r in assembly.resources(stage, "AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"].get("SourceSecurityGroupId") == {"Fn::GetAtt": [nodes, "GroupId"]}
        and r["Properties"]["GroupId"] == {"Fn::GetAtt": [nodes, "GroupId"]}
    ]
    assert [(r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in self_rules] == [
        ("tcp", port, port)
    ]


def test_the_sfu_role_heartbeats_and_reads_placements_but_writes_nothing_else_of_the_fleet(
    assembly: Assembly, stage: str
) -> None:
    tables = {
        k: t["Properties"]["TableName"].removeprefix(f"vetpet-{stage}-")
        for k, t in assembly.resources(stage, "AWS::DynamoDB::Table").items()
    }
    policies = assembly.resources(stage, "AWS::IAM::Policy")
    (policy,) = (p for k, p in policies.items() if k.startswith("MediaSfuTaskRole"))
    granted: dict[str, set[str]] = {}
    for statement in _statements(policy["Properties"]["PolicyDocument"]):
        for resource in _as_list(statement["Resource"]):
            name = (
                tables.get(resource.get("Fn::GetAtt", [None])[0])
                if isinstance(resource, dict)
                else None
            )
            if name is not None:
                granted.setdefault(name, set()).update(_as_list(statement["Action"]))
    assert granted[contract.MEDIA_NODES_TABLE] == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    assert granted[contract.ROOM_PLACEMENTS_TABLE] == {"dynamodb:GetItem"}
    assert granted[contract.SESSIONS_TABLE] == {"dynamodb:GetItem"}


@pytest.mark.parametrize(
    ("job", "secrets"),
    [
        ("HoldExpiry", {"TelegramBot"}),
        ("Notifications", {"TelegramBot", "CodeKey"}),
        ("Reminders", {"TelegramBot"}),
        ("Retention", set()),
        ("CampaignDispatch", {"SigningKeys"}),
    ],
)
def test_each_job_role_reads_only_its_secrets_and_sends_no_sms(
    assembly: Assembly, stage: str, job: str, secrets: set[str]
) -> None:
    policies = assembly.resources(stage, "AWS::IAM::Policy")
    (policy,) = (p for k, p in policies.items() if k.startswith(f"Api{job}Role"))
    statements = _statements(policy["Properties"]["PolicyDocument"])
    managed = assembly.resources(stage, "AWS::IAM::ManagedPolicy")
    tables = [p for k, p in managed.items() if k.startswith(f"Api{job}Role")]
    every = statements + [s for p in tables for s in _statements(p["Properties"]["PolicyDocument"])]
    actions = {a for s in every for a in _as_list(s["Action"])}
    assert "dynamodb:Query" in actions
    assert "sns:Publish" not in actions
    reads = [s for s in statements if "secretsmanager:GetSecretValue" in _as_list(s["Action"])]
    named = json.dumps([s["Resource"] for s in reads])
    known = ("TelegramBot", "SigningKeys", "CodeKey", "TurnSecret")
    assert {name for name in known if name in named} == secrets


def test_every_role_that_reaches_the_consent_ledger_may_not_change_its_items(
    assembly: Assembly, stage: str
) -> None:
    from chalicelib.consent.iam import LEDGER_MUTATIONS

    reaching = 0
    for name, policy in assembly.resources(stage, "AWS::IAM::Policy").items():
        if name.startswith("ApiErasureRole"):
            continue  # the erasure job is the one role that deletes a user's ledger
        statements = _statements(policy["Properties"]["PolicyDocument"])
        if "consent-ledger" not in json.dumps(statements, sort_keys=True) and not any(
            "DataTableConsentLedger" in json.dumps(s["Resource"]) for s in statements
        ):
            continue
        reaching += 1
        denies = [s for s in statements if s["Effect"] == "Deny"]
        assert any(set(LEDGER_MUTATIONS) <= set(_as_list(s["Action"])) for s in denies)
    assert reaching >= 3  # the API, the campaign dispatch and the exports job


def test_only_the_erasure_role_may_delete_ledger_items_and_export_versions(
    assembly: Assembly, stage: str
) -> None:
    policies = assembly.resources(stage, "AWS::IAM::Policy")
    managed = assembly.resources(stage, "AWS::IAM::ManagedPolicy")
    erasure = [
        s
        for name, p in {**policies, **managed}.items()
        if name.startswith("ApiErasureRole")
        for s in _statements(p["Properties"]["PolicyDocument"])
    ]
    assert not [s for s in erasure if s["Effect"] == "Deny"]
    assert any("dynamodb:DeleteItem" in _as_list(s["Action"]) for s in erasure)
    deleting_versions = {
        name.split("Role")[0]
        for name, p in policies.items()
        for s in _statements(p["Properties"]["PolicyDocument"])
        if "s3:DeleteObjectVersion" in _as_list(s["Action"])
    }
    assert deleting_versions == {"ApiErasure", "ApiRetention"}


def test_the_sfu_creates_owner_keys_but_never_deletes_one_and_uses_them_only_for_recordings(
    assembly: Assembly, stage: str
) -> None:
    policies = assembly.resources(stage, "AWS::IAM::Policy")
    (policy,) = (p for k, p in policies.items() if k.startswith("MediaSfuTaskRole"))
    statements = _statements(policy["Properties"]["PolicyDocument"])
    actions = {a for s in statements for a in _as_list(s["Action"])}
    assert {"dynamodb:DeleteItem", "s3:DeleteObject", "s3:DeleteObjectVersion"}.isdisjoint(actions)
    direct = [
        s
        for s in statements
        if "kms:Decrypt" in _as_list(s["Action"]) and "kms:ViaService" not in json.dumps(s)
    ]
    assert direct
    for statement in direct:
        assert statement["Condition"]["StringEquals"] == {
            "kms:EncryptionContext:purpose": RECORDING_PURPOSE
        }
    env_names = json.dumps(assembly.resources(stage, "AWS::ECS::TaskDefinition"))
    assert "VETPET_RECORDINGS_KEY_ARN" in env_names


def test_the_api_role_may_only_append_to_the_access_log_and_the_disclosure_trail(
    assembly: Assembly, stage: str
) -> None:
    from chalicelib.store.append_only import ITEM_MUTATIONS

    denied: dict[str, list[str]] = {}
    for policy in assembly.resources(stage, "AWS::IAM::Policy").values():
        for statement in _statements(policy["Properties"]["PolicyDocument"]):
            if statement["Effect"] == "Deny" and statement.get("Sid", "").endswith("AppendOnly"):
                denied[statement["Sid"]] = _as_list(statement["Action"])
    for sid in ("AccessLogAppendOnly", "DisclosureTrailAppendOnly"):
        assert set(ITEM_MUTATIONS) <= set(denied[sid]), sid
