"""The ledger is append-only also for the API itself: the deployed API role gets this
statement (the infrastructure template adds it to the role's policy). An explicit Deny
wins over any Allow, so even a broad `dynamodb:*` grant cannot update or delete a
ledger item; only the conditional PutItem the code uses remains."""

from __future__ import annotations

from typing import Any

from chalicelib.store.append_only import ITEM_MUTATIONS, deny_item_mutations

LEDGER_TABLE = "consent-ledger"
LEDGER_MUTATIONS = ITEM_MUTATIONS


def ledger_table_arn(table_prefix: str, region: str = "*", account: str = "*") -> str:
    return f"arn:aws:dynamodb:{region}:{account}:table/{table_prefix}{LEDGER_TABLE}"


def deny_ledger_mutations(table_arn: str) -> dict[str, Any]:
    """The IAM statement for the API role."""
    return deny_item_mutations("ConsentLedgerAppendOnly", table_arn)
