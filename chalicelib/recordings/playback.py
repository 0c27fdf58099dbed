"""Playback links (P17): a token of at most 5 minutes for one recording, for the
decrypting endpoint of a live media node, which decrypts on the fly and writes nothing
in clear. A grant's playback also never outlives the grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from chalicelib.config import PLAYBACK_TOKEN_TTL
from chalicelib.recordings.stored import Recording


@dataclass(frozen=True)
class PlaybackLink:
    url: str
    expires_at: datetime


def playback_link(
    recording: Recording,
    subject: str,
    now: datetime,
    *,
    grant_id: str | None = None,
    grant_expires_at: datetime | None = None,
) -> PlaybackLink:
    """A link to play ``recording`` for ``subject`` (a participant's user id, or the
    grant a third party plays under); `NoMediaNode` when no media node is live."""
    from chalicelib.accounts.tokens import issue_playback_token  # lazy: jwt, cryptography
    from chalicelib.media_nodes.placement import any_node, http_base

    expires_at = now + PLAYBACK_TOKEN_TTL
    if grant_expires_at is not None:
        expires_at = min(expires_at, grant_expires_at)
    node = any_node(now)
    token = issue_playback_token(
        subject=subject,
        recording_id=recording.recording_id,
        booking_id=recording.booking_id,
        expires_at=expires_at,
        now=now,
        grant_id=grant_id,
    )
    path = f"/playback/{quote(recording.recording_id, safe='')}"
    return PlaybackLink(
        f"{http_base(node.signalling_url)}{path}?{urlencode({'token': token})}", expires_at
    )
