"""The embedded AWS: a moto server on loopback, and the resources the app needs,
created from the app's own definitions (the PynamoDB models are the table schemas)."""

from __future__ import annotations

import functools
import json
import logging
import secrets as random
import threading
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from chalicelib.accounts.code_store import new_code_key
from chalicelib.accounts.keys import generate_key_document
from chalicelib.config import get_settings
from chalicelib.store.tables import create_tables
from local import payments_standin

# The local bot (the Bot API stand-in accepts this token); the webhook secret is random.
LOCAL_BOT = {
    "token": "local-bot-token",
    "webhook_secret": random.token_urlsafe(24),
    "bot_name": "VetPetLocalBot",
}


# Every moto DynamoDB call that reads or writes items.
_ITEM_CALLS = (
    "put_item",
    "update_item",
    "delete_item",
    "transact_write_items",
    "batch_write_item",
    "get_item",
    "query",
    "scan",
    "batch_get_item",
    "transact_get_items",
)
_item_lock = threading.RLock()


def serialise_dynamodb() -> None:
    """DynamoDB applies each request atomically (a conditional write never races another
    write); moto's backend takes no lock, so parallel clients could both pass a condition
    or see a table change mid-scan. The local stack and the tests therefore run moto's
    item calls one at a time. Idempotent."""
    from moto.dynamodb.models import DynamoDBBackend

    for name in _ITEM_CALLS:
        real = getattr(DynamoDBBackend, name)
        if getattr(real, "serialised", False):
            continue

        @functools.wraps(real)
        def locked(self: DynamoDBBackend, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            with _item_lock:
                return _real(self, *args, **kwargs)

        locked.serialised = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, locked)


def recordings_key_arn() -> str:
    """The ARN of the local recordings key (the media server is given it explicitly)."""
    settings = get_settings()
    kms = boto3.client("kms", region_name=settings.region)
    arn: str = kms.describe_key(KeyId=settings.recordings_key_alias)["KeyMetadata"]["Arn"]
    return arn


def start_moto(port: int) -> ThreadedMotoServer:
    serialise_dynamodb()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def bootstrap() -> None:
    """Create every table, index, bucket, key, identity and secret of the local stage."""
    settings = get_settings()
    create_tables()
    s3 = boto3.client("s3", region_name=settings.region)
    s3.create_bucket(Bucket=settings.recordings_bucket)
    s3.create_bucket(Bucket=settings.exports_bucket)
    # As deployed: versioned (old versions stay readable only while the owner's key lives).
    s3.put_bucket_versioning(
        Bucket=settings.recordings_bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    kms = boto3.client("kms", region_name=settings.region)
    key_id = kms.create_key(Description="VetPet recordings (local)")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=settings.recordings_key_alias, TargetKeyId=key_id)
    boto3.client("ses", region_name=settings.region).verify_email_identity(
        EmailAddress=settings.email_sender
    )
    secrets = boto3.client("secretsmanager", region_name=settings.region)
    secrets.create_secret(
        Name=settings.signing_keys_secret_id, SecretString=generate_key_document()
    )
    secrets.create_secret(Name=settings.code_key_secret_id, SecretString=new_code_key())
    secrets.create_secret(Name=settings.telegram_secret_id, SecretString=json.dumps(LOCAL_BOT))
    payments_standin.create_secrets(secrets, settings.stripe_secret_id, settings.liqpay_secret_id)
