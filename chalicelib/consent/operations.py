"""Consent use cases: each reads what it needs, applies the rules of `service.py` and
records the outcome in the ledger through the `ConsentRepository` port."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from chalicelib.accounts.models import User
from chalicelib.accounts.repository import get_user
from chalicelib.consent import receipts
from chalicelib.consent import repository as stores
from chalicelib.consent.errors import NoPolicyInEffect, UnknownPolicyVersion
from chalicelib.consent.models import Localized, PolicyVersion
from chalicelib.consent.notice import significant_policy
from chalicelib.consent.repository import DynamoConsentRepository
from chalicelib.consent.service import (
    MARKETING,
    POLICY,
    RESTRICTION,
    Acknowledge,
    Change,
    ConsentRepository,
    ConsentState,
    Decision,
    Draft,
    Event,
    PolicyRef,
    SetConsent,
    SetRestriction,
    Subject,
    consent_states,
    cookie_changes,
    marketing_allowed,
    record,
    require_purpose,
    text_hash,
)
from chalicelib.errors import NotFound

repository: ConsentRepository = DynamoConsentRepository()


@dataclass(frozen=True)
class RestrictionState:
    restricted: bool
    updated_at: datetime


def subject_of(user: User) -> Subject:
    return Subject(user.user_id, user.country, user.language or "en")


def _user(user_id: str) -> User:
    user = get_user(user_id)
    if user is None:
        raise NotFound("account")
    return user


def current_policy(now: datetime) -> PolicyVersion | None:
    return next(iter(stores.policies_in_effect(now)), None)


def require_current_policy(now: datetime) -> PolicyVersion:
    policy = current_policy(now)
    if policy is None:
        raise NoPolicyInEffect()
    return policy


def _ref(policy: PolicyVersion | None, language: str) -> PolicyRef | None:
    if policy is None:
        return None
    return PolicyRef(policy.version, text_hash(policy.summary[language]))


def _record(
    user: User,
    drafts: list[Draft],
    changes: list[Change],
    policy: PolicyVersion | None,
    channel: str,
    now: datetime,
) -> list[Event]:
    sign = receipts.receipt_signer(policy.text_url if policy else None)
    return record(
        repository, subject_of(user), drafts, changes, channel=channel, now=now, sign=sign
    )


def publish_policy(
    version: str,
    *,
    significant: bool,
    effective_at: datetime,
    summary: dict[str, str],
    text_url: str,
    now: datetime,
) -> PolicyVersion:
    published = PolicyVersion(
        version,
        document=stores.POLICY_DOCUMENT,
        significant=significant,
        effective_at=effective_at,
        summary=Localized(**summary),  # type: ignore[no-untyped-call]
        text_url=text_url,
        published_at=now,
    )
    stores.save_policy(published)
    significant_policy.clear()
    return published


def list_consents(user_id: str) -> list[ConsentState]:
    return consent_states(repository.consents(user_id))


def _apply_consents(user: User, wanted: dict[str, bool], channel: str, now: datetime) -> None:
    """Record the purposes whose state changes; one ledger event each."""
    current = repository.consents(user.user_id)
    changed = {
        purpose: granted
        for purpose, granted in wanted.items()
        if (current[purpose].granted if purpose in current else False) != granted
    }
    if not changed:
        return
    policy = current_policy(now)
    ref = _ref(policy, subject_of(user).language)
    version = policy.version if policy else None
    drafts = [
        Draft(p, Decision.GRANTED if granted else Decision.WITHDRAWN, ref)
        for p, granted in changed.items()
    ]
    changes: list[Change] = [SetConsent(p, g, version) for p, g in changed.items()]
    _record(user, drafts, changes, policy, channel, now)


def set_consent(
    user_id: str, purpose: str, granted: bool, channel: str, now: datetime
) -> ConsentState:
    """Grant or withdraw one purpose: one call each way (P11)."""
    require_purpose(purpose)
    _apply_consents(_user(user_id), {purpose: granted}, channel, now)
    return next(s for s in list_consents(user_id) if s.purpose == purpose)


def ledger(user_id: str) -> list[Event]:
    return repository.events(user_id)


def record_decision(
    user_id: str,
    purpose: str,
    granted: bool,
    *,
    reference: str,
    channel: str,
    now: datetime,
    statement: str | None = None,
) -> Event:
    """Append one decision about one thing (``reference``: a booking's recording, a
    disclosure grant) to the user's ledger, with the text of a written consent when
    there is one. The caller keeps the thing's own state."""
    user = _user(user_id)
    policy = current_policy(now)
    decision = Decision.GRANTED if granted else Decision.WITHDRAWN
    ref = _ref(policy, subject_of(user).language)
    draft = Draft(purpose, decision, ref, reference=reference, statement=statement)
    return _record(user, [draft], [], policy, channel, now)[0]


def acknowledge_policy(user_id: str, version: str, channel: str, now: datetime) -> None:
    policy = stores.get_policy(version)
    if policy is None or policy.effective_at > now:
        raise UnknownPolicyVersion()
    if repository.acknowledged(user_id, version):
        return
    user = _user(user_id)
    draft = Draft(POLICY, Decision.ACKNOWLEDGED, _ref(policy, subject_of(user).language))
    _record(user, [draft], [Acknowledge(version)], policy, channel, now)


def accept_policy(user: User, now: datetime, channel: str) -> None:
    """Registration accepts the policy as it stands: the version in effect and, when a
    later non-significant one followed it, the latest significant version too."""
    policy = current_policy(now)
    if policy is None:
        return
    versions = {policy.version}
    latest_significant = significant_policy.get(now)
    if latest_significant is not None:
        versions.add(latest_significant.version)
    draft = Draft(POLICY, Decision.ACCEPTED, _ref(policy, subject_of(user).language))
    changes: list[Change] = [Acknowledge(v) for v in sorted(versions)]
    _record(user, [draft], changes, policy, channel, now)


def restriction(user_id: str) -> bool:
    return repository.restricted(user_id)


def set_restriction(user_id: str, restricted: bool, channel: str, now: datetime) -> bool:
    if repository.restricted(user_id) != restricted:
        user = _user(user_id)
        policy = current_policy(now)
        decision = Decision.RESTRICTED if restricted else Decision.LIFTED
        draft = Draft(RESTRICTION, decision, _ref(policy, subject_of(user).language))
        _record(user, [draft], [SetRestriction(restricted)], policy, channel, now)
    return restricted


def new_cookie_consent_id() -> str:
    return f"cc_{secrets.token_urlsafe(18)}"


def save_cookie_choice(
    consent_id: str | None, categories: dict[str, bool], now: datetime
) -> tuple[str, dict[str, bool]]:
    """Store an anonymous visitor's choice (new when ``consent_id`` is None)."""
    cookie_changes(categories)
    chosen = {k: v for k, v in categories.items() if k != "essential"}
    new = consent_id is None
    stored_id = consent_id or new_cookie_consent_id()
    stores.save_cookie_choice(stored_id, chosen, now, new=new)
    return stored_id, chosen


def merge_cookie_choice(user: User, consent_id: str, channel: str, now: datetime) -> None:
    """An anonymous choice made before signing in becomes the user's cookie consents;
    an unknown or expired id changes nothing."""
    choice = stores.get_cookie_choice(consent_id)
    if choice is None or choice.expires < now:
        return
    categories = {
        "performance": choice.performance,
        "analytics": choice.analytics,
        "social": choice.social,
    }
    _apply_consents(user, cookie_changes({k: bool(v) for k, v in categories.items()}), channel, now)


def unsubscribe(token: str, channel: str, now: datetime) -> None:
    """Withdraw marketing by the signed link of a campaign e-mail, without signing in."""
    user = get_user(receipts.unsubscribe_subject(token))
    if user is not None:
        _apply_consents(user, {MARKETING: False}, channel, now)


def permits(user_id: str, purpose: str) -> bool:
    """May a message of ``purpose`` go to the user now? Marketing needs the consent and no
    restriction; other non-essential messages need no restriction."""
    restricted = repository.restricted(user_id)
    if purpose == MARKETING:
        granted = repository.consents(user_id).get(MARKETING)
        return marketing_allowed(bool(granted and granted.granted), restricted)
    return not restricted
