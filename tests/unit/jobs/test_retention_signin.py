"""The retention sweep (P9) removes short-lived sign-in items once they expire, without
waiting for DynamoDB TTL: sign-in challenges, sessions, social sign-in nonces and
back-off counters. An item refreshed meanwhile keeps its new deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from chalicelib.accounts import counters, mfa, nonces, sessions
from chalicelib.accounts.models import LoginChallenge, LoginFailures, Session, SocialNonce
from chalicelib.config import MFA_CHALLENGE_TTL, REFRESH_TOKEN_TTL, SOCIAL_NONCE_TTL
from chalicelib.jobs import checkpoints, retention
from chalicelib.store.expiry import PurgeDue
from tests.unit.accounts.conftest import make_user

START = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=20)  # apart from every other expiry below


def _mint(user_id: str, family_id: str, now: datetime) -> tuple[str, int]:
    return f"access-{family_id}", 300


@pytest.fixture
def clock(aws: None) -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        checkpoints.advance(retention.JOB, START - timedelta(hours=1))
        yield traveller


def _now() -> datetime:
    return datetime.now(UTC)


def test_expired_sign_in_items_go_and_live_ones_stay(clock: time_machine.Coordinates) -> None:
    user = make_user("ada@example.com")
    old_family, _ = sessions.start(user.user_id, _now())
    old_challenge = mfa.start_challenge(user, ["totp"], _now())
    nonces.issue(_now())
    assert counters.reserve("ip#198.51.100.7", 5, WINDOW, _now()) is None

    clock.move_to(START + REFRESH_TOKEN_TTL - timedelta(hours=1))
    live_family, _ = sessions.start(user.user_id, _now())
    live_challenge = mfa.start_challenge(user, ["totp"], _now())
    assert counters.reserve("ip#203.0.113.9", 5, WINDOW, _now()) is None
    counts = retention.run(_now())

    assert (counts["purged_login_challenges"], counts["purged_social_nonces"]) == (1, 1)
    assert (counts["purged_counters"], counts["purged_sessions"]) == (1, 0)
    assert [c.challenge_id for c in LoginChallenge.scan()] == [live_challenge]
    assert old_challenge != live_challenge
    assert list(SocialNonce.scan()) == []
    assert [c.key for c in LoginFailures.scan()] == ["ip#203.0.113.9"]

    clock.move_to(START + REFRESH_TOKEN_TTL + timedelta(minutes=1))
    counts = retention.run(_now())
    assert counts["purged_sessions"] == 1
    assert [s.family_id for s in Session.scan()] == [live_family]
    assert old_family != live_family


def test_each_item_is_due_exactly_at_its_expiry(clock: time_machine.Coordinates) -> None:
    user = make_user("ada@example.com")
    sessions.start(user.user_id, _now())
    mfa.start_challenge(user, ["totp"], _now())
    nonces.issue(_now())
    counters.reserve("ip#198.51.100.7", 5, WINDOW, _now())
    expiries = {
        "purged_social_nonces": SOCIAL_NONCE_TTL,
        "purged_login_challenges": MFA_CHALLENGE_TTL,
        "purged_counters": WINDOW,
        "purged_sessions": REFRESH_TOKEN_TTL,
    }
    for name, ttl in sorted(expiries.items(), key=lambda entry: entry[1]):
        assert retention.run(START + ttl - timedelta(seconds=1))[name] == 0
        assert retention.run(START + ttl)[name] == 1


def test_a_counter_in_a_new_window_is_kept(clock: time_machine.Coordinates) -> None:
    counters.reserve("ip#198.51.100.7", 5, WINDOW, _now())
    clock.move_to(START + WINDOW + timedelta(minutes=1))
    counters.reserve("ip#198.51.100.7", 5, WINDOW, _now())  # opens a new window
    assert retention.run(_now())["purged_counters"] == 0
    assert LoginFailures.get("ip#198.51.100.7").uses == 1


def test_a_session_refreshed_between_read_and_delete_stays(
    clock: time_machine.Coordinates, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user("ada@example.com")
    family_id, token = sessions.start(user.user_id, _now())
    expires = START + REFRESH_TOKEN_TTL
    real = PurgeDue.query

    def refreshed_after_the_read(index: Any, bucket: str, **kwargs: Any) -> Iterator[Any]:
        for key in real(index, bucket, **kwargs):
            if getattr(key, "family_id", None) == family_id:
                # The user's client refreshes (its clock a second behind the sweep's).
                sessions.rotate(token, expires - timedelta(seconds=1), _mint)
            yield key

    monkeypatch.setattr(PurgeDue, "query", refreshed_after_the_read)
    clock.move_to(expires)
    assert retention.run(_now())["purged_sessions"] == 0
    kept = Session.get(family_id)
    assert kept.purge_at == expires - timedelta(seconds=1) + REFRESH_TOKEN_TTL
