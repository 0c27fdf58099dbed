"""Every stored attribute is in the personal-data inventory, with a purpose (P2, P9)."""

from __future__ import annotations

from chalicelib.privacy.inventory import INVENTORY
from chalicelib.store.tables import all_models


def test_every_model_attribute_is_inventoried_and_nothing_stale() -> None:
    stored = {model.__name__: set(model.get_attributes()) for model in all_models()}
    listed = {name: set(items) for name, items in INVENTORY.items()}
    assert stored == listed


def test_every_personal_item_states_its_purpose_and_retention() -> None:
    for items in INVENTORY.values():
        for item in items.values():
            assert item.purpose
            assert item.retention
