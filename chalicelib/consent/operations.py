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
    Opening,
    PolicyRef,
    SetConsent,
    SetRestriction,
    Subject,
    chain,
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


def _changed(current: dict[str, ConsentState], wanted: dict[str, bool]) -> dict[str, bool]:
    """The wanted purposes whose state differs from ``current`` (never decided: not
    granted)."""
    return {
        purpose: granted
        for purpose, granted in wanted.items()
        if (current[purpose].granted if purpose in current else False) != granted
    }


def _consent_decisions(
    changed: dict[str, bool], policy: PolicyVersion | None, language: str
) -> tuple[list[Draft], list[Change]]:
    """One ledger event per changed purpose, and the state each one sets."""
    ref = _ref(policy, language)
    version = policy.version if policy else None
    drafts = [
        Draft(p, Decision.GRANTED if granted else Decision.WITHDRAWN, ref)
        for p, granted in changed.items()
    ]
    changes: list[Change] = [SetConsent(p, g, version) for p, g in changed.items()]
    return drafts, changes


def _apply_consents(user: User, wanted: dict[str, bool], channel: str, now: datetime) -> None:
    """Record the purposes whose state changes; one ledger event each."""
    changed = _changed(repository.consents(user.user_id), wanted)
    if not changed:
        return
    policy = current_policy(now)
    drafts, changes = _consent_decisions(changed, policy, subject_of(user).language)
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


def _policy_acceptance(
    policy: PolicyVersion | None, language: str, now: datetime
) -> tuple[list[Draft], list[Change]]:
    """Registration accepts the policy as it stands: the version in effect and, when a
    later non-significant one followed it, the latest significant version too."""
    if policy is None:
        return [], []
    versions = {policy.version}
    latest_significant = significant_policy.get(now)
    if latest_significant is not None:
        versions.add(latest_significant.version)
    draft = Draft(POLICY, Decision.ACCEPTED, _ref(policy, language))
    return [draft], [Acknowledge(v) for v in sorted(versions)]


def opening(user: User, now: datetime, channel: str, cookie_consent_id: str | None) -> Opening:
    """A new account's first ledger events, hashed from the start of its chain and
    signed, for the transaction that creates the account: its acceptance of the policy
    and the cookie choice it made as a visitor (P13). Built before the account is
    attempted, so a registration with a taken address does the same reads and signing."""
    policy = current_policy(now)
    language = subject_of(user).language
    drafts, changes = _policy_acceptance(policy, language, now)
    granted = _changed({}, _cookie_choice(cookie_consent_id, now))
    cookie_drafts, cookie_states = _consent_decisions(granted, policy, language)
    sign = receipts.receipt_signer(policy.text_url if policy else None)
    events = chain(
        subject_of(user), None, drafts + cookie_drafts, channel=channel, now=now, sign=sign
    )
    return Opening(tuple(events), tuple(changes + cookie_states), now)


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


def _cookie_choice(consent_id: str | None, now: datetime) -> dict[str, bool]:
    """An anonymous visitor's stored choice as consent purposes; none for no id or an
    unknown or expired one."""
    choice = stores.get_cookie_choice(consent_id) if consent_id else None
    if choice is None or choice.expires < now:
        return {}
    categories = {
        "performance": choice.performance,
        "analytics": choice.analytics,
        "social": choice.social,
    }
    return cookie_changes({k: bool(v) for k, v in categories.items()})


def merge_cookie_choice(user: User, consent_id: str, channel: str, now: datetime) -> None:
    """An anonymous choice made before signing in becomes the user's cookie consents;
    an unknown or expired id changes nothing."""
    wanted = _cookie_choice(consent_id, now)
    if wanted:
        _apply_consents(user, wanted, channel, now)


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
