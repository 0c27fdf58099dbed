"""The outbox: every notification is a record per channel (queued -> sent | failed ->
... -> dead, or suppressed), delivered through a channel interface (e-mail, the
Telegram chat-bot).

A record is written before it is sent and carries ``due`` from birth, so a process that
dies before sending leaves it to the retry job. Each attempt is claimed by a conditional
write on the attempt counter, so two processes never send the same attempt; a failure
is retried with exponential back-off (``OUTBOX_RETRY_BASE`` x 2^(n-1)) and after
``OUTBOX_MAX_ATTEMPTS`` the record is dead-lettered (``dead``, out of the retry index).
A non-essential message (a campaign) names its ``purpose``: each attempt first checks
that the recipient's consent and restriction still allow it, else it is ``suppressed``.
"""

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
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.config import (
    OUTBOX_MAX_ATTEMPTS,
    OUTBOX_RETENTION,
    OUTBOX_RETRY_BASE,
    OUTBOX_SEND_LEASE,
)
from chalicelib.notifications import chatlinks
from chalicelib.notifications.channels import PermanentFailure, SesEmailSender
from chalicelib.notifications.restriction import is_restricted
from chalicelib.notifications.telegram import TelegramChannel
from chalicelib.notifications.templates import Rendered, render, render_chat
from chalicelib.observability import logger
from chalicelib.store.base import BaseModel, table_name
from chalicelib.store.expiry import PurgeDue, schedule_purge

QUEUED, SENT, FAILED, DEAD, SUPPRESSED = "queued", "sent", "failed", "dead", "suppressed"
DUE = "1"
EMAIL = "email"


class Channel(Protocol):
    name: str

    def deliver(
        self, address: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str:
        """Send one message (``headers``: extra e-mail headers, which a chat ignores);
        return the provider's message id or raise (a `PermanentFailure` is not retried)."""
        ...


class EmailChannel:
    name = EMAIL

    def deliver(
        self, address: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str:
        return SesEmailSender().send_email(address, subject, body, headers)


class AccountMailChannel:
    """Account e-mails queued before the account is even looked up (verification, reset):
    the request only records the address, so known and unknown addresses cost the same;
    delivery looks the account up and sends what it needs, or nothing."""

    name = "account"

    def deliver(
        self, address: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str:
        from chalicelib.accounts.mailer import deliver_request

        return deliver_request(subject, address)


class RecordingShareChannel:
    """The e-mail that gives a third party a recording's secret link (P17): the record
    holds the text without the link; each delivery attempt makes the grant's key then
    (storing only its digest), so the outbox never holds a usable link."""

    name = "recording_share"

    def deliver(
        self, address: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str:
        from chalicelib.recordings.grants import deliver_share

        return deliver_share(address, subject, body, dict(headers or {}))


CHANNELS: dict[str, Channel] = {
    EMAIL: EmailChannel(),
    "account": AccountMailChannel(),
    RecordingShareChannel.name: RecordingShareChannel(),
    chatlinks.TELEGRAM: TelegramChannel(),
}


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


class ByAddress(GlobalSecondaryIndex["OutboxMessage"]):  # type: ignore[no-untyped-call]
    """Account e-mails are recorded before the account is looked up (no recipient id):
    erasure finds them by the address."""

    class Meta:
        index_name = "by-address"
        projection = KeysOnlyProjection()

    address = UnicodeAttribute(hash_key=True)


class DueForRetry(GlobalSecondaryIndex["OutboxMessage"]):  # type: ignore[no-untyped-call]
    """Sparse: only messages not yet sent, and not dead, carry ``due``."""

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
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    by_recipient = ByRecipient()
    by_address = ByAddress()
    due_for_retry = DueForRetry()
    purge_due = PurgeDue()


def addresses(recipient: Recipient) -> list[tuple[str, str]]:
    """Every channel the recipient can be told by: e-mail, plus each chat they linked.
    Under a restriction of processing (P11) only e-mail is used: booking notices and
    reminders are contract messages (essential), the chat copy is not."""
    found = [(EMAIL, recipient.email)]
    if not is_restricted(recipient.user_id):
        found += chatlinks.chats_of(recipient.user_id)
    return found


def notify(
    recipient: Recipient,
    template: str,
    *,
    instants: Mapping[str, datetime],
    values: Mapping[str, str],
    now: datetime,
    key: str | None = None,
) -> list[OutboxMessage]:
    """Record the message once per channel, in the recipient's language and zone, then
    try to deliver each. With ``key`` the records are idempotent: a second call with the
    same key records and sends nothing new."""
    recorded = []
    base = key or secrets.token_hex(12)
    for channel, address in addresses(recipient):
        if channel == EMAIL:
            text = render(
                template,
                language=recipient.language,
                timezone=recipient.timezone,
                name=recipient.name,
                instants=instants,
                values=values,
            )
        else:
            text = render_chat(
                template,
                language=recipient.language,
                timezone=recipient.timezone,
                name=recipient.name,
                instants=instants,
            )
        message = _message(
            f"msg_{base}.{channel}", recipient, channel, address, template, text, now
        )
        if _record(message, now):
            deliver(message, now)
            recorded.append(message)
    return recorded


def send(
    recipient: Recipient,
    template: str,
    text: Rendered,
    *,
    now: datetime,
    purpose: str | None = None,
    headers: Mapping[str, str] | None = None,
    channel: str = EMAIL,
) -> OutboxMessage:
    """Record a rendered e-mail (for ``purpose``, with extra ``headers``; by ``channel``,
    plain e-mail unless an e-mail channel finishes the text at delivery), then try to
    deliver it."""
    message = _message(
        f"msg_{secrets.token_hex(12)}.{channel}",
        recipient,
        channel,
        recipient.email,
        template,
        text,
        now,
        purpose=purpose,
        headers=headers,
    )
    _record(message, now)
    deliver(message, now)
    return message


def _message(
    message_id: str,
    recipient: Recipient,
    channel: str,
    address: str,
    template: str,
    text: Rendered,
    now: datetime,
    *,
    purpose: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> OutboxMessage:
    return OutboxMessage(
        message_id,
        recipient_id=recipient.user_id,
        channel=channel,
        address=address,
        template=template,
        language=text.language,
        subject=text.subject,
        body=text.body,
        status=QUEUED,
        attempts=0,
        due=DUE,
        next_attempt_at=now + OUTBOX_SEND_LEASE,
        created_at=now,
        expires=now + OUTBOX_RETENTION,
        purpose=purpose,
        headers=dict(headers) if headers else None,
    )


def _record(message: OutboxMessage, now: datetime) -> bool:
    """Save a new record; False when it was recorded before (a second drain or reminder run)."""
    try:
        schedule_purge(message, now + OUTBOX_RETENTION).save(
            condition=OutboxMessage.message_id.does_not_exist()
        )
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _claim(message: OutboxMessage, now: datetime) -> int | None:
    """Take the next attempt of ``message``; None when another process took it."""
    attempts = int(message.attempts)
    try:
        message.update(
            actions=[
                OutboxMessage.attempts.set(attempts + 1),
                OutboxMessage.next_attempt_at.set(now + OUTBOX_RETRY_BASE * 2**attempts),
            ],
            condition=(OutboxMessage.attempts == attempts)
            & OutboxMessage.status.is_in(QUEUED, FAILED),
        )
    except UpdateError:
        return None
    return attempts + 1


def _permitted(message: OutboxMessage) -> bool:
    if message.purpose is None:  # booking and security messages always go out
        return True
    from chalicelib.consent.operations import permits  # lazy: consent sends through here

    return permits(message.recipient_id, message.purpose)


def enqueue(channel: str, address: str, template: str, now: datetime) -> OutboxMessage:
    """Record a message for ``channel`` without delivering it (the caller delivers later);
    the scheduled retry takes it over should that delivery not happen within a minute."""
    message = OutboxMessage(
        f"msg_{secrets.token_hex(12)}",
        recipient_id="-",
        channel=channel,
        address=address,
        template=template,
        language="-",
        subject=template,
        body="-",
        status=QUEUED,
        attempts=0,
        due=DUE,
        next_attempt_at=now + OUTBOX_RETRY_BASE,
        created_at=now,
        expires=now + OUTBOX_RETENTION,
    )
    _record(message, now)
    return message


def deliver(message: OutboxMessage, now: datetime) -> None:
    """One delivery attempt; a failure schedules a retry with back-off until the limit,
    then dead-letters the record. A chat that blocked the bot is unlinked. A message
    whose purpose the recipient no longer permits is suppressed instead of sent."""
    attempt = _claim(message, now)
    if attempt is None:
        return
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
        permanent = isinstance(error, PermanentFailure)
        if isinstance(error, PermanentFailure) and error.unlink:
            chatlinks.unlink_chat(message.channel, message.address)
        _failed(message, type(error).__name__, final=permanent or attempt >= OUTBOX_MAX_ATTEMPTS)
        return
    message.update(
        actions=[
            OutboxMessage.status.set(SENT),
            OutboxMessage.provider_message_id.set(provider_id),
            OutboxMessage.sent_at.set(now),
            OutboxMessage.due.remove(),
            OutboxMessage.next_attempt_at.remove(),
        ]
    )


def _failed(message: OutboxMessage, error: str, *, final: bool) -> None:
    logger.warning(
        "notification delivery failed",
        extra={"message_id": message.message_id, "error": error, "dead": final},
    )
    actions: list[Action] = [
        OutboxMessage.status.set(DEAD if final else FAILED),
        OutboxMessage.last_error.set(error),
    ]
    if final:
        actions += [OutboxMessage.due.remove(), OutboxMessage.next_attempt_at.remove()]
    message.update(actions=actions)


def due_messages(now: datetime) -> Iterator[OutboxMessage]:
    for key in OutboxMessage.due_for_retry.query(
        DUE, range_key_condition=OutboxMessage.next_attempt_at <= now
    ):
        try:
            yield OutboxMessage.get(key.message_id, consistent_read=True)
        except OutboxMessage.DoesNotExist:  # purged meanwhile
            continue


def retry_due(now: datetime) -> dict[str, int]:
    """The scheduled retry: one more attempt for every message whose back-off has passed
    (including records whose sender died before or while sending)."""
    retried = dead = 0
    for message in due_messages(now):
        if message.due != DUE or message.next_attempt_at > now:
            continue
        if int(message.attempts) >= OUTBOX_MAX_ATTEMPTS:  # its last sender died mid-attempt
            _failed(message, message.last_error or "Interrupted", final=True)
            dead += 1
            continue
        deliver(message, now)
        retried += 1
        dead += message.status == DEAD
    return {"retried": retried, "dead_lettered": dead}
