"""Marketing campaigns (P6): queued by an admin, sent by a scheduled job through the
outbox to users with marketing granted and no restriction, in their language, each with
a one-click unsubscribe link (RFC 8058). The outbox checks consent again at send time."""

from __future__ import annotations

import secrets
from datetime import datetime

from chalicelib.accounts.repository import get_user
from chalicelib.config import get_settings
from chalicelib.consent import operations, receipts
from chalicelib.consent import repository as stores
from chalicelib.consent.models import Campaign
from chalicelib.consent.service import MARKETING
from chalicelib.notifications.outbox import SENT, Recipient, send
from chalicelib.notifications.templates import render_campaign, supported_language

TEMPLATE = "campaign"


def queue(subject: dict[str, str], body: dict[str, str], admin_id: str, now: datetime) -> str:
    campaign_id = f"cmp_{secrets.token_hex(12)}"
    stores.queue_campaign(campaign_id, subject, body, admin_id, now)
    return campaign_id


def unsubscribe_url(user_id: str, now: datetime) -> str:
    token = receipts.unsubscribe_token(user_id, now)
    return f"{get_settings().issuer}/v1/unsubscribe/{token}"


def unsubscribe_headers(url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def send_to(campaign: Campaign, user_id: str, now: datetime) -> bool | None:
    """Send to one user; None when the user is not a recipient (restricted, gone)."""
    user = get_user(user_id)
    if user is None or not operations.permits(user_id, MARKETING):
        return None
    language = supported_language(user.language)
    url = unsubscribe_url(user_id, now)
    text = render_campaign(
        language=language,
        name=user.name,
        subject=campaign.subject[language],
        body=campaign.body[language],
        unsubscribe_url=url,
    )
    recipient = Recipient(user_id, user.email, user.name, language, user.timezone)
    message = send(
        recipient, TEMPLATE, text, now=now, purpose=MARKETING, headers=unsubscribe_headers(url)
    )
    return message.status == SENT
