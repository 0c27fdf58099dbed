"""SFU capacity: packet forwarding vs aiortc's MediaRelay, on the same VP8 input, in one run.

A publisher replays a pre-encoded 30 fps ~500 kbps 640x360 VP8 clip (4 s loop, one keyframe
per loop, identical bytes for both modes) over real aiortc peer connections (ICE, DTLS-SRTP)
on loopback to the SFU, which sends it to N subscriber peer connections; subscribers count
packets without decoding. The publisher and the subscribers live in a separate "peers"
process, so the SFU process's CPU is the SFU's alone:

* SFU mode: media.forwarder.StreamForwarder (packet forwarding, per-leg SRTP);
* MediaRelay mode: aiortc's MediaRelay (decode once, encode once per subscriber).

For each mode the SFU process CPU (getrusage, all threads) is measured over a fixed window at
several subscriber counts; the slopes give CPU per forwarded packet and per subscriber stream.
"Forwarder" figures are the thread CPU spent inside StreamForwarder.on_packet only. Latency is
per packet per subscriber: from the forwarder receiving the publisher's decrypted packet from
aiortc to that subscriber's SRTP packet being handed to its UDP socket.

Run: python bench/sfu_capacity.py   (about 75 s on 2 cores)
"""

from __future__ import annotations

import asyncio
import fractions
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import av
import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media.aiortc_bridge import InboundTap, ParkedTrack, RtpPacket, SourcePacket
from media.forwarder import StreamForwarder, SubscriberLeg
from media.room import forwarded_codecs

FPS = 30
AUDIO_PPS = 50  # Opus, 20 ms packets
BITRATE = 500_000
LOOP_SECONDS = 4  # one keyframe per loop
WIDTH, HEIGHT = 640, 360
WARMUP_SECONDS = 1.5
WINDOW_SECONDS = 8.0  # two keyframes per window
SFU_SUBSCRIBERS = [1, 4, 8, 16]
RELAY_SUBSCRIBERS = [1, 2, 3]
TARGET_PACKETS_PER_CORE = 10_000
TARGET_RATIO = 20.0
TARGET_P99_MS = 5.0
TIME_BASE = fractions.Fraction(1, 90000)
CONFIG = RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)


# --- peers process: publisher and subscribers ---------------------------------------------


def encode_input() -> list[bytes]:
    """LOOP_SECONDS of 640x360 VP8 at ~BITRATE: textured, moving; a keyframe per loop."""
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    encoder.time_base = TIME_BASE
    encoder.framerate = fractions.Fraction(FPS)
    encoder.bit_rate = BITRATE
    encoder.options = {"deadline": "realtime", "cpu-used": "8", "g": str(FPS * LOOP_SECONDS)}
    rng = np.random.default_rng(1)
    blocks = rng.integers(0, 255, (HEIGHT // 8, WIDTH // 8, 3), dtype=np.uint8)
    smooth = np.repeat(np.repeat(blocks, 8, axis=0), 8, axis=1).astype(np.int16)
    base = (smooth + rng.integers(-12, 12, smooth.shape)).clip(0, 255).astype(np.uint8)
    packets: list[bytes] = []
    for i in range(FPS * LOOP_SECONDS):
        image = np.roll(base, (i * 2, i * 3), axis=(0, 1))
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
        frame.pts, frame.time_base = i * 90000 // FPS, TIME_BASE
        packets.extend(bytes(p) for p in encoder.encode(frame))
    packets.extend(bytes(p) for p in encoder.encode(None))
    return packets[: FPS * LOOP_SECONDS]


class EncodedVideo(MediaStreamTrack):
    """Replays pre-encoded VP8 frames in real time, looping, once ``start`` is set."""

    kind = "video"

    def __init__(self, frames: list[bytes], start: asyncio.Event) -> None:
        super().__init__()
        self._frames = frames
        self._start_event = start
        self._index = 0
        self._start: float | None = None

    async def recv(self) -> av.Packet[Any]:
        if self._start is None:
            await self._start_event.wait()
            self._start = time.monotonic()
        due = self._start + self._index / FPS
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        packet = av.Packet(self._frames[self._index % len(self._frames)])
        packet.pts, packet.time_base = self._index * 90000 // FPS, TIME_BASE
        self._index += 1
        return packet


class Peers:
    """The publisher and subscriber peer connections, driven by the SFU process."""

    def __init__(self, frames: list[bytes]) -> None:
        self.frames = frames
        self.pcs: list[RTCPeerConnection] = []
        self.start = asyncio.Event()
        self.packets = 0
        self.octets = 0

    async def on_packet(self, packet: RtpPacket) -> None:
        self.packets += 1
        self.octets += len(packet.payload)

    async def answer(self, role: str, sdp: str) -> str:
        pc = RTCPeerConnection(CONFIG)
        self.pcs.append(pc)
        await pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        transceiver = pc.getTransceivers()[0]
        if role == "publisher":
            transceiver.sender.replaceTrack(EncodedVideo(self.frames, self.start))
            transceiver.direction = "sendonly"
        else:
            transceiver.direction = "recvonly"
            InboundTap(transceiver.receiver, self.on_packet)
        await pc.setLocalDescription(await pc.createAnswer())
        return str(pc.localDescription.sdp)

    async def reset(self) -> None:
        for pc in self.pcs:
            await pc.close()
        self.pcs.clear()
        self.start = asyncio.Event()

    async def serve(self, conn: Connection) -> None:
        loop = asyncio.get_running_loop()
        kbps = sum(len(f) for f in self.frames) * 8 / LOOP_SECONDS / 1000
        conn.send({"frames": len(self.frames), "kbps": kbps})
        while True:
            op, arg = await loop.run_in_executor(None, conn.recv)
            if op == "answer":
                conn.send(await self.answer(*arg))
            elif op == "start":
                self.start.set()
                conn.send(None)
            elif op == "counts":
                conn.send((self.packets, self.octets, time.process_time()))
            elif op == "reset":
                await self.reset()
                conn.send(None)
            else:
                await self.reset()
                conn.send(None)
                return


def peers_main(conn: Connection) -> None:
    asyncio.run(Peers(encode_input()).serve(conn))


class PeersClient:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def call(self, op: str, arg: Any = None) -> Any:
        self._conn.send((op, arg))
        return await asyncio.get_running_loop().run_in_executor(None, self._conn.recv)


# --- SFU process --------------------------------------------------------------------------


class TimedForwarder(StreamForwarder):
    """Measures thread CPU inside the forwarder and per-subscriber send latency."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cpu = 0.0
        self.received_at = 0.0
        self.latencies: list[float] = []  # per packet per subscriber
        self.fanout: list[float] = []  # per packet: until the last subscriber was sent it

    def add_leg(self, subscriber_id: str, transceiver: RTCRtpTransceiver) -> None:
        self._legs[subscriber_id] = TimedLeg(self, transceiver)

    async def on_packet(self, packet: RtpPacket) -> None:
        cpu_start = time.thread_time()
        self.received_at = time.perf_counter()
        await super().on_packet(packet)
        self.fanout.append(time.perf_counter() - self.received_at)
        self.cpu += time.thread_time() - cpu_start


class TimedLeg(SubscriberLeg):
    def __init__(self, stream: TimedForwarder, transceiver: RTCRtpTransceiver) -> None:
        super().__init__(stream, transceiver)
        self._timed = stream

    def forward(self, packet: SourcePacket) -> bool:
        result = super().forward(packet)
        self._timed.latencies.append(time.perf_counter() - self._timed.received_at)
        return result


async def negotiate(pc: RTCPeerConnection, peers: PeersClient, role: str) -> None:
    await pc.setLocalDescription(await pc.createOffer())
    answer = await peers.call("answer", (role, pc.localDescription.sdp))
    await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))


def video_transceiver(
    pc: RTCPeerConnection, direction: str, track: MediaStreamTrack | None = None
) -> RTCRtpTransceiver:
    transceiver = pc.addTransceiver(track or "video", direction=direction)
    transceiver.setCodecPreferences(forwarded_codecs("video", "video/VP8"))  # the clip is VP8
    return transceiver


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat (Linux)."""
    try:
        fields = [float(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / ticks, sum(fields[:8]) / ticks


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def wait_connected(pcs: list[RTCPeerConnection]) -> None:
    for _ in range(400):  # ICE + DTLS on loopback; aiortc offers no "all connected" event
        if all(pc.connectionState == "connected" for pc in pcs):
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("peer connections did not connect")


@dataclass
class Phase:
    """One mode at one subscriber count, over a WINDOW_SECONDS window."""

    subscribers: int
    cpu_per_s: float  # SFU process CPU seconds per second (all threads)
    packets_per_s: float  # packets delivered to all subscribers
    stream_kbps: float
    peers_cpu_per_s: float
    others_cpu_per_s: float  # CPU used on this machine by processes other than the bench's
    forwarder_cpu_per_s: float
    latencies: list[float]
    fanout: list[float]


async def run_phase(mode: str, subscribers: int, peers: PeersClient) -> Phase:
    sfu_in = RTCPeerConnection(CONFIG)
    inbound = video_transceiver(sfu_in, "recvonly")
    forwarder = TimedForwarder("video", inbound.receiver) if mode == "sfu" else None
    relay = MediaRelay()
    await negotiate(sfu_in, peers, "publisher")
    pcs = [sfu_in]
    for index in range(subscribers):
        sfu_out = RTCPeerConnection(CONFIG)
        if forwarder is not None:
            forwarder.add_leg(
                f"s{index}", video_transceiver(sfu_out, "sendonly", ParkedTrack("video"))
            )
        else:
            track = relay.subscribe(inbound.receiver.track, buffered=False)
            video_transceiver(sfu_out, "sendonly", track)
        await negotiate(sfu_out, peers, "subscriber")
        pcs.append(sfu_out)
    await wait_connected(pcs)
    await peers.call("start")
    await asyncio.sleep(WARMUP_SECONDS)
    if forwarder is not None:
        forwarder.cpu = 0.0
        forwarder.latencies.clear()
        forwarder.fanout.clear()
    packets0, octets0, peer_cpu0 = await peers.call("counts")
    (busy0, _), cpu0, wall0 = machine_busy(), process_cpu(), time.monotonic()
    await asyncio.sleep(WINDOW_SECONDS)
    cpu, wall = process_cpu() - cpu0, time.monotonic() - wall0
    busy = (machine_busy()[0] - busy0) / wall
    packets1, octets1, peer_cpu1 = await peers.call("counts")
    for pc in pcs:
        await pc.close()
    await peers.call("reset")
    received = packets1 - packets0
    return Phase(
        subscribers=subscribers,
        cpu_per_s=cpu / wall,
        packets_per_s=received / wall,
        stream_kbps=(octets1 - octets0) * 8 / wall / subscribers / 1000,
        peers_cpu_per_s=(peer_cpu1 - peer_cpu0) / wall,
        others_cpu_per_s=busy - cpu / wall - (peer_cpu1 - peer_cpu0) / wall,
        forwarder_cpu_per_s=forwarder.cpu / wall if forwarder is not None else 0.0,
        latencies=forwarder.latencies if forwarder is not None else [],
        fanout=forwarder.fanout if forwarder is not None else [],
    )


def slope(results: list[Phase], x: str, y: str) -> float:
    xs = [float(getattr(r, x)) for r in results]
    ys = [float(getattr(r, y)) for r in results]
    return float(np.polyfit(xs, ys, 1)[0])


def percentile_ms(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def rooms_per_core(cpu_per_packet: float, video_pps_per_stream: float) -> str:
    """Consultation rooms one core forwards, from the measured whole-process CPU per
    forwarded packet, for two and four participants each sending video + audio to every
    other. Each participant's stream is received once and forwarded to the n - 1 others;
    receiving (SRTP unprotect, statistics, NACK/RTCP) costs about as much as sending, so a
    room of n costs n * (n - 1 + 1) = n² stream-packets per packet interval.
    Audio: Opus at 20 ms, 50 packets/s."""
    stream_pps = video_pps_per_stream + AUDIO_PPS
    rooms = {n: 1 / (n * n * stream_pps * cpu_per_packet) for n in (2, 4)}
    return (
        f"  rooms per core ({video_pps_per_stream:.0f} video + {AUDIO_PPS} audio pkt/s per "
        f"stream, receive cost = send cost): 2-party {rooms[2]:.0f}, 4-party {rooms[4]:.0f}"
    )


async def main() -> None:
    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=peers_main, args=(theirs,), daemon=True)
    process.start()
    peers = PeersClient(ours)
    info = await asyncio.get_running_loop().run_in_executor(None, ours.recv)
    print(
        f"input: {info['frames']} pre-encoded VP8 frames {WIDTH}x{HEIGHT} @ {FPS} fps "
        f"({LOOP_SECONDS} s loop, 1 keyframe), {info['kbps']:.0f} kbps; identical bytes for "
        f"both modes; publisher and subscribers in a separate process"
    )
    sfu = [await run_phase("sfu", n, peers) for n in SFU_SUBSCRIBERS]
    relay = [await run_phase("relay", n, peers) for n in RELAY_SUBSCRIBERS]
    await peers.call("quit")
    process.join(10)

    for name, results in (("sfu", sfu), ("relay", relay)):
        for r in results:
            extra = f"  (forwarder {r.forwarder_cpu_per_s:.3f})" if name == "sfu" else ""
            print(
                f"{name:5} subscribers={r.subscribers:2}  SFU process cpu="
                f"{r.cpu_per_s:.3f} core{extra}  delivered={r.packets_per_s:.0f} pkt/s  "
                f"{r.stream_kbps:.0f} kbps/stream  peers process cpu={r.peers_cpu_per_s:.3f} core  "
                f"other processes {r.others_cpu_per_s:.2f} core"
            )

    sfu_packet = slope(sfu, "packets_per_s", "cpu_per_s")
    sfu_stream = slope(sfu, "subscribers", "cpu_per_s")
    fwd_packet = slope(sfu, "packets_per_s", "forwarder_cpu_per_s")
    fwd_stream = slope(sfu, "subscribers", "forwarder_cpu_per_s")
    relay_packet = slope(relay, "packets_per_s", "cpu_per_s")
    relay_stream = slope(relay, "subscribers", "cpu_per_s")
    largest = sfu[-1]
    latencies, fanout = largest.latencies, largest.fanout
    p50, p99 = percentile_ms(latencies, 50), percentile_ms(latencies, 99)

    print()
    print("marginal CPU (least-squares slope over the subscriber counts above):")
    print(
        f"  SFU, whole SFU process: {sfu_packet * 1e6:6.1f} us CPU per forwarded packet = "
        f"{1 / sfu_packet:8,.0f} forwarded pkt/s per core; {sfu_stream * 1e3:7.3f} ms CPU/s "
        f"per subscriber stream = {1 / sfu_stream:7,.1f} subscriber streams per core"
    )
    print(
        f"  SFU, forwarder only:    {fwd_packet * 1e6:6.1f} us CPU per forwarded packet = "
        f"{1 / fwd_packet:8,.0f} forwarded pkt/s per core; {fwd_stream * 1e3:7.3f} ms CPU/s "
        f"per subscriber stream = {1 / fwd_stream:7,.1f} subscriber streams per core"
    )
    print(
        f"  MediaRelay, whole SFU process: {relay_packet * 1e6:,.1f} us CPU per forwarded "
        f"packet = {1 / relay_packet:,.0f} pkt/s per core; {relay_stream * 1e3:.1f} ms CPU/s "
        f"per subscriber stream = {1 / relay_stream:.1f} subscriber streams per core"
    )
    peers_packet = slope(sfu, "packets_per_s", "peers_cpu_per_s")
    print(
        f"  (not counted above: the test subscribers' receive work in the peers process, "
        f"{peers_packet * 1e6:.1f} us CPU per packet in SFU mode)"
    )
    print(rooms_per_core(sfu_packet, largest.packets_per_s / largest.subscribers))
    ratio = relay_stream / sfu_stream
    print(
        f"ratio, CPU per subscriber stream MediaRelay / SFU: {ratio:.1f}x (whole SFU process), "
        f"{relay_stream / fwd_stream:.1f}x (forwarder only)"
    )
    print(
        f"added forwarding latency, {largest.subscribers} subscribers, per packet per "
        f"subscriber (forwarder gets the publisher's decrypted packet from aiortc -> that "
        f"subscriber's SRTP packet handed to its UDP socket; {len(latencies)} samples): "
        f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {percentile_ms(latencies, 100):.3f} ms"
    )
    print(
        f"  machine load during that window: {largest.others_cpu_per_s:.2f} of "
        f"{os.cpu_count()} cores busy with other processes than this bench's"
    )
    print(
        f"  (until the last of {largest.subscribers} subscribers was sent the packet: "
        f"p50 {percentile_ms(fanout, 50):.3f} ms, p99 {percentile_ms(fanout, 99):.3f} ms)"
    )
    print(
        "  by subscriber count, p50/p99 ms: "
        + ", ".join(
            f"{r.subscribers}: {percentile_ms(r.latencies, 50):.2f}/"
            f"{percentile_ms(r.latencies, 99):.2f}"
            for r in sfu
        )
    )
    print(
        f"targets (whole SFU process CPU; latency per packet per subscriber, "
        f"{largest.subscribers} subscribers):"
    )
    checks: list[tuple[str, Callable[[], bool], str]] = [
        (
            f">= {TARGET_PACKETS_PER_CORE:,} forwarded pkt/s per core",
            lambda: 1 / sfu_packet >= TARGET_PACKETS_PER_CORE,
            f"{1 / sfu_packet:,.0f}",
        ),
        (
            f">= {TARGET_RATIO:.0f}x less CPU per subscriber stream than MediaRelay",
            lambda: ratio >= TARGET_RATIO,
            f"{ratio:.1f}x",
        ),
        (f"added latency p99 <= {TARGET_P99_MS} ms", lambda: p99 <= TARGET_P99_MS, f"{p99:.3f} ms"),
    ]
    for label, check, value in checks:
        print(f"  {label}: {value} -> {verdict(check())}")
    print(
        f"bench wall time: {time.monotonic() - started:.0f} s; load average at start "
        f"{load_at_start:.2f}, at end {os.getloadavg()[0]:.2f} (other processes on this "
        f"machine lengthen the latency tail; CPU figures are CPU time, not wall time)"
    )


if __name__ == "__main__":
    asyncio.run(main())
