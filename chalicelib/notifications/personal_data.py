"""A user's notifications and chat links, for export and erasure
(`chalicelib/privacy/registry.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from typing import Any

from chalicelib.notifications.chatlinks import ChatLink, ChatLinkToken
from chalicelib.notifications.outbox import OutboxMessage
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.records import delete_all, records


def _loaded(message_ids: Iterator[str]) -> Iterator[OutboxMessage]:
    for message_id in message_ids:
        with suppress(OutboxMessage.DoesNotExist):
            yield OutboxMessage.get(message_id, consistent_read=True)


def _messages(subject: Subject) -> list[OutboxMessage]:
    """Sent to the user (by id), and account e-mails recorded by address alone."""
    ids = {key.message_id for key in OutboxMessage.by_recipient.query(subject.user_id)}
    ids |= {key.message_id for key in OutboxMessage.by_address.query(subject.email)}
    return list(_loaded(iter(sorted(ids))))


def forget_notices(about: str, consultant_id: str) -> int:
    """Remove what the consultant was sent about a booking or a question thread (it names
    the owner): the notices keyed ``msg_<booking or question id>.``; how many."""
    prefix = f"msg_{about}."
    told = (
        key.message_id
        for key in OutboxMessage.by_recipient.query(consultant_id)
        if key.message_id.startswith(prefix)
    )
    return delete_all(_loaded(told))


class Notifications:
    models = ("OutboxMessage", "ChatLink", "ChatLinkToken")

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {
            "notifications": records(_messages(subject)),
            "chat_links": records(ChatLink.query(subject.user_id, consistent_read=True)),
        }

    def erase(self, subject: Subject, now: datetime) -> None:
        delete_all(_messages(subject))
        delete_all(ChatLink.query(subject.user_id, consistent_read=True))
        tokens = (
            ChatLinkToken(key.token_hash) for key in ChatLinkToken.user_index.query(subject.user_id)
        )
        delete_all(tokens)


notifications = Notifications()
