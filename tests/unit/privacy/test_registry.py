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


def test_every_personal_item_has_its_retention_enforced() -> None:
    """By the retention sweep (a purge function), also for what is short-lived (DynamoDB
    TTL is only a best-effort second net), or erasure for what lives as long as the
    account."""
    from chalicelib.privacy.inventory import Retention
    from chalicelib.privacy.retention import PURGES

    purged = {entry.model.__name__ for entry in PURGES}
    # A disclosure record is unlinked from the user at erasure (KEPT_ANONYMISED).
    erased_with_account = {
        Retention.ACCOUNT,
        Retention.CONSENT_PROOF,
        Retention.UNTIL_ERASED,
        Retention.DISCLOSURE,
    }
    by_sweep = {
        Retention.BOOKING,
        Retention.QUESTION,
        Retention.EXPORT,
        Retention.RECORDING,
        Retention.SHORT_LIVED,
    }
    # Purged with the item they belong to: messages with their thread, shares with their
    # recording, a room password with its booking.
    purged_with_parent = {"QuestionMessage", "RecordingGrant", "Room"}
    unenforced = []
    for model, items in INVENTORY.items():
        for name, item in items.items():
            if not item.personal or item.retention in erased_with_account:
                continue
            swept = model in purged or model in purged_with_parent
            if item.retention in by_sweep and swept:
                continue
            unenforced.append(f"{model}.{name}")
    assert unenforced == []
