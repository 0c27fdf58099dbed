"""Retention (P9): what is removed when its period ends, one purge function per entity.

Every entity with a retention deadline carries ``purge_bucket``/``purge_at`` (set by its
writer, see `chalicelib.store.expiry`), so the retention job finds what is due by
querying hour buckets, never by a Scan. Each purge re-reads the item and deletes it only
if its deadline still stands (a conditional delete), so a purge is safe to repeat and to
race. Periods live in `chalicelib/config.py`:

- bookings: ``BOOKING_RETENTION`` after the end of a finished (completed, no-show,
  cancelled, expired) booking, with its room password item;
- question threads: ``QUESTION_RETENTION`` after the last message, with their messages;
- slot claims: ``SLOT_CLAIM_RETENTION`` after the slot (or the lapsed hold);
- one-time codes, chat-link tokens, sign-in (MFA) challenges, sessions (revoked or
  not), social sign-in nonces and back-off/rate-limit counters: when they expire (a
  session refresh or a counter's new window moves the deadline);
- outbox records: ``OUTBOX_RETENTION`` after they were written;
- recordings: the ``recording_retention`` setting (default 3 years) after the
  consultation: every version of the encrypted object, its grants, then the item;
- a booking's recording-consent pair: ``RECORDING_CONSENT_RETENTION`` after the slot (the
  consent ledger keeps every decision);
- data exports: ``EXPORT_RETENTION`` after they were written, with their document;
- payments kept anonymised after their payer's erasure: ``TAX_RECORD_RETENTION`` after
  the payment;
- the anonymised record of an erasure: ``ERASURE_RECORD_RETENTION`` after it.

DynamoDB TTL stays on the short-lived items as a second net; it is best effort (up to
days late), the sweep is not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pynamodb.exceptions import DeleteError
from pynamodb.models import Model

from chalicelib.accounts.models import AuthCode, LoginChallenge, LoginFailures, Session, SocialNonce
from chalicelib.bookings.models import Booking, Question, QuestionMessage, Room
from chalicelib.consultants.models import SlotClaim
from chalicelib.notifications.chatlinks import ChatLinkToken
from chalicelib.notifications.outbox import OutboxMessage
from chalicelib.payments.models import PaymentItem
from chalicelib.privacy.erasure import purge_erasure_record
from chalicelib.privacy.exports import purge_export
from chalicelib.privacy.models import ErasureRequest, ExportRequest
from chalicelib.recordings.models import RecordingConsent
from chalicelib.recordings.stored import Recording

M = TypeVar("M", bound=Model)


def _delete_if_due(model: type[Model], key: tuple[Any, ...], now: datetime) -> bool:
    """Delete the item at ``key`` if its purge deadline has passed (and still stands)."""
    purge_at: Any = model.purge_at  # type: ignore[attr-defined]
    try:
        model(*key).delete(condition=purge_at <= now)
    except DeleteError:  # gone already, or its deadline moved (new activity)
        return False
    return True


def _due(model: type[M], hash_key: str, now: datetime) -> M | None:
    """The item at ``hash_key`` if its purge deadline has passed (consistent read)."""
    try:
        item = model.get(hash_key, consistent_read=True)
    except model.DoesNotExist:
        return None
    purge_at: datetime | None = getattr(item, "purge_at", None)
    return item if purge_at is not None and purge_at <= now else None


def purge_booking(key: Any, now: datetime) -> bool:
    """A finished booking past retention, and its room password item."""
    if not _delete_if_due(Booking, (key.booking_id,), now):
        return False
    Room(key.booking_id).delete()
    return True


def purge_question(key: Any, now: datetime) -> bool:
    """A question thread past retention, messages first (a retry finishes the job)."""
    if _due(Question, key.question_id, now) is None:
        return False
    with QuestionMessage.batch_write() as batch:
        for message in QuestionMessage.query(key.question_id):
            batch.delete(message)
    return _delete_if_due(Question, (key.question_id,), now)


def purge_slot_claim(key: Any, now: datetime) -> bool:
    return _delete_if_due(SlotClaim, (key.consultant_id, key.start), now)


def purge_auth_code(key: Any, now: datetime) -> bool:
    return _delete_if_due(AuthCode, (key.user_id, key.purpose), now)


def purge_login_challenge(key: Any, now: datetime) -> bool:
    """An expired sign-in challenge; versioned, so it is read first and deleted only if
    unchanged since (its deadline never moves)."""
    challenge = _due(LoginChallenge, key.challenge_id, now)
    if challenge is None:
        return False
    try:
        challenge.delete(condition=LoginChallenge.purge_at <= now)
    except DeleteError:
        return False
    return True


def purge_session(key: Any, now: datetime) -> bool:
    """A session past its expiry (revoked or not); a refresh moves its deadline first."""
    return _delete_if_due(Session, (key.family_id,), now)


def purge_social_nonce(key: Any, now: datetime) -> bool:
    return _delete_if_due(SocialNonce, (key.nonce_digest,), now)


def purge_counter(key: Any, now: datetime) -> bool:
    """A back-off or rate-limit counter whose window has ended (a new window moves it)."""
    return _delete_if_due(LoginFailures, (key.key,), now)


def purge_chat_link_token(key: Any, now: datetime) -> bool:
    return _delete_if_due(ChatLinkToken, (key.token_hash,), now)


def purge_outbox_message(key: Any, now: datetime) -> bool:
    return _delete_if_due(OutboxMessage, (key.message_id,), now)


def purge_recording(key: Any, now: datetime) -> bool:
    """A recording past retention: every version of its object and its grants first,
    the item last (so a retry finishes the job)."""
    from chalicelib.recordings.grants import delete_grants_of
    from chalicelib.recordings.objects import delete_all_versions

    recording = _due(Recording, key.recording_id, now)
    if recording is None:
        return False
    delete_all_versions(recording.object_key)
    delete_grants_of(recording.owner_id, recording_id=recording.recording_id)
    return _delete_if_due(Recording, (key.recording_id,), now)


def purge_recording_consent(key: Any, now: datetime) -> bool:
    return _delete_if_due(RecordingConsent, (key.booking_id,), now)


def purge_payment(key: Any, now: datetime) -> bool:
    """An anonymised payment past its tax retention (only those carry a deadline)."""
    return _delete_if_due(PaymentItem, (key.booking_id,), now)


@dataclass(frozen=True)
class Purge:
    """One entity's retention: its model (with the ``purge-due`` index) and its purge."""

    name: str
    model: Any
    purge: Callable[[Any, datetime], bool]


PURGES: tuple[Purge, ...] = (
    Purge("bookings", Booking, purge_booking),
    Purge("questions", Question, purge_question),
    Purge("slot_claims", SlotClaim, purge_slot_claim),
    Purge("auth_codes", AuthCode, purge_auth_code),
    Purge("login_challenges", LoginChallenge, purge_login_challenge),
    Purge("sessions", Session, purge_session),
    Purge("social_nonces", SocialNonce, purge_social_nonce),
    Purge("counters", LoginFailures, purge_counter),
    Purge("chat_link_tokens", ChatLinkToken, purge_chat_link_token),
    Purge("outbox_messages", OutboxMessage, purge_outbox_message),
    Purge("recordings", Recording, purge_recording),
    Purge("recording_consents", RecordingConsent, purge_recording_consent),
    Purge("exports", ExportRequest, purge_export),
    Purge("anonymised_payments", PaymentItem, purge_payment),
    Purge("erasure_records", ErasureRequest, purge_erasure_record),
)
