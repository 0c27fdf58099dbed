"""The residue scan of an erasure: every table and each of its indexes read by Scan (not
Query), every object version of every bucket read in full, searched for what names the
erased user. Shared by the unit tier (in-process moto) and the integration tier (the
local stack's embedded AWS)."""

from __future__ import annotations

import json
from typing import Any


def _scan(dynamodb: Any, table: str, index: str | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": index is None}
    if index is not None:
        kwargs["IndexName"] = index
    for page in dynamodb.get_paginator("scan").paginate(**kwargs):
        items.extend(page["Items"])
    return items


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(type(value).__name__)


def table_hits(dynamodb: Any, needles: list[str]) -> list[str]:
    """``table[/index]: needle`` for every item that contains a needle."""
    hits = []
    for table in dynamodb.list_tables()["TableNames"]:
        described = dynamodb.describe_table(TableName=table)["Table"]
        indexes = [i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])]
        for index in [None, *indexes]:
            for item in _scan(dynamodb, table, index):
                # Binary attributes (a wrapped recordings key) are searched as text too.
                text = json.dumps(item, ensure_ascii=False, default=_text).lower()
                where = f"{table}/{index}" if index else table
                hits += [f"{where}: {n}" for n in needles if n.lower() in text]
    return hits


def bucket_hits(s3: Any, needles: list[str]) -> list[str]:
    """``bucket/key: needle`` for every object version whose key or content has one."""
    hits = []
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        listed = s3.list_object_versions(Bucket=bucket)
        for version in listed.get("Versions", []):
            key = version["Key"]
            body = s3.get_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
            text = (key + body["Body"].read().decode("utf-8", "replace")).lower()
            hits += [f"{bucket}/{key}: {n}" for n in needles if n.lower() in text]
        for marker in listed.get("DeleteMarkers", []):
            hits += [f"{bucket}/{marker['Key']}: {n}" for n in needles if n in marker["Key"]]
    return hits


def residue(dynamodb: Any, s3: Any, needles: list[str]) -> list[str]:
    """Everything left that names the user: empty after a complete erasure."""
    wanted = [n for n in needles if n]
    return table_hits(dynamodb, wanted) + bucket_hits(s3, wanted)
