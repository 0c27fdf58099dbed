"""Who sees what (P7), question threads, and the e-mails each side receives (P5)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.notifications.outbox import OutboxMessage
from tests.unit.booking_world import KYIV_MONDAY_9, TORONTO_MONDAY_9, World

CLIENT_KEYS = {"name", "country", "timezone"}
CONSULTANT_BOOKING_KEYS = {
    "object",
    "id",
    "status",
    "start",
    "end",
    "reason",
    "client",
    "pet",
    "cancelled_by",
    "rescheduled_from",
    "rescheduled_to",
    "created_at",
}


def _mail(user_id: str) -> list[OutboxMessage]:
    return sorted(OutboxMessage.by_recipient.query(user_id), key=lambda m: m.created_at)


def _outbox(user_id: str) -> list[OutboxMessage]:
    return [OutboxMessage.get(m.message_id) for m in _mail(user_id)]


def test_owner_sees_everything_consultant_sees_exactly_the_allowed_keys(world: World) -> None:
    _, created = world.book("owner_a", KYIV_MONDAY_9, reason="limping since Friday")
    path = f"/v1/bookings/{created['id']}"
    status, mine = world.call("GET", path, "owner_a")
    assert status == 200
    assert mine["consultant"]["id"] == "vet-a"
    assert mine["pet"]["id"] == world.pets["owner_a"]
    assert mine["price"] == {"amount": 50000, "currency": "UAH"}
    states = []
    for step in ("pending", "cancelled"):
        status, theirs = world.call("GET", path, "vet_a")
        assert status == 200
        assert set(theirs) == CONSULTANT_BOOKING_KEYS
        assert theirs["client"] == {
            "name": "Ana Owner",
            "country": "US",
            "timezone": "Pacific/Honolulu",
        }
        assert set(theirs["client"]) == CLIENT_KEYS
        assert theirs["pet"]["name"] == "Rex"
        assert "id" not in theirs["pet"]
        assert theirs["reason"] == "limping since Friday"
        assert "owner-a" not in str(theirs)
        assert "@" not in str(theirs)
        states.append(theirs["status"])
        if step == "pending":
            world.call("POST", f"{path}/cancel", "owner_a")
    assert states == ["pending_payment", "cancelled"]


@pytest.mark.parametrize("stranger", ["owner_b", "vet_b", "admin"])
def test_anyone_else_gets_404_on_a_booking(world: World, stranger: str) -> None:
    _, created = world.book("owner_a", KYIV_MONDAY_9)
    path = f"/v1/bookings/{created['id']}"
    assert world.call("GET", path, stranger)[0] == 404
    if stranger != "admin":
        assert world.call("POST", f"{path}/cancel", stranger)[0] == 404
        assert world.call("POST", f"{path}/room", stranger)[0] == 404
    assert world.call("GET", "/v1/bookings/bk_doesnotexist", "owner_a")[0] == 404


def test_question_thread_between_owner_and_chosen_consultant_only(world: World) -> None:
    status, q = world.call(
        "POST",
        "/v1/questions",
        "owner_a",
        {"consultant_id": "vet-a", "pet_id": world.pets["owner_a"], "text": "Is chocolate bad?"},
    )
    assert status == 201, q
    assert [m["author"] for m in q["messages"]] == ["owner"]
    path = f"/v1/questions/{q['id']}"
    status, reply = world.call("POST", f"{path}/messages", "vet_a", {"text": "Yes, very."})
    assert (status, reply["author"], reply["text"]) == (201, "consultant", "Yes, very.")
    status, theirs = world.call("GET", path, "vet_a")
    assert status == 200
    assert set(theirs["client"]) == CLIENT_KEYS
    assert "consultant" not in theirs
    assert "owner-a" not in str(theirs)
    assert "@" not in str(theirs)
    status, mine = world.call("GET", path, "owner_a")
    assert [m["text"] for m in mine["messages"]] == ["Is chocolate bad?", "Yes, very."]
    assert mine["consultant"]["name"] == "Dr. Vira"
    for stranger in ("owner_b", "vet_b"):
        assert world.call("GET", path, stranger)[0] == 404
        assert world.call("POST", f"{path}/messages", stranger, {"text": "hi"})[0] == 404
    status, _problem = world.call(
        "POST",
        "/v1/questions",
        "owner_a",
        {"consultant_id": "vet-a", "pet_id": world.pets["owner_b"], "text": "?"},
    )
    assert status == 404


def test_question_messages_notify_the_other_side(world: World) -> None:
    _, q = world.call(
        "POST",
        "/v1/questions",
        "owner_b",
        {"consultant_id": "vet-b", "pet_id": world.pets["owner_b"], "text": "Cough"},
    )
    to_vet = _outbox("vet-b")
    assert len(to_vet) == 1
    assert to_vet[0].language == "ru"
    assert "Bohdan Owner" in to_vet[0].body
    assert "Cough" not in to_vet[0].body
    world.call("POST", f"/v1/questions/{q['id']}/messages", "vet_b", {"text": "Since when?"})
    to_owner = _outbox("owner-b")
    assert [m.language for m in to_owner] == ["uk"]
    assert "Dr. Tom" in to_owner[0].body
    assert _outbox("vet-b")[-1].message_id == to_vet[0].message_id  # author not notified


def test_status_e_mails_in_each_recipients_language_and_zone(world: World) -> None:
    # free Toronto consultant: confirmed at once, both sides hear of it
    _, created = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    owner_mail, vet_mail = _outbox("owner-a"), _outbox("vet-b")
    assert [m.template for m in owner_mail] == ["booking_confirmed"]
    assert [m.template for m in vet_mail] == ["booking_confirmed"]
    assert owner_mail[0].status == vet_mail[0].status == "sent"
    # 13:00Z is 03:00 Monday in Honolulu (owner, English) and 09:00 in Toronto (vet, Russian)
    assert "1 June 2026, 03:00" in owner_mail[0].body
    assert "Consultation confirmed" in owner_mail[0].subject
    assert "1 июня 2026, 09:00" in vet_mail[0].body
    assert "Консультация подтверждена" in vet_mail[0].subject
    world.clock.shift(timedelta(minutes=5))
    world.call("POST", f"/v1/bookings/{created['id']}/cancel", "vet_b")
    assert [m.template for m in _outbox("owner-a")][-1] == "booking_cancelled"
    assert len(_outbox("vet-b")) == 1  # the side that cancelled is not told


def test_reschedule_and_expiry_e_mails(world: World) -> None:
    _, created = world.book("owner_b", KYIV_MONDAY_9)
    assert _outbox("vet-a") == []  # an unpaid hold is not news for the consultant
    world.call(
        "POST",
        f"/v1/bookings/{created['id']}/reschedule",
        "owner_b",
        {"start": "2026-06-02T06:00:00Z"},
    )
    (moved,) = _outbox("vet-a")
    assert moved.template == "booking_rescheduled"
    assert "1 червня 2026, 09:00" in moved.body
    assert "2 червня 2026, 09:00" in moved.body
    world.clock.shift(timedelta(minutes=20))
    from datetime import UTC, datetime

    from chalicelib.jobs.holds import run

    assert run(datetime.now(UTC)) == {"holds_expired": 1}
    assert [m.template for m in _outbox("owner-b")] == ["booking_expired"]
    assert _outbox("owner-b")[0].language == "uk"


def test_a_failing_notice_does_not_undo_the_change(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.bookings import notices

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("outbox table unavailable")

    monkeypatch.setattr(notices, "notify", broken)
    status, body = world.book("owner_a", TORONTO_MONDAY_9, consultant="vet_b")
    assert (status, body["status"]) == (201, "confirmed")


def test_question_lists_per_side(world: World) -> None:
    asked = []
    for text in ("first", "second", "third"):
        world.clock.shift(timedelta(minutes=1))
        _, q = world.call(
            "POST",
            "/v1/questions",
            "owner_a",
            {"consultant_id": "vet-a", "pet_id": world.pets["owner_a"], "text": text},
        )
        asked.append(q["id"])
    status, page = world.call("GET", "/v1/questions?limit=2", "owner_a")
    assert status == 200, page
    assert [q["id"] for q in page["items"]] == asked[:0:-1]
    _, rest = world.call("GET", f"/v1/questions?cursor={page['next_cursor']}", "owner_a")
    assert [q["id"] for q in rest["items"]] == asked[:1]
    _, theirs = world.call("GET", "/v1/questions", "vet_a")
    assert [set(q["client"]) for q in theirs["items"]] == [CLIENT_KEYS] * 3
    assert world.call("GET", "/v1/questions", "vet_b")[1]["items"] == []
    assert world.call("GET", "/v1/questions", "owner_b")[1]["items"] == []
    status, problem = world.call("GET", f"/v1/questions?cursor={page['next_cursor']}", "owner_b")
    assert (status, problem["code"]) == (400, "invalid_cursor")
