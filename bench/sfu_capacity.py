"""SFU capacity: packet forwarding vs aiortc's MediaRelay, on the same VP8 input, in one run.

A publisher sends a pre-encoded 30 fps, ~500 kbps 640x360 VP8 stream over real aiortc peer
connections (ICE, DTLS-SRTP) on loopback to an SFU-side peer connection, which fans it out to
N subscriber peer connections. Subscribers count packets without decoding. For each mode the
marginal process CPU per added subscriber stream is measured (it includes the subscriber's own
receive work, which is the same in both modes, so the SFU figures are conservative).

Run: python bench/sfu_capacity.py   (about a minute on 2 cores)
"""

from __future__ import annotations

import asyncio
import fractions
import resource
import statistics
import sys
import time
from pathlib import Path

import av
import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpTransceiver,
)
from aiortc.contrib.media import MediaRelay

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media.aiortc_bridge import InboundTap, ParkedTrack, RtpPacket
from media.forwarder import StreamForwarder
from media.room import forwarded_codecs

FPS = 30
BITRATE = 500_000
SECONDS = 300 // FPS
WIDTH, HEIGHT = 640, 360
PHASE_SECONDS = 4.0
SFU_SUBSCRIBERS = [1, 4, 8, 16]
RELAY_SUBSCRIBERS = [1, 2, 3]
TIME_BASE = fractions.Fraction(1, 90000)
CONFIG = RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)


def encode_input() -> list[av.Packet]:
    """Ten seconds of VP8 at ~500 kbps, a keyframe every second (pre-encoded input cannot
    honour PLI), encoded once up front."""
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    encoder.time_base = TIME_BASE
    encoder.framerate = FPS
    encoder.bit_rate = BITRATE
    encoder.options = {"deadline": "realtime", "cpu-used": "8", "g": "30"}
    rng = np.random.default_rng(1)
    base = rng.integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    packets: list[av.Packet] = []
    for i in range(FPS * SECONDS):
        frame = av.VideoFrame.from_ndarray(np.roll(base, i * 4, axis=1), format="rgb24")
        frame = frame.reformat(format="yuv420p")
        frame.pts, frame.time_base = i * 90000 // FPS, TIME_BASE
        packets.extend(encoder.encode(frame))
    return packets


class EncodedVideo(MediaStreamTrack):
    """Replays pre-encoded VP8 packets in real time, looping."""

    kind = "video"

    def __init__(self, packets: list[av.Packet]) -> None:
        super().__init__()
        self._packets = packets
        self._index = 0
        self._start: float | None = None

    async def recv(self) -> av.Packet:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self._index / FPS
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        source = self._packets[self._index % len(self._packets)]
        packet = av.Packet(bytes(source))
        packet.pts, packet.time_base = self._index * 90000 // FPS, TIME_BASE
        self._index += 1
        return packet


class TimedForwarder(StreamForwarder):
    """Records how long each packet spends in the forwarder (all legs sent)."""

    latencies: list[float]
    cpu: float = 0.0

    async def on_packet(self, packet: RtpPacket) -> None:
        start, cpu_start = time.perf_counter(), time.thread_time()
        await super().on_packet(packet)
        self.cpu += time.thread_time() - cpu_start
        self.latencies.append(time.perf_counter() - start)


async def connect(offerer: RTCPeerConnection, answerer: RTCPeerConnection) -> None:
    await offerer.setLocalDescription(await offerer.createOffer())
    await answerer.setRemoteDescription(offerer.localDescription)
    await answerer.setLocalDescription(await answerer.createAnswer())
    await offerer.setRemoteDescription(answerer.localDescription)


def video_transceiver(
    pc: RTCPeerConnection, direction: str, track: MediaStreamTrack | None = None
) -> RTCRtpTransceiver:
    transceiver = pc.addTransceiver(track or "video", direction=direction)
    transceiver.setCodecPreferences(forwarded_codecs("video"))
    return transceiver


class Subscriber:
    """A subscriber that counts packets without decoding them."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(CONFIG)
        self.packets = 0

    async def on_packet(self, packet: RtpPacket) -> None:
        self.packets += 1


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def wait_connected(pcs: list[RTCPeerConnection]) -> None:
    for _ in range(200):
        if all(pc.connectionState == "connected" for pc in pcs):
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("peer connections did not connect")


async def run_phase(mode: str, subscribers: int, packets: list[av.Packet]) -> dict[str, float]:
    publisher = RTCPeerConnection(CONFIG)
    sfu_in = RTCPeerConnection(CONFIG)
    video_transceiver(publisher, "sendonly", EncodedVideo(packets))
    inbound = video_transceiver(sfu_in, "recvonly")
    forwarder: TimedForwarder | None = None
    relay = MediaRelay()
    pcs = [publisher, sfu_in]
    subs: list[Subscriber] = []
    if mode == "sfu":
        forwarder = TimedForwarder("video", inbound.receiver)
        forwarder.latencies = []
    await connect(sfu_in, publisher)
    relayed: asyncio.Future[MediaStreamTrack] = asyncio.get_running_loop().create_future()
    if mode == "relay":
        relayed.set_result(inbound.receiver.track)
    for index in range(subscribers):
        sfu_out = RTCPeerConnection(CONFIG)
        subscriber = Subscriber()
        if mode == "sfu":
            assert forwarder is not None
            leg = video_transceiver(sfu_out, "sendonly", ParkedTrack("video"))
            forwarder.add_leg(f"s{index}", leg)
        else:
            video_transceiver(sfu_out, "sendonly", relay.subscribe(await relayed, buffered=False))
        receive = video_transceiver(subscriber.pc, "recvonly")
        InboundTap(receive.receiver, subscriber.on_packet)
        await connect(sfu_out, subscriber.pc)
        pcs += [sfu_out, subscriber.pc]
        subs.append(subscriber)
    await wait_connected(pcs)
    await asyncio.sleep(1.5)  # warm-up: first keyframe, encoder start
    if forwarder is not None:
        forwarder.latencies.clear()
        forwarder.cpu = 0.0
    counted = [s.packets for s in subs]
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    await asyncio.sleep(PHASE_SECONDS)
    cpu, wall = cpu_seconds() - cpu0, time.monotonic() - wall0
    received = sum(s.packets - c for s, c in zip(subs, counted, strict=True))
    for pc in pcs:
        await pc.close()
    result = {"cpu_per_s": cpu / wall, "packets_per_s": received / wall}
    if forwarder is not None and forwarder.latencies:
        ordered = sorted(forwarder.latencies)
        result["p50_ms"] = statistics.median(ordered) * 1000
        result["p99_ms"] = ordered[int(len(ordered) * 0.99) - 1] * 1000
        result["forwarder_cpu_per_packet"] = forwarder.cpu / max(received, 1)
    return result


def marginal(results: dict[int, dict[str, float]]) -> tuple[float, float]:
    """CPU seconds per second and packets per second added by one subscriber stream."""
    low, high = min(results), max(results)
    streams = high - low
    cpu = (results[high]["cpu_per_s"] - results[low]["cpu_per_s"]) / streams
    packets = (results[high]["packets_per_s"] - results[low]["packets_per_s"]) / streams
    return max(cpu, 1e-9), packets


async def main() -> None:
    started = time.monotonic()
    packets = encode_input()
    kbps = sum(p.size for p in packets) * 8 / SECONDS / 1000
    print(f"input: {len(packets)} VP8 frames {WIDTH}x{HEIGHT} @ {FPS} fps, {kbps:.0f} kbps")
    sfu = {n: await run_phase("sfu", n, packets) for n in SFU_SUBSCRIBERS}
    relay = {n: await run_phase("relay", n, packets) for n in RELAY_SUBSCRIBERS}
    for name, results in (("sfu", sfu), ("relay", relay)):
        for n, r in results.items():
            print(
                f"{name:5} subscribers={n:2}  process cpu={r['cpu_per_s']:.3f} core  "
                f"received={r['packets_per_s']:.0f} pkt/s"
            )
    sfu_cpu, sfu_pps = marginal(sfu)
    relay_cpu, relay_pps = marginal(relay)
    sfu_per_packet = sfu_cpu / sfu_pps
    relay_per_packet = relay_cpu / relay_pps
    latencies = sfu[max(SFU_SUBSCRIBERS)]
    print()
    print(
        f"SFU forwarding:  {sfu_per_packet * 1e6:.1f} us CPU per forwarded packet "
        f"= {1 / sfu_per_packet:,.0f} forwarded packets/s per core; "
        f"{1 / sfu_cpu:,.0f} subscriber streams per core"
    )
    print(
        f"MediaRelay:      {relay_per_packet * 1e6:.1f} us CPU per forwarded packet; "
        f"{1 / relay_cpu:,.1f} subscriber streams per core"
    )
    print(f"ratio (MediaRelay CPU / SFU CPU per subscriber stream): {relay_cpu / sfu_cpu:,.1f}x")
    inside = latencies["forwarder_cpu_per_packet"]
    stream_pps = sfu_pps
    print(
        f"SFU forwarder alone (thread CPU inside the forwarder, excluding the in-process "
        f"subscribers' receive work): {inside * 1e6:.1f} us per forwarded packet = "
        f"{1 / inside:,.0f} packets/s per core; {1 / (inside * stream_pps):,.0f} streams per "
        f"core; ratio vs MediaRelay {relay_cpu / (inside * stream_pps):,.1f}x"
    )
    print(
        f"added forwarding latency with {max(SFU_SUBSCRIBERS)} subscribers: "
        f"p50 {latencies['p50_ms']:.3f} ms, p99 {latencies['p99_ms']:.3f} ms"
    )
    print(
        f"targets (forwarder alone): >=10,000 pkt/s/core "
        f"{'OK' if 1 / inside >= 10_000 else 'MISSED'}; "
        f">=20x {'OK' if relay_cpu / (inside * stream_pps) >= 20 else 'MISSED'}; "
        f"p99<=5 ms {'OK' if latencies['p99_ms'] <= 5 else 'MISSED'}"
    )
    print(f"bench wall time: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    asyncio.run(main())
