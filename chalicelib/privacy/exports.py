"""Data export (P10): one JSON document with every item of the user, built from the
holders of `chalicelib/privacy/registry.py`, written by the ``exports`` job to the
exports bucket (SSE-KMS) and downloaded through a presigned link of at most
``EXPORT_URL_TTL``. The document and its record are purged ``EXPORT_RETENTION`` after
they were written (the bucket's lifecycle rule deletes leftovers too).

The document (schema ``vetpet-export``, version ``EXPORT_SCHEMA_VERSION``)::

    {"schema": "vetpet-export", "version": 1, "export_id": ..., "generated_at": RFC 3339,
     "subject": {"user_id": ..., "email": ..., "role": ...},
     "withheld": {"User": ["password_hash", ...], ...},
     "sections": {"account": [{...}], "pets": [...], "bookings": [...], ...}}

Each section is a list of items with the attributes `chalicelib/privacy/inventory.py`
lists for their model, minus the withheld credentials (named under ``withheld``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.clock import to_rfc3339
from chalicelib.config import (
    EXPORT_RETENTION,
    EXPORT_SCHEMA_VERSION,
    EXPORT_URL_TTL,
    get_settings,
)
from chalicelib.errors import NotFound
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.inventory import INVENTORY
from chalicelib.privacy.models import TODO, ExportRequest, waiting
from chalicelib.store.expiry import PURGE, bucket_of

SCHEMA = "vetpet-export"
PENDING = "pending"
READY = "ready"


@dataclass(frozen=True)
class ExportState:
    export_id: str
    status: str
    download_url: str | None = None
    expires_at: datetime | None = None


@cache
def _s3() -> Any:
    import boto3
    from botocore.config import Config

    # SigV4: a presigned link carries its own lifetime (X-Amz-Expires).
    return boto3.client(
        "s3", region_name=get_settings().region, config=Config(signature_version="s3v4")
    )


def withheld() -> dict[str, list[str]]:
    """The credentials each model keeps out of the export."""
    return {
        model: sorted(name for name, item in items.items() if item.withheld)
        for model, items in INVENTORY.items()
        if any(item.withheld for item in items.values())
    }


def document(subject: Subject, export_id: str, now: datetime) -> dict[str, Any]:
    """The export document of ``subject``: every holder's sections."""
    from chalicelib.privacy.registry import holders

    sections: dict[str, list[dict[str, Any]]] = {}
    for holder in holders():
        sections.update(holder.export(subject))
    return {
        "schema": SCHEMA,
        "version": EXPORT_SCHEMA_VERSION,
        "export_id": export_id,
        "generated_at": to_rfc3339(now),
        "subject": {"user_id": subject.user_id, "email": subject.email, "role": subject.role},
        "withheld": withheld(),
        "sections": sections,
    }


def request_export(user_id: str, now: datetime) -> ExportState:
    """Record an export for the job to write; it starts ``pending``."""
    export_id = str(uuid.uuid4())
    ExportRequest(user_id, export_id, status=PENDING, requested_at=now, todo=TODO).save(
        ExportRequest.export_id.does_not_exist()
    )
    return ExportState(export_id, PENDING)


def state(user_id: str, export_id: str, now: datetime) -> ExportState:
    """The export's state; a ready one comes with a fresh presigned download link that
    lives ``EXPORT_URL_TTL`` at most, and never past the export's own end."""
    try:
        request = ExportRequest.get(user_id, export_id, consistent_read=True)
    except ExportRequest.DoesNotExist:
        raise NotFound("export") from None
    expires_at = request.expires_at
    if request.status != READY or request.object_key is None or expires_at is None:
        return ExportState(export_id, request.status)
    if expires_at <= now:
        raise NotFound("export")
    lifetime = min(EXPORT_URL_TTL, expires_at - now)
    url = _s3().generate_presigned_url(
        "get_object",
        Params={"Bucket": get_settings().exports_bucket, "Key": request.object_key},
        ExpiresIn=max(1, int(lifetime.total_seconds())),
    )
    return ExportState(export_id, READY, str(url), now + lifetime)


def _subject(user_id: str) -> Subject | None:
    from chalicelib.accounts.models import User
    from chalicelib.privacy.records import subject_of

    try:
        return subject_of(User.get(user_id, consistent_read=True))
    except User.DoesNotExist:
        return None


def write(request: ExportRequest, now: datetime) -> bool:
    """Build and store the document of a pending export; whether it was written."""
    subject = _subject(request.user_id)
    if subject is None:  # the account was erased meanwhile: nothing of it may stay
        remove(request)
        return False
    key = f"exports/{request.user_id}/{request.export_id}.json"
    body = json.dumps(document(subject, request.export_id, now), ensure_ascii=False, indent=1)
    _s3().put_object(
        Bucket=get_settings().exports_bucket,
        Key=key,
        Body=body.encode(),
        ContentType="application/json",
        ServerSideEncryption="aws:kms",
    )
    expires_at = now + EXPORT_RETENTION
    try:
        request.update(
            actions=[
                ExportRequest.status.set(READY),
                ExportRequest.object_key.set(key),
                ExportRequest.ready_at.set(now),
                ExportRequest.expires_at.set(expires_at),
                ExportRequest.todo.remove(),
                ExportRequest.purge_bucket.set(bucket_of(PURGE, expires_at)),
                ExportRequest.purge_at.set(expires_at),
            ],
            condition=ExportRequest.status == PENDING,
        )
    except UpdateError:  # another run wrote it first (same key, same content)
        return False
    return True


def pending(now: datetime) -> Iterator[ExportRequest]:
    return waiting(ExportRequest, now, lambda key: (key.user_id, key.export_id))


def write_pending(now: datetime) -> dict[str, int]:
    """The ``exports`` job: write every pending export."""
    written = sum(1 for request in pending(now) if write(request, now))
    return {"written": written}


def _delete_object(key: str) -> None:
    """Every version of the export's object (a versioned bucket keeps the old ones)."""
    bucket = get_settings().exports_bucket
    listed = _s3().list_object_versions(Bucket=bucket, Prefix=key)
    versions = listed.get("Versions", []) + listed.get("DeleteMarkers", [])
    for version in versions:
        _s3().delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
    if not versions:
        _s3().delete_object(Bucket=bucket, Key=key)


def remove(request: ExportRequest) -> None:
    """The export's document and its record."""
    if request.object_key:
        _delete_object(request.object_key)
    request.delete()


def purge_export(key: Any, now: datetime) -> bool:
    """Retention: an export past ``EXPORT_RETENTION``, document first."""
    try:
        request = ExportRequest.get(key.user_id, key.export_id, consistent_read=True)
    except ExportRequest.DoesNotExist:
        return False
    if request.purge_at is None or request.purge_at > now:
        return False
    if request.object_key:
        _delete_object(request.object_key)
    try:
        request.delete(condition=ExportRequest.purge_at <= now)
    except DeleteError:
        return False
    return True
