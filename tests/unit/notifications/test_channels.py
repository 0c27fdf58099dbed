"""E-mail and SMS adapters deliver through SES and SNS."""

from __future__ import annotations

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.notifications.channels import SesEmailSender, SnsSmsSender

pytestmark = pytest.mark.usefixtures("aws")


def test_email_goes_through_ses_from_the_configured_sender() -> None:
    message_id = SesEmailSender().send_email("owner@example.com", "Вітаємо", "Тіло листа")
    (sent,) = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert sent.id == message_id
    assert sent.source == "no-reply@vetpet.test"
    assert sent.destinations["ToAddresses"] == ["owner@example.com"]
    assert (sent.subject, sent.body) == ("Вітаємо", "Тіло листа")


def test_sms_goes_through_sns_to_the_number() -> None:
    message_id = SnsSmsSender().send_sms("+380501234567", "Your VetPet code: 123456")
    sms = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages
    assert sms[message_id] == ("+380501234567", "Your VetPet code: 123456")
