"""Test helpers: a JWKS server with our own EC P-256 key, token minting, and an aiortc client."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import jwt
import numpy as np
from aiohttp import web
from aiortc import (
    AudioStreamTrack,
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.media_nodes.contract import MEDIA_TOKEN_AUDIENCE, PLAYBACK_TOKEN_AUDIENCE
from media.admission import InMemoryAdmissionStore

ISSUER = "https://api.vetpet.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class KeyPair:
    """The API's signing key. Like the API, it issues a room token only for a live sign-in:
    with ``admission``, each token's ``sid`` is recorded there as the user's live session."""

    def __init__(self, kid: str, admission: InMemoryAdmissionStore | None = None) -> None:
        self.kid = kid
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.admission = admission

    def jwk(self) -> dict[str, Any]:
        data = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key()))
        data.update({"kid": self.kid, "use": "sig", "alg": "ES256"})
        return data

    def token(
        self,
        *,
        room: str,
        sub: str,
        role: str = "owner",
        rec: bool = False,
        ttl: int = 300,
        issuer: str = ISSUER,
        audience: str = MEDIA_TOKEN_AUDIENCE,
        sid: str | None = None,
    ) -> str:
        now = int(time.time())
        sid = sid or f"sign-in-of-{sub}"
        if self.admission is not None:
            self.admission.set_session(sid, sub, expires_at=datetime.now(UTC) + timedelta(days=1))
        claims = {
            "iss": issuer,
            "aud": audience,
            "sub": sub,
            "room": room,
            "role": role,
            "rec": rec,
            "iat": now - 5,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
            "sid": sid,
        }
        return jwt.encode(claims, self.private, algorithm="ES256", headers={"kid": self.kid})

    def playback_token(
        self,
        *,
        recording: str,
        booking: str,
        sub: str = "owner-1",
        ttl: int = 300,
        grant: str | None = None,
        audience: str = PLAYBACK_TOKEN_AUDIENCE,
    ) -> str:
        """A playback token as the API issues it (`PLAYBACK_TOKEN_CLAIMS`, optional gid)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": audience,
            "sub": sub,
            "rid": recording,
            "bid": booking,
            "iat": now - 5,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
        }
        if grant is not None:
            claims["gid"] = grant
        return jwt.encode(claims, self.private, algorithm="ES256", headers={"kid": self.kid})


async def serve_jwks(keys: list[KeyPair]) -> tuple[web.AppRunner, str]:
    async def jwks(request: web.Request) -> web.Response:
        return web.json_response({"keys": [k.jwk() for k in keys]})

    app = web.Application()
    app.router.add_get("/v1/.well-known/jwks.json", jwks)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/v1/.well-known/jwks.json"


async def serve_app(app: web.Application, runners: list[web.AppRunner]) -> str:
    """Serve ``app`` on a free loopback port (``runners`` collects it for clean-up)."""
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    runners.append(runner)
    return f"http://127.0.0.1:{port}"


async def join_once(
    base_url: str, room: str, token: str, password: str | None = None
) -> tuple[dict[str, Any], int | None]:
    """Send one join; return the server's first answer and, for a refusal, the close code."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{base_url}/rooms/{room}/ws") as ws,
    ):
        await ws.send_json({"type": "join", "token": token, "password": password})
        first: dict[str, Any] = await ws.receive_json(timeout=15)
        if first["type"] != "error":
            return first, None
        await ws.receive(timeout=15)
        return first, ws.close_code


async def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``predicate`` until true; network events have no other completion signal."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


class SyntheticVideo(VideoStreamTrack):
    """Small moving test pattern (cheap to VP8-encode); counts frames handed to the encoder."""

    def __init__(self) -> None:
        super().__init__()
        self.frames_sent = 0
        self._base = np.random.default_rng(self.frames_sent).integers(
            0, 255, (120, 160, 3), dtype=np.uint8
        )

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = np.roll(self._base, self.frames_sent, axis=1)
        frame = VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        self.frames_sent += 1
        return frame


class SyntheticAudio(AudioStreamTrack):
    """20 ms Opus-encodable audio frames; counts frames handed to the encoder."""

    def __init__(self) -> None:
        super().__init__()
        self.frames_sent = 0

    async def recv(self) -> Any:
        frame = await super().recv()
        self.frames_sent += 1
        return frame


@dataclass
class Client:
    """An aiortc participant speaking the SFU's signalling protocol."""

    base_url: str
    room: str
    token: str
    password: str | None = None
    video_codec: str | None = None  # e.g. "video/H264": publish with that codec only
    video: SyntheticVideo = field(default_factory=SyntheticVideo)
    audio: SyntheticAudio = field(default_factory=SyntheticAudio)
    decoded: Counter[tuple[str, str]] = field(default_factory=Counter)
    messages: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    pc: RTCPeerConnection | None = None
    _session: aiohttp.ClientSession | None = None
    _ws: aiohttp.ClientWebSocketResponse | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _tracks: dict[str, dict[str, str]] = field(default_factory=dict)
    _joined: asyncio.Event = field(default_factory=asyncio.Event)

    async def join(self) -> bool:
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(f"{self.base_url}/rooms/{self.room}/ws")
        await self._ws.send_json({"type": "join", "token": self.token, "password": self.password})
        self._tasks.append(asyncio.create_task(self._read()))
        await asyncio.wait_for(self._joined.wait(), 15)
        return self.error is None

    async def send(self, message: dict[str, Any]) -> None:
        assert self._ws is not None
        await self._ws.send_json(message)

    async def wait_message(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 15
    ) -> dict[str, Any]:
        await wait_for(lambda: any(predicate(m) for m in self.messages), timeout, "message")
        return next(m for m in self.messages if predicate(m))

    async def _read(self) -> None:
        assert self._ws is not None
        async for msg in self._ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            message = json.loads(msg.data)
            self.messages.append(message)
            if message["type"] == "error":
                self.error = message["code"]
                self._joined.set()
            elif message["type"] == "joined":
                # max-bundle: see media/room.py (aiortc's balanced policy loses 2nd video)
                self.pc = RTCPeerConnection(
                    RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
                )
                self.pc.on("track", self._on_track)
                self._joined.set()
            elif message["type"] == "offer":
                await self._answer(message)
        self._joined.set()

    async def _answer(self, offer: dict[str, Any]) -> None:
        assert self.pc is not None
        assert self._ws is not None
        self._tracks.update(offer["tracks"])
        await self.pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        sources: dict[str, MediaStreamTrack] = {"audio": self.audio, "video": self.video}
        for transceiver in self.pc.getTransceivers():
            kind = next((k for k, mid in offer["publish"].items() if mid == transceiver.mid), None)
            if kind is not None and transceiver.sender.track is None:
                transceiver.sender.replaceTrack(sources[kind])
                transceiver.direction = "sendonly"
                if kind == "video" and self.video_codec is not None:
                    transceiver.setCodecPreferences(
                        [
                            c
                            for c in RTCRtpSender.getCapabilities("video").codecs
                            if c.mimeType == self.video_codec
                        ]
                    )
                    # aiortc picks an answer's codecs when the offer is set: set it again
                    # now that the transceiver (created by that offer) has preferences.
                    await self.pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await self._ws.send_json({"type": "answer", "sdp": self.pc.localDescription.sdp})

    def _on_track(self, track: MediaStreamTrack) -> None:
        assert self.pc is not None
        mid = next(t.mid for t in self.pc.getTransceivers() if t.receiver.track is track)
        self._tasks.append(asyncio.create_task(self._consume(mid, track)))

    async def _consume(self, mid: str, track: MediaStreamTrack) -> None:
        try:
            while True:
                await track.recv()
                info = self._tracks.get(mid)
                if info is not None:
                    self.decoded[(info["participant"], info["kind"])] += 1
        except MediaStreamError:
            return

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.pc is not None:
            await self.pc.close()
        if self._session is not None:
            await self._session.close()


Factory = Callable[..., Awaitable[Client]]
