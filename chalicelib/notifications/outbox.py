"""The outbox: every notification is a record (queued -> sent | failed, with retries),
delivered through a channel interface so further channels (the chat-bot) plug in."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.config import OUTBOX_MAX_ATTEMPTS, OUTBOX_RETENTION, OUTBOX_RETRY_BASE
from chalicelib.notifications.channels import SesEmailSender
from chalicelib.notifications.templates import Rendered, render
from chalicelib.observability import logger
from chalicelib.store.base import BaseModel, table_name

QUEUED, SENT, FAILED, SUPPRESSED = "queued", "sent", "failed", "suppressed"
DUE = "1"


class Channel(Protocol):
    name: str

    def deliver(
        self, address: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str:
        """Send one message; return the provider's message id or raise."""
        ...


class EmailChannel:
    name = "email"

    def deliver(
        self, address: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str:
        return SesEmailSender().send_email(address, subject, body, headers)


CHANNELS: dict[str, Channel] = {"email": EmailChannel()}


@dataclass(frozen=True)
class Recipient:
    user_id: str
    email: str
    name: str
    language: str
    timezone: str


class ByRecipient(GlobalSecondaryIndex["OutboxMessage"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-recipient"
        projection = KeysOnlyProjection()

    recipient_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class DueForRetry(GlobalSecondaryIndex["OutboxMessage"]):  # type: ignore[no-untyped-call]
    """Sparse: only messages awaiting a retry carry ``due``."""

    class Meta:
        index_name = "due-for-retry"
        projection = KeysOnlyProjection()

    due = UnicodeAttribute(hash_key=True)
    next_attempt_at = UTCDateTimeAttribute(range_key=True)


class OutboxMessage(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("outbox")

    message_id = UnicodeAttribute(hash_key=True)
    recipient_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    address = UnicodeAttribute()
    template = UnicodeAttribute()
    language = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute()
    status = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    due = UnicodeAttribute(null=True)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    expires = TTLAttribute()
    # A non-essential message names its purpose; it is sent only while the recipient's
    # consent and restriction allow it, checked at each delivery attempt.
    purpose = UnicodeAttribute(null=True)
    headers = JSONAttribute(null=True)

    by_recipient = ByRecipient()
    due_for_retry = DueForRetry()


def notify(
    recipient: Recipient,
    template: str,
    *,
    instants: Mapping[str, datetime],
    values: Mapping[str, str],
    now: datetime,
    channel: str = "email",
) -> OutboxMessage:
    """Record the message in the recipient's language and zone, then try to deliver it."""
    text = render(
        template,
        language=recipient.language,
        timezone=recipient.timezone,
        name=recipient.name,
        instants=instants,
        values=values,
    )
    return send(recipient, template, text, now=now, channel=channel)


def send(
    recipient: Recipient,
    template: str,
    text: Rendered,
    *,
    now: datetime,
    channel: str = "email",
    purpose: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> OutboxMessage:
    """Record a rendered message, then try to deliver it."""
    message = OutboxMessage(
        f"msg_{secrets.token_hex(12)}",
        recipient_id=recipient.user_id,
        channel=channel,
        address=recipient.email,
        template=template,
        language=text.language,
        subject=text.subject,
        body=text.body,
        status=QUEUED,
        attempts=0,
        created_at=now,
        expires=now + OUTBOX_RETENTION,
        purpose=purpose,
        headers=dict(headers) if headers else None,
    )
    message.save(condition=OutboxMessage.message_id.does_not_exist())
    deliver(message, now)
    return message


def _permitted(message: OutboxMessage) -> bool:
    if message.purpose is None:  # booking and security messages always go out
        return True
    from chalicelib.consent.operations import permits  # lazy: consent sends through here

    return permits(message.recipient_id, message.purpose)


def deliver(message: OutboxMessage, now: datetime) -> None:
    """One delivery attempt; a failure schedules a retry with back-off until the limit."""
    attempts = int(message.attempts) + 1
    if not _permitted(message):  # consent withdrawn or processing restricted meanwhile
        message.update(
            actions=[
                OutboxMessage.status.set(SUPPRESSED),
                OutboxMessage.due.remove(),
                OutboxMessage.next_attempt_at.remove(),
            ]
        )
        return
    headers = dict(message.headers) if message.headers else None
    try:
        provider_id = CHANNELS[message.channel].deliver(
            message.address, message.subject, message.body, headers
        )
    except Exception as error:  # any channel failure is recorded, never raised to the caller
        logger.warning(
            "notification delivery failed",
            extra={"message_id": message.message_id, "error": type(error).__name__},
        )
        retry = attempts < OUTBOX_MAX_ATTEMPTS
        message.update(
            actions=[
                OutboxMessage.status.set(FAILED),
                OutboxMessage.attempts.set(attempts),
                OutboxMessage.last_error.set(type(error).__name__),
                OutboxMessage.due.set(DUE) if retry else OutboxMessage.due.remove(),
                OutboxMessage.next_attempt_at.set(now + OUTBOX_RETRY_BASE * 2 ** (attempts - 1))
                if retry
                else OutboxMessage.next_attempt_at.remove(),
            ]
        )
        return
    message.update(
        actions=[
            OutboxMessage.status.set(SENT),
            OutboxMessage.attempts.set(attempts),
            OutboxMessage.provider_message_id.set(provider_id),
            OutboxMessage.sent_at.set(now),
            OutboxMessage.due.remove(),
            OutboxMessage.next_attempt_at.remove(),
        ]
    )


def due_messages(now: datetime) -> Iterator[OutboxMessage]:
    for key in OutboxMessage.due_for_retry.query(
        DUE, range_key_condition=OutboxMessage.next_attempt_at <= now
    ):
        yield OutboxMessage.get(key.message_id, consistent_read=True)


def retry_due(now: datetime) -> int:
    """The scheduled retry: one more attempt for every message whose back-off has passed."""
    count = 0
    for message in due_messages(now):
        if message.due == DUE:
            deliver(message, now)
            count += 1
    return count
