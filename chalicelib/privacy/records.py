"""What the holders share: an item as the export shows it, and deleting what a query
found."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pynamodb.models import Model

from chalicelib.privacy.holders import Subject
from chalicelib.privacy.inventory import INVENTORY

M = TypeVar("M", bound=Model)


def record(item: Model) -> dict[str, Any]:
    """The item, JSON-ready, as the inventory lets the export show it: every attribute
    but the withheld credentials."""
    listed = INVENTORY[type(item).__name__]
    return {
        name: value
        for name, value in item.to_simple_dict(force=True).items()
        if not listed[name].withheld
    }


def records(items: Iterable[Model]) -> list[dict[str, Any]]:
    return [record(item) for item in items]


def one(model: type[M], hash_key: str) -> list[M]:
    """The item at ``hash_key`` (read consistently) as a list of one, or none."""
    try:
        return [model.get(hash_key, consistent_read=True)]
    except model.DoesNotExist:
        return []


def delete_all(items: Iterable[Model]) -> int:
    """Delete every item (each a keyed, idempotent delete); how many."""
    deleted = 0
    for item in items:
        item.delete()
        deleted += 1
    return deleted


def subject_of(user: Any) -> Subject:
    """The subject of a user item: whose data, and what a residue scan looks for."""
    return Subject(user.user_id, user.email, user.role, user.name, user.phone or user.sms_phone)
