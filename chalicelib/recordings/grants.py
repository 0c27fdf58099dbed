"""Disclosure of a recording to a third party only by written consent (P17).

The owner gives a recipient, a purpose, an end (at most 30 days) and the consent text;
the text and its SHA-256 go to the owner's consent ledger, the grant to
`recording-grants`, and the recipient gets an e-mail with a secret link (only its
SHA-256 is stored, compared in constant time). A grant works until it is revoked or
ends; a missing, ended or revoked grant and a wrong key all read as 404."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.config import RECORDING_GRANT_MAX_TTL, get_settings
from chalicelib.errors import NotFound
from chalicelib.recordings.errors import InvalidGrantExpiry
from chalicelib.recordings.models import RecordingGrant
from chalicelib.recordings.stored import Recording

DISCLOSURE = "recording_disclosure"  # the consent purpose of a grant's ledger events
TEMPLATE = "recording_shared"
CHANNEL = "recording_share"  # the outbox channel that puts the link in at delivery
GRANT_HEADER = "grant"  # the outbox record's note of its grant (never an e-mail header)
LINK_SLOT = "[link]"  # where the link goes in the recorded text
NO_KEY = "-"  # the digest of a grant whose e-mail has not gone out: no key matches it


@dataclass(frozen=True)
class NewGrant:
    recipient_email: str
    purpose: str
    expires_at: datetime
    consent_text: str


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def usable(grant: RecordingGrant, now: datetime) -> bool:
    return not grant.revoked and grant.expires_at > now


def share_link(grant_id: str, key: str) -> str:
    """The recipient's page; the key rides in the fragment, which browsers never send."""
    return f"{get_settings().web_url}/shared-recordings/{grant_id}#key={key}"


def _get(grant_id: str) -> RecordingGrant | None:
    try:
        return RecordingGrant.get(grant_id, consistent_read=True)
    except RecordingGrant.DoesNotExist:
        return None


def create(
    owner_id: str, recording: Recording, new: NewGrant, *, channel: str, now: datetime
) -> RecordingGrant:
    """Record the written consent, store the grant and e-mail the recipient its link."""
    from chalicelib.consent.operations import record_decision  # lazy: the ledger's signer

    if not now < new.expires_at <= now + RECORDING_GRANT_MAX_TTL:
        raise InvalidGrantExpiry
    grant_id = f"grt_{secrets.token_urlsafe(16)}"
    event = record_decision(
        owner_id,
        DISCLOSURE,
        True,
        reference=grant_id,
        statement=new.consent_text,
        channel=channel,
        now=now,
    )
    grant = RecordingGrant(
        grant_id,
        recording_id=recording.recording_id,
        booking_id=recording.booking_id,
        owner_id=owner_id,
        recipient_email=new.recipient_email,
        purpose=new.purpose,
        expires_at=new.expires_at,
        revoked=False,
        consent_hash=event.statement_hash,
        consent_event_id=event.event_id,
        key_digest=NO_KEY,
        created_at=now,
    )
    grant.save(condition=RecordingGrant.grant_id.does_not_exist())
    _tell_recipient(grant, recording, now)
    return grant


def _tell_recipient(grant: RecordingGrant, recording: Recording, now: datetime) -> None:
    """The recipient's e-mail, in the owner's language, through the outbox's share channel
    (which puts the link in at delivery). Its record belongs to the owner (erased with
    the owner's data)."""
    from chalicelib.bookings.notices import pet_name, recipient
    from chalicelib.bookings.service import bookings
    from chalicelib.notifications.outbox import Recipient, send
    from chalicelib.notifications.templates import render

    owner = recipient(grant.owner_id)
    if owner is None:
        raise NotFound("account")
    booking = bookings.repository.get(recording.booking_id)
    pet = pet_name(owner.user_id, booking.pet_id) if booking is not None else "-"
    to = Recipient(owner.user_id, grant.recipient_email, owner.name, owner.language, owner.timezone)
    text = render(
        TEMPLATE,
        language=owner.language,
        timezone=owner.timezone,
        name=grant.recipient_email,
        instants={"when": recording.started_at, "until": grant.expires_at},
        values={"counterpart": owner.name, "pet": pet, "purpose": grant.purpose, "link": LINK_SLOT},
    )
    send(to, TEMPLATE, text, now=now, headers={GRANT_HEADER: grant.grant_id}, channel=CHANNEL)


def deliver_share(address: str, subject: str, body: str, headers: dict[str, str]) -> str:
    """One delivery of a share e-mail: a new key for the grant (its digest replaces the
    previous one, so only the link of the e-mail that went out works), then the e-mail
    with the link. A revoked or missing grant is not sent (not retried either)."""
    from chalicelib.notifications.channels import PermanentFailure, SesEmailSender

    grant_id = headers.get(GRANT_HEADER, "")
    key = secrets.token_urlsafe(32)
    try:
        RecordingGrant(grant_id).update(
            actions=[RecordingGrant.key_digest.set(key_digest(key))],
            condition=RecordingGrant.grant_id.exists() & (RecordingGrant.revoked == False),  # noqa: E712
        )
    except UpdateError:
        raise PermanentFailure("the share was revoked or erased") from None
    text = body.replace(LINK_SLOT, share_link(grant_id, key))
    return SesEmailSender().send_email(address, subject, text)


def revoke(owner_id: str, recording_id: str, grant_id: str, *, channel: str, now: datetime) -> None:
    """Revoke at once (the media server re-checks the grant on every request), then
    record the withdrawal. Revoking a revoked grant changes nothing."""
    from chalicelib.consent.operations import record_decision

    grant = _get(grant_id)
    if grant is None or grant.owner_id != owner_id or grant.recording_id != recording_id:
        raise NotFound("grant")
    if grant.revoked:
        return
    try:
        grant.update(
            actions=[RecordingGrant.revoked.set(True), RecordingGrant.revoked_at.set(now)],
            condition=RecordingGrant.revoked == False,  # noqa: E712 - a DynamoDB condition
        )
    except UpdateError:  # revoked by a concurrent request, which records the withdrawal
        return
    record_decision(owner_id, DISCLOSURE, False, reference=grant_id, channel=channel, now=now)


def redeem(grant_id: str, key: str, now: datetime) -> RecordingGrant:
    """The grant the recipient's link names, if the key is its key and it still works."""
    grant = _get(grant_id)
    digest = grant.key_digest if grant is not None else key_digest("")
    if not hmac.compare_digest(digest, key_digest(key)) or grant is None or not usable(grant, now):
        raise NotFound("grant")
    return grant


def of_owner(owner_id: str) -> list[RecordingGrant]:
    keys = [item.grant_id for item in RecordingGrant.by_owner.query(owner_id)]
    return list(RecordingGrant.batch_get(keys)) if keys else []


def delete_grants_of(owner_id: str, *, recording_id: str | None = None) -> int:
    """Delete the owner's grants (of one recording, or all); how many were deleted."""
    doomed = [g for g in of_owner(owner_id) if recording_id in (None, g.recording_id)]
    with RecordingGrant.batch_write() as batch:
        for grant in doomed:
            batch.delete(grant)
    return len(doomed)
