"""The recordings bucket from the API's side: removing an object for good. The bucket is
versioned, so a plain delete would only hide the object behind a delete marker; removal
deletes every version and every marker of the key."""

from __future__ import annotations

from typing import Any

from chalicelib.config import get_settings


def _s3() -> Any:
    import boto3  # lazy: off the cold path of routes that never touch the bucket

    return boto3.client("s3", region_name=get_settings().region)


def delete_all_versions(object_key: str) -> int:
    """Delete every version and delete marker of ``object_key``; how many were deleted."""
    s3, bucket = _s3(), get_settings().recordings_bucket
    deleted = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=object_key):
        found = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        for version in (v for v in found if v["Key"] == object_key):
            s3.delete_object(Bucket=bucket, Key=object_key, VersionId=version["VersionId"])
            deleted += 1
    return deleted
