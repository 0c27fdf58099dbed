"""Delivery adapters. They send through boto3 exactly as in production; in the local
stage boto3 talks to the embedded AWS, whose mailbox page shows what arrived."""

from __future__ import annotations

from functools import cache
from typing import Any, Protocol

from chalicelib.config import get_settings


class EmailSender(Protocol):
    def send_email(self, to: str, subject: str, body: str) -> str: ...


class SmsSender(Protocol):
    def send_sms(self, phone: str, text: str) -> str: ...


@cache
def _client(service: str) -> Any:
    import boto3

    return boto3.client(service, region_name=get_settings().region)


class SesEmailSender:
    def send_email(self, to: str, subject: str, body: str) -> str:
        response = _client("ses").send_email(
            Source=get_settings().email_sender,
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
