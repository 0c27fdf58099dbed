"""Per-leg RTP header writing matches aiortc's own serialization byte for byte."""

from __future__ import annotations

import pytest
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import HeaderExtensionsMap, RtpPacket

from media.aiortc_bridge import SourcePacket, _extension_layout
from media.rtp_rewrite import RtpHeaderWriter, abs_send_time, ntp_now

MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
ABS = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"


def extensions_map(*uris: str) -> HeaderExtensionsMap:
    extensions = HeaderExtensionsMap()
    extensions.configure(
        RTCRtpParameters(
            headerExtensions=[
                RTCRtpHeaderExtensionParameters(id=i + 1, uri=uri) for i, uri in enumerate(uris)
            ]
        )
    )
    return extensions


def writer_for(extensions: HeaderExtensionsMap, mid: str | None) -> RtpHeaderWriter:
    return RtpHeaderWriter(
        96,
        0x1234ABCD,
        with_level=_extension_layout(extensions, mid, with_level=True),
        without_level=_extension_layout(extensions, mid, with_level=False),
    )


@pytest.mark.parametrize("uris", [(MID, ABS, LEVEL), (MID, ABS), (ABS,), ()])
@pytest.mark.parametrize("mid", ["0", "12", None])
@pytest.mark.parametrize("level", [(True, 42), (False, 127), None])
@pytest.mark.parametrize("marker", [0, 1])
def test_writer_output_equals_aiortc_serialize(
    uris: tuple[str, ...], mid: str | None, level: tuple[bool, int] | None, marker: int
) -> None:
    extensions = extensions_map(*uris)
    writer = writer_for(extensions, mid)
    ntp = ntp_now()
    for sequence_number, timestamp in ((0, 0), (65535, 0xFFFFFFFF), (1234, 987654321)):
        source = RtpPacket(marker=marker, payload=b"\x10\x00payload" * 10)
        source.extensions.audio_level = level
        prepared = SourcePacket(source, ntp)
        expected = RtpPacket(
            payload_type=96,
            marker=marker,
            sequence_number=sequence_number,
            timestamp=timestamp,
            ssrc=0x1234ABCD,
            payload=source.payload,
        )
        expected.extensions.mid = mid
        expected.extensions.abs_send_time = abs_send_time(ntp)
        expected.extensions.audio_level = level
        written = writer.write(
            prepared.body,
            marker=prepared.marker,
            padded=prepared.padded,
            sequence_number=sequence_number,
            timestamp=timestamp,
            send_time=prepared.send_time,
            audio_level=prepared.audio_level,
        )
        assert written == expected.serialize(extensions)


def test_padding_is_kept_and_parses_back() -> None:
    extensions = extensions_map(MID, ABS)
    source = RtpPacket(payload=b"\x90\x80abc")
    source.padding_size = 7
    prepared = SourcePacket(source, ntp_now())
    written = writer_for(extensions, "3").write(
        prepared.body,
        marker=0,
        padded=prepared.padded,
        sequence_number=5,
        timestamp=6,
        send_time=prepared.send_time,
        audio_level=None,
    )
    parsed = RtpPacket.parse(written, extensions)
    assert (parsed.payload, parsed.padding_size) == (b"\x90\x80abc", 7)
    assert (parsed.sequence_number, parsed.timestamp, parsed.ssrc) == (5, 6, 0x1234ABCD)
    assert parsed.extensions.mid == "3"
    assert parsed.extensions.abs_send_time == prepared.send_time


def test_ntp_now_matches_the_wall_clock() -> None:
    ntp = ntp_now(lambda: 1_700_000_000_500_000_000)
    assert ntp >> 32 == 1_700_000_000 + 2_208_988_800
    assert ntp & 0xFFFFFFFF == 1 << 31
    assert abs_send_time(ntp) == (ntp >> 14) & 0xFFFFFF
