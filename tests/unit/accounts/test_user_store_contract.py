"""One contract for every `UserStore`: the DynamoDB adapter (on moto) and the fake."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from chalicelib.accounts.models import User
from chalicelib.accounts.repository import DynamoUserStore, EmailTakenError, UserStore
from chalicelib.consent.errors import ChainConflict
from chalicelib.consent.repository import DynamoConsentRepository
from chalicelib.consent.service import (
    POLICY,
    Acknowledge,
    ConsentRepository,
    Decision,
    Draft,
    Opening,
    PolicyRef,
    SetConsent,
    Subject,
    chain,
    verify_chain,
)
from tests.unit.accounts.conftest import T0
from tests.unit.accounts.fakes import InMemoryUserStore


@pytest.fixture(params=["dynamodb", "in-memory"])
def store(request: pytest.FixtureRequest) -> Iterator[UserStore]:
    if request.param == "dynamodb":
        request.getfixturevalue("aws")
        request.getfixturevalue("atomic_dynamodb")
        yield DynamoUserStore()
    else:
        yield InMemoryUserStore()


@pytest.fixture
def ledger(store: UserStore) -> ConsentRepository:
    """Where the store records a new account's opening consent events."""
    return store.consents if isinstance(store, InMemoryUserStore) else DynamoConsentRepository()


def user(user_id: str, email: str) -> User:
    return User(user_id, email=email, role="owner", name="N", created_at=T0)


def opening(user_id: str) -> Opening:
    """Acceptance of version 2026-1 and a cookie grant, chained from the start."""
    ref = PolicyRef("2026-1", "ab" * 32)
    drafts = [
        Draft(POLICY, Decision.ACCEPTED, ref),
        Draft("analytics_cookies", Decision.GRANTED, ref),
    ]
    subject = Subject(user_id, "UA", "uk")
    events = chain(subject, None, drafts, channel="api", now=T0, sign=lambda e: "receipt")
    changes = (Acknowledge("2026-1"), SetConsent("analytics_cookies", True, "2026-1"))
    return Opening(tuple(events), changes, T0)


def test_a_created_user_is_found_by_id_and_normalised_address(store: UserStore) -> None:
    store.create(user("u-1", "  Mixed@Example.COM "))
    by_id = store.get("u-1")
    by_email = store.find_by_email("MIXED@example.com")
    assert by_id is not None
    assert by_email is not None
    assert (by_id.user_id, by_email.user_id, by_email.email) == ("u-1", "u-1", "mixed@example.com")


def test_unknown_ids_and_addresses_find_nothing(store: UserStore) -> None:
    assert store.get("nobody") is None
    assert store.find_by_email("nobody@example.com") is None


def test_a_second_account_for_an_address_is_refused_and_stores_nothing(store: UserStore) -> None:
    store.create(user("u-1", "twin@example.com"))
    with pytest.raises(EmailTakenError):
        store.create(user("u-2", "Twin@example.com"))
    assert store.get("u-2") is None
    found = store.find_by_email("twin@example.com")
    assert found is not None
    assert found.user_id == "u-1"


def test_of_parallel_creations_for_one_address_exactly_one_wins(store: UserStore) -> None:
    gate = threading.Barrier(8)
    won: list[str] = []

    def create(n: int) -> None:
        gate.wait()
        try:
            store.create(user(f"u-{n}", "race@example.com"))
        except EmailTakenError:
            return
        won.append(f"u-{n}")

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    found = store.find_by_email("race@example.com")
    assert found is not None
    assert found.user_id == won[0]


def test_an_opening_is_stored_with_the_account(store: UserStore, ledger: ConsentRepository) -> None:
    first = opening("u-1")
    store.create(user("u-1", "new@example.com"), first)
    events = ledger.events("u-1")
    assert events == list(first.events)
    assert verify_chain(events)
    assert ledger.acknowledged("u-1", "2026-1") is True
    state = ledger.consents("u-1")["analytics_cookies"]
    assert (state.granted, state.updated_at, state.policy_version) == (True, T0, "2026-1")


def test_a_refused_account_stores_none_of_its_opening(
    store: UserStore, ledger: ConsentRepository
) -> None:
    store.create(user("u-1", "twin@example.com"))
    with pytest.raises(EmailTakenError):
        store.create(user("u-2", "twin@example.com"), opening("u-2"))
    assert ledger.events("u-2") == []
    assert ledger.acknowledged("u-2", "2026-1") is False
    assert ledger.consents("u-2") == {}


def test_an_opening_on_a_ledger_that_has_events_stores_nothing(
    store: UserStore, ledger: ConsentRepository
) -> None:
    earlier = opening("u-1")
    ledger.append(earlier.events, [], T0)
    with pytest.raises(ChainConflict):
        store.create(user("u-1", "late@example.com"), opening("u-1"))
    assert store.get("u-1") is None
    assert store.find_by_email("late@example.com") is None
    assert ledger.events("u-1") == list(earlier.events)
    assert ledger.acknowledged("u-1", "2026-1") is False


def test_a_changed_address_moves_the_account_and_frees_the_old_one(store: UserStore) -> None:
    moving = user("u-1", "old@example.com")
    store.create(moving)
    store.change_email(moving, "New@Example.com")
    assert store.find_by_email("new@example.com") is not None
    assert store.find_by_email("old@example.com") is None
    store.create(user("u-2", "old@example.com"))  # the old address is free again
    assert store.find_by_email("old@example.com").user_id == "u-2"  # type: ignore[union-attr]


def test_an_address_held_by_another_account_is_refused_and_nothing_changes(
    store: UserStore,
) -> None:
    moving = user("u-1", "one@example.com")
    store.create(moving)
    store.create(user("u-2", "two@example.com"))
    with pytest.raises(EmailTakenError):
        store.change_email(moving, "two@example.com")
    assert store.find_by_email("one@example.com").user_id == "u-1"  # type: ignore[union-attr]
    assert store.find_by_email("two@example.com").user_id == "u-2"  # type: ignore[union-attr]


def test_the_profile_schema_and_the_user_model_agree() -> None:
    """`api._profile` copies the model's fields into `ProfileOut` by name: every field but
    the derived `mfa_methods` and `restricted` (kept by the consent capability) must be a
    stored attribute, optional exactly when nullable."""
    from chalicelib.accounts.schemas import ProfileOut

    attributes = User.get_attributes()
    derived = {"mfa_methods", "restricted"}
    for name, field in ProfileOut.model_fields.items():
        if name in derived:
            continue
        assert name in attributes, name
        optional = not field.is_required() or type(None) in getattr(
            field.annotation, "__args__", ()
        )
        assert optional == bool(attributes[name].null), name
