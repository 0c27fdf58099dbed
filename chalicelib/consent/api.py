"""Consent routes: policy versions (P19), consents and their ledger (P11), anonymous
cookie choices (P13), restriction of processing (P11) and marketing campaigns (P6)."""

from __future__ import annotations

from typing import Any

from chalicelib.clock import to_rfc3339
from chalicelib.consent import campaigns, operations
from chalicelib.consent import repository as stores
from chalicelib.consent.errors import (
    EssentialRequired,
    InvalidUnsubscribeToken,
    NoPolicyInEffect,
    PolicyVersionExists,
    UnknownPolicyVersion,
    UnknownPurpose,
)
from chalicelib.consent.models import PolicyVersion
from chalicelib.consent.notice import pending_policy
from chalicelib.consent.schemas import (
    AcknowledgementIn,
    AcknowledgementOut,
    CampaignIn,
    CampaignOut,
    CampaignQueuedOut,
    ConsentIn,
    ConsentList,
    ConsentOut,
    CookieCategoriesOut,
    CookieConsentIn,
    CookieConsentOut,
    LangQuery,
    LedgerEventOut,
    LedgerList,
    NotificationList,
    NotificationOut,
    OneClickIn,
    PolicyList,
    PolicyOut,
    PolicyVersionIn,
    PolicyVersionOut,
    RestrictionIn,
    RestrictionOut,
    UnsubscribeOut,
)
from chalicelib.consent.service import (
    CHANNEL_HEADER,
    LANGUAGES,
    ConsentState,
    Event,
    channel_of,
    negotiate_language,
    text_hash,
)
from chalicelib.errors import NotFound
from chalicelib.web.access import AUTHENTICATED, PUBLIC, roles
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="consent")
ADMIN = roles("admin")


def _channel(request: ApiRequest[Any, Any]) -> str:
    return channel_of(request.headers.get(CHANNEL_HEADER))


def _language(request: ApiRequest[Any, Any], requested: str | None = None) -> str:
    return negotiate_language(requested, request.headers.get("accept-language"))


def _version_out(policy: PolicyVersion) -> PolicyVersionOut:
    return PolicyVersionOut(
        version=policy.version,
        significant=bool(policy.significant),
        effective_at=to_rfc3339(policy.effective_at),
        summary={lang: policy.summary[lang] for lang in LANGUAGES},
        text_url=policy.text_url,
    )


def _consent_out(state: ConsentState) -> ConsentOut:
    return ConsentOut(
        purpose=state.purpose,
        granted=state.granted,
        updated_at=to_rfc3339(state.updated_at) if state.updated_at else None,
        policy_version=state.policy_version,
    )


def _event_out(event: Event) -> LedgerEventOut:
    return LedgerEventOut(
        event_id=event.event_id,
        sequence=event.sequence,
        subject=event.subject,
        purpose=event.purpose,
        decision=event.decision,
        policy_version=event.policy_version,
        policy_sha256=event.policy_hash,
        language=event.language,
        channel=event.channel,
        jurisdiction=event.jurisdiction,
        timestamp=to_rfc3339(event.recorded_at),
        previous_hash=event.previous_hash,
        hash=event.event_hash,
        receipt=event.receipt,
        reference=event.reference,
        statement=event.statement,
        statement_sha256=event.statement_hash,
    )


# --- policy versions (P19) -----------------------------------------------------------


@api.route(
    "/v1/admin/policy-versions",
    "POST",
    access=ADMIN,
    body=PolicyVersionIn,
    response=PolicyVersionOut,
    status=201,
    summary="Publish a policy version (significant ones must be acknowledged by users).",
    errors=(PolicyVersionExists,),
)
def publish_policy(request: ApiRequest[PolicyVersionIn, None]) -> PolicyVersionOut:
    body = request.body
    published = operations.publish_policy(
        body.version,
        significant=body.significant,
        effective_at=body.effective_at,
        summary=body.summary.model_dump(),
        text_url=body.text_url,
        now=request.now,
    )
    return _version_out(published)


@api.route(
    "/v1/policy",
    "GET",
    access=PUBLIC,
    query=LangQuery,
    response=PolicyOut,
    summary="The policy version in effect, its summary in ?lang= or Accept-Language.",
    errors=(NoPolicyInEffect,),
)
def current_policy(request: ApiRequest[None, LangQuery]) -> PolicyOut:
    policy = operations.require_current_policy(request.now)
    language = _language(request, request.query.lang)
    summary = policy.summary[language]
    return PolicyOut(
        version=policy.version,
        significant=bool(policy.significant),
        effective_at=to_rfc3339(policy.effective_at),
        language=language,  # type: ignore[arg-type]
        summary=summary,
        text_url=policy.text_url,
        text_sha256=text_hash(summary),
    )


@api.route(
    "/v1/policy/versions",
    "GET",
    access=PUBLIC,
    response=PolicyList,
    summary="Every published policy version, the newest first (announced ones included).",
)
def policy_versions(request: ApiRequest[None, None]) -> PolicyList:
    return PolicyList(items=[_version_out(p) for p in stores.all_policies()], next_cursor=None)


@api.route(
    "/v1/me/policy-acknowledgements",
    "POST",
    access=AUTHENTICATED,
    body=AcknowledgementIn,
    response=AcknowledgementOut,
    status=201,
    summary="Acknowledge a policy version in effect (recorded in the consent ledger).",
    errors=(UnknownPolicyVersion,),
)
def acknowledge(request: ApiRequest[AcknowledgementIn, None]) -> AcknowledgementOut:
    version = request.body.version
    operations.acknowledge_policy(request.user.user_id, version, _channel(request), request.now)
    return AcknowledgementOut(version=version, acknowledged=True)


@api.route(
    "/v1/me/notifications",
    "GET",
    access=AUTHENTICATED,
    response=NotificationList,
    summary="In-app notices: a significant policy version waiting for acknowledgement.",
)
def notifications(request: ApiRequest[None, None]) -> NotificationList:
    pending = pending_policy(request.user.user_id, request.now, operations.repository)
    items = []
    if pending is not None:
        items.append(
            NotificationOut(
                type="policy_update",
                version=pending.version,
                effective_at=to_rfc3339(pending.effective_at),
                summary=pending.summary[_language(request)],
                text_url=pending.text_url,
            )
        )
    return NotificationList(items=items, next_cursor=None)


# --- consents, restriction and the ledger (P11) --------------------------------------


@api.route(
    "/v1/me/consents",
    "GET",
    access=AUTHENTICATED,
    response=ConsentList,
    summary="My consent for each optional purpose (essential processing is by contract).",
)
def list_consents(request: ApiRequest[None, None]) -> ConsentList:
    states = operations.list_consents(request.user.user_id)
    return ConsentList(items=[_consent_out(s) for s in states], next_cursor=None)


@api.route(
    "/v1/me/consents/ledger",
    "GET",
    access=AUTHENTICATED,
    response=LedgerList,
    summary="Every consent event of mine, oldest first, each with its signed receipt.",
)
def ledger(request: ApiRequest[None, None]) -> LedgerList:
    events = operations.ledger(request.user.user_id)
    return LedgerList(items=[_event_out(e) for e in events], next_cursor=None)


@api.route(
    "/v1/me/consents/{purpose}",
    "PUT",
    access=AUTHENTICATED,
    body=ConsentIn,
    response=ConsentOut,
    summary="Grant (true) or withdraw (false) one purpose.",
    errors=(UnknownPurpose,),
)
def set_consent(request: ApiRequest[ConsentIn, None], purpose: str) -> ConsentOut:
    state = operations.set_consent(
        request.user.user_id, purpose, request.body.granted, _channel(request), request.now
    )
    return _consent_out(state)


@api.route(
    "/v1/me/restriction",
    "PUT",
    access=AUTHENTICATED,
    body=RestrictionIn,
    response=RestrictionOut,
    summary="Restrict processing: no marketing, analytics or non-essential notifications.",
)
def set_restriction(request: ApiRequest[RestrictionIn, None]) -> RestrictionOut:
    restricted = operations.set_restriction(
        request.user.user_id, request.body.restricted, _channel(request), request.now
    )
    return RestrictionOut(restricted=restricted)


# --- anonymous cookie choices (P13) --------------------------------------------------


def _cookie_out(consent_id: str, chosen: dict[str, bool]) -> CookieConsentOut:
    categories = CookieCategoriesOut(
        performance=chosen["performance"], analytics=chosen["analytics"], social=chosen["social"]
    )
    return CookieConsentOut(consent_id=consent_id, categories=categories)


@api.route(
    "/v1/cookie-consents",
    "POST",
    access=PUBLIC,
    body=CookieConsentIn,
    response=CookieConsentOut,
    status=201,
    summary="Record an anonymous visitor's cookie choice; essential is always on.",
    errors=(EssentialRequired,),
)
def create_cookie_consent(request: ApiRequest[CookieConsentIn, None]) -> CookieConsentOut:
    consent_id, chosen = operations.save_cookie_choice(
        None, request.body.categories.model_dump(), request.now
    )
    return _cookie_out(consent_id, chosen)


@api.route(
    "/v1/cookie-consents/{consent_id}",
    "PUT",
    access=PUBLIC,
    body=CookieConsentIn,
    response=CookieConsentOut,
    summary="Change an anonymous visitor's cookie choice.",
    errors=(EssentialRequired, NotFound),
)
def update_cookie_consent(
    request: ApiRequest[CookieConsentIn, None], consent_id: str
) -> CookieConsentOut:
    stored_id, chosen = operations.save_cookie_choice(
        consent_id, request.body.categories.model_dump(), request.now
    )
    return _cookie_out(stored_id, chosen)


# --- marketing (P6) ------------------------------------------------------------------


@api.route(
    "/v1/admin/campaigns",
    "POST",
    access=ADMIN,
    body=CampaignIn,
    response=CampaignQueuedOut,
    status=202,
    summary="Queue a marketing e-mail; the job sends it to consenting, unrestricted users.",
)
def queue_campaign(request: ApiRequest[CampaignIn, None]) -> CampaignQueuedOut:
    body = request.body
    campaign_id = campaigns.queue(
        body.subject.model_dump(), body.body.model_dump(), request.user.user_id, request.now
    )
    return CampaignQueuedOut(id=campaign_id)


@api.route(
    "/v1/admin/campaigns/{campaign_id}",
    "GET",
    access=ADMIN,
    response=CampaignOut,
    summary="A campaign's progress.",
    errors=(NotFound,),
)
def campaign_status(request: ApiRequest[None, None], campaign_id: str) -> CampaignOut:
    campaign = stores.get_campaign(campaign_id)
    return CampaignOut(
        id=campaign.campaign_id,
        status=campaign.status,  # type: ignore[arg-type]
        recipients=int(campaign.recipients),
        sent=int(campaign.sent),
    )


@api.route(
    "/v1/unsubscribe/{token}",
    "POST",
    access=PUBLIC,
    body=OneClickIn,
    response=UnsubscribeOut,
    summary="One-click unsubscribe (RFC 8058): withdraws marketing without signing in.",
    errors=(InvalidUnsubscribeToken,),
)
def unsubscribe(request: ApiRequest[OneClickIn, None], token: str) -> UnsubscribeOut:
    operations.unsubscribe(token, _channel(request), request.now)
    return UnsubscribeOut(status="unsubscribed")
