from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from chalicelib.notifications.templates import (
    LANGUAGES,
    LOCALES_DIR,
    TEMPLATES,
    render,
    supported_language,
)

WHEN = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def _render(template: str, language: str, zone: str) -> tuple[str, str]:
    out = render(
        template,
        language=language,
        timezone=zone,
        name="Olena",
        instants={"when": WHEN, "previous_when": WHEN, "until": WHEN},
        values={
            "counterpart": "Dr Vet",
            "pet": "Barsik",
            "purpose": "second opinion",
            "link": "https://example.test/x",
            "reason": "many records",
        },
    )
    return out.subject, out.body


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        (
            "uk",
            "Europe/Kyiv",
            ["Консультацію підтверджено", "30 березня 2026, 10:00", "Europe/Kyiv"],
        ),
        ("ru", "America/Toronto", ["Консультация подтверждена", "30 марта 2026, 03:00"]),
        ("en", "Pacific/Honolulu", ["Consultation confirmed", "29 March 2026, 21:00"]),
    ],
)
def test_language_and_time_zone_of_the_recipient(
    language: str, zone: str, expected: list[str]
) -> None:
    subject, body = _render("booking_confirmed", language, zone)
    for fragment in expected:
        assert fragment in subject + body


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_renders_in_every_language(template: str, language: str) -> None:
    subject, body = _render(template, language, "Europe/Kyiv")
    assert "%(" not in subject + body
    if "%(pet)s" in TEMPLATES[template].body:
        assert "Barsik" in body


def test_unknown_language_falls_back_to_english() -> None:
    assert supported_language("de") == "en"
    assert supported_language("uk-UA") == "uk"
    assert supported_language(None) == "en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogs_match_their_sources(language: str) -> None:
    folder = Path(LOCALES_DIR) / language / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as po, open(folder / "messages.mo", "rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    assert {m.id: m.string for m in source if m.id} == {m.id: m.string for m in compiled if m.id}
    for template in TEMPLATES.values():
        assert source[template.subject] is not None
        assert source[template.subject].string


def test_an_unusable_zone_is_shown_as_utc() -> None:
    subject, _ = _render("booking_confirmed", "en", "Not/AZone")
    assert "30 March 2026, 07:00" in subject
