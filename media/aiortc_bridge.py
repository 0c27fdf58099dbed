"""The one place that reaches into aiortc internals (aiortc, aioice and pylibsrtp are pinned).

aiortc decodes every received frame and encodes every sent one. The SFU needs RTP packets
instead, so this module:

* replaces ``RTCRtpReceiver._handle_rtp_packet`` on publisher legs by an ``InboundTap`` that
  keeps aiortc's receiver statistics (for RTCP RR) and NACK generation, then hands the
  still-encoded packet to the forwarder; nothing reaches aiortc's jitter buffer or decoder;
* replaces ``RTCRtpSender._handle_rtcp_packet`` on subscriber legs by an ``OutboundTap`` that
  passes NACK / PLI / FIR / REMB to the forwarder, and sends forwarded RTP with the sender's
  SSRC: the header is written into the leg's own buffer, SRTP-protected in place with the
  leg's DTLS-SRTP session (the one ``RTCDtlsTransport._send_rtp`` uses) and handed to the
  nominated ICE pair's datagram transport, with no RtpPacket object, copy or coroutine per
  leg; the counters aiortc's RTCP SR and getStats use are kept up to date;
* parks the sender's own RTP loop on a track that never yields a frame;
* with ``install_ice_policy``, binds every host candidate inside the worker's UDP port range
  and announces the node's public IP in it (aioice only binds ephemeral ports).

``check_compatibility()`` verifies the pinned versions and every attribute used here;
tests/media/test_media_aiortc_bridge.py calls it so that an upgrade that breaks a hook fails
loudly.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import random
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aioice
import aiortc
import pylibsrtp
from aioice.candidate import Candidate, candidate_foundation, candidate_priority
from aioice.ice import Connection, StunProtocol
from aioice.turn import UDP_SOCKET_BUFFER_SIZE
from aiortc import MediaStreamTrack, RTCRtpReceiver, RTCRtpTransceiver
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtcrtpreceiver import NackGenerator, StreamStatistics
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RTCP_PSFB_FIR,
    RTCP_PSFB_PLI,
    RTCP_RTPFB_NACK,
    AnyRtcpPacket,
    HeaderExtensions,
    HeaderExtensionsMap,
    RtcpPsfbPacket,
    RtcpRrPacket,
    RtcpRtpfbPacket,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_remb_fci,
)
from pylibsrtp import SRTP_MAX_TRAILER_LEN
from pylibsrtp._binding import ffi as srtp_ffi
from pylibsrtp._binding import lib as srtp_lib

from media.rtp_rewrite import RtpHeaderWriter, abs_send_time

AIORTC_VERSION = "1.16.0"
AIOICE_VERSION = "0.13.0"
PYLIBSRTP_VERSION = "1.0.0"
_SENDING = ("sendonly", "sendrecv")

__all__ = [
    "AIOICE_VERSION",
    "AIORTC_VERSION",
    "PYLIBSRTP_VERSION",
    "BridgeIncompatibleError",
    "Feedback",
    "InboundTap",
    "KeyframeRequest",
    "Nack",
    "OutboundTap",
    "ParkedTrack",
    "Remb",
    "RtpPacket",
    "SourcePacket",
    "check_compatibility",
]

PacketHandler = Callable[[RtpPacket], Awaitable[None]]

_REQUIRED: dict[str, tuple[str, ...]] = {
    "receiver": (
        "_handle_rtp_packet",
        "_send_rtcp",
        "_send_rtcp_nack",
        "_send_rtcp_pli",
        "_RTCRtpReceiver__codecs",
        "_RTCRtpReceiver__remote_streams",
        "_RTCRtpReceiver__rtcp_ssrc",
    ),
    "sender": (
        "_handle_rtcp_packet",
        "_ssrc",
        "_RTCRtpSender__ntp_timestamp",
        "_RTCRtpSender__rtp_timestamp",
        "_RTCRtpSender__octet_count",
        "_RTCRtpSender__packet_count",
    ),
    "transport": (
        "_state",
        "_transport",
        "_tx_srtp",
        "_rtp_header_extensions_map",
        "_RTCDtlsTransport__tx_bytes",
        "_RTCDtlsTransport__tx_packets",
    ),
    "ice_transport": ("_connection",),
    "ice_connection": ("_nominated", "_protocols", "get_component_candidates"),
    "transceiver": ("_codecs",),
}


class BridgeIncompatibleError(RuntimeError):
    """The installed aiortc does not have the internals this module hooks."""


def check_compatibility(transceiver: RTCRtpTransceiver) -> None:
    """Raise BridgeIncompatibleError unless aiortc has what the hooks rely on."""
    if aiortc.__version__ != AIORTC_VERSION:
        raise BridgeIncompatibleError(f"aiortc {aiortc.__version__} != pinned {AIORTC_VERSION}")
    if aioice.__version__ != AIOICE_VERSION:
        raise BridgeIncompatibleError(f"aioice {aioice.__version__} != pinned {AIOICE_VERSION}")
    if pylibsrtp.__version__ != PYLIBSRTP_VERSION:
        raise BridgeIncompatibleError(
            f"pylibsrtp {pylibsrtp.__version__} != pinned {PYLIBSRTP_VERSION}"
        )
    ice_transport = transceiver.sender.transport.transport
    objects = {
        "receiver": transceiver.receiver,
        "sender": transceiver.sender,
        "transport": transceiver.sender.transport,
        "ice_transport": ice_transport,
        "ice_connection": getattr(ice_transport, "_connection", None),
        "transceiver": transceiver,
    }
    missing = [
        f"{role}.{name}"
        for role, names in _REQUIRED.items()
        for name in names
        if not hasattr(objects[role], name)
    ]
    # OutboundTap.resend protects in place with libsrtp, as pylibsrtp's Session.protect does.
    if not hasattr(pylibsrtp.Session, "_Session__process") or "_srtp" not in inspect.getsource(
        pylibsrtp.Session.__init__
    ):
        missing.append("pylibsrtp.Session._srtp")
    # OutboundTap.resend writes to the nominated pair's datagram transport directly, which is
    # what aioice's StunProtocol.send_data does (it carries host, srflx and TURN-relayed pairs).
    if "self.transport.sendto(data, addr)" not in inspect.getsource(StunProtocol.send_data):
        missing.append("StunProtocol.send_data as a plain transport.sendto")
    if missing:
        raise BridgeIncompatibleError("aiortc internals missing: " + ", ".join(missing))


class ParkedTrack(MediaStreamTrack):
    """Gives a forwarding sender an msid while keeping its encode loop asleep."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self._stopped = asyncio.Event()

    async def recv(self) -> Any:
        await self._stopped.wait()
        raise MediaStreamError

    def stop(self) -> None:
        self._stopped.set()
        super().stop()


class InboundTap:
    """Receives a publisher's RTP before aiortc depacketizes or decodes it."""

    def __init__(self, receiver: RTCRtpReceiver, on_packet: PacketHandler) -> None:
        self._receiver: Any = receiver  # Any: name-mangled private attributes are read
        self._on_packet = on_packet
        self._nacks = NackGenerator()
        self.media_ssrc: int | None = None
        receiver._handle_rtp_packet = self._handle  # type: ignore[method-assign]

    async def _handle(self, packet: RtpPacket, arrival_time_ms: int) -> None:
        codec = self._receiver._RTCRtpReceiver__codecs.get(packet.payload_type)
        if codec is None:
            return
        streams: dict[int, StreamStatistics] = self._receiver._RTCRtpReceiver__remote_streams
        stats = streams.get(packet.ssrc)
        if stats is None:
            stats = streams[packet.ssrc] = StreamStatistics(codec.clockRate)
        stats.add(packet)
        self.media_ssrc = packet.ssrc
        if self._receiver.track.kind == "video" and self._nacks.add(packet):
            await self._receiver._send_rtcp_nack(packet.ssrc, sorted(self._nacks.missing))
        await self._on_packet(packet)

    async def send_pli(self) -> None:
        if self.media_ssrc is not None:
            await self._receiver._send_rtcp_pli(self.media_ssrc)

    async def send_remb(self, bitrate: int) -> None:
        rtcp_ssrc = self._receiver._RTCRtpReceiver__rtcp_ssrc
        if self.media_ssrc is None or rtcp_ssrc is None:
            return
        await self._receiver._send_rtcp(
            RtcpPsfbPacket(
                fmt=RTCP_PSFB_APP,
                ssrc=rtcp_ssrc,
                media_ssrc=0,
                fci=pack_remb_fci(bitrate, [self.media_ssrc]),
            )
        )


@dataclass(frozen=True)
class Nack:
    lost: list[int]


@dataclass(frozen=True)
class KeyframeRequest:
    """PLI or FIR from a subscriber."""


@dataclass(frozen=True)
class Remb:
    bitrate: int


Feedback = Nack | KeyframeRequest | Remb
FeedbackHandler = Callable[[Feedback], Awaitable[None]]


def parse_feedback(packet: AnyRtcpPacket, media_ssrc: int) -> Feedback | None:
    """The subscriber feedback in ``packet`` that concerns ``media_ssrc``, if any."""
    if isinstance(packet, RtcpRtpfbPacket) and packet.fmt == RTCP_RTPFB_NACK:
        return Nack(list(packet.lost)) if packet.media_ssrc == media_ssrc else None
    if isinstance(packet, RtcpPsfbPacket):
        if packet.fmt in (RTCP_PSFB_PLI, RTCP_PSFB_FIR):
            return KeyframeRequest()
        if packet.fmt == RTCP_PSFB_APP:
            try:
                bitrate, ssrcs = unpack_remb_fci(packet.fci)
            except ValueError:
                return None
            return Remb(bitrate) if media_ssrc in ssrcs else None
    return None


class SourcePacket:
    """A publisher packet, prepared once for all the legs it is forwarded to.

    ``body`` is the payload plus RTP padding (the bytes after the header, identical on every
    leg); ``ntp`` and ``send_time`` (abs-send-time) are taken once per fan-out.
    """

    __slots__ = (
        "audio_level",
        "body",
        "marker",
        "ntp",
        "padded",
        "payload",
        "payload_size",
        "send_time",
        "sequence_number",
        "timestamp",
    )

    def __init__(self, packet: RtpPacket, ntp: int) -> None:
        self.sequence_number: int = packet.sequence_number
        self.timestamp: int = packet.timestamp
        self.marker: int = packet.marker
        self.payload: bytes = packet.payload
        self.payload_size = len(packet.payload)
        self.padded = packet.padding_size > 0
        self.body: bytes = (
            packet.payload + os.urandom(packet.padding_size - 1) + bytes([packet.padding_size])
            if self.padded
            else packet.payload
        )
        self.audio_level: tuple[bool, int] | None = packet.extensions.audio_level
        self.ntp = ntp
        self.send_time = abs_send_time(ntp)


def _extension_layout(
    extensions_map: HeaderExtensionsMap, mid: str | None, *, with_level: bool
) -> tuple[int, bytes, int | None, int | None]:
    """aiortc's own header extension block for a leg, and where the per-packet bytes go."""

    def block(send_time: int, level: tuple[bool, int]) -> tuple[int, bytes]:
        values = HeaderExtensions(
            mid=mid, abs_send_time=send_time, audio_level=level if with_level else None
        )
        return extensions_map.set(values)

    profile, value = block(0, (False, 0))
    _, other_time = block(0xFFFFFF, (False, 0))
    _, other_level = block(0, (True, 127))

    def first_difference(other: bytes) -> int | None:
        return next((i for i, (a, b) in enumerate(zip(value, other, strict=True)) if a != b), None)

    return profile, value, first_difference(other_time), first_difference(other_level)


def _not_connected(data: bytearray, addr: tuple[str, int]) -> None:
    raise ConnectionError("no ICE pair yet")


class OutboundTap:
    """Sends already-encoded RTP through a subscriber's sender, bypassing its encoder.

    Headers are written into per-leg buffers (``RtpHeaderWriter``) and each packet is
    SRTP-protected with the leg's own DTLS-SRTP session, then handed straight to the ICE
    pair's datagram transport: the same steps as aiortc's ``RTCDtlsTransport._send_rtp``,
    without its per-packet coroutine chain.
    """

    def __init__(self, transceiver: RTCRtpTransceiver, on_feedback: FeedbackHandler) -> None:
        self._transceiver = transceiver
        self._sender = transceiver.sender
        self._writer: RtpHeaderWriter | None = None
        self._writer_key: tuple[object, ...] | None = None
        self._buffer = bytearray(1500 + SRTP_MAX_TRAILER_LEN)
        self._cbuffer = srtp_ffi.from_buffer(self._buffer)
        self._length = srtp_ffi.new("int *")
        self._pair: Any = None
        self._sendto: Callable[[bytearray, tuple[str, int]], None] = _not_connected
        self._remote_addr: tuple[str, int] = ("", 0)
        original = self._sender._handle_rtcp_packet

        async def handle_rtcp(packet: AnyRtcpPacket) -> None:
            if isinstance(packet, RtcpRrPacket | RtcpSrPacket):
                await original(packet)
                return
            feedback = parse_feedback(packet, self._sender._ssrc)
            if feedback is not None:
                await on_feedback(feedback)

        self._sender._handle_rtcp_packet = handle_rtcp  # type: ignore[method-assign]

    @property
    def ready(self) -> bool:
        """The subscriber accepted this leg and its transport is connected."""
        return (
            self._sender.transport._state is DtlsState.CONNECTED
            and self._transceiver.currentDirection in _SENDING
        )

    def _header_writer(self, transport: Any) -> RtpHeaderWriter | None:
        codecs = self._transceiver._codecs
        payload_type = codecs[0].payloadType if codecs else None
        if payload_type is None:
            return None
        mid = self._transceiver.mid
        key = (payload_type, mid, self._sender._ssrc, transport)
        if key != self._writer_key:
            extensions_map = transport._rtp_header_extensions_map
            self._writer = RtpHeaderWriter(
                payload_type,
                self._sender._ssrc,
                with_level=_extension_layout(extensions_map, mid, with_level=True),
                without_level=_extension_layout(extensions_map, mid, with_level=False),
            )
            self._writer_key = key
        return self._writer

    def forward(self, source: SourcePacket, sequence_number: int, timestamp: int) -> bool:
        """Send ``source`` renumbered; False when the leg could not send it."""
        if not self.resend(source, sequence_number, timestamp):
            return False
        # The counters aiortc's RTCP sender reports (SR) are kept as its own send loop would.
        sender: Any = self._sender
        sender._RTCRtpSender__ntp_timestamp = source.ntp
        sender._RTCRtpSender__rtp_timestamp = timestamp
        sender._RTCRtpSender__octet_count += source.payload_size
        sender._RTCRtpSender__packet_count += 1
        return True

    def resend(self, source: SourcePacket, sequence_number: int, timestamp: int) -> bool:
        """Write, SRTP-protect and send one packet; False when the leg is not ``ready``.

        The packet is built in this leg's buffer and protected in place by libsrtp with the
        leg's own DTLS-SRTP session (``_tx_srtp``, exactly what ``Session.protect`` calls,
        minus its copies), then the ciphertext is handed to the ICE pair's datagram
        transport, as ``RTCDtlsTransport._send_rtp`` and aioice would.
        """
        dtls: Any = self._sender.transport
        if (
            dtls._state is not DtlsState.CONNECTED
            or self._transceiver.currentDirection not in _SENDING
        ):
            return False
        pair = dtls._transport._connection._nominated.get(1)
        if pair is None:
            return False
        if pair is not self._pair:  # the ICE pair's socket and address, looked up once
            self._pair = pair
            self._sendto = pair.protocol.transport.sendto
            self._remote_addr = pair.remote_addr
        writer = self._header_writer(dtls)
        if writer is None:
            return False
        needed = writer.max_header_length + len(source.body) + SRTP_MAX_TRAILER_LEN
        if needed > len(self._buffer):
            self._buffer = bytearray(needed)
            self._cbuffer = srtp_ffi.from_buffer(self._buffer)
        length = self._length
        length[0] = writer.write_into(
            self._buffer,
            source.body,
            source.marker,
            source.padded,
            sequence_number,
            timestamp,
            source.send_time,
            source.audio_level,
        )
        if srtp_lib.srtp_protect(dtls._tx_srtp._srtp[0], self._cbuffer, length):
            return False  # e.g. a NACK for a packet older than libsrtp's replay window
        protected = self._buffer[: length[0]]
        self._sendto(protected, self._remote_addr)
        dtls._RTCDtlsTransport__tx_bytes += len(protected)
        dtls._RTCDtlsTransport__tx_packets += 1
        return True


@dataclass(frozen=True)
class IcePolicy:
    """Where the SFU's ICE sockets live: ``udp_ports`` (inclusive), and the address its host
    candidates announce (``public_ip``: the node's 1:1-NAT public address; sockets then
    bind the wildcard address)."""

    udp_ports: tuple[int, int]
    public_ip: str | None = None


_aioice_component_candidates = Connection.get_component_candidates


async def _bind_in_range(
    connection: Connection, address: str, ports: tuple[int, int]
) -> StunProtocol | None:
    loop = asyncio.get_running_loop()
    low, high = ports
    first = random.randint(low, high)  # noqa: S311 - spreading, not security
    for port in [*range(first, high + 1), *range(low, first)]:
        try:
            transport, protocol = await loop.create_datagram_endpoint(
                lambda: StunProtocol(connection), local_addr=(address, port)
            )
        except OSError:
            continue
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_SOCKET_BUFFER_SIZE)
        return protocol
    return None


def install_ice_policy(policy: IcePolicy) -> Callable[[], None]:
    """Make every ICE connection of this process follow ``policy``; returns the undo."""

    async def get_component_candidates(
        self: Connection, component: int, addresses: list[str], timeout: int = 5
    ) -> list[Candidate]:
        if policy.public_ip is not None and addresses:
            addresses = ["0.0.0.0"]  # noqa: S104 - the public address maps onto every interface
        hosts = []
        for address in addresses:
            protocol = await _bind_in_range(self, address, policy.udp_ports)
            if protocol is None:
                continue
            bound_host, bound_port = protocol.transport.get_extra_info("sockname")[:2]
            host = policy.public_ip or bound_host
            protocol.local_candidate = Candidate(
                foundation=candidate_foundation("host", "udp", host),
                component=component,
                transport="udp",
                priority=candidate_priority(component, "host"),
                host=host,
                port=bound_port,
                type="host",
            )
            self._protocols.append(protocol)
            hosts.append(protocol.local_candidate)
        # aioice still adds TURN-relayed candidates when a TURN server is configured.
        return hosts + await _aioice_component_candidates(self, component, [], timeout)

    Connection.get_component_candidates = get_component_candidates  # type: ignore[method-assign]

    def undo() -> None:
        Connection.get_component_candidates = _aioice_component_candidates  # type: ignore[method-assign]

    return undo


def negotiated_codec(transceiver: RTCRtpTransceiver) -> str | None:
    """The mime type a transceiver sends or receives with since its last negotiation."""
    codecs = transceiver._codecs
    return str(codecs[0].mimeType) if codecs else None
