"""Minor reports (P12): anyone reports; the reported account cannot book or ask while the
report waits; support confirms (the account is closed and its erasure recorded) or
dismisses (the restriction ends with the last waiting report)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.accounts.models import User
from chalicelib.config import MINOR_REPORT_WINDOW, MINOR_REPORTS_PER_IP
from chalicelib.minor_reports.models import MinorReport
from chalicelib.privacy.models import ErasureRequest
from tests.unit.booking_world import KYIV_MONDAY_9, KYIV_MONDAY_10, World

REASON = "Says in the chat that she is in 9th grade."


def _report(world: World, email: str = "owner-a@example.com", **extra: Any) -> None:
    body = {"account_email": email, "reason": REASON, **extra}
    status, out = world.call("POST", "/v1/minor-reports", None, body)
    assert (status, out) == (202, {"status": "received"})


def _pending(world: World) -> list[dict[str, Any]]:
    status, out = world.call("GET", "/v1/admin/minor-reports", "admin")
    assert status == 200, out
    return list(out["items"])


def _ask(world: World) -> tuple[int, Any]:
    body = {"consultant_id": "vet-a", "pet_id": world.pets["owner_a"], "text": "Fleas?"}
    return world.call("POST", "/v1/questions", "owner_a", body)


def test_anyone_reports_and_the_account_is_restricted_until_decided(world: World) -> None:
    _report(world, "Owner-A@Example.com", reporter_email="teacher@school.example")
    [report] = _pending(world)
    assert (report["account_id"], report["status"], report["reason"]) == (
        "owner-a",
        "pending",
        REASON,
    )
    assert report["reporter_email"] == "teacher@school.example"
    status, problem = world.book("owner_a", KYIV_MONDAY_9)
    assert (status, problem["code"]) == (403, "account_under_review")
    status, problem = _ask(world)
    assert (status, problem["code"]) == (403, "account_under_review")
    assert world.book("owner_b", KYIV_MONDAY_9)[0] == 201  # nobody else is affected
    # The account still works otherwise: the user sees their data and may export it.
    assert world.call("GET", "/v1/bookings", "owner_a")[0] == 200
    assert world.call("GET", "/v1/me/access-log", "owner_a")[0] == 200


def test_an_unknown_address_gets_the_same_answer_and_stores_nothing(world: World) -> None:
    _report(world, "nobody@example.com", reporter_email="someone@example.com")
    assert list(MinorReport.scan()) == []
    status, problem = world.call(
        "POST", "/v1/minor-reports", None, {"account_email": "not-an-address", "reason": "x"}
    )
    assert (status, problem["code"]) == (400, "validation_error")


def test_dismissing_lifts_the_restriction_with_the_last_report(world: World) -> None:
    _report(world)
    world.clock.shift(60)
    _report(world)
    first, second = _pending(world)
    path = "/v1/admin/minor-reports/{}/dismiss"
    status, out = world.call("POST", path.format(first["id"]), "admin", {"reason": "Adult ID"})
    assert (status, out["status"], out["decision_reason"]) == (200, "dismissed", "Adult ID")
    assert world.book("owner_a", KYIV_MONDAY_9)[1]["code"] == "account_under_review"
    status, out = world.call("POST", path.format(second["id"]), "admin", {})
    assert (status, out["status"], out["decided_at"]) == (200, "dismissed", "2026-05-31T12:01:00Z")
    assert _pending(world) == []
    assert world.book("owner_a", KYIV_MONDAY_10)[0] == 201
    assert _ask(world)[0] == 201
    status, problem = world.call("POST", path.format(first["id"]), "admin", {})
    assert (status, problem["code"]) == (409, "report_decided")
    status, log = world.call("GET", "/v1/me/access-log", "owner_a")
    actions = ["dismiss minor report", "dismiss minor report", "list_minor_reports"]
    assert [e["action"] for e in log["items"]] == actions
    listed = log["items"][-1]  # one entry for both reports; the empty queue logs nothing
    assert (listed["actor_role"], listed["resource"]) == (
        "support",
        f"minor-report/{first['id']}, minor-report/{second['id']}",
    )


def test_confirming_closes_the_account_and_records_its_erasure(world: World) -> None:
    _report(world)
    [report] = _pending(world)
    path = f"/v1/admin/minor-reports/{report['id']}"
    status, problem = world.call("POST", f"{path}/confirm", "admin", {})
    assert (status, problem["code"]) == (400, "validation_error")  # a reason is required
    status, problem = world.call("POST", f"{path}/confirm", "owner_b", {"reason": "x"})
    assert (status, problem["code"]) == (403, "forbidden")
    status, out = world.call("POST", f"{path}/confirm", "admin", {"reason": "Birth certificate"})
    assert status == 200, out
    assert (out["status"], out["decision_reason"]) == ("confirmed", "Birth certificate")
    erasure = ErasureRequest.get(out["erasure_id"])
    assert (erasure.user_id, erasure.reason) == ("owner-a", "minor report: Birth certificate")
    assert User.get("owner-a").erasure_id == out["erasure_id"]
    assert _pending(world) == []
    status, problem = world.call("POST", f"{path}/dismiss", "admin", {})
    assert (status, problem["code"]) == (409, "report_decided")
    status, problem = world.call(
        "POST", "/v1/admin/minor-reports/mr_nope/confirm", "admin", {"reason": "x"}
    )
    assert (status, problem["code"]) == (404, "not_found")


def test_one_address_may_send_only_so_many_reports_an_hour(world: World) -> None:
    for n in range(MINOR_REPORTS_PER_IP):
        # known and unknown addresses count alike: the limit reveals nothing
        _report(world, "owner-a@example.com" if n % 2 else f"nobody{n}@example.com")
    body = {"account_email": "owner-b@example.com", "reason": REASON}
    refused = world.client.http.request(
        "POST",
        "/v1/minor-reports",
        headers={"Content-Type": "application/json"},
        body=json.dumps(body).encode(),
    )
    assert (refused.status_code, json.loads(refused.body)["code"]) == (429, "too_many_reports")
    assert refused.headers["Retry-After"] == "3600"
    assert [r["account_id"] for r in _pending(world)] == ["owner-a"] * (MINOR_REPORTS_PER_IP // 2)
    world.clock.shift(MINOR_REPORT_WINDOW)
    _report(world, "owner-b@example.com")
