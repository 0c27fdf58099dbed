"""Reading the API's DynamoDB items with boto3: one consistent GetItem of a few fields,
and PynamoDB's datetime format (the API's models write it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# How PynamoDB's UTCDateTimeAttribute stores a datetime.
PYNAMO_DATETIME = "%Y-%m-%dT%H:%M:%S.%f%z"


def stored_time(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime(PYNAMO_DATETIME)


def read_time(text: str) -> datetime:
    return datetime.strptime(text, PYNAMO_DATETIME)


def get_fields(client: Any, table: str, key: tuple[str, str], fields: list[str]) -> dict[str, Any]:
    """The item's ``fields`` (a consistent read), or ``{}`` if there is no such item."""
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    item: dict[str, Any] = client.get_item(
        TableName=table,
        Key={key[0]: {"S": key[1]}},
        ProjectionExpression=", ".join(names),
        ExpressionAttributeNames=names,
        ConsistentRead=True,
    ).get("Item", {})
    return item
