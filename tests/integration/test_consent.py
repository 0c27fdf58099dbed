"""Consent on the running local stack: the seeded policy, a significant change announced
until acknowledged, a marketing campaign sent by the schedule and one-click unsubscribe."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import requests

from local.launcher import Stack
from local.seed import DEMO_PASSWORD, FIRST_POLICY
from tests.integration.clients import TIMEOUT, Account, new_owner, sign_in

HEADER = "VetPet-Policy-Update"
SUMMARY = {"uk": "Нові правила", "ru": "Новые правила", "en": "New rules"}


def _campaign_mail(mailbox: str, to: str, deadline_seconds: float = 75) -> dict[str, Any]:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        items = requests.get(mailbox + "/messages.json", timeout=TIMEOUT).json()
        mine = [m for m in items if m["to"] == to and m.get("headers")]
        if mine:
            return dict(mine[-1])
        time.sleep(0.5)
    raise AssertionError(f"no campaign e-mail to {to}")


def test_policy_change_campaign_and_unsubscribe(stack: Stack) -> None:
    assert requests.get(stack.api + "/v1/policy", timeout=TIMEOUT).json()["version"] == FIRST_POLICY
    admin = sign_in(stack.api, "admin@vetpet.test", DEMO_PASSWORD)
    owner: Account = new_owner(stack.api, stack.mailbox)

    version = f"it-{uuid.uuid4().hex[:8]}"
    published = admin.call(
        "POST",
        "/v1/admin/policy-versions",
        json={
            "version": version,
            "significant": True,
            "effective_at": datetime.now(UTC).isoformat(),
            "summary": SUMMARY,
            "text_url": f"https://vetpet.example/privacy/{version}",
        },
    )
    assert published.status_code == 201, published.text
    assert owner.call("GET", "/v1/me").headers[HEADER] == version
    acknowledged = owner.call("POST", "/v1/me/policy-acknowledgements", json={"version": version})
    assert acknowledged.status_code == 201
    assert HEADER not in owner.call("GET", "/v1/me").headers

    granted = owner.call("PUT", "/v1/me/consents/marketing", json={"granted": True})
    assert granted.json()["granted"] is True
    subject = {"uk": "Новини", "ru": "Новости", "en": f"News {version}"}
    queued = admin.call("POST", "/v1/admin/campaigns", json={"subject": subject, "body": SUMMARY})
    assert queued.status_code == 202
    mail = _campaign_mail(stack.mailbox, owner.email)
    assert mail["subject"] == f"News {version}"
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    link = mail["headers"]["List-Unsubscribe"].strip("<>")
    one_click = requests.post(link, data="List-Unsubscribe=One-Click", timeout=TIMEOUT)
    assert one_click.status_code == 200, one_click.text
    consents = owner.call("GET", "/v1/me/consents").json()["items"]
    assert {c["purpose"]: c["granted"] for c in consents}["marketing"] is False
    ledger = owner.call("GET", "/v1/me/consents/ledger").json()["items"]
    assert [(e["purpose"], e["decision"]) for e in ledger] == [
        ("privacy_policy", "accepted"),
        ("privacy_policy", "acknowledged"),
        ("marketing", "granted"),
        ("marketing", "withdrawn"),
    ]
