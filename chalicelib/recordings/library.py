"""Which recordings a participant may see: the owner's and the consultant's own
consultations only; anyone else gets 404. Every stored recording can be played: the
media server writes the item once its encrypted upload has completed."""

from __future__ import annotations

from datetime import datetime

from chalicelib.errors import NotFound
from chalicelib.recordings.stored import Recording

PLAYBACK_ACTION = "recording_playback"
THIRD_PARTY_ROLE = "third_party"  # the recipient of a written-consent share


def _get(recording_id: str) -> Recording | None:
    try:
        return Recording.get(recording_id, consistent_read=True)
    except Recording.DoesNotExist:
        return None


def load_for(recording_id: str, user_id: str) -> Recording:
    """The recording if ``user_id`` is its owner or its consultant; 404 for anyone else."""
    recording = _get(recording_id)
    if recording is None or user_id not in (recording.owner_id, recording.consultant_id):
        raise NotFound("recording")
    return recording


def owned_by(recording_id: str, owner_id: str) -> Recording:
    recording = _get(recording_id)
    if recording is None or recording.owner_id != owner_id:
        raise NotFound("recording")
    return recording


def of_booking(booking_id: str) -> list[Recording]:
    """The booking's recordings, oldest first."""
    return list(Recording.by_booking.query(booking_id))


def log_playback(
    recording: Recording,
    actor_role: str,
    now: datetime,
    *,
    reason: str | None = None,
    recipient: str | None = None,
) -> None:
    """A playback by anyone but the owner goes to the owner's access log."""
    from chalicelib.access_log.service import record_access

    record_access(
        recording.owner_id,
        actor_role=actor_role,
        action=PLAYBACK_ACTION,
        resource=f"recording/{recording.recording_id}",
        reason=reason,
        recipient=recipient,
        now=now,
    )
