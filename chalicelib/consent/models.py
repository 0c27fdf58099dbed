"""Consent storage: policy versions, per-purpose consent state, the append-only consent
ledger, policy acknowledgements, restriction of processing, anonymous cookie choices and
marketing campaigns. Every item about a user is reached by a Query on the user id."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import BaseModel, table_name


class Localized(MapAttribute[str, str]):
    """One text in each language of the service."""

    uk = UnicodeAttribute()
    ru = UnicodeAttribute()
    en = UnicodeAttribute()


class ByEffectiveDate(GlobalSecondaryIndex["PolicyVersion"]):  # type: ignore[no-untyped-call]
    """All versions of the policy, ordered by the instant they take effect."""

    class Meta:
        index_name = "by-effective-date"
        projection = AllProjection()

    document = UnicodeAttribute(hash_key=True)
    effective_at = UTCDateTimeAttribute(range_key=True)


class PolicyVersion(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("policy-versions")

    version = UnicodeAttribute(hash_key=True)
    document = UnicodeAttribute()
    significant = BooleanAttribute()
    effective_at = UTCDateTimeAttribute()
    summary = Localized()  # type: ignore[no-untyped-call]
    text_url = UnicodeAttribute()
    published_at = UTCDateTimeAttribute()

    by_effective_date = ByEffectiveDate()


class MarketingAudience(GlobalSecondaryIndex["Consent"]):  # type: ignore[no-untyped-call]
    """Sparse: only a granted marketing consent carries ``audience`` (a shard number)."""

    class Meta:
        index_name = "marketing-audience"
        projection = KeysOnlyProjection()

    audience = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)


class Consent(BaseModel):
    """The current state of one purpose of one user (the ledger keeps its history)."""

    class Meta(BaseModel.Meta):
        table_name = table_name("consents")

    user_id = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute(range_key=True)
    granted = BooleanAttribute()
    updated_at = UTCDateTimeAttribute()
    policy_version = UnicodeAttribute(null=True)
    audience = UnicodeAttribute(null=True)

    marketing_audience = MarketingAudience()


class LedgerEvent(BaseModel):
    """One consent event. Items are only ever created (conditional put on a new sequence
    number); the API role may not update or delete them (see `consent/iam.py`)."""

    class Meta(BaseModel.Meta):
        table_name = table_name("consent-ledger")

    subject = UnicodeAttribute(hash_key=True)
    sequence = NumberAttribute(range_key=True)
    event_id = UnicodeAttribute()
    purpose = UnicodeAttribute()
    decision = UnicodeAttribute()
    policy_version = UnicodeAttribute(null=True)
    policy_hash = UnicodeAttribute(null=True)
    language = UnicodeAttribute()
    channel = UnicodeAttribute()
    jurisdiction = UnicodeAttribute(null=True)
    recorded_at = UTCDateTimeAttribute()
    previous_hash = UnicodeAttribute()
    event_hash = UnicodeAttribute()
    receipt = UnicodeAttribute()
    reference = UnicodeAttribute(null=True)
    statement = UnicodeAttribute(null=True)
    statement_hash = UnicodeAttribute(null=True)


class PolicyAcknowledgement(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("policy-acknowledgements")

    user_id = UnicodeAttribute(hash_key=True)
    version = UnicodeAttribute(range_key=True)
    acknowledged_at = UTCDateTimeAttribute()


class Restriction(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("processing-restrictions")

    user_id = UnicodeAttribute(hash_key=True)
    restricted = BooleanAttribute()
    updated_at = UTCDateTimeAttribute()


class CookieConsent(BaseModel):
    """An anonymous visitor's cookie choice, known only by a random id (no personal data)."""

    class Meta(BaseModel.Meta):
        table_name = table_name("cookie-consents")

    consent_id = UnicodeAttribute(hash_key=True)
    performance = BooleanAttribute()
    analytics = BooleanAttribute()
    social = BooleanAttribute()
    updated_at = UTCDateTimeAttribute()
    expires = TTLAttribute()


class QueuedCampaigns(GlobalSecondaryIndex["Campaign"]):  # type: ignore[no-untyped-call]
    """Sparse: only a campaign waiting for the job carries ``queued``."""

    class Meta:
        index_name = "queued-campaigns"
        projection = KeysOnlyProjection()

    queued = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Campaign(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("campaigns")

    campaign_id = UnicodeAttribute(hash_key=True)
    subject = Localized()  # type: ignore[no-untyped-call]
    body = Localized()  # type: ignore[no-untyped-call]
    status = UnicodeAttribute()
    queued = UnicodeAttribute(null=True)
    recipients = NumberAttribute(default=0)
    sent = NumberAttribute(default=0)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)

    queued_campaigns = QueuedCampaigns()
