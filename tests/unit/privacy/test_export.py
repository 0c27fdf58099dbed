"""Data export: the API flow (202 pending, then ready with a presigned link of at most 15
minutes), and completeness: every personal attribute of every item of the user, in every
table, is in the document, except the withheld credentials."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest

from chalicelib.accounts.models import User
from chalicelib.config import get_settings
from chalicelib.privacy import exports
from chalicelib.privacy.inventory import INVENTORY
from chalicelib.privacy.records import subject_of
from chalicelib.store.tables import all_models
from tests.unit.booking_world import NOW, World, world
from tests.unit.payments.conftest import Pay, pay
from tests.unit.privacy.everything import EMAIL, OWNER_ID, create_exports_bucket, use_everything

__all__ = ["pay", "world"]


@pytest.fixture
def exports_bucket(aws: None) -> None:
    create_exports_bucket()


def test_an_export_is_pending_then_ready_with_a_short_lived_link(
    world: World, exports_bucket: None
) -> None:
    status, started = world.call("POST", "/v1/me/exports", "owner_a")
    assert (status, started["status"]) == (202, "pending")
    path = f"/v1/me/exports/{started['id']}"
    pending = {"id": started["id"], "status": "pending", "download_url": None, "expires_at": None}
    assert world.call("GET", path, "owner_a") == (200, pending)
    assert world.call("GET", path, "owner_b")[0] == 404

    assert exports.write_pending(NOW) == {"written": 1}
    world.clock.shift(timedelta(minutes=2))
    status, ready = world.call("GET", path, "owner_a")
    assert (status, ready["status"]) == (200, "ready")
    assert ready["expires_at"] == "2026-05-31T12:17:00Z"
    link = urlparse(ready["download_url"])
    assert parse_qs(link.query)["X-Amz-Expires"] == ["900"]
    key = link.path.split(f"/{get_settings().exports_bucket}/", 1)[-1].lstrip("/")
    stored = boto3.client("s3", region_name=get_settings().region).get_object(
        Bucket=get_settings().exports_bucket,
        Key=key.removeprefix(get_settings().exports_bucket + "/"),
    )
    assert stored["ServerSideEncryption"] == "aws:kms"
    document = json.loads(stored["Body"].read())
    assert (document["schema"], document["version"]) == ("vetpet-export", 1)
    assert document["sections"]["pets"][0]["name"] == "Rex"
    assert exports.write_pending(NOW) == {"written": 0}


def test_an_export_past_its_retention_is_gone(world: World, exports_bucket: None) -> None:
    _, started = world.call("POST", "/v1/me/exports", "owner_a")
    exports.write_pending(NOW)
    world.clock.shift(timedelta(days=7))
    assert world.call("GET", f"/v1/me/exports/{started['id']}", "owner_a")[0] == 404


def _items_of_the_user() -> list[tuple[str, dict[str, Any]]]:
    """Every stored item that is the user's: linked to their id or address, or a message
    of one of their question threads."""
    client = boto3.client("dynamodb", region_name=get_settings().region)
    by_table = {model.Meta.table_name: model.__name__ for model in all_models()}
    threads = {
        item["question_id"]["S"]
        for item in client.scan(TableName=by_table_name(by_table, "Question"))["Items"]
        if item["owner_id"]["S"] == OWNER_ID
    }
    found = []
    for table, model in by_table.items():
        for item in client.scan(TableName=table)["Items"]:
            values = {name: next(iter(value.values())) for name, value in item.items()}
            linked = {str(v) for v in values.values()} & {OWNER_ID, EMAIL}
            if linked or (model == "QuestionMessage" and values["question_id"] in threads):
                found.append((model, values))
    return found


def by_table_name(by_table: dict[str, str], model: str) -> str:
    return next(table for table, name in by_table.items() if name == model)


@pytest.mark.allow_hosts(["127.0.0.1"])  # the payment stand-in
def test_the_export_holds_every_personal_attribute_of_every_item_of_the_user(
    pay: Pay,
) -> None:
    create_exports_bucket()
    use_everything(pay)
    text = json.dumps(exports.document(subject_of(User.get(OWNER_ID)), "x", NOW))
    items = _items_of_the_user()
    assert {model for model, _ in items} >= {"User", "Pet", "Booking", "PaymentItem", "Consent"}
    missing, leaked = [], []
    for model, values in items:
        for name, value in values.items():
            listed = INVENTORY[model][name]
            parts = value if isinstance(value, list) else [value]
            shown = [
                json.dumps(part)[1:-1] if isinstance(part, str) else json.dumps(part)
                for part in parts
            ]
            if listed.personal and not listed.withheld and any(p not in text for p in shown):
                missing.append(f"{model}.{name}")
            if listed.withheld and isinstance(value, str) and value in text:
                leaked.append(f"{model}.{name}")
    assert missing == []
    assert leaked == []
