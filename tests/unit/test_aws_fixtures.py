"""The unit tier's AWS: `aws` hands every test empty tables, an empty mailbox and the
shared secrets; `fresh_aws` hands a test an account of its own that it may change."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.accounts.keys import generate_key_document, key_ring
from chalicelib.config import get_settings
from chalicelib.notifications.channels import SesEmailSender, SnsSmsSender
from chalicelib.pets.models import Pet
from chalicelib.store.tables import all_models

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _stored_items() -> int:
    return sum(model.count() for model in all_models())


@pytest.mark.parametrize("run", ["first", "second"])
@pytest.mark.usefixtures("aws")
def test_each_test_starts_with_empty_tables_and_mailbox(run: str) -> None:
    region = get_settings().region
    assert _stored_items() == 0
    assert ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages == []
    assert not sns_backends[DEFAULT_ACCOUNT_ID][region].sms_messages
    assert all(model.exists() for model in all_models())
    # leave something behind for whichever test comes next
    SesEmailSender().send_email("owner@example.com", f"{run} run", "hello")
    SnsSmsSender().send_sms("+380501234567", f"{run} run")
    Pet(f"owner-{run}", "pet-1", name="Rex", species="dog", created_at=NOW, updated_at=NOW).save()
    assert _stored_items() == 1


@pytest.mark.usefixtures("fresh_aws")
def test_a_fresh_account_can_rotate_the_signing_keys() -> None:
    settings = get_settings()
    before = key_ring.signing_key().kid
    secrets = boto3.client("secretsmanager", region_name=settings.region)
    secrets.put_secret_value(
        SecretId=settings.signing_keys_secret_id, SecretString=generate_key_document()
    )
    key_ring.clear()
    assert key_ring.signing_key().kid != before
    assert _stored_items() == 0
