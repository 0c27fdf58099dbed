"""Consent storage behind ports: `DynamoConsentRepository` is the PynamoDB adapter of the
`ConsentRepository` port (held to one contract suite with the in-memory fake of the
tests); policy versions, cookie choices and campaigns are plain PynamoDB stores."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import datetime

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib.config import COOKIE_CONSENT_TTL, MARKETING_AUDIENCE_SHARDS
from chalicelib.consent.errors import ChainConflict, PolicyVersionExists
from chalicelib.consent.models import (
    Campaign,
    Consent,
    CookieConsent,
    LedgerEvent,
    Localized,
    PolicyAcknowledgement,
    PolicyVersion,
    Restriction,
)
from chalicelib.consent.service import (
    MARKETING,
    Change,
    ConsentState,
    Event,
    SetConsent,
    SetRestriction,
)
from chalicelib.errors import Conflict, NotFound
from chalicelib.store.base import BaseModel
from chalicelib.store.transact import transaction_connection

POLICY_DOCUMENT = "privacy-policy"
QUEUED = "1"


def audience_shard(user_id: str) -> str:
    """The sparse index partition of a user: spreads the audience over a few keys."""
    digest = hashlib.sha256(user_id.encode()).digest()
    return str(digest[0] % MARKETING_AUDIENCE_SHARDS)


def _event(item: LedgerEvent) -> Event:
    return Event(
        subject=item.subject,
        sequence=int(item.sequence),
        event_id=item.event_id,
        purpose=item.purpose,
        decision=item.decision,
        policy_version=item.policy_version,
        policy_hash=item.policy_hash,
        language=item.language,
        channel=item.channel,
        jurisdiction=item.jurisdiction,
        recorded_at=item.recorded_at,
        previous_hash=item.previous_hash,
        event_hash=item.event_hash,
        receipt=item.receipt,
        reference=item.reference,
        statement=item.statement,
        statement_hash=item.statement_hash,
    )


def _item(event: Event) -> LedgerEvent:
    return LedgerEvent(
        event.subject,
        event.sequence,
        event_id=event.event_id,
        purpose=event.purpose,
        decision=event.decision,
        policy_version=event.policy_version,
        policy_hash=event.policy_hash,
        language=event.language,
        channel=event.channel,
        jurisdiction=event.jurisdiction,
        recorded_at=event.recorded_at,
        previous_hash=event.previous_hash,
        event_hash=event.event_hash,
        receipt=event.receipt,
        reference=event.reference,
        statement=event.statement,
        statement_hash=event.statement_hash,
    )


def _state_item(
    user_id: str, change: Change, now: datetime
) -> Consent | Restriction | PolicyAcknowledgement:
    if isinstance(change, SetConsent):
        marketing = change.purpose == MARKETING and change.granted
        return Consent(
            user_id,
            change.purpose,
            granted=change.granted,
            updated_at=now,
            policy_version=change.policy_version,
            audience=audience_shard(user_id) if marketing else None,
        )
    if isinstance(change, SetRestriction):
        return Restriction(user_id, restricted=change.restricted, updated_at=now)
    return PolicyAcknowledgement(user_id, change.version, acknowledged_at=now)


def ledger_writes(
    subject: str, events: Sequence[Event], changes: Sequence[Change], now: datetime
) -> list[tuple[BaseModel, Condition | None]]:
    """The puts of an append: each event only on a free sequence number (so the chain
    never forks), then the state items the changes set. Another capability's
    transaction may carry them (a new account's opening events)."""
    puts: list[tuple[BaseModel, Condition | None]] = [
        (_item(event), LedgerEvent.subject.does_not_exist()) for event in events
    ]
    puts.extend((_state_item(subject, change, now), None) for change in changes)
    return puts


class DynamoConsentRepository:
    """The ledger and consent state in DynamoDB; appends are one transaction."""

    def head(self, subject: str) -> Event | None:
        for item in LedgerEvent.query(
            subject, scan_index_forward=False, limit=1, consistent_read=True
        ):
            return _event(item)
        return None

    def events(self, subject: str) -> list[Event]:
        return [_event(i) for i in LedgerEvent.query(subject, consistent_read=True)]

    def append(self, events: Sequence[Event], changes: Sequence[Change], now: datetime) -> None:
        if not events:
            return
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                for item, condition in ledger_writes(events[0].subject, events, changes, now):
                    tx.save(item, condition=condition)
        except TransactWriteError as error:
            codes = [r.code if r else None for r in error.cancellation_reasons]
            if "ConditionalCheckFailed" in codes or "TransactionConflict" in codes:
                raise ChainConflict() from None
            raise

    def consents(self, subject: str) -> dict[str, ConsentState]:
        return {
            item.purpose: ConsentState(
                item.purpose, bool(item.granted), item.updated_at, item.policy_version
            )
            for item in Consent.query(subject, consistent_read=True)
        }

    def restricted(self, subject: str) -> bool:
        try:
            return bool(Restriction.get(subject, consistent_read=True).restricted)
        except Restriction.DoesNotExist:
            return False

    def acknowledged(self, subject: str, version: str) -> bool:
        try:
            PolicyAcknowledgement.get(subject, version)
        except PolicyAcknowledgement.DoesNotExist:
            return False
        return True

    def marketing_audience(self) -> list[str]:
        return [
            key.user_id
            for shard in range(MARKETING_AUDIENCE_SHARDS)
            for key in Consent.marketing_audience.query(str(shard))
        ]


# --- policy versions -----------------------------------------------------------------


def save_policy(item: PolicyVersion) -> None:
    """Store a new version; `PolicyVersionExists` when its name is taken."""
    try:
        item.save(condition=PolicyVersion.version.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise PolicyVersionExists() from None
        raise


def policies_in_effect(now: datetime) -> Iterator[PolicyVersion]:
    """Versions in effect at ``now``, the newest first."""
    return PolicyVersion.by_effective_date.query(
        POLICY_DOCUMENT,
        range_key_condition=PolicyVersion.effective_at <= now,
        scan_index_forward=False,
    )


def all_policies() -> list[PolicyVersion]:
    """Every published version, in effect or announced, the newest first."""
    return list(PolicyVersion.by_effective_date.query(POLICY_DOCUMENT, scan_index_forward=False))


def get_policy(version: str) -> PolicyVersion | None:
    try:
        return PolicyVersion.get(version)
    except PolicyVersion.DoesNotExist:
        return None


# --- anonymous cookie choices --------------------------------------------------------


def save_cookie_choice(
    consent_id: str, categories: dict[str, bool], now: datetime, *, new: bool
) -> CookieConsent:
    item = CookieConsent(consent_id, updated_at=now, expires=now + COOKIE_CONSENT_TTL, **categories)
    condition = (
        CookieConsent.consent_id.does_not_exist() if new else CookieConsent.consent_id.exists()
    )
    try:
        item.save(condition=condition)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise (Conflict() if new else NotFound("cookie consent")) from None
    return item


def get_cookie_choice(consent_id: str) -> CookieConsent | None:
    try:
        return CookieConsent.get(consent_id, consistent_read=True)
    except CookieConsent.DoesNotExist:
        return None


# --- campaigns -----------------------------------------------------------------------


def queue_campaign(
    campaign_id: str, subject: dict[str, str], body: dict[str, str], admin_id: str, now: datetime
) -> Campaign:
    campaign = Campaign(
        campaign_id,
        subject=Localized(**subject),  # type: ignore[no-untyped-call]
        body=Localized(**body),  # type: ignore[no-untyped-call]
        status="queued",
        queued=QUEUED,
        recipients=0,
        sent=0,
        created_by=admin_id,
        created_at=now,
    )
    campaign.save(condition=Campaign.campaign_id.does_not_exist())
    return campaign


def get_campaign(campaign_id: str) -> Campaign:
    try:
        return Campaign.get(campaign_id, consistent_read=True)
    except Campaign.DoesNotExist:
        raise NotFound("campaign") from None


def queued_campaigns() -> list[str]:
    return [key.campaign_id for key in Campaign.queued_campaigns.query(QUEUED)]


def claim_campaign(campaign_id: str) -> Campaign | None:
    """Take a queued campaign for sending; None when another run took it first."""
    campaign = get_campaign(campaign_id)
    try:
        campaign.update(
            actions=[Campaign.status.set("sending"), Campaign.queued.remove()],
            condition=Campaign.queued == QUEUED,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return campaign


def finish_campaign(campaign: Campaign, recipients: int, sent: int, now: datetime) -> None:
    campaign.update(
        actions=[
            Campaign.status.set("sent"),
            Campaign.recipients.set(recipients),
            Campaign.sent.set(sent),
            Campaign.finished_at.set(now),
        ]
    )
