"""Consent rules, free of storage and HTTP: purposes, ledger events and their hash chain,
language negotiation, and what a policy change means for a signed-in user. Time comes in
as ``now``; storage comes in as a `ConsentRepository`; receipts come in as a signer."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from chalicelib.clock import to_rfc3339
from chalicelib.config import LEDGER_APPEND_RETRIES
from chalicelib.consent.errors import ChainConflict, EssentialRequired, UnknownPurpose
from chalicelib.hashchain import GENESIS, Link, append_with_retries, digest, first_break

MARKETING = "marketing"
PURPOSES = (MARKETING, "recording", "analytics_cookies", "performance_cookies", "social_cookies")
COOKIE_PURPOSES = {
    "performance": "performance_cookies",
    "analytics": "analytics_cookies",
    "social": "social_cookies",
}
POLICY = "privacy_policy"
RESTRICTION = "processing_restriction"
CHANNELS = ("web", "mobile", "api")
CHANNEL_HEADER = "vetpet-channel"  # where a client says which channel a decision came from
DEFAULT_CHANNEL = "api"
LANGUAGES = ("uk", "ru", "en")
DEFAULT_LANGUAGE = "en"


class Decision(StrEnum):
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"
    ACCEPTED = "accepted"  # the policy in effect, at registration
    ACKNOWLEDGED = "acknowledged"  # a published policy version
    RESTRICTED = "restricted"
    LIFTED = "lifted"


@dataclass(frozen=True)
class Subject:
    """Whose event it is: the user, their country (the jurisdiction) and language."""

    user_id: str
    jurisdiction: str | None
    language: str


@dataclass(frozen=True)
class PolicyRef:
    """The policy version an event refers to and the SHA-256 of the text shown."""

    version: str
    text_hash: str


@dataclass(frozen=True)
class Draft:
    """An event before it has its place in the chain. ``reference`` names what a
    decision about one thing is about (a booking, a disclosure grant); ``statement`` is
    the text a written consent was given to, kept with its SHA-256."""

    purpose: str
    decision: Decision
    policy: PolicyRef | None
    reference: str | None = None
    statement: str | None = None


@dataclass(frozen=True)
class Event:
    subject: str
    sequence: int
    event_id: str
    purpose: str
    decision: str
    policy_version: str | None
    policy_hash: str | None
    language: str
    channel: str
    jurisdiction: str | None
    recorded_at: datetime
    previous_hash: str
    event_hash: str = ""
    receipt: str = ""
    reference: str | None = None
    statement: str | None = None
    statement_hash: str | None = None


# Fields added after the first events were written: left out of the hash when empty, so
# the hashes of events without them stay what they were.
OPTIONAL_FIELDS = ("reference", "statement", "statement_hash")


@dataclass(frozen=True)
class ConsentState:
    purpose: str
    granted: bool
    updated_at: datetime | None
    policy_version: str | None


@dataclass(frozen=True)
class SetConsent:
    """Change of a purpose's current state, written with its ledger event."""

    purpose: str
    granted: bool
    policy_version: str | None


@dataclass(frozen=True)
class SetRestriction:
    restricted: bool


@dataclass(frozen=True)
class Acknowledge:
    version: str


Change = SetConsent | SetRestriction | Acknowledge


@dataclass(frozen=True)
class Opening:
    """A new subject's first ledger events (chained from the start) and the state they
    set, stored in the same transaction as the account they belong to."""

    events: tuple[Event, ...]
    changes: tuple[Change, ...]
    at: datetime


class ConsentRepository(Protocol):
    """The ledger and the current consent state of each subject."""

    def head(self, subject: str) -> Event | None:
        """The subject's latest event (consistent read)."""
        ...

    def events(self, subject: str) -> list[Event]:
        """Every event of the subject, oldest first."""
        ...

    def append(self, events: Sequence[Event], changes: Sequence[Change], now: datetime) -> None:
        """Write the events and the state changes together, or nothing: `ChainConflict`
        when another append took one of the events' sequence numbers first."""
        ...

    def consents(self, subject: str) -> dict[str, ConsentState]: ...

    def restricted(self, subject: str) -> bool: ...

    def acknowledged(self, subject: str, version: str) -> bool: ...

    def marketing_audience(self) -> list[str]:
        """Users whose marketing consent is granted (from the sparse index)."""
        ...


Signer = Callable[[Event], str]


def require_purpose(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise UnknownPurpose()
    return purpose


def cookie_changes(categories: dict[str, bool]) -> dict[str, bool]:
    """Cookie categories as consent purposes; ``essential`` may only be sent as true."""
    if categories.get("essential", True) is not True:
        raise EssentialRequired()
    return {
        COOKIE_PURPOSES[name]: value for name, value in categories.items() if name != "essential"
    }


def channel_of(header: str | None) -> str:
    value = (header or "").strip().lower()
    return value if value in CHANNELS else DEFAULT_CHANNEL


def negotiate_language(requested: str | None, accept_language: str | None) -> str:
    """``?lang=`` first, then the best supported tag of ``Accept-Language``, else English."""
    if requested:
        base = requested.split("-")[0].lower()
        return base if base in LANGUAGES else DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.split("-")[0].strip().lower()
        if base in LANGUAGES and quality > 0:
            ranked.append((-quality, position, base))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def text_hash(text: str) -> str:
    """SHA-256 (hex) of a text the user was shown (the policy, a written consent)."""
    return hashlib.sha256(text.encode()).hexdigest()


def hash_event(event: Event) -> str:
    """SHA-256 over the canonical JSON of every field but the hash and the receipt; it
    covers ``previous_hash``, so each event commits to the whole history before it."""
    fields = asdict(event)
    fields.pop("event_hash")
    fields.pop("receipt")
    for name in OPTIONAL_FIELDS:
        if fields[name] is None:
            fields.pop(name)
    fields["recorded_at"] = to_rfc3339(event.recorded_at)
    return digest(fields)


def chain(
    subject: Subject,
    head: Event | None,
    drafts: Sequence[Draft],
    *,
    channel: str,
    now: datetime,
    sign: Signer,
) -> list[Event]:
    """The drafts as the next events after ``head``, hashed, linked and signed."""
    events: list[Event] = []
    previous = head
    for draft in drafts:
        event = Event(
            subject=subject.user_id,
            sequence=previous.sequence + 1 if previous else 1,
            event_id=str(uuid.uuid4()),
            purpose=draft.purpose,
            decision=draft.decision.value,
            policy_version=draft.policy.version if draft.policy else None,
            policy_hash=draft.policy.text_hash if draft.policy else None,
            language=subject.language,
            channel=channel,
            jurisdiction=subject.jurisdiction,
            recorded_at=now,
            previous_hash=previous.event_hash if previous else GENESIS,
            reference=draft.reference,
            statement=draft.statement,
            statement_hash=text_hash(draft.statement) if draft.statement is not None else None,
        )
        event = replace(event, event_hash=hash_event(event))
        event = replace(event, receipt=sign(event))
        events.append(event)
        previous = event
    return events


def verify_chain(events: Sequence[Event]) -> bool:
    """True when every event's hash is right and links to the one before it."""
    links = (Link(e.sequence, e.previous_hash, e.event_hash, hash_event(e)) for e in events)
    return first_break(links) is None


def record(
    repository: ConsentRepository,
    subject: Subject,
    drafts: Sequence[Draft],
    changes: Sequence[Change],
    *,
    channel: str,
    now: datetime,
    sign: Signer,
) -> list[Event]:
    """Append the drafts to the subject's ledger with the state changes they make. A
    concurrent append on the same head makes this one retry on the new head, so the
    chain never forks; after a few lost races the caller gets `ChainConflict`."""
    return append_with_retries(
        lambda: chain(
            subject, repository.head(subject.user_id), drafts, channel=channel, now=now, sign=sign
        ),
        lambda events: repository.append(events, changes, now),
        conflict=ChainConflict,
        attempts=LEDGER_APPEND_RETRIES,
    )


def consent_states(stored: dict[str, ConsentState]) -> list[ConsentState]:
    """Every purpose, in a fixed order; one never decided reads as not granted."""
    return [stored.get(p, ConsentState(p, False, None, None)) for p in PURPOSES]


def marketing_allowed(granted: bool, restricted: bool) -> bool:
    return granted and not restricted
