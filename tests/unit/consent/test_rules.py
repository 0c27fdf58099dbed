"""Pure consent rules: language negotiation, channels, cookie categories."""

from __future__ import annotations

import pytest

from chalicelib.consent.errors import EssentialRequired, UnknownPurpose
from chalicelib.consent.service import (
    channel_of,
    cookie_changes,
    negotiate_language,
    require_purpose,
)


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("uk", "ru", "uk"),
        ("ru-RU", None, "ru"),
        ("de", "uk", "en"),  # an unsupported ?lang= falls back to English
        (None, "de-DE, ru;q=0.7, uk;q=0.9", "uk"),
        (None, "uk;q=0, ru;q=0.1", "ru"),
        (None, "fr, de", "en"),
        (None, "ru;q=bad, en", "en"),
        (None, None, "en"),
    ],
)
def test_language_negotiation(query: str | None, accept: str | None, expected: str) -> None:
    assert negotiate_language(query, accept) == expected


def test_channels_default_to_api() -> None:
    assert [channel_of(v) for v in ("web", " Mobile ", "fax", None)] == [
        "web",
        "mobile",
        "api",
        "api",
    ]


def test_cookie_categories_map_to_purposes_and_essential_stays_on() -> None:
    chosen = {"essential": True, "performance": True, "analytics": False, "social": False}
    assert cookie_changes(chosen) == {
        "performance_cookies": True,
        "analytics_cookies": False,
        "social_cookies": False,
    }
    with pytest.raises(EssentialRequired):
        cookie_changes({**chosen, "essential": False})
    with pytest.raises(UnknownPurpose):
        require_purpose("essential")
