"""Deployed stages refuse to start without their secrets; the local stage runs without."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.config import ConfigurationError, get_settings


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "variable", ["VETPET_TURN_SECRET", "VETPET_SIGNING_KEYS_SECRET", "VETPET_CODE_KEY_SECRET"]
)
@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_deployed_stage_refuses_an_empty_secret(
    stage: str, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VETPET_STAGE", stage)
    monkeypatch.setenv("VETPET_TURN_SECRET", "a-turn-secret")
    monkeypatch.setenv(variable, " ")
    with pytest.raises(ConfigurationError, match="refuses to start"):
        get_settings()


def test_local_stage_starts_without_a_turn_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETPET_STAGE", "local")
    monkeypatch.setenv("VETPET_TURN_SECRET", "")
    assert get_settings().turn_secret == ""
