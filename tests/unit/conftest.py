"""Unit-test fixtures: one in-process moto for the whole unit tier, every table emptied
before each test that asks for AWS, plus the Chalice test client.

Creating fifteen tables, the secrets and the e-mail identity costs far more than a test,
so they are made once (`_moto`, package scope) and each `aws` test starts from empty
tables, an empty mailbox and no sent texts. A test that changes anything else of the
account (rotates a secret, removes an identity, creates a bucket) asks for `fresh_aws`
instead: a brand-new AWS for that test alone, the shared one rebuilt after it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws
from moto.core.base_backend import BackendDict
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.accounts.code_store import code_key, new_code_key
from chalicelib.accounts.keys import generate_key_document, key_ring
from chalicelib.config import get_settings
from chalicelib.observability import logger
from chalicelib.store.tables import all_models, create_tables
from local.embedded_aws import serialise_dynamodb


def _provision() -> None:
    """Every table, the signing keys, the code key and the verified e-mail sender."""
    settings = get_settings()
    create_tables()
    secrets = boto3.client("secretsmanager", region_name=settings.region)
    secrets.create_secret(
        Name=settings.signing_keys_secret_id, SecretString=generate_key_document()
    )
    secrets.create_secret(Name=settings.code_key_secret_id, SecretString=new_code_key())
    boto3.client("ses", region_name=settings.region).verify_email_identity(
        EmailAddress=settings.email_sender
    )
    # The app caches both secrets per process: forget the ones of an earlier AWS.
    code_key.cache_clear()
    key_ring.clear()


def _provisioned() -> bool:
    tables = dynamodb_backends[DEFAULT_ACCOUNT_ID][get_settings().region].tables
    return all(model.Meta.table_name in tables for model in all_models())


def _empty() -> None:
    """Drop every stored item, sent e-mail and sent text; tables and secrets stay."""
    region = get_settings().region
    for table in dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables.values():
        table.items.clear()
    ses = ses_backends[DEFAULT_ACCOUNT_ID][region]
    ses.sent_messages.clear()
    ses.sent_message_count = 0
    ses.rejected_messages_count = 0
    sns_backends[DEFAULT_ACCOUNT_ID][region].sms_messages.clear()


@pytest.fixture(scope="package")
def _moto() -> Iterator[None]:
    serialise_dynamodb()  # each request atomic, as DynamoDB applies it
    with mock_aws():
        yield


@pytest.fixture
def atomic_dynamodb(aws: None) -> None:
    """Names what a parallel test relies on: moto's item calls are serialised for the
    whole run (`local.embedded_aws.serialise_dynamodb`), so conditions hold under races."""


@pytest.fixture
def aws(_moto: None) -> None:
    """In-process AWS with every table (empty), the signing keys and the e-mail sender."""
    if _provisioned():
        _empty()
    else:  # first use, or an earlier test removed a table: start over
        BackendDict.reset()
        _provision()


@pytest.fixture
def fresh_aws(_moto: None) -> Iterator[None]:
    """A brand-new in-process AWS for one test that changes more than table items."""
    BackendDict.reset()
    _provision()
    yield
    BackendDict.reset()  # the next `aws` test provisions the shared one again


@pytest.fixture
def client(aws: None) -> Iterator[Client]:
    from app import app

    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the app logs during the test, as the JSON lines it writes."""
    buffer = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    handler.setStream(previous)  # type: ignore[attr-defined]
