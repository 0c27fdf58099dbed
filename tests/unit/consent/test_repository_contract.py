"""One contract for the `ConsentRepository` port: the PynamoDB adapter (on moto) and the
in-memory fake the service tests use must behave the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from chalicelib.consent.errors import ChainConflict
from chalicelib.consent.repository import DynamoConsentRepository
from chalicelib.consent.service import (
    MARKETING,
    Acknowledge,
    ConsentRepository,
    Decision,
    Draft,
    SetConsent,
    SetRestriction,
    Subject,
    chain,
    record,
    verify_chain,
)
from tests.unit.consent.fakes import InMemoryConsentRepository

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ANNA = Subject("u-anna", "UA", "uk")


def _unsigned(event: object) -> str:
    return "receipt"


@pytest.fixture(params=["dynamodb", "in-memory"])
def repository(request: pytest.FixtureRequest) -> Iterator[ConsentRepository]:
    if request.param == "dynamodb":
        request.getfixturevalue("aws")
        yield DynamoConsentRepository()
    else:
        yield InMemoryConsentRepository()


def _grant(granted: bool = True) -> list[Draft]:
    return [Draft(MARKETING, Decision.GRANTED if granted else Decision.WITHDRAWN, None)]


def test_events_come_back_in_order_with_the_head_last(repository: ConsentRepository) -> None:
    assert repository.head(ANNA.user_id) is None
    for granted in (True, False, True):
        change = SetConsent(MARKETING, granted, None)
        record(repository, ANNA, _grant(granted), [change], channel="web", now=NOW, sign=_unsigned)
    events = repository.events(ANNA.user_id)
    assert [e.decision for e in events] == ["granted", "withdrawn", "granted"]
    assert repository.head(ANNA.user_id) == events[-1]
    assert verify_chain(events)
    assert repository.events("u-someone-else") == []


def test_an_append_on_a_stale_head_fails_and_writes_nothing(
    repository: ConsentRepository,
) -> None:
    first = chain(ANNA, None, _grant(), channel="api", now=NOW, sign=_unsigned)
    racing = chain(ANNA, None, _grant(False), channel="api", now=NOW, sign=_unsigned)
    repository.append(first, [SetConsent(MARKETING, True, None)], NOW)
    with pytest.raises(ChainConflict):
        repository.append(racing, [SetConsent(MARKETING, False, None)], NOW)
    assert repository.events(ANNA.user_id) == first
    assert repository.consents(ANNA.user_id)[MARKETING].granted is True


def test_the_loser_of_a_race_retries_on_the_new_head(repository: ConsentRepository) -> None:
    """Two writers read the same head; the chain stays linear."""
    stale = repository.head(ANNA.user_id)
    record(repository, ANNA, _grant(), [], channel="api", now=NOW, sign=_unsigned)
    late = chain(ANNA, stale, _grant(False), channel="api", now=NOW, sign=_unsigned)
    with pytest.raises(ChainConflict):
        repository.append(late, [], NOW)
    record(repository, ANNA, _grant(False), [], channel="api", now=NOW, sign=_unsigned)
    events = repository.events(ANNA.user_id)
    assert [e.sequence for e in events] == [1, 2]
    assert verify_chain(events)


def test_state_changes_are_written_with_their_events(repository: ConsentRepository) -> None:
    changes = [SetConsent(MARKETING, True, "2026-1"), SetRestriction(True), Acknowledge("2026-1")]
    record(repository, ANNA, _grant(), changes, channel="web", now=NOW, sign=_unsigned)
    state = repository.consents(ANNA.user_id)[MARKETING]
    assert (state.granted, state.updated_at, state.policy_version) == (True, NOW, "2026-1")
    assert repository.restricted(ANNA.user_id) is True
    assert repository.restricted("u-other") is False
    assert repository.acknowledged(ANNA.user_id, "2026-1") is True
    assert repository.acknowledged(ANNA.user_id, "2026-2") is False


def test_the_marketing_audience_holds_only_granted_marketing(
    repository: ConsentRepository,
) -> None:
    for user_id, purpose, granted in [
        ("u-1", MARKETING, True),
        ("u-2", MARKETING, False),
        ("u-3", "recording", True),
        ("u-4", MARKETING, True),
    ]:
        subject = Subject(user_id, "UA", "en")
        record(
            repository,
            subject,
            _grant(granted),
            [SetConsent(purpose, granted, None)],
            channel="api",
            now=NOW,
            sign=_unsigned,
        )
    record(
        repository,
        Subject("u-4", "UA", "en"),
        _grant(False),
        [SetConsent(MARKETING, False, None)],
        channel="api",
        now=NOW,
        sign=_unsigned,
    )
    assert sorted(repository.marketing_audience()) == ["u-1"]
