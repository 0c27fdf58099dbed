"""The Telegram chat-bot channel (P5): linking by a one-time token through the webhook,
the secret header, delivery through the Bot API with its status in the outbox, and a
blocked bot unlinking the chat."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from chalice.test import Client

from chalicelib.accounts.models import User
from chalicelib.accounts.tokens import issue_access_token
from chalicelib.notifications import chatlinks, outbox
from chalicelib.notifications.outbox import OutboxMessage, Recipient, notify
from chalicelib.notifications.restriction import is_restricted
from local.telegram_standin import BotStandIn
from tests.unit.notifications.conftest import BOT

# The Bot API stand-in listens on loopback: the one host these tests may reach.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
WEBHOOK = "/v1/chatbot/telegram/webhook"
OLENA = Recipient("u-olena", "olena@example.com", "Olena Petrenko", "uk", "Europe/Kyiv")
CHAT = 777001


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def olena(bot: BotStandIn) -> User:
    user = User(
        OLENA.user_id,
        email=OLENA.email,
        email_verified=True,
        role="owner",
        name=OLENA.name,
        country="UA",
        timezone=OLENA.timezone,
        language="uk",
        created_at=NOW,
    )
    user.save()
    return user


def _call(
    client: Client, method: str, path: str, user: User | None, body: Any = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if user is not None:
        token, _ = issue_access_token(user.user_id, user.role, datetime.now(UTC))
        headers["Authorization"] = f"Bearer {token}"
    payload = json.dumps(body) if body is not None else ""
    response = client.http.request(method, path, headers=headers, body=payload)
    return response.status_code, json.loads(response.body) if response.body else None


def _says(
    client: Client, text: str, chat: int = CHAT, secret: str | None = BOT["webhook_secret"]
) -> tuple[int, Any]:
    update = {
        "update_id": 1,
        "message": {
            "message_id": 5,
            "from": {"id": chat, "is_bot": False, "first_name": "O", "language_code": "en"},
            "chat": {"id": chat, "type": "private", "first_name": "O"},
            "date": 1,
            "text": text,
        },
    }
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    response = client.http.request("POST", WEBHOOK, headers=headers, body=json.dumps(update))
    return response.status_code, json.loads(response.body) if response.body else None


def _link_token(client: Client, user: User) -> str:
    status, body = _call(client, "POST", "/v1/me/chat-links", user, {"channel": "telegram"})
    assert status == 201, body
    link = urlparse(body["link"])
    assert (link.scheme, link.netloc, link.path) == ("https", "t.me", "/VetPetTestBot")
    assert body["expires_at"] == "2026-06-01T09:15:00Z"
    return parse_qs(link.query)["start"][0]


def test_start_with_the_token_links_the_chat_and_answers_in_the_users_language(
    client: Client, olena: User, clock: Any
) -> None:
    token = _link_token(client, olena)
    status, answer = _says(client, f"/start {token}")
    assert status == 200
    assert (answer["method"], answer["chat_id"]) == ("sendMessage", CHAT)
    assert "Сповіщення VetPet увімкнено" in answer["text"]
    status, links = _call(client, "GET", "/v1/me/chat-links", olena)
    assert status == 200
    assert links == {
        "items": [{"channel": "telegram", "linked_at": "2026-06-01T09:00:00Z"}],
        "next_cursor": None,
    }


def test_a_used_token_does_not_link_another_chat(client: Client, olena: User, clock: Any) -> None:
    token = _link_token(client, olena)
    _says(client, f"/start {token}")
    _, answer = _says(client, f"/start {token}", chat=CHAT + 1)
    assert "expired or was already used" in answer["text"]
    assert chatlinks.chats_of(olena.user_id) == [("telegram", str(CHAT))]


def test_an_expired_token_does_not_link(client: Client, olena: User, clock: Any) -> None:
    token = _link_token(client, olena)
    clock.shift(timedelta(minutes=15))
    _, answer = _says(client, f"/start {token}")
    assert "expired or was already used" in answer["text"]
    assert chatlinks.chats_of(olena.user_id) == []


@pytest.mark.parametrize("secret", [None, "", "s3cret-header-valuX", BOT["webhook_secret"] + "x"])
def test_a_webhook_call_without_the_secret_is_401_and_links_nothing(
    client: Client, olena: User, clock: Any, secret: str | None
) -> None:
    token = _link_token(client, olena)
    status, problem = _says(client, f"/start {token}", secret=secret)
    assert (status, problem["code"]) == (401, "invalid_webhook_secret")
    assert chatlinks.chats_of(olena.user_id) == []


def test_stop_and_delete_unlink(client: Client, olena: User, clock: Any) -> None:
    _says(client, f"/start {_link_token(client, olena)}")
    _, answer = _says(client, "/stop")
    assert "off in this chat" in answer["text"]
    assert chatlinks.chats_of(olena.user_id) == []
    _says(client, f"/start {_link_token(client, olena)}")
    assert _call(client, "DELETE", "/v1/me/chat-links/telegram", olena)[0] == 204
    status, problem = _call(client, "DELETE", "/v1/me/chat-links/telegram", olena)
    assert (status, problem["code"]) == (404, "not_found")


def _link(user_id: str, chat: int = CHAT) -> None:
    token = chatlinks.new_token(user_id, "telegram", NOW)
    assert chatlinks.redeem("telegram", token.token, str(chat), NOW) == user_id


def _notify(key: str = "bk_1.v2.owner") -> dict[str, OutboxMessage]:
    sent = notify(
        OLENA,
        "booking_confirmed",
        instants={"when": NOW + timedelta(days=1)},
        values={"counterpart": "Dr. Vira Secret", "pet": "Murka"},
        now=NOW,
        key=key,
    )
    return {m.channel: OutboxMessage.get(m.message_id) for m in sent}


def test_a_notice_goes_to_the_email_and_the_linked_chat_with_only_name_time_status(
    bot: BotStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(outbox.CHANNELS, "email", _Quiet())
    _link(OLENA.user_id)
    records = _notify()
    assert set(records) == {"email", "telegram"}
    chat = records["telegram"]
    assert (chat.status, chat.address, chat.provider_message_id) == ("sent", str(CHAT), "1")
    (message,) = bot.sent
    assert message["to"] == str(CHAT)
    assert message["body"] == "Olena, вашу консультацію 2 червня 2026, 12:00 підтверджено."
    for private in ("Petrenko", "Murka", "Dr. Vira", "olena@example.com"):
        assert private not in message["body"]


def test_a_chat_that_blocked_the_bot_is_unlinked_and_its_message_dead_lettered(
    bot: BotStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(outbox.CHANNELS, "email", _Quiet())
    _link(OLENA.user_id)
    bot.blocked.add(str(CHAT))
    chat = _notify()["telegram"]
    assert (chat.status, chat.last_error, chat.due) == ("dead", "PermanentFailure", None)
    assert chatlinks.chats_of(OLENA.user_id) == []
    assert bot.sent == []


def test_a_restricted_user_is_told_by_e_mail_only_until_the_restriction_is_lifted(
    client: Client, olena: User, bot: BotStandIn, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The restriction the user sets through the consent capability is the one the
    outbox reads (`notifications.restriction.is_restricted`)."""
    monkeypatch.setitem(outbox.CHANNELS, "email", _Quiet())
    _link(OLENA.user_id)
    restrict = {"restricted": True}
    assert _call(client, "PUT", "/v1/me/restriction", olena, restrict)[0] == 200
    assert is_restricted(OLENA.user_id) is True
    assert set(_notify("bk_1.v2.owner")) == {"email"}
    assert bot.sent == []
    lift = {"restricted": False}
    assert _call(client, "PUT", "/v1/me/restriction", olena, lift)[0] == 200
    assert is_restricted(OLENA.user_id) is False
    assert set(_notify("bk_1.v3.owner")) == {"email", "telegram"}
    assert len(bot.sent) == 1


class _Quiet:
    """An e-mail channel that accepts everything (these tests are about the chat)."""

    name = "email"

    def deliver(
        self, address: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str:
        return "mail-1"
