"""Signalling: aiohttp HTTP + WebSocket; rooms are entered only with a valid token (+ password)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from aiortc import RTCConfiguration

from media.admission import AdmissionStore
from media.auth import RoomClaims, TokenRejectedError, TokenVerifier
from media.passwords import PasswordAttempts, RoomPasswordStore, room_password_ok
from media.playback import Playback, add_routes
from media.recording import ConsentCheck, RecordingController, SinkFactory
from media.room import Participant, Room, RoomFullError

logger = logging.getLogger(__name__)

JOIN_TIMEOUT = 10.0
STATIC_DIR = Path(__file__).parent / "static"
ROOM_SOCKET_PATH = "/rooms/{room_id}/ws"

# WebSocket close codes of a refused join (the `error` message's code says the same).
CLOSE_UNAUTHORIZED = 4401
CLOSE_TOO_MANY_ATTEMPTS = 4429
CLOSE_ROOM_FULL = 4409
CLOSE_DRAINING = 4503
# The room's worker or node could not be reached (`error` code `unavailable`): retry.
CLOSE_UNAVAILABLE = 4503
CLOSE_GOING_AWAY = 1001  # the server shuts down (after its drain)


class JoinRefusedError(Exception):
    def __init__(self, code: str, close_code: int) -> None:
        super().__init__(code)
        self.code = code
        self.close_code = close_code


UNAUTHORIZED = JoinRefusedError("unauthorized", CLOSE_UNAUTHORIZED)
TOO_MANY_ATTEMPTS = JoinRefusedError("too_many_attempts", CLOSE_TOO_MANY_ATTEMPTS)


@dataclass
class MediaServer:
    verifier: TokenVerifier
    passwords: RoomPasswordStore
    admission: AdmissionStore
    attempts: PasswordAttempts = field(default_factory=PasswordAttempts)
    # Set on SIGTERM: live rooms go on (and may be rejoined), no new room starts here.
    draining: bool = False
    sockets: set[web.WebSocketResponse] = field(default_factory=set)
    sink_factory: SinkFactory | None = None
    # Both sides' current recording consent (the API's table); None: the tokens alone.
    consents: ConsentCheck | None = None
    # The decrypting playback endpoint; None: this node serves no playback.
    playback: Playback | None = None
    rtc_configuration: RTCConfiguration | None = None
    rooms: dict[str, Room] = field(default_factory=dict)
    recordings: dict[str, RecordingController] = field(default_factory=dict)

    def room(self, room_id: str) -> Room:
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = Room(room_id, self.rtc_configuration)
            recording = RecordingController(room, self.sink_factory, self.consents)
            self.recordings[room_id] = recording
            room.on_membership_change.append(recording.membership_changed)
        return room

    async def discard_if_empty(self, room: Room) -> None:
        if not room.participants and self.rooms.get(room.room_id) is room:
            del self.rooms[room.room_id]
            await self.recordings.pop(room.room_id).stop("room empty")

    async def close(self) -> None:
        for room in list(self.rooms.values()):
            await room.close()
            await self.discard_if_empty(room)
        for ws in list(self.sockets):
            with contextlib.suppress(ConnectionError):
                await ws.close(code=CLOSE_GOING_AWAY)


SERVER = web.AppKey("server", MediaServer)


def create_app(server: MediaServer) -> web.Application:
    app = web.Application()
    app[SERVER] = server
    app.router.add_get("/health", health)
    app.router.add_get(ROOM_SOCKET_PATH, room_socket)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC_DIR)
    if server.playback is not None:
        add_routes(app, server.playback)

    async def shutdown(app: web.Application) -> None:
        await server.close()

    app.on_shutdown.append(shutdown)
    return app


async def health(request: web.Request) -> web.Response:
    server: MediaServer = request.app[SERVER]
    participants = sum(len(room.participants) for room in server.rooms.values())
    status = "draining" if server.draining else "ok"
    return web.json_response(
        {"status": status, "rooms": len(server.rooms), "participants": participants}
    )


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


async def _authenticate(server: MediaServer, room_id: str, ws: web.WebSocketResponse) -> RoomClaims:
    """The join message's claims, or JoinRefusedError. Order: token, booking and sign-in
    still live, room back-off, password (so only a token holder can spend attempts)."""
    try:
        message = await ws.receive_json(timeout=JOIN_TIMEOUT)
    except (TimeoutError, TypeError, ValueError):
        raise UNAUTHORIZED from None
    if not isinstance(message, dict) or message.get("type") != "join":
        raise UNAUTHORIZED
    token, password = message.get("token"), message.get("password")
    if not isinstance(token, str) or not (password is None or isinstance(password, str)):
        raise UNAUTHORIZED
    try:
        claims = await server.verifier.verify(token, room_id)
    except TokenRejectedError as exc:
        logger.info("room token refused: %s", exc)
        raise UNAUTHORIZED from None
    if not await server.admission.booking_open(room_id):
        logger.info("room token refused: booking no longer open")
        raise UNAUTHORIZED
    if not await server.admission.session_live(claims.session_id, claims.user_id):
        logger.info("room token refused: sign-in ended")
        raise UNAUTHORIZED
    if server.attempts.backing_off(room_id):
        raise TOO_MANY_ATTEMPTS
    if not await room_password_ok(server.passwords, room_id, password):
        logger.info("room password refused")
        raise TOO_MANY_ATTEMPTS if server.attempts.failed(room_id) else UNAUTHORIZED
    return claims


async def room_socket(request: web.Request) -> web.StreamResponse:
    server: MediaServer = request.app[SERVER]
    room_id = request.match_info["room_id"]
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)

    try:
        claims = await _authenticate(server, room_id, ws)
    except JoinRefusedError as refused:
        await ws.send_json({"type": "error", "code": refused.code})
        await ws.close(code=refused.close_code)
        return ws

    if server.draining and room_id not in server.rooms:
        await ws.send_json({"type": "error", "code": "draining"})
        await ws.close(code=CLOSE_DRAINING)
        return ws
    room = server.room(room_id)
    send_lock = asyncio.Lock()

    async def send(message: dict[str, Any]) -> None:
        async with send_lock:
            if ws.closed:
                raise ConnectionError("signalling socket closed")
            await ws.send_json(message)

    try:
        participant = await room.join(claims, send)
    except RoomFullError:
        await server.discard_if_empty(room)
        await ws.send_json({"type": "error", "code": "room_full"})
        await ws.close(code=CLOSE_ROOM_FULL)
        return ws

    await send({"type": "joined", "participant": participant.public_id, "role": claims.role})
    server.sockets.add(ws)
    try:
        await _serve(server, room, participant, ws)
    finally:
        server.sockets.discard(ws)
        await room.leave(participant)
        await server.discard_if_empty(room)
        with contextlib.suppress(ConnectionError):
            await ws.close()
    return ws


async def _serve(
    server: MediaServer, room: Room, participant: Participant, ws: web.WebSocketResponse
) -> None:
    recording = server.recordings[room.room_id]
    async for msg in ws:
        if msg.type != WSMsgType.TEXT:
            break
        try:
            message = json.loads(msg.data)
        except ValueError:
            continue
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "answer" and isinstance(message.get("sdp"), str):
            participant.accept_answer(message["sdp"])
        elif kind == "record" and message.get("action") == "start":
            await recording.start(participant)
        elif kind == "record" and message.get("action") == "stop":
            await recording.stop("stopped by participant")
        elif kind == "leave":
            break
        if room.participants.get(participant.user_id) is not participant:
            break
