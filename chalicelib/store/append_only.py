"""Append-only tables, enforced by IAM as well as by the code: an explicit Deny wins over
any Allow, so a role with this statement can only create items (the conditional
PutItem the code uses), never change or remove one."""

from __future__ import annotations

from typing import Any

ITEM_MUTATIONS = (
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",  # its DeleteRequest would remove items
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
    "dynamodb:DeleteTable",
)


def deny_item_mutations(sid: str, table_arn: str) -> dict[str, Any]:
    """The IAM statement that makes the table at ``table_arn`` append-only."""
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Action": list(ITEM_MUTATIONS),
        "Resource": [table_arn, f"{table_arn}/*"],
    }
