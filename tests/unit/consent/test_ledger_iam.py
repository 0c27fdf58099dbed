"""The API role cannot update or delete a ledger item: the statement in `consent/iam.py`
evaluated with IAM's rules (an explicit Deny wins; otherwise an Allow must match)."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

import pytest

from chalicelib.consent.iam import deny_ledger_mutations, ledger_table_arn

PREFIX = "vetpet-prod-"
TABLES = f"arn:aws:dynamodb:eu-central-1:123456789012:table/{PREFIX}*"
LEDGER = "arn:aws:dynamodb:eu-central-1:123456789012:table/vetpet-prod-consent-ledger"
CONSENTS = "arn:aws:dynamodb:eu-central-1:123456789012:table/vetpet-prod-consents"


def _matches(patterns: str | list[str], value: str, *, case: bool) -> bool:
    items = [patterns] if isinstance(patterns, str) else patterns
    if case:
        return any(fnmatchcase(value, p) for p in items)
    return any(fnmatchcase(value.lower(), p.lower()) for p in items)


def allowed(policy: dict[str, Any], action: str, resource: str) -> bool:
    """IAM's evaluation for one identity policy: explicit Deny, else Allow, else deny."""
    hits = [
        s["Effect"]
        for s in policy["Statement"]
        if _matches(s["Action"], action, case=False)
        and _matches(s["Resource"], resource, case=True)
    ]
    return "Deny" not in hits and "Allow" in hits


@pytest.fixture
def api_role_policy() -> dict[str, Any]:
    """A deliberately broad grant on every table, plus the ledger statement."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": [TABLES, f"{TABLES}/index/*"]},
            deny_ledger_mutations(ledger_table_arn(PREFIX)),
        ],
    }


@pytest.mark.parametrize(
    "action",
    [
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "DynamoDB:deleteitem",
    ],
)
def test_the_api_role_cannot_change_or_remove_ledger_items(
    api_role_policy: dict[str, Any], action: str
) -> None:
    assert not allowed(api_role_policy, action, LEDGER)


@pytest.mark.parametrize(
    "action",
    ["dynamodb:PutItem", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:ConditionCheckItem"],
)
def test_the_api_role_still_appends_and_reads_the_ledger(
    api_role_policy: dict[str, Any], action: str
) -> None:
    assert allowed(api_role_policy, action, LEDGER)


def test_the_deny_is_scoped_to_the_ledger(api_role_policy: dict[str, Any]) -> None:
    assert allowed(api_role_policy, "dynamodb:UpdateItem", CONSENTS)
    assert allowed(api_role_policy, "dynamodb:DeleteItem", CONSENTS)
    without = {"Statement": api_role_policy["Statement"][:1]}
    assert allowed(without, "dynamodb:DeleteItem", LEDGER)  # the statement is what denies
