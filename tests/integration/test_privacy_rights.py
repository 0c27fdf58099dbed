"""Privacy rights on the running local stack: a privacy request and its due date (and
the e-mail an extension sends), the access log with a consultant's read and a lawful
disclosure, and a minor report that restricts the account until support decides."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import requests
from dateutil.relativedelta import relativedelta

from local.launcher import Stack
from local.seed import DEMO_PASSWORD
from tests.integration.clients import (
    TIMEOUT,
    Account,
    add_pet,
    consultant_named,
    free_slots,
    new_owner,
    sign_in,
)


def _mail(mailbox: str, to: str, subject_part: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = requests.get(mailbox + "/messages.json", timeout=TIMEOUT).json()
        mine = [m for m in items if m["to"] == to and subject_part in m["subject"]]
        if mine:
            return dict(mine[-1])
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {to} about {subject_part!r}")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _book(owner: Account, consultant_id: str, pet: str, start: str, key: str) -> requests.Response:
    body = {"consultant_id": consultant_id, "pet_id": pet, "start": start, "reason": "cough"}
    return owner.call("POST", "/v1/bookings", json=body, headers={"Idempotency-Key": key})


def test_a_privacy_request_shows_its_due_date_and_an_extension_is_mailed(stack: Stack) -> None:
    owner = new_owner(stack.api, stack.mailbox)
    admin = sign_in(stack.api, "admin@vetpet.test", DEMO_PASSWORD)
    opened = owner.call(
        "POST", "/v1/privacy-requests", json={"kind": "access", "message": "What do you hold?"}
    )
    assert opened.status_code == 201, opened.text
    request = opened.json()
    assert request["status"] == "open"
    assert _instant(request["due_at"]) == _instant(request["opened_at"]) + relativedelta(months=1)
    mine = owner.call("GET", f"/v1/privacy-requests/{request['id']}").json()
    assert mine["due_at"] == request["due_at"]

    extended = admin.call(
        "POST",
        f"/v1/admin/privacy-requests/{request['id']}/extend",
        json={"months": 2, "reason": "Records from several systems."},
    )
    assert extended.status_code == 200, extended.text
    due = _instant(request["due_at"]) + relativedelta(months=2)
    assert _instant(extended.json()["due_at"]) == due
    mail = _mail(stack.mailbox, owner.email, "privacy request")
    assert "Records from several systems." in mail["body"]


def test_the_access_log_shows_a_consultants_read_and_a_disclosure(stack: Stack) -> None:
    owner = new_owner(stack.api, stack.mailbox, name="Iryna")
    consultant = sign_in(stack.api, "vet2@vetpet.test", DEMO_PASSWORD)
    admin = sign_in(stack.api, "admin@vetpet.test", DEMO_PASSWORD)
    vet = consultant_named(stack.api, "Dr. Marek Nowak")
    pet = add_pet(owner)
    created = _book(owner, vet["id"], pet, free_slots(stack.api, vet["id"])[5], "log-1")
    assert created.status_code == 201, created.text
    booking = created.json()["id"]
    assert consultant.call("GET", f"/v1/bookings/{booking}").status_code == 200
    disclosed = admin.call(
        "POST",
        f"/v1/admin/users/{owner.user_id}/disclosures",
        json={
            "recipient": "Regional emergency service",
            "legal_basis": "vital_interest",
            "reference": "Call 2026-11-27/15",
            "data_categories": ["contact"],
        },
    )
    assert disclosed.status_code == 201, disclosed.text

    log = owner.call("GET", "/v1/me/access-log").json()
    assert [(e["actor_role"], e["action"]) for e in log["items"]] == [
        ("support", "disclosure"),
        ("consultant", "read"),
    ]
    assert log["items"][0]["recipient"] == "Regional emergency service"
    assert log["items"][1]["resource"] == f"booking/{booking}"
    assert owner.call("GET", "/v1/me/access-log/verify").json() == {
        "valid": True,
        "entries": 2,
        "broken_at": None,
    }


def test_a_minor_report_restricts_booking_until_dismissed(stack: Stack) -> None:
    owner = new_owner(stack.api, stack.mailbox)
    admin = sign_in(stack.api, "admin@vetpet.test", DEMO_PASSWORD)
    vet = consultant_named(stack.api, "Dr. Marek Nowak")
    pet = add_pet(owner)
    reported = requests.post(
        stack.api + "/v1/minor-reports",
        json={"account_email": owner.email, "reason": "Mentions school exams"},
        timeout=TIMEOUT,
    )
    assert reported.status_code == 202, reported.text
    slot = free_slots(stack.api, vet["id"])[6]
    refused = _book(owner, vet["id"], pet, slot, "minor-1")
    assert (refused.status_code, refused.json()["code"]) == (403, "account_under_review")
    pending = admin.call("GET", "/v1/admin/minor-reports?limit=100").json()["items"]
    [report] = [r for r in pending if r["account_id"] == owner.user_id]
    dismissed = admin.call(
        "POST", f"/v1/admin/minor-reports/{report['id']}/dismiss", json={"reason": "ID seen"}
    )
    assert dismissed.status_code == 200, dismissed.text
    assert _book(owner, vet["id"], pet, slot, "minor-2").status_code == 201
