"""Recording routes: per-booking consent, listing, playback and written-consent grants."""

from __future__ import annotations

from typing import Any

from chalicelib.access_log.entries import CONSULTANT_ROLE
from chalicelib.accounts.errors import ReauthenticationRequired, TooManyAttempts
from chalicelib.bookings.service import Actor, bookings
from chalicelib.clock import to_rfc3339
from chalicelib.consent.service import CHANNEL_HEADER, channel_of
from chalicelib.errors import NotFound
from chalicelib.media_nodes.errors import NoMediaNode
from chalicelib.recordings import consents, grants, library
from chalicelib.recordings.errors import InvalidGrantExpiry
from chalicelib.recordings.playback import PlaybackLink, playback_link
from chalicelib.recordings.schemas import (
    GrantIn,
    GrantOut,
    PlaybackOut,
    RecordingConsentIn,
    RecordingConsentOut,
    RecordingList,
    RecordingOut,
    SharedPlaybackIn,
)
from chalicelib.web.access import PUBLIC, roles
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="recordings")
OWNER = roles("owner")
PARTICIPANT = roles("owner", "vet")


def _channel(request: ApiRequest[Any, Any]) -> str:
    return channel_of(request.headers.get(CHANNEL_HEADER))


def _playback_out(link: PlaybackLink) -> PlaybackOut:
    return PlaybackOut(url=link.url, expires_at=to_rfc3339(link.expires_at))


@api.route(
    "/v1/bookings/{booking_id}/recording-consent",
    "PUT",
    access=PARTICIPANT,
    body=RecordingConsentIn,
    response=RecordingConsentOut,
    summary="Grant or withdraw my consent to record this consultation (owner or its "
    "consultant); it is recorded only while both have granted. A withdrawal during the "
    "call stops the recording within 2 seconds and keeps what was recorded before.",
    errors=(NotFound,),
)
def recording_consent(
    request: ApiRequest[RecordingConsentIn, None], booking_id: str
) -> RecordingConsentOut:
    user_id = request.user.user_id
    booking = bookings.load_for(booking_id, Actor(user_id, request.user.role))
    pair = consents.decide(booking, user_id, request.body.granted, _channel(request), request.now)
    return RecordingConsentOut(
        booking_id=pair.booking_id,
        owner_granted=pair.owner_granted,
        consultant_granted=pair.consultant_granted,
        recording_allowed=pair.recording_allowed,
        updated_at=to_rfc3339(pair.updated_at) if pair.updated_at else None,
    )


@api.route(
    "/v1/bookings/{booking_id}/recordings",
    "GET",
    access=PARTICIPANT,
    response=RecordingList,
    summary="The consultation's stored recordings, oldest first (its owner and consultant).",
    errors=(NotFound,),
)
def list_recordings(request: ApiRequest[None, None], booking_id: str) -> RecordingList:
    bookings.load_for(booking_id, Actor(request.user.user_id, request.user.role))
    items = [
        RecordingOut(
            id=r.recording_id,
            started_at=to_rfc3339(r.started_at),
            duration_s=float(r.duration_s),
            size_bytes=int(r.size_bytes),
        )
        for r in library.of_booking(booking_id)
    ]
    return RecordingList(items=items)


@api.route(
    "/v1/recordings/{recording_id}/playback",
    "POST",
    access=PARTICIPANT,
    response=PlaybackOut,
    summary="A link (at most 5 minutes) to the media server's decrypting stream of one "
    "recording of my own consultation.",
    errors=(NotFound, NoMediaNode),
)
def playback(request: ApiRequest[None, None], recording_id: str) -> PlaybackOut:
    user_id = request.user.user_id
    recording = library.load_for(recording_id, user_id)
    if user_id != recording.owner_id:
        library.log_playback(recording, CONSULTANT_ROLE, request.now)
    return _playback_out(playback_link(recording, user_id, request.now))


@api.route(
    "/v1/recordings/{recording_id}/grants",
    "POST",
    access=OWNER,
    body=GrantIn,
    response=GrantOut,
    status=201,
    summary="Share one recording with a third party by written consent (P17): the consent "
    "text goes to my consent ledger, the recipient gets an e-mail link that works until "
    "`expires_at` (at most 30 days) or until I revoke it. Needs my password.",
    errors=(
        NotFound,
        InvalidGrantExpiry,
        ReauthenticationRequired,
        TooManyAttempts,
    ),
)
def create_grant(request: ApiRequest[GrantIn, None], recording_id: str) -> GrantOut:
    from chalicelib.accounts import mfa
    from chalicelib.accounts.events import Origin
    from chalicelib.accounts.repository import get_user

    body, now = request.body, request.now
    owner_id = request.user.user_id
    recording = library.owned_by(recording_id, owner_id)
    user = get_user(owner_id)
    if user is None:
        raise NotFound("account")
    origin = Origin(ip=request.client_ip, user_agent=request.user_agent)
    mfa.require_reauthentication(
        user, mfa.Reauth(body.password, request.user.session_id, now, origin)
    )
    new = grants.NewGrant(body.recipient_email, body.purpose, body.expires_at, body.consent_text)
    grant = grants.create(owner_id, recording, new, channel=_channel(request), now=now)
    return GrantOut(
        id=grant.grant_id,
        recording_id=grant.recording_id,
        recipient_email=grant.recipient_email,
        purpose=grant.purpose,
        expires_at=to_rfc3339(grant.expires_at),
        consent_sha256=grant.consent_hash,
    )


@api.route(
    "/v1/recordings/{recording_id}/grants/{grant_id}",
    "DELETE",
    access=OWNER,
    status=204,
    summary="Revoke a share at once; the withdrawal goes to my consent ledger.",
    errors=(NotFound,),
)
def revoke_grant(request: ApiRequest[None, None], recording_id: str, grant_id: str) -> None:
    grants.revoke(
        request.user.user_id, recording_id, grant_id, channel=_channel(request), now=request.now
    )
    return


@api.route(
    "/v1/shared-recordings/{grant_id}/playback",
    "POST",
    access=PUBLIC,
    body=SharedPlaybackIn,
    response=PlaybackOut,
    summary="The recipient of a share plays the recording with the key of their link; "
    "each use appears in the owner's access log. No grant, an ended or revoked one, or a "
    "wrong key: 404.",
    errors=(NotFound, NoMediaNode),
)
def shared_playback(request: ApiRequest[SharedPlaybackIn, None], grant_id: str) -> PlaybackOut:
    now = request.now
    grant = grants.redeem(grant_id, request.body.key, now)
    recording = library.owned_by(grant.recording_id, grant.owner_id)
    library.log_playback(
        recording,
        library.THIRD_PARTY_ROLE,
        now,
        reason=grant.purpose,
        recipient=grant.recipient_email,
    )
    link = playback_link(
        recording,
        f"grant:{grant.grant_id}",
        now,
        grant_id=grant.grant_id,
        grant_expires_at=grant.expires_at,
    )
    return _playback_out(link)
