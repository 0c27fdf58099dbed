"""An in-process AWS with the recordings tables, bucket and KMS key, and a vault on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
from moto import mock_aws

from chalicelib.config import get_settings
from chalicelib.media_nodes import contract
from chalicelib.recordings.vault import Vault, vault_on
from chalicelib.store.tables import create_tables
from media.recording_store import DynamoRecordingStore, RecordingTables

END = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)


def aws_vault() -> Iterator[Vault]:
    settings = get_settings()
    with mock_aws():
        create_tables()
        boto3.client("s3", region_name=settings.region).create_bucket(
            Bucket=settings.recordings_bucket
        )
        key = boto3.client("kms", region_name=settings.region).create_key()
        yield vault_on(
            settings.region,
            settings.table_name(contract.RECORDING_KEYS_TABLE),
            settings.recordings_bucket,
            key["KeyMetadata"]["Arn"],
        )


def dynamo_store() -> DynamoRecordingStore:
    settings = get_settings()
    return DynamoRecordingStore(
        RecordingTables(
            bookings=settings.table_name(contract.BOOKINGS_TABLE),
            consents=settings.table_name(contract.RECORDING_CONSENTS_TABLE),
            recordings=settings.table_name(contract.RECORDINGS_TABLE),
            grants=settings.table_name(contract.RECORDING_GRANTS_TABLE),
        ),
        settings.region,
    )


def put_booking(booking_id: str, owner_id: str, consultant_id: str, end: datetime = END) -> None:
    """The fields of the API's booking item the media server reads."""
    from pynamodb.attributes import UTCDateTimeAttribute

    settings = get_settings()
    boto3.client("dynamodb", region_name=settings.region).put_item(
        TableName=settings.table_name(contract.BOOKINGS_TABLE),
        Item={
            "booking_id": {"S": booking_id},
            "owner_id": {"S": owner_id},
            "consultant_id": {"S": consultant_id},
            "end": {"S": UTCDateTimeAttribute().serialize(end)},
        },
    )
