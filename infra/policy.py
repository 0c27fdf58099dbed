"""Least-privilege IAM policy of the API Lambda per deployed stage, written to
`.chalice/policy-<stage>.json` (Chalice's `iam_policy_file`); a test keeps them current.

    python -m infra.policy
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.config import get_settings
from chalicelib.store.tables import all_models

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("dev", "prod")
ARN = "arn:aws:{service}:*:*:{resource}"


def build(stage: str) -> dict[str, Any]:
    here = get_settings().table_prefix
    names = [m.Meta.table_name.removeprefix(here) for m in all_models()]
    tables = [ARN.format(service="dynamodb", resource=f"table/vetpet-{stage}-{n}") for n in names]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Tables",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                    "dynamodb:BatchGetItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:DescribeTable",
                ],
                "Resource": tables + [f"{t}/index/*" for t in tables],
            },
            {
                "Sid": "SigningKeys",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": ARN.format(
                    service="secretsmanager", resource=f"secret:vetpet/{stage}/*"
                ),
            },
            {
                "Sid": "Email",
                "Effect": "Allow",
                "Action": ["ses:SendEmail"],
                "Resource": "*",
                "Condition": {"StringLike": {"ses:FromAddress": "no-reply@*vetpet.example"}},
            },
            {"Sid": "Sms", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": "*"},
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:*:*:*",
            },
            {
                "Sid": "Tracing",
                "Effect": "Allow",
                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "Resource": "*",
            },
        ],
    }


def render(stage: str) -> str:
    return json.dumps(build(stage), indent=2) + "\n"


def path(stage: str) -> Path:
    return ROOT / ".chalice" / f"policy-{stage}.json"


if __name__ == "__main__":
    for stage in STAGES:
        path(stage).write_text(render(stage))
