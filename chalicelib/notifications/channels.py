"""Delivery adapters. They send through boto3 exactly as in production; in the local
stage boto3 talks to the embedded AWS, whose mailbox page shows what arrived."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Protocol

from chalicelib.config import get_settings


class EmailSender(Protocol):
    def send_email(
        self, to: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str: ...


class SmsSender(Protocol):
    def send_sms(self, phone: str, text: str) -> str: ...


@cache
def _client(service: str) -> Any:
    import boto3

    return boto3.client(service, region_name=get_settings().region)


def _raw_message(
    sender: str, to: str, subject: str, body: str, headers: Mapping[str, str]
) -> bytes:
    from email.message import EmailMessage
    from email.policy import SMTP

    message = EmailMessage(policy=SMTP.clone(max_line_length=998))  # RFC 5322: URLs unfolded
    message["From"], message["To"], message["Subject"] = sender, to, subject
    for name, value in headers.items():
        message[name] = value
    message.set_content(body, cte="quoted-printable")  # 7-bit safe on any relay
    return message.as_bytes()


class SesEmailSender:
    def send_email(
        self, to: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str:
        """Plain SES e-mail; a message with extra headers (List-Unsubscribe) goes raw."""
        sender = get_settings().email_sender
        if headers:
            raw = _raw_message(sender, to, subject, body, headers)
            sent = _client("ses").send_raw_email(
                Source=sender, Destinations=[to], RawMessage={"Data": raw}
            )
            return str(sent["MessageId"])
        response = _client("ses").send_email(
            Source=sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
            },
        )
        return str(response["MessageId"])


class SnsSmsSender:
    def send_sms(self, phone: str, text: str) -> str:
        response = _client("sns").publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
            },
        )
        return str(response["MessageId"])


class PermanentFailure(Exception):
    """The provider refused the message for good (retrying cannot help). ``unlink``: the
    address itself is gone (a chat that blocked the bot) and its link must be removed."""

    def __init__(self, reason: str, *, unlink: bool = False) -> None:
        super().__init__(reason)
        self.unlink = unlink
