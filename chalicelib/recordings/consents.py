"""Per-booking recording consent (P17): the owner and the consultant each decide for
their booking; a recording may run only while both have granted. Each decision goes to
the decider's consent ledger; the current pair lives in `recording-consents`, which the
media server polls while it records (a withdrawal stops it within 2 seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.bookings.models import Booking
from chalicelib.config import RECORDING_CONSENT_RETENTION
from chalicelib.recordings.models import RecordingConsent
from chalicelib.store.expiry import purge_actions

RECORDING = "recording"  # the consent purpose of ledger events about a booking's recording


@dataclass(frozen=True)
class ConsentPair:
    booking_id: str
    owner_granted: bool
    consultant_granted: bool
    updated_at: datetime | None

    @property
    def recording_allowed(self) -> bool:
        return self.owner_granted and self.consultant_granted


def _pair(item: RecordingConsent) -> ConsentPair:
    return ConsentPair(
        item.booking_id, bool(item.owner_granted), bool(item.consultant_granted), item.updated_at
    )


def current(booking_id: str) -> ConsentPair:
    """The booking's consent pair (consistent read); nothing decided reads as refused."""
    try:
        return _pair(RecordingConsent.get(booking_id, consistent_read=True))
    except RecordingConsent.DoesNotExist:
        return ConsentPair(booking_id, False, False, None)


def recording_allowed(booking_id: str) -> bool:
    return current(booking_id).recording_allowed


def decide(
    booking: Booking, user_id: str, granted: bool, channel: str, now: datetime
) -> ConsentPair:
    """Record ``user_id``'s decision (the booking's owner or consultant) when it changes
    their side: first the ledger event, then the state the media server reads."""
    from chalicelib.consent.operations import record_decision  # lazy: the ledger's signer

    is_owner = user_id == booking.owner_id
    before = current(booking.booking_id)
    if (before.owner_granted if is_owner else before.consultant_granted) == granted:
        return before
    record_decision(
        user_id, RECORDING, granted, reference=booking.booking_id, channel=channel, now=now
    )
    mine, other = RecordingConsent.owner_granted, RecordingConsent.consultant_granted
    if not is_owner:
        mine, other = other, mine
    item = RecordingConsent(booking.booking_id)
    item.update(
        actions=[
            mine.set(granted),
            other.set(other | False),
            RecordingConsent.owner_id.set(booking.owner_id),
            RecordingConsent.updated_at.set(now),
            *purge_actions(RecordingConsent, booking.end + RECORDING_CONSENT_RETENTION),
        ]
    )
    return _pair(item)
