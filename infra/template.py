"""The deployed stack's own resources, derived from the app's definitions: one DynamoDB
table per registered PynamoDB model (same keys and indexes as the local bootstrap), the
recordings bucket and key, and API Gateway responses in the problem+json format.

    python -m infra.template > infra/resources.json
    chalice package --stage prod --merge-template infra/resources.json build/

The tables come from `Model._get_schema()`, the very schema PynamoDB's `create_table`
(and so the local bootstrap) sends."""

from __future__ import annotations

import json
import re
from typing import Any

from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from chalicelib.config import HSTS, get_settings
from chalicelib.store.tables import all_models
from chalicelib.web.problems import PROBLEM_CONTENT_TYPE, problem_body

REST_API = "RestAPI"  # the logical id chalice package gives the API


def _logical_id(name: str, suffix: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", name.title()) + suffix


def _hash_first(key_schema: list[Any]) -> list[Any]:
    """CloudFormation wants the HASH element before the RANGE one (PynamoDB may not)."""
    return sorted(key_schema, key=lambda element: element["KeyType"])


def table_resource(model: type[Model]) -> dict[str, Any]:
    schema = model._get_schema()
    properties: dict[str, Any] = {
        "TableName": model.Meta.table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": schema["attribute_definitions"],
        "KeySchema": _hash_first(schema["key_schema"]),
        "SSESpecification": {"SSEEnabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    }
    indexes = [
        {
            "IndexName": i["index_name"],
            "KeySchema": _hash_first(i["key_schema"]),
            "Projection": i["projection"],
        }
        for i in schema["global_secondary_indexes"]
    ]
    if indexes:
        properties["GlobalSecondaryIndexes"] = indexes
    ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    if ttl:
        properties["TimeToLiveSpecification"] = {"AttributeName": ttl[0], "Enabled": True}
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": properties}


def _gateway_response(kind: str, status: int, code: str, detail: str) -> dict[str, Any]:
    return {
        "Type": "AWS::ApiGateway::GatewayResponse",
        "Properties": {
            "RestApiId": {"Ref": REST_API},
            "ResponseType": kind,
            "StatusCode": str(status),
            "ResponseParameters": {
                "gatewayresponse.header.Content-Type": f"'{PROBLEM_CONTENT_TYPE}'",
                "gatewayresponse.header.Strict-Transport-Security": f"'{HSTS}'",
            },
            "ResponseTemplates": {
                "application/json": json.dumps(problem_body(status, code, detail))
            },
        },
    }


# API Gateway's own answers, in the API's one error format. Each keeps its real status.
GATEWAY_RESPONSES = [
    ("MISSING_AUTHENTICATION_TOKEN", 404, "not_found", "No route matches this path."),
    ("THROTTLED", 429, "rate_limited", "Too many requests; retry later."),
    ("REQUEST_TOO_LARGE", 413, "payload_too_large", "The request body is too large."),
    ("UNSUPPORTED_MEDIA_TYPE", 415, "unsupported_media_type", "Send the body as JSON."),
    ("INTEGRATION_TIMEOUT", 504, "timeout", "The request took too long."),
    ("DEFAULT_5XX", 502, "bad_gateway", "The service could not answer."),
]


def _recordings() -> dict[str, Any]:
    settings = get_settings()
    bucket = {"Ref": "RecordingsBucket"}
    return {
        "RecordingsKey": {
            "Type": "AWS::KMS::Key",
            "Properties": {"Description": "VetPet recordings", "EnableKeyRotation": True},
        },
        "RecordingsKeyAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {
                "AliasName": settings.recordings_key_alias,
                "TargetKeyId": {"Ref": "RecordingsKey"},
            },
        },
        "RecordingsBucket": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "Properties": {
                "BucketName": settings.recordings_bucket,
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": {"Ref": "RecordingsKey"},
                            }
                        }
                    ]
                },
                "VersioningConfiguration": {"Status": "Enabled"},
            },
        },
        "RecordingsBucketPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": bucket,
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Sid": "TlsOnly",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [
                                {"Fn::Sub": "arn:aws:s3:::${RecordingsBucket}"},
                                {"Fn::Sub": "arn:aws:s3:::${RecordingsBucket}/*"},
                            ],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ]
                },
            },
        },
    }


def build() -> dict[str, Any]:
    resources: dict[str, Any] = {
        _logical_id(model.__name__, "Table"): table_resource(model) for model in all_models()
    }
    resources.update(_recordings())
    for kind, status, code, detail in GATEWAY_RESPONSES:
        resources[_logical_id(kind.replace("_", " "), "Response")] = _gateway_response(
            kind, status, code, detail
        )
    return {"Resources": resources}


if __name__ == "__main__":
    print(json.dumps(build(), indent=2))
