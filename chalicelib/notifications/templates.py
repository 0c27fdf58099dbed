"""Notification texts: gettext catalogs (uk, ru, en) and times in the recipient's zone.

The English msgids below are the source strings; ``make i18n`` extracts nothing
automatically, the catalogs under ``locales/`` are kept by hand and compiled to .mo
(committed, and checked against the .po files by a unit test).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("uk", "ru", "en")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"


def _(message: str) -> str:
    """Marks a msgid for the catalogs; translation happens at render time."""
    return message


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


GREETING = _("Hello, %(name)s!")
SIGNATURE = _("The VetPet team")

TEMPLATES: dict[str, Template] = {
    "booking_confirmed": Template(
        _("Consultation confirmed: %(when)s"),
        _(
            "Your consultation with %(counterpart)s about %(pet)s on %(when)s "
            "(%(timezone)s) is confirmed."
        ),
    ),
    "booking_cancelled": Template(
        _("Consultation cancelled: %(when)s"),
        _(
            "The consultation with %(counterpart)s about %(pet)s on %(when)s "
            "(%(timezone)s) has been cancelled."
        ),
    ),
    "booking_rescheduled": Template(
        _("Consultation moved to %(when)s"),
        _(
            "The consultation with %(counterpart)s about %(pet)s has been moved from "
            "%(previous_when)s to %(when)s (%(timezone)s)."
        ),
    ),
    "booking_expired": Template(
        _("Booking released: %(when)s"),
        _(
            "The booking with %(counterpart)s about %(pet)s on %(when)s (%(timezone)s) "
            "was not paid in time and has been released."
        ),
    ),
    "booking_in_progress": Template(
        _("Consultation started: %(when)s"),
        _(
            "The consultation with %(counterpart)s about %(pet)s has started "
            "(%(when)s, %(timezone)s)."
        ),
    ),
    "booking_completed": Template(
        _("Consultation completed: %(when)s"),
        _(
            "The consultation with %(counterpart)s about %(pet)s on %(when)s "
            "(%(timezone)s) is completed."
        ),
    ),
    "booking_no_show": Template(
        _("Consultation missed: %(when)s"),
        _(
            "The consultation with %(counterpart)s about %(pet)s on %(when)s "
            "(%(timezone)s) was marked as missed."
        ),
    ),
    "booking_reminder": Template(
        _("Reminder: consultation on %(when)s"),
        _(
            "Your consultation with %(counterpart)s about %(pet)s starts on %(when)s "
            "(%(timezone)s)."
        ),
    ),
    "question_message": Template(
        _("New message about %(pet)s"),
        _(
            "%(counterpart)s sent you a new message about %(pet)s at %(when)s "
            "(%(timezone)s). Open VetPet to read it."
        ),
    ),
    "recording_shared": Template(
        _("%(counterpart)s shared a consultation recording with you"),
        _(
            "%(counterpart)s shared with you the recording of the consultation about %(pet)s "
            "on %(when)s (%(timezone)s), for this purpose: %(purpose)s. The link works until "
            "%(until)s unless %(counterpart)s withdraws it: %(link)s"
        ),
    ),
    "privacy_request_extended": Template(
        _("Your privacy request: new due date %(when)s"),
        _(
            "We need more time to answer your privacy request. We will answer by %(when)s "
            "(%(timezone)s). The reason: %(reason)s. Your request: %(link)s"
        ),
    ),
    "privacy_request_answered": Template(
        _("Your privacy request has an answer"),
        _(
            "Support has answered your privacy request. Read the answer (and reply, if you "
            "need to) in VetPet: %(link)s"
        ),
    ),
}

# Chat-bot messages carry the first name, the time and the status, nothing else (P5).
CHAT_TEMPLATES: dict[str, str] = {
    "booking_confirmed": _("%(name)s, your consultation on %(when)s is confirmed."),
    "booking_cancelled": _("%(name)s, the consultation on %(when)s has been cancelled."),
    "booking_rescheduled": _("%(name)s, your consultation has been moved to %(when)s."),
    "booking_expired": _(
        "%(name)s, the booking for %(when)s was not paid in time and has been released."
    ),
    "booking_in_progress": _("%(name)s, your consultation (%(when)s) has started."),
    "booking_completed": _("%(name)s, the consultation on %(when)s is completed."),
    "booking_no_show": _("%(name)s, the consultation on %(when)s was marked as missed."),
    "booking_reminder": _("%(name)s, reminder: your consultation starts on %(when)s."),
    "question_message": _("%(name)s, you have a new message in VetPet (%(when)s)."),
}

# The bot's answers in the chat itself.
CHAT_REPLIES: dict[str, str] = {
    "linked": _("VetPet notifications are on in this chat. Send /stop to turn them off."),
    "link_invalid": _(
        "This link has expired or was already used. Ask for a new one in the VetPet app."
    ),
    "unlinked": _("VetPet notifications are off in this chat."),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    language: str


def supported_language(language: str | None) -> str:
    base = (language or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@cache
def _translator(language: str) -> Callable[[str], str]:
    translation = gettext.translation(
        DOMAIN, localedir=str(LOCALES_DIR), languages=[language], fallback=language == "en"
    )
    return translation.gettext


def format_when(instant: datetime, timezone: str, language: str) -> str:
    from babel.dates import format_datetime  # lazy: keeps babel off the cold path

    try:
        zone = ZoneInfo(timezone)
    except (ValueError, ZoneInfoNotFoundError):  # an unusable stored zone: say UTC, not fail
        zone = ZoneInfo("UTC")
    return format_datetime(instant, "d MMMM y, HH:mm", tzinfo=zone, locale=language)


def render(
    template: str,
    *,
    language: str | None,
    timezone: str,
    name: str,
    instants: Mapping[str, datetime],
    values: Mapping[str, str],
) -> Rendered:
    """Render ``template`` for one recipient: their language, their time zone."""
    lang = supported_language(language)
    tr = _translator(lang)
    params: dict[str, str] = {"timezone": timezone, "name": name, **values}
    for key, instant in instants.items():
        params[key] = format_when(instant, timezone, lang)
    chosen = TEMPLATES[template]
    body = "\n\n".join([tr(GREETING) % params, tr(chosen.body) % params, tr(SIGNATURE)])
    return Rendered(subject=tr(chosen.subject) % params, body=body, language=lang)


UNSUBSCRIBE = _("You receive this because you agreed to news and offers. Unsubscribe: %(url)s")


def render_campaign(
    *, language: str | None, name: str, subject: str, body: str, unsubscribe_url: str
) -> Rendered:
    """A marketing message written by the team in the recipient's language, with the
    greeting, the signature and a one-click unsubscribe line (P6)."""
    lang = supported_language(language)
    tr = _translator(lang)
    footer = tr(UNSUBSCRIBE) % {"url": unsubscribe_url}
    text = "\n\n".join([tr(GREETING) % {"name": name}, body, tr(SIGNATURE), footer])
    return Rendered(subject=subject, body=text, language=lang)


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else "-"


def render_chat(
    template: str,
    *,
    language: str | None,
    timezone: str,
    name: str,
    instants: Mapping[str, datetime],
) -> Rendered:
    """The chat-bot text of ``template``: first name, time (recipient's zone), status."""
    lang = supported_language(language)
    params = {"name": first_name(name)}
    for key, instant in instants.items():
        params[key] = format_when(instant, timezone, lang)
    text = _translator(lang)(CHAT_TEMPLATES[template]) % params
    return Rendered(subject=template, body=text, language=lang)


def chat_reply(reply: str, language: str | None) -> str:
    return _translator(supported_language(language))(CHAT_REPLIES[reply])
