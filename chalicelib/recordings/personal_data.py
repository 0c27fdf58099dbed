"""The recordings' share of a user's personal data (P10, P17).

Export: the metadata of the owner's recordings, their shares and their bookings'
recording decisions (the recordings themselves are played through their links).
Erasure shreds first: the owner's recordings key goes, so every copy of every recording
(old object versions and backups included) is unreadable from that instant; then every
object version, the items, the shares and the consent pairs are deleted. A consultant's
erasure unlinks them from the recordings of their consultations (found through their
bookings, so this holder runs before the bookings one unlinks those). Safe to repeat.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.bookings.models import Booking
from chalicelib.bookings.personal_data import ERASED
from chalicelib.clock import to_rfc3339
from chalicelib.privacy.holders import Subject
from chalicelib.recordings.grants import delete_grants_of, of_owner
from chalicelib.recordings.models import RecordingConsent
from chalicelib.recordings.objects import delete_all_versions
from chalicelib.recordings.stored import Recording


def _when(instant: datetime | None) -> str | None:
    return to_rfc3339(instant) if instant is not None else None


def _recordings(owner_id: str) -> list[Recording]:
    return list(Recording.by_owner.query(owner_id))


def _consents(owner_id: str) -> list[RecordingConsent]:
    keys = [item.booking_id for item in RecordingConsent.by_owner.query(owner_id)]
    return list(RecordingConsent.batch_get(keys)) if keys else []


class RecordingsData:
    """Recordings, their keys, shares and per-booking consents of one owner."""

    models = ("Recording", "RecordingKey", "RecordingGrant", "RecordingConsent")

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        owner_id = subject.user_id
        return {
            "recordings": [
                {
                    "id": r.recording_id,
                    "booking_id": r.booking_id,
                    "started_at": _when(r.started_at),
                    "duration_s": float(r.duration_s),
                    "size_bytes": int(r.size_bytes),
                    "status": r.status,
                }
                for r in _recordings(owner_id)
            ],
            "recording_grants": [
                {
                    "id": g.grant_id,
                    "recording_id": g.recording_id,
                    "recipient_email": g.recipient_email,
                    "purpose": g.purpose,
                    "expires_at": _when(g.expires_at),
                    "revoked": bool(g.revoked),
                    "revoked_at": _when(g.revoked_at),
                    "consent_sha256": g.consent_hash,
                    "created_at": _when(g.created_at),
                }
                for g in of_owner(owner_id)
            ],
            "recording_consents": [
                {
                    "booking_id": c.booking_id,
                    "owner_granted": bool(c.owner_granted),
                    "consultant_granted": bool(c.consultant_granted),
                    "updated_at": _when(c.updated_at),
                }
                for c in _consents(owner_id)
            ],
        }

    def erase(self, subject: Subject, now: datetime) -> None:
        if subject.role == "vet":
            self._unlink_consultant(subject.user_id)
            return
        from chalicelib.recordings.vault import shred_owner_key  # lazy: the encryption SDK

        owner_id = subject.user_id
        shred_owner_key(owner_id)
        delete_grants_of(owner_id)
        for recording in _recordings(owner_id):
            delete_all_versions(recording.object_key)
            recording.delete()
        with RecordingConsent.batch_write() as batch:
            for consent in _consents(owner_id):
                batch.delete(consent)

    @staticmethod
    def _unlink_consultant(consultant_id: str) -> None:
        for booking in Booking.by_consultant.query(consultant_id):
            for recording in Recording.by_booking.query(booking.booking_id):
                if recording.consultant_id == consultant_id:
                    recording.update(actions=[Recording.consultant_id.set(ERASED)])


recordings = RecordingsData()
