"""Unit-test fixtures: in-process moto with every table, plus the Chalice test client."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.accounts.code_store import code_key, new_code_key
from chalicelib.accounts.keys import generate_key_document, key_ring
from chalicelib.config import get_settings
from chalicelib.observability import logger
from chalicelib.store.tables import create_tables


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh in-process AWS with every table, the signing keys and the e-mail sender."""
    settings = get_settings()
    with mock_aws():
        create_tables()
        secrets = boto3.client("secretsmanager", region_name=settings.region)
        secrets.create_secret(
            Name=settings.signing_keys_secret_id, SecretString=generate_key_document()
        )
        secrets.create_secret(Name=settings.code_key_secret_id, SecretString=new_code_key())
        code_key.cache_clear()
        boto3.client("ses", region_name=settings.region).verify_email_identity(
            EmailAddress=settings.email_sender
        )
        key_ring.clear()  # keys of an earlier test's AWS are gone
        yield


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
