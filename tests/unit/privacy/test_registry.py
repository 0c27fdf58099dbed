"""Export completeness against the inventory: every model that holds personal data, or
is keyed by a user, belongs to a holder of the registry, and each holder's models exist."""

from __future__ import annotations

from chalicelib.privacy.inventory import INVENTORY, KEPT_ANONYMISED
from chalicelib.privacy.registry import HOLDERS, holders

# Attributes that name a user (the user's id under another name).
USER_LINKS = {"user_id", "owner_id", "consultant_id", "recipient_id", "created_by"}


def _covered() -> dict[str, int]:
    counts: dict[str, int] = {}
    for holder in holders():
        for model in holder.models:
            counts[model] = counts.get(model, 0) + 1
    return counts


def test_every_model_with_personal_data_or_a_user_link_has_one_holder() -> None:
    covered = _covered()
    needing = {
        model
        for model, items in INVENTORY.items()
        if any(item.personal for item in items.values()) or USER_LINKS & set(items)
    }
    assert needing - set(covered) == set()
    assert {model for model, n in covered.items() if n > 1} == set()


def test_every_holder_names_inventory_models_only() -> None:
    assert set(_covered()) <= set(INVENTORY)
    assert len(HOLDERS) == len(set(HOLDERS))


def test_what_erasure_keeps_drops_every_user_link_and_states_basis_and_retention() -> None:
    for model, kept in KEPT_ANONYMISED.items():
        items = INVENTORY[model]
        assert set(kept.dropped) <= set(items)
        assert USER_LINKS & set(items) <= set(kept.dropped)
        assert kept.retention
