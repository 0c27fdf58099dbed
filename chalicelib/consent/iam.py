"""The ledger is append-only also for the API itself: the deployed API role gets this
statement (the infrastructure template adds it to the role's policy). An explicit Deny
wins over any Allow, so even a broad `dynamodb:*` grant cannot update or delete a
ledger item; only the conditional PutItem the code uses remains."""

from __future__ import annotations

from typing import Any

LEDGER_TABLE = "consent-ledger"
LEDGER_MUTATIONS = (
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",  # its DeleteRequest would remove items
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
    "dynamodb:DeleteTable",
)


def ledger_table_arn(table_prefix: str, region: str = "*", account: str = "*") -> str:
    return f"arn:aws:dynamodb:{region}:{account}:table/{table_prefix}{LEDGER_TABLE}"


def deny_ledger_mutations(table_arn: str) -> dict[str, Any]:
    """The IAM statement for the API role."""
    return {
        "Sid": "ConsentLedgerAppendOnly",
        "Effect": "Deny",
        "Action": list(LEDGER_MUTATIONS),
        "Resource": [table_arn, f"{table_arn}/*"],
    }
