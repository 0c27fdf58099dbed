"""Privacy requests (P20): due one calendar month later, answered, closed or extended
once by support, overdue ones counted by the job; the user replies in the thread;
support's actions (its queue too) are in the user's access log and an answer or an
extension is e-mailed to the user with a link to the request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from chalicelib.config import get_settings
from chalicelib.jobs import privacy_requests as overdue_job
from chalicelib.notifications.outbox import OutboxMessage
from tests.unit.booking_world import World


def _open(world: World, who: str = "owner_a", kind: str = "access") -> dict[str, Any]:
    body = {"kind": kind, "message": "Which data do you hold about me?"}
    status, out = world.call("POST", "/v1/privacy-requests", who, body)
    assert status == 201, out
    return dict(out)


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        ("2027-01-31T10:00:00Z", "2027-02-28T10:00:00Z"),
        ("2028-01-31T10:00:00Z", "2028-02-29T10:00:00Z"),  # a leap year
        ("2028-02-29T10:00:00Z", "2028-03-29T10:00:00Z"),
        ("2027-03-31T23:30:00Z", "2027-04-30T23:30:00Z"),
        ("2027-12-15T08:00:00Z", "2028-01-15T08:00:00Z"),
    ],
)
def test_the_answer_is_due_one_calendar_month_later(world: World, opened: str, due: str) -> None:
    world.clock.move_to(datetime.fromisoformat(opened))
    out = _open(world)
    assert (out["status"], out["opened_at"], out["due_at"]) == ("open", opened, due)
    assert out["overdue"] is False
    assert out["messages"] == [
        {"at": opened, "author": "user", "text": "Which data do you hold about me?"}
    ]


def test_the_user_reads_their_own_request_only(world: World) -> None:
    out = _open(world)
    status, mine = world.call("GET", f"/v1/privacy-requests/{out['id']}", "owner_a")
    assert (status, mine) == (200, out)
    for stranger in ("owner_b", "vet_a"):
        assert world.call("GET", f"/v1/privacy-requests/{out['id']}", stranger)[0] == 404
    status, problem = world.call(
        "POST", "/v1/privacy-requests", "owner_a", {"kind": "gossip", "message": "x"}
    )
    assert (status, problem["code"]) == (400, "validation_error")


def test_support_answers_and_closes_and_the_user_sees_the_thread(world: World) -> None:
    out = _open(world)
    path = f"/v1/admin/privacy-requests/{out['id']}"
    status, answered = world.call("POST", f"{path}/answer", "admin", {"message": "See export."})
    assert status == 200, answered
    assert answered["status"] == "answered"
    status, closed = world.call("POST", f"{path}/close", "admin", {})
    assert (status, closed["status"], closed["closed_at"]) == (
        200,
        "closed",
        "2026-05-31T12:00:00Z",
    )
    status, mine = world.call("GET", f"/v1/privacy-requests/{out['id']}", "owner_a")
    assert [(m["author"], m["text"]) for m in mine["messages"]] == [
        ("user", "Which data do you hold about me?"),
        ("support", "See export."),
    ]
    status, problem = world.call("POST", f"{path}/answer", "admin", {"message": "More."})
    assert (status, problem["code"]) == (409, "request_closed")
    status, problem = world.call("POST", f"{path}/answer", "owner_a", {"message": "Me."})
    assert (status, problem["code"]) == (403, "forbidden")
    status, log = world.call("GET", "/v1/me/access-log", "owner_a")
    assert [(e["actor_role"], e["action"]) for e in log["items"]] == [
        ("support", "close"),
        ("support", "answer"),
    ]


def test_an_extension_moves_the_due_date_once_and_tells_the_user(world: World) -> None:
    world.clock.move_to(datetime(2027, 1, 31, 9, 0, tzinfo=UTC))
    out = _open(world)
    path = f"/v1/admin/privacy-requests/{out['id']}/extend"
    body = {"months": 2, "reason": "Your request covers five years of records."}
    status, extended = world.call("POST", path, "admin", body)
    assert status == 200, extended
    assert (extended["due_at"], extended["extended"]) == ("2027-04-28T09:00:00Z", True)
    assert extended["extension_reason"] == body["reason"]
    status, mine = world.call("GET", f"/v1/privacy-requests/{out['id']}", "owner_a")
    assert mine["due_at"] == "2027-04-28T09:00:00Z"
    [mail] = [m for m in OutboxMessage.scan() if m.template == "privacy_request_extended"]
    assert mail.address == "owner-a@example.com"
    assert "five years of records" in mail.body
    assert f"/privacy-requests/{out['id']}" in mail.body
    assert "2027" in mail.subject
    status, problem = world.call("POST", path, "admin", {"months": 1, "reason": "Again."})
    assert (status, problem["code"]) == (409, "already_extended")
    status, problem = world.call("POST", path, "admin", {"months": 3, "reason": "Long."})
    assert (status, problem["code"]) == (400, "validation_error")
    status, unknown = world.call(
        "POST", "/v1/admin/privacy-requests/prq_nope/extend", "admin", body
    )
    assert (status, unknown["code"]) == (404, "not_found")


def test_overdue_requests_are_flagged_and_counted_until_answered(world: World) -> None:
    first = _open(world)
    world.clock.shift(timedelta(days=10))
    second = _open(world, "owner_b", "erasure")
    status, queue = world.call("GET", "/v1/admin/privacy-requests", "admin")
    assert [r["id"] for r in queue["items"]] == [first["id"], second["id"]]
    later = datetime(2026, 7, 2, 12, 0, tzinfo=UTC)  # first due 30 June, second 10 July
    assert overdue_job.run(later) == {"overdue": 1}
    with time_machine.travel(later, tick=False):
        status, mine = world.call("GET", f"/v1/privacy-requests/{first['id']}", "owner_a")
        assert (status, mine["overdue"]) == (200, True)
        world.call(
            "POST", f"/v1/admin/privacy-requests/{first['id']}/answer", "admin", {"message": "Ok"}
        )
    assert overdue_job.run(later) == {"overdue": 0}
    assert overdue_job.run(later + timedelta(days=9)) == {"overdue": 1}


def _mails(template: str) -> list[OutboxMessage]:
    return [m for m in OutboxMessage.scan() if m.template == template]


def test_an_answer_is_e_mailed_with_a_link_and_without_its_text(world: World) -> None:
    out = _open(world)
    path = f"/v1/admin/privacy-requests/{out['id']}/answer"
    assert _mails("privacy_request_answered") == []
    answer = {"message": "We hold your name, e-mail and two bookings."}
    assert world.call("POST", path, "admin", answer)[0] == 200
    [mail] = _mails("privacy_request_answered")
    assert (mail.address, mail.channel) == ("owner-a@example.com", "email")
    assert f"{get_settings().web_url}/privacy-requests/{out['id']}" in mail.body
    assert "two bookings" not in mail.body + mail.subject
    assert "answer" in mail.subject
    world.call("POST", f"/v1/admin/privacy-requests/{out['id']}/close", "admin", {})
    assert len(_mails("privacy_request_answered")) == 1  # a bare close is not an answer


def test_closing_with_a_message_is_e_mailed_like_an_answer(world: World) -> None:
    out = _open(world)
    close = f"/v1/admin/privacy-requests/{out['id']}/close"
    assert world.call("POST", close, "admin", {"message": "Done: your data is erased."})[0] == 200
    [mail] = _mails("privacy_request_answered")
    assert f"/privacy-requests/{out['id']}" in mail.body
    assert "erased" not in mail.body + mail.subject


def test_the_user_replies_and_an_answered_request_waits_again(world: World) -> None:
    out = _open(world)
    mine = f"/v1/privacy-requests/{out['id']}/messages"
    admin = f"/v1/admin/privacy-requests/{out['id']}"
    world.call("POST", f"{admin}/answer", "admin", {"message": "See your export."})
    world.clock.shift(60)
    status, replied = world.call("POST", mine, "owner_a", {"message": "The export is empty."})
    assert status == 201, replied
    assert (replied["status"], replied["due_at"]) == ("open", out["due_at"])
    assert [(m["at"], m["author"], m["text"]) for m in replied["messages"]] == [
        ("2026-05-31T12:00:00Z", "user", "Which data do you hold about me?"),
        ("2026-05-31T12:00:00Z", "support", "See your export."),
        ("2026-05-31T12:01:00Z", "user", "The export is empty."),
    ]
    assert world.call("GET", f"/v1/privacy-requests/{out['id']}", "owner_a")[1] == replied
    status, queue = world.call("GET", "/v1/admin/privacy-requests", "admin")
    assert [r["id"] for r in queue["items"]] == [out["id"]]
    status, again = world.call("POST", mine, "owner_a", {"message": "Still there?"})
    assert (status, again["status"], len(again["messages"])) == (201, "open", 4)


def test_a_reply_to_a_closed_or_anothers_request_is_refused(world: World) -> None:
    out = _open(world)
    mine = f"/v1/privacy-requests/{out['id']}/messages"
    for stranger in ("owner_b", "vet_a"):
        status, problem = world.call("POST", mine, stranger, {"message": "Let me in."})
        assert (status, problem["code"]) == (404, "not_found")
    status, problem = world.call(
        "POST", "/v1/privacy-requests/prq_nope/messages", "owner_a", {"message": "Hi"}
    )
    assert (status, problem["code"]) == (404, "not_found")
    status, problem = world.call("POST", mine, "owner_a", {"message": " "})
    assert (status, problem["code"]) == (400, "validation_error")
    world.call("POST", f"/v1/admin/privacy-requests/{out['id']}/close", "admin", {})
    status, problem = world.call("POST", mine, "owner_a", {"message": "One more thing."})
    assert (status, problem["code"]) == (409, "request_closed")
    status, after = world.call("GET", f"/v1/privacy-requests/{out['id']}", "owner_a")
    assert len(after["messages"]) == 1


def test_support_s_queue_is_in_each_listed_users_access_log(world: World) -> None:
    first, second = _open(world), _open(world, "owner_b", "erasure")
    status, queue = world.call("GET", "/v1/admin/privacy-requests", "admin")
    assert (status, len(queue["items"])) == (200, 2)
    for who, request in (("owner_a", first), ("owner_b", second)):
        status, log = world.call("GET", "/v1/me/access-log", who)
        assert [(e["actor_role"], e["action"], e["resource"]) for e in log["items"]] == [
            ("support", "list_privacy_requests", f"privacy-request/{request['id']}")
        ]
