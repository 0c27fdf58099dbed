"""The outbox: every notification is recorded; failures are retried with back-off."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.config import OUTBOX_MAX_ATTEMPTS
from chalicelib.notifications import outbox
from chalicelib.notifications.outbox import OutboxMessage, Recipient, notify, retry_due

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
ANNA = Recipient("u-1", "anna@example.com", "Anna", "ru", "Europe/Warsaw")


class Flaky:
    name = "email"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[tuple[str, str]] = []

    def deliver(
        self, address: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("provider down")
        self.sent.append((address, subject))
        return f"provider-{len(self.sent)}"


@pytest.fixture
def channel(aws: None, monkeypatch: pytest.MonkeyPatch) -> Flaky:
    flaky = Flaky(failures=0)
    monkeypatch.setitem(outbox.CHANNELS, "email", flaky)
    return flaky


def _send(key: str | None = None) -> OutboxMessage:
    (message,) = notify(
        ANNA,
        "booking_cancelled",
        instants={"when": NOW},
        values={"counterpart": "Dr. X", "pet": "Rex"},
        now=NOW,
        key=key,
    )
    return message


def test_a_delivered_message_is_recorded_as_sent(channel: Flaky) -> None:
    message = OutboxMessage.get(_send().message_id)
    assert (message.status, message.attempts, message.due) == ("sent", 1, None)
    assert message.provider_message_id == "provider-1"
    assert message.language == "ru"
    assert "12:00" in message.body  # 10:00Z in Warsaw (UTC+2)
    assert channel.sent == [("anna@example.com", message.subject)]


def test_failures_are_retried_with_back_off_until_sent(channel: Flaky) -> None:
    channel.failures = 2
    first = OutboxMessage.get(_send().message_id)
    assert (first.status, first.attempts, first.due) == ("failed", 1, "1")
    assert first.last_error == "ConnectionError"
    assert retry_due(NOW + timedelta(seconds=59))["retried"] == 0  # back-off not over yet
    assert retry_due(NOW + timedelta(minutes=1))["retried"] == 1
    second = OutboxMessage.get(first.message_id)
    assert (second.status, second.attempts) == ("failed", 2)
    assert second.next_attempt_at == NOW + timedelta(minutes=1) + timedelta(minutes=2)
    assert retry_due(NOW + timedelta(minutes=3))["retried"] == 1
    done = OutboxMessage.get(first.message_id)
    assert (done.status, done.attempts, done.due, done.next_attempt_at) == ("sent", 3, None, None)
    assert retry_due(NOW + timedelta(days=1))["retried"] == 0


def test_retries_stop_at_the_limit_in_the_dead_letter_state(channel: Flaky) -> None:
    channel.failures = 100
    message = _send()
    later, dead = NOW, 0
    for _ in range(OUTBOX_MAX_ATTEMPTS):
        later += timedelta(days=1)
        dead += retry_due(later)["dead_lettered"]
    stored = OutboxMessage.get(message.message_id)
    assert (stored.status, stored.attempts, stored.due) == ("dead", OUTBOX_MAX_ATTEMPTS, None)
    assert dead == 1
    assert retry_due(later + timedelta(days=30)) == {"retried": 0, "dead_lettered": 0}


def test_the_same_key_records_and_sends_once(channel: Flaky) -> None:
    first = _send(key="bk_1.v2.owner")
    assert (
        notify(
            ANNA,
            "booking_cancelled",
            instants={"when": NOW},
            values={"counterpart": "Dr. X", "pet": "Rex"},
            now=NOW,
            key="bk_1.v2.owner",
        )
        == []
    )
    assert OutboxMessage.get(first.message_id).status == "sent"
    assert len(channel.sent) == 1


def test_a_record_whose_sender_died_before_sending_is_sent_by_the_retry(
    channel: Flaky, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "deliver", lambda message, now: None)  # the process dies here
    message = _send()
    monkeypatch.undo()
    monkeypatch.setitem(outbox.CHANNELS, "email", channel)
    assert OutboxMessage.get(message.message_id).status == "queued"
    assert retry_due(NOW + timedelta(seconds=30))["retried"] == 0  # the sender may still send
    assert retry_due(NOW + timedelta(minutes=1))["retried"] == 1
    assert OutboxMessage.get(message.message_id).status == "sent"
    assert len(channel.sent) == 1


def test_two_senders_of_one_attempt_send_it_once(channel: Flaky) -> None:
    channel.failures = 1
    message = OutboxMessage.get(_send().message_id)
    late = NOW + timedelta(minutes=1)
    twin = OutboxMessage.get(message.message_id)
    outbox.deliver(message, late)
    outbox.deliver(twin, late)  # read the same attempt counter: its claim fails
    assert len(channel.sent) == 1
    assert OutboxMessage.get(message.message_id).attempts == 2
