"""Listing and playback (P17): participants only; a token of at most 5 minutes for one
recording, on a live media node's decrypting endpoint; a consultant's playback is in
the owner's access log."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from chalicelib.access_log.service import page
from chalicelib.accounts.keys import key_ring
from chalicelib.media_nodes.contract import PLAYBACK_TOKEN_AUDIENCE, PLAYBACK_TOKEN_CLAIMS
from chalicelib.recordings.stored import Recording
from tests.unit.booking_world import World
from tests.unit.recordings.conftest import later, store_recording

pytestmark = pytest.mark.usefixtures("media_node")


@pytest.fixture
def recording(world: World, booking: dict[str, str]) -> Recording:
    owner, vet = world.users["owner_a"].user_id, world.users["vet_b"].user_id
    return store_recording(booking["id"], owner, vet, later(booking["start"], 2))


def verified_claims(url: str) -> dict[str, object]:
    """The playback token's claims, checked as the media server checks them."""
    token = parse_qs(urlsplit(url).query)["token"][0]
    key = key_ring.verification_key(jwt.get_unverified_header(token)["kid"])
    assert key is not None
    return dict(
        jwt.decode(
            token,
            key.private_key.public_key(),
            algorithms=["ES256"],
            audience=PLAYBACK_TOKEN_AUDIENCE,
            options={"require": list(PLAYBACK_TOKEN_CLAIMS), "verify_exp": False},
        )
    )


def test_participants_list_the_consultations_recordings(
    world: World, booking: dict[str, str], recording: Recording
) -> None:
    second = store_recording(
        booking["id"], recording.owner_id, recording.consultant_id, later(booking["start"], 20)
    )
    for who in ("owner_a", "vet_b"):
        status, body = world.call("GET", f"/v1/bookings/{booking['id']}/recordings", who)
        assert status == 200, body
        assert body == {
            "items": [
                {
                    "id": r.recording_id,
                    "started_at": r.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "duration_s": 600.0,
                    "size_bytes": 10_000_000,
                }
                for r in (recording, second)
            ]
        }
    for stranger in ("owner_b", "vet_a"):
        status, _ = world.call("GET", f"/v1/bookings/{booking['id']}/recordings", stranger)
        assert status == 404


def test_a_playback_link_is_short_lived_and_for_one_recording(
    world: World, recording: Recording
) -> None:
    status, body = world.call(
        "POST", f"/v1/recordings/{recording.recording_id}/playback", "owner_a"
    )
    assert status == 200, body
    url = urlsplit(body["url"])
    assert (url.scheme, url.netloc) == ("https", "sfu-1.vetpet.test")
    assert url.path == f"/playback/{recording.recording_id}"
    claims = verified_claims(body["url"])
    assert claims["rid"] == recording.recording_id
    assert claims["bid"] == recording.booking_id
    assert claims["sub"] == recording.owner_id
    assert "gid" not in claims
    assert int(str(claims["exp"])) - int(str(claims["iat"])) == 300  # 5 minutes
    assert body["expires_at"] == "2026-05-31T12:05:00Z"  # the world's clock + 5 minutes


def test_only_the_recordings_own_participants_play_it(world: World, recording: Recording) -> None:
    path = f"/v1/recordings/{recording.recording_id}/playback"
    assert world.call("POST", path, "owner_b")[0] == 404
    assert world.call("POST", path, "vet_a")[0] == 404
    assert world.call("POST", path, "admin")[0] == 403
    assert world.call("POST", "/v1/recordings/rec_missing/playback", "owner_a")[0] == 404


def test_a_consultants_playback_is_in_the_owners_access_log(
    world: World, recording: Recording
) -> None:
    path = f"/v1/recordings/{recording.recording_id}/playback"
    assert world.call("POST", path, "owner_a")[0] == 200
    assert page(recording.owner_id, None, 10)[0] == []
    status, body = world.call("POST", path, "vet_b")
    assert status == 200, body
    assert verified_claims(body["url"])["sub"] == recording.consultant_id
    [entry] = page(recording.owner_id, None, 10)[0]
    assert (entry.actor_role, entry.action, entry.resource) == (
        "consultant",
        "recording_playback",
        f"recording/{recording.recording_id}",
    )


def test_no_live_media_node_is_503(world: World, recording: Recording) -> None:
    world.clock.shift(timedelta(minutes=1))  # the frozen clock moves, the node stays silent
    status, problem = world.call(
        "POST", f"/v1/recordings/{recording.recording_id}/playback", "owner_a"
    )
    assert (status, problem["code"]) == (503, "media_unavailable")
