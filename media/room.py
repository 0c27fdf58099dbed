"""Rooms and participants: peer connections, subscriptions and server-driven renegotiation."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpCodecCapability,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)

from media.aiortc_bridge import ParkedTrack, negotiated_codec
from media.auth import RoomClaims
from media.forwarder import StreamForwarder

logger = logging.getLogger(__name__)

MAX_PARTICIPANTS = 4
KINDS = ("audio", "video")
NEGOTIATION_TIMEOUT = 15.0
# A peer that vanished mid-handshake can leave aiortc's close waiting on its transports;
# leaving a room (and shutting the server down) must not wait on it forever.
PEER_CLOSE_TIMEOUT = 5.0
# Forwarded as-is (no RTX), in the SFU's order of preference; the publisher's answer picks.
FORWARDED_CODECS = {"audio": ("audio/opus",), "video": ("video/VP8", "video/H264")}

SendMessage = Callable[[dict[str, Any]], Awaitable[None]]


class RoomFullError(Exception):
    """The room already has MAX_PARTICIPANTS participants."""


def forwarded_codecs(kind: str, only: str | None = None) -> list[RTCRtpCodecCapability]:
    """The codecs the SFU negotiates for ``kind`` (``only`` one mime type, for a subscriber
    leg that must carry its publisher's codec). H.264 only in packetization mode 1."""
    mimes = FORWARDED_CODECS[kind] if only is None else (only,)
    return [
        codec
        for mime in mimes
        for codec in RTCRtpSender.getCapabilities(kind).codecs
        if codec.mimeType == mime
        and (mime != "video/H264" or codec.parameters.get("packetization-mode") == "1")
    ]


def _add_transceiver(
    pc: RTCPeerConnection, kind: str, *, send: bool, codec: str | None = None
) -> RTCRtpTransceiver:
    if send:
        transceiver = pc.addTransceiver(ParkedTrack(kind), direction="sendonly")
    else:
        transceiver = pc.addTransceiver(kind, direction="recvonly")
    transceiver.setCodecPreferences(forwarded_codecs(kind, codec))
    return transceiver


@dataclass(eq=False)
class Participant:
    claims: RoomClaims
    # The only name other participants (and the client) ever see: opaque, per room (P7).
    public_id: str
    pc: RTCPeerConnection
    send: SendMessage
    publish: dict[str, RTCRtpTransceiver] = field(default_factory=dict)
    forwarders: dict[str, StreamForwarder] = field(default_factory=dict)
    subscriptions: dict[tuple[str, str], RTCRtpTransceiver] = field(default_factory=dict)
    _answer: asyncio.Future[str] | None = None
    _negotiation_wanted: asyncio.Event = field(default_factory=asyncio.Event)
    _negotiator: asyncio.Task[None] | None = None
    # Called after each completed negotiation (others then subscribe to this publisher).
    on_negotiated: Callable[[Participant], Awaitable[None]] | None = None
    # True once an answer was applied: only then are the publish codecs the chosen ones.
    answered: bool = False

    @property
    def user_id(self) -> str:
        return self.claims.user_id

    def request_negotiation(self) -> None:
        """Send a fresh offer soon; requests made while one is in flight coalesce."""
        self._negotiation_wanted.set()
        if self._negotiator is None:
            self._negotiator = asyncio.create_task(self._negotiate_loop())

    def accept_answer(self, sdp: str) -> bool:
        if self._answer is None or self._answer.done():
            return False
        self._answer.set_result(sdp)
        return True

    async def _negotiate_loop(self) -> None:
        while True:
            await self._negotiation_wanted.wait()
            self._negotiation_wanted.clear()
            if self.pc.signalingState == "closed":
                return
            try:
                await self._negotiate_once()
            except (TimeoutError, ConnectionError) as exc:
                logger.warning("negotiation with a participant failed: %s", type(exc).__name__)
                return

    async def _negotiate_once(self) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        self._answer = asyncio.get_running_loop().create_future()
        await self.send(
            {
                "type": "offer",
                "sdp": self.pc.localDescription.sdp,
                "publish": {kind: t.mid for kind, t in self.publish.items()},
                "tracks": {
                    t.mid: {"participant": publisher_id, "kind": kind}
                    for (publisher_id, kind), t in self.subscriptions.items()
                    if t.direction != "inactive"
                },
            }
        )
        sdp = await asyncio.wait_for(self._answer, NEGOTIATION_TIMEOUT)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        self.answered = True
        if self.on_negotiated is not None:
            await self.on_negotiated(self)

    async def close(self) -> None:
        if self._negotiator is not None:
            self._negotiator.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._negotiator
        try:
            await asyncio.wait_for(self.pc.close(), PEER_CLOSE_TIMEOUT)
        except TimeoutError:
            logger.warning("peer connection close timed out")


class Room:
    """At most MAX_PARTICIPANTS participants; everyone receives everyone else's media."""

    def __init__(self, room_id: str, rtc_configuration: RTCConfiguration | None = None) -> None:
        self.room_id = room_id
        self.participants: dict[str, Participant] = {}
        # max-bundle: aiortc 1.16's "balanced" policy leaves a second transceiver of a kind
        # on a transport that bundling later abandons, so its media never flows.
        self._rtc_configuration = RTCConfiguration(
            # Never None: aiortc would then add a public STUN server, which stalls offers
            # by seconds where it is unreachable. The SFU announces its public address.
            iceServers=rtc_configuration.iceServers if rtc_configuration else [],
            bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
        )
        self._lock = asyncio.Lock()
        self._id_key = secrets.token_bytes(32)
        self.on_membership_change: list[Callable[[], Awaitable[None]]] = []

    def public_id(self, user_id: str) -> str:
        """A participant's opaque name in this room: stable while the room lives, unlinkable
        to the user id or to the same user in another room."""
        return hmac.new(self._id_key, user_id.encode(), hashlib.sha256).hexdigest()[:16]

    async def join(self, claims: RoomClaims, send: SendMessage) -> Participant:
        """Add a participant (replacing an earlier session of the same user)."""
        async with self._lock:
            previous = self.participants.get(claims.user_id)
            if previous is None and len(self.participants) >= MAX_PARTICIPANTS:
                raise RoomFullError
            if previous is not None:
                await self._remove(previous)
                with contextlib.suppress(ConnectionError):
                    await previous.send({"type": "replaced"})
            participant = Participant(
                claims=claims,
                public_id=self.public_id(claims.user_id),
                pc=RTCPeerConnection(self._rtc_configuration),
                send=send,
                on_negotiated=self._publisher_ready,
            )
            for kind in KINDS:
                transceiver = _add_transceiver(participant.pc, kind, send=False)
                participant.publish[kind] = transceiver
                participant.forwarders[kind] = StreamForwarder(kind, transceiver.receiver)
            # Legs carry their publisher's codec, known once it has answered: others
            # subscribe to the newcomer in `_publisher_ready`.
            for other in self.participants.values():
                if other.answered:
                    self._subscribe(participant, other)
            self.participants[claims.user_id] = participant
            for member in self.participants.values():
                member.request_negotiation()
        await self._notify()
        return participant

    async def leave(self, participant: Participant) -> None:
        async with self._lock:
            if self.participants.get(participant.user_id) is not participant:
                return
            await self._remove(participant)
            for member in self.participants.values():
                member.request_negotiation()
        await self._notify()

    async def close(self) -> None:
        async with self._lock:
            for participant in list(self.participants.values()):
                await self._remove(participant)

    async def _notify(self) -> None:
        for callback in self.on_membership_change:
            await callback()

    async def _publisher_ready(self, publisher: Participant) -> None:
        """After a participant's negotiation: everyone not yet subscribed to it subscribes,
        each leg with the codec the publisher chose (a started aiortc receiver cannot
        change codec, so a leg is never created before that choice)."""
        async with self._lock:
            if self.participants.get(publisher.user_id) is not publisher:
                return
            for subscriber in self.participants.values():
                if subscriber is publisher or (publisher.public_id, "video") in (
                    subscriber.subscriptions
                ):
                    continue
                self._subscribe(subscriber, publisher)
                subscriber.request_negotiation()

    def _subscribe(self, subscriber: Participant, publisher: Participant) -> None:
        for kind in KINDS:
            transceiver = _add_transceiver(
                subscriber.pc, kind, send=True, codec=negotiated_codec(publisher.publish[kind])
            )
            subscriber.subscriptions[(publisher.public_id, kind)] = transceiver
            publisher.forwarders[kind].add_leg(subscriber.user_id, transceiver)

    async def _remove(self, participant: Participant) -> None:
        del self.participants[participant.user_id]
        for other in self.participants.values():
            for kind in KINDS:
                other.forwarders[kind].remove_leg(participant.user_id)
                transceiver = other.subscriptions.pop((participant.public_id, kind), None)
                if transceiver is not None:
                    transceiver.direction = "inactive"
        await participant.close()
