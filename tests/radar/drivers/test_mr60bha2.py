"""Seeed MR60BHA2 driver: golden frames from the vendor's layout, golden streams, assembly.

The properties every family's parser shares (noise, split reads, mutations) are in
``test_parser_robustness.py``.

Golden frames are written out byte by byte from the documented layout (Seeed's
``FrameCodec.h``: SOF 0x01, ID/LEN/TYPE big-endian, ``~XOR`` header and data checksums,
little-endian payload), with the IEEE-754 bytes of the values spelled out; the first test
decodes frames captured from a real device (``limengdu/MR60BHA2_ESPHome_external_components``
issue #3).
"""

from __future__ import annotations

from collections.abc import Mapping
import math

import pytest

from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.radar.drivers import mr60bha2 as m
from custom_components.radar_sleep.radar.protocol import StreamParser

# SOF | ID (BE) | LEN (BE) | TYPE (BE) | HEAD_CKSUM || DATA || DATA_CKSUM
GOLDEN: list[tuple[str, bytes, str, dict[str, object]]] = [
    (
        "phase",
        bytes.fromhex("01 8000 000c 0a13 6b0000803f 0000003f 000080be41"),
        "phase",
        {
            "frame_id": 0x8000,
            "total_phase_rad": 1.0,
            "breath_phase_rad": 0.5,
            "heart_phase_rad": -0.25,
        },
    ),
    (
        "breath_rate",
        bytes.fromhex("01 8001 0004 0a14 65000084413a"),  # 16.5
        "breath_rate",
        {"frame_id": 0x8001, "breath_rate_bpm": 16.5},
    ),
    (
        "heart_rate",
        bytes.fromhex("01 8002 0004 0a15 67000090422d"),  # 72.0
        "heart_rate",
        {"heart_rate_bpm": 72.0},
    ),
    (
        "distance",
        bytes.fromhex("01 8003 0008 0a16 6901000000 0000884234"),  # flag 1, 68.0 cm
        "distance",
        {"range_flag": 1, "distance_m": 0.68},
    ),
    (
        "presence",
        bytes.fromhex("01 8004 0004 0f09 7801000000fe"),
        "presence",
        {"present": True, "value": 1},
    ),
    (
        "target_info",
        bytes.fromhex(
            "01 8005 0024 0a04 51"
            "02000000"
            "0000003f 0000803f ffffffff 07000000"  # x 0.5, y 1.0, dop -1, cluster 7
            "0000c0bf 00000040 02000000 09000000"  # x -1.5, y 2.0, dop 2, cluster 9
            "4e"
        ),
        "target_info",
        {
            "target_count": 2,
            "x_m": [0.5, -1.5],
            "y_m": [1.0, 2.0],
            "doppler_index": [-1, 2],
            "speed_m_s": [-0.1728, 0.3456],
            "cluster_id": [7, 9],
        },
    ),
    (
        "point_cloud",
        bytes.fromhex("01 8006 0014 0a08 6e01000000 0000803e 0000403f 00000000 030000003c"),
        "point_cloud",
        {"target_count": 1, "x_m": [0.25], "y_m": [0.75], "doppler_index": [0], "cluster_id": [3]},
    ),
    (
        "alt_position",
        bytes.fromhex("01 8007 0008 0a17 6c0000003f 0000803f7f"),
        "alt_position",
        {"x_m": 0.5, "y_m": 1.0},
    ),
    (
        "status",
        bytes.fromhex("01 8008 0002 0a29 570200fd"),
        "status",
        {"status_code": 2},
    ),
    (
        "debug_log",
        bytes.fromhex("01 8009 0018 0100 6e") + b"breath rate = 23.000000 " + bytes([0xE7]),
        "debug_log",
        {"text": "breath rate = 23.000000"},
    ),
    (
        "firmware",
        bytes.fromhex("01 800a 0004 ffff 700101060cf5"),
        "firmware",
        {"project": 1, "version": "1.6.12"},
    ),
    (
        "unknown",
        bytes.fromhex("01 800b 0002 0a30 4daabbee"),
        "unknown",
        {"type_code": 0x0A30, "raw": "aabb"},
    ),
]


def _assert_fields(actual: Mapping[str, object], expected: Mapping[str, object]) -> None:
    for key, value in expected.items():
        got = actual[key]
        if isinstance(value, float):
            assert isinstance(got, float)
            assert got == pytest.approx(value, rel=1e-6), key
        elif isinstance(value, list):
            assert isinstance(got, list)
            assert got == pytest.approx(value, rel=1e-6), key
        else:
            assert got == value, key


@pytest.mark.parametrize(("name", "frame", "type_", "fields"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_frames(name: str, frame: bytes, type_: str, fields: dict[str, object]) -> None:
    result = m.parse(frame, 100)
    assert result.consumed == len(frame)
    assert (result.bad_checksums, result.skipped_bytes) == (0, 0)
    assert len(result.messages) == 1
    message = result.messages[0]
    assert (message.family, message.type, message.offset) == ("mr60bha2", type_, 100)
    _assert_fields(message.fields, fields)


def test_frames_captured_from_a_device() -> None:
    """ESPHome verbose log in limengdu/MR60BHA2_ESPHome_external_components issue #3."""
    capture = bytes.fromhex(
        "01 67 E3 00 04 0A 16 62 00 00 00 00 FF"
        "01 67 E4 00 04 0A 14 67 00 00 00 00 FF"
        "01 67 E5 00 04 0A 15 67 00 00 00 00 FF"
    )
    result = m.parse(capture)
    assert result.consumed == len(capture)
    assert [msg.type for msg in result.messages] == ["distance", "breath_rate", "heart_rate"]
    assert [msg.fields["frame_id"] for msg in result.messages] == [0x67E3, 0x67E4, 0x67E5]
    assert result.messages[0].fields["range_flag"] == 0  # old firmware: 4-byte distance payload
    assert result.messages[0].fields["distance_m"] is None
    assert result.messages[1].fields["breath_rate_bpm"] == 0.0


def test_encoders_reproduce_the_golden_frames() -> None:
    targets = [m.RadarTarget(0.5, 1.0, -1, 7), m.RadarTarget(-1.5, 2.0, 2, 9)]
    built = {
        "phase": m.encode_phase(1.0, 0.5, -0.25, frame_id=0x8000),
        "breath_rate": m.encode_breath_rate(16.5, frame_id=0x8001),
        "heart_rate": m.encode_heart_rate(72.0, frame_id=0x8002),
        "distance": m.encode_distance(0.68, frame_id=0x8003),
        "presence": m.encode_presence(True, frame_id=0x8004),
        "target_info": m.encode_target_info(targets, frame_id=0x8005),
        "point_cloud": m.encode_point_cloud([m.RadarTarget(0.25, 0.75, 0, 3)], frame_id=0x8006),
        "alt_position": m.encode_alt_position(0.5, 1.0, frame_id=0x8007),
        "status": m.encode_status(2, frame_id=0x8008),
        "debug_log": m.encode_debug_log("breath rate = 23.000000 ", frame_id=0x8009),
        "firmware": m.encode_firmware(1, 1, 6, 12, frame_id=0x800A),
        "unknown": m.encode_frame(0x0A30, bytes([0xAA, 0xBB]), frame_id=0x800B),
    }
    for name, frame, _, _ in GOLDEN:
        assert built[name] == frame, name


def test_checksum_definition() -> None:
    assert m.checksum(bytes([0x01, 0x02, 0x03])) == 0xFF  # ~(1 ^ 2 ^ 3)
    assert m.checksum(b"") == 0xFF


def test_short_payloads_and_absurd_lengths() -> None:
    header = bytes.fromhex("01 0000 0004 0a13")  # a phase frame with only 4 payload bytes
    short_phase = header + bytes([m.checksum(header)]) + bytes(4) + bytes([m.checksum(bytes(4))])
    result = m.parse(short_phase)
    assert result.messages[0].type == "phase"
    assert result.messages[0].fields["malformed"] is True
    # A valid header checksum with LEN 0x0300 > MAX_DATA_LEN: garbage, skipped byte by byte.
    header = bytes.fromhex("01 0000 0300 0a13")
    absurd = header + bytes([m.checksum(header)])
    good = GOLDEN[1][1]
    result = m.parse(absurd + good)
    assert [msg.type for msg in result.messages] == ["breath_rate"]
    assert result.consumed == len(absurd + good)
    assert result.skipped_bytes == len(absurd)
    # LEN 64 is the largest accepted; 65 is garbage even with both checksums right.
    for length, accepted in ((64, True), (65, False)):
        header = bytes([0x01, 0, 0, 0, length, 0x0A, 0x30])
        frame = header + bytes([m.checksum(header)]) + bytes(length) + b"\xff"
        assert (len(m.parse(frame).messages) == 1) is accepted
    with pytest.raises(ValueError, match="exceeds"):
        m.encode_frame(0x0A30, bytes(65))
    # Target count larger than the payload: malformed, not an exception.
    lying = m.encode_frame(m.TYPE_TARGET_INFO, (1000).to_bytes(4, "little") + bytes(16))
    assert m.parse(lying).messages[0].fields["malformed"] is True


def test_incomplete_tail_is_kept() -> None:
    frame = GOLDEN[0][1]
    for cut in range(len(frame)):
        result = m.parse(b"\x00\x00" + frame[:cut])
        assert result.messages == []
        assert result.consumed == 2
    parser = StreamParser(m.FAMILY, m.parse)
    assert parser.feed(frame[:10]) == []
    assert parser.buffered == 10
    assert [msg.type for msg in parser.feed(frame[10:])] == ["phase"]
    assert parser.buffered == 0


# ----------------------------------------------------------------------- round trips


def test_round_trips() -> None:
    targets = [m.RadarTarget(0.1, 0.7, 1, 4), m.RadarTarget(1.25, 3.5, -3, 5)]
    cases: list[tuple[bytes, str, dict[str, object]]] = [
        (
            m.encode_phase(0.1, -2.5, 3.0, frame_id=7),
            "phase",
            {
                "frame_id": 7,
                "total_phase_rad": 0.1,
                "breath_phase_rad": -2.5,
                "heart_phase_rad": 3.0,
            },
        ),
        (m.encode_breath_rate(14.25), "breath_rate", {"breath_rate_bpm": 14.25}),
        (m.encode_heart_rate(58.5), "heart_rate", {"heart_rate_bpm": 58.5}),
        (m.encode_distance(0.85), "distance", {"range_flag": 1, "distance_m": 0.85}),
        (m.encode_distance(None), "distance", {"range_flag": 0, "distance_m": 0.0}),
        (m.encode_presence(False, width=2), "presence", {"present": False}),
        (m.encode_presence(True, width=1), "presence", {"present": True}),
        (
            m.encode_target_info(targets),
            "target_info",
            {"x_m": [0.1, 1.25], "y_m": [0.7, 3.5], "doppler_index": [1, -3], "cluster_id": [4, 5]},
        ),
        (m.encode_target_info([]), "target_info", {"target_count": 0, "x_m": []}),
        (m.encode_point_cloud(targets[:1]), "point_cloud", {"cluster_id": [4]}),
        (m.encode_alt_position(-0.3, 1.1), "alt_position", {"x_m": -0.3, "y_m": 1.1}),
        (m.encode_status(1), "status", {"status_code": 1}),
        (
            m.encode_debug_log("heart rate = 94.000000 "),
            "debug_log",
            {"text": "heart rate = 94.000000"},
        ),
        (m.encode_firmware(2, 1, 6, 10), "firmware", {"project": 2, "version": "1.6.10"}),
    ]
    for frame, type_, fields in cases:
        (message,) = m.parse(frame + bytes(8)).messages
        assert message.type == type_
        _assert_fields(message.fields, fields)


# ----------------------------------------------------------------------- robustness


def _split_stream() -> bytes:
    junk = [b"", b"\x00\x01\x02", b"\x01\x80", b"\xff" * 5, b"\x01" * 3]
    parts = []
    for k, (_, frame, _, _) in enumerate(GOLDEN):
        parts.append(junk[k % len(junk)])
        parts.append(frame)
    corrupted = bytearray(GOLDEN[1][1])
    corrupted[9] ^= 0x40
    parts.append(bytes(corrupted))
    parts.append(GOLDEN[2][1][:11])  # incomplete tail
    return b"".join(parts)


def test_split_at_every_offset() -> None:
    stream = _split_stream()
    whole = StreamParser(m.FAMILY, m.parse)
    expected = whole.feed(stream)
    assert len(expected) == len(GOLDEN)
    for cut in range(len(stream) + 1):
        parser = StreamParser(m.FAMILY, m.parse)
        got = parser.feed(stream[:cut]) + parser.feed(stream[cut:])
        assert got == expected, cut
        assert parser.stats == whole.stats, cut
        assert parser.buffered == whole.buffered


def test_checksum_error_counts_once() -> None:
    corrupted = bytearray(GOLDEN[3][1])  # distance: its 0x01 payload byte is no valid header
    corrupted[-1] ^= 0xFF
    result = m.parse(GOLDEN[1][1] + bytes(corrupted) + GOLDEN[2][1])
    assert [msg.type for msg in result.messages] == ["breath_rate", "heart_rate"]
    assert result.bad_checksums == 1
    assert result.skipped_bytes == len(corrupted)


def test_frame_that_lost_a_byte_does_not_swallow_the_next() -> None:
    """A phase frame lost its last payload byte; the next frame's SOF (0x01) now sits where
    its checksum was and happens to match (~XOR of the 11 bytes left is 0x01): both checksums
    pass, but a valid frame starts at that byte and runs past it, so the next frame wins."""
    header = bytes([0x01, 0x00, 0x07, 0x00, 0x0C, 0x0A, 0x13])
    header += bytes([~(0x01 ^ 0x07 ^ 0x0C ^ 0x0A ^ 0x13) & 0xFF])  # 0xE2
    payload = bytes([0xFE]) + bytes(10)  # XOR 0xFE: ~XOR = 0x01
    following = m.encode_breath_rate(15.0, frame_id=8)
    assert following[0] == 0x01
    result = m.parse(header + payload + following)
    assert [(msg.type, msg.offset) for msg in result.messages] == [("breath_rate", 19)]
    assert result.bad_checksums == 1
    assert result.consumed == 19 + len(following)


def test_frame_ending_in_0x01_waits_for_the_next_header() -> None:
    frame = m.encode_presence(True, width=1)  # payload 01: a header could start there
    assert m.parse(frame).consumed == 0
    result = m.parse(frame + m.encode_breath_rate(15.0))
    assert [msg.type for msg in result.messages] == ["presence", "breath_rate"]


# ----------------------------------------------------------------------- assembly


def test_phase_to_displacement_conversion() -> None:
    wavelength_mm = 299_792_458.0 / 60e9 * 1000.0
    assert wavelength_mm == pytest.approx(4.9965, abs=1e-4)
    assert pytest.approx(wavelength_mm / (4 * math.pi)) == m.MM_PER_RAD
    assert m.phase_to_mm(2 * math.pi) == pytest.approx(wavelength_mm / 2)  # half a wavelength


def _feed(assembler: m.Mr60bha2Assembler, frame: bytes, t: float) -> VitalsFrame | None:
    (message,) = m.parse(frame).messages
    return assembler.push(message, t)


def test_assembler_emits_one_frame_per_phase_message() -> None:
    asm = m.Mr60bha2Assembler()
    near = m.RadarTarget(0.2, 0.65, 0, 7)
    far = m.RadarTarget(-1.0, 1.8, 2, 9)
    assert _feed(asm, m.encode_presence(True), 0.0) is not None  # keep-alive before phases
    for frame in (
        m.encode_distance(0.68),
        m.encode_target_info([far, near]),
        m.encode_breath_rate(15.0),
        m.encode_heart_rate(62.0),
    ):
        assert _feed(asm, frame, 0.0) is None
    fs = 8.0
    out: list[VitalsFrame] = []
    for k in range(40):
        t = 0.05 + k / fs
        breath = 2.0 * math.sin(2 * math.pi * 0.25 * t)  # ~0.8 mm amplitude, 15 /min
        if k % 8 == 0:  # the device refreshes everything about once a second
            for frame in (
                m.encode_distance(0.68),
                m.encode_target_info([far, near]),
                m.encode_breath_rate(15.0),
                m.encode_heart_rate(62.0),
            ):
                _feed(asm, frame, t)
        vf = _feed(asm, m.encode_phase(0.0, breath, 0.1), t)
        assert vf is not None
        out.append(vf)
        user = vf.targets[0]
        assert user.respiration_mm == pytest.approx((m.phase_to_mm(breath),), rel=1e-6)
    last = out[-1]
    assert last.device_presence is True
    user, partner = last.targets
    assert (user.target_id, partner.target_id) == (7, 9)
    assert user.distance_m == pytest.approx(0.68)
    assert user.angle_deg == pytest.approx(math.degrees(math.atan2(0.2, 0.65)), rel=1e-5)
    assert user.respiration_rate_hz == pytest.approx(fs, rel=0.01)
    assert (user.breath_rate_bpm, user.heart_rate_bpm) == (15.0, 62.0)
    assert user.movement == 0.0
    assert user.signal_quality == pytest.approx(1.0)
    assert partner.respiration_mm == ()
    assert partner.signal_quality == 0.0
    assert partner.distance_m == pytest.approx(math.hypot(1.0, 1.8), rel=1e-6)
    assert partner.movement == pytest.approx(2 * 0.1728 / 0.5)


def test_assembler_movement_quality_staleness_and_absence() -> None:
    asm = m.Mr60bha2Assembler()
    _feed(asm, m.encode_distance(1.25), 0.0)
    still = _feed(asm, m.encode_phase(0.0, 0.1, 0.0), 0.0)
    jump = _feed(asm, m.encode_phase(0.0, 0.6, 0.0), 0.125)  # 0.2 mm in 125 ms: breathing
    assert still is not None
    assert jump is not None
    assert jump.targets[0].movement == 0.0
    turn = _feed(asm, m.encode_phase(0.0, 25.0, 0.0), 0.25)  # ~9.7 mm in 125 ms: turning over
    assert turn is not None
    assert turn.targets[0].movement == 1.0
    assert turn.targets[0].signal_quality < still.targets[0].signal_quality
    # 1.25 m, no breath rate: quality 0.5 x range factor 0.7.
    assert still.targets[0].signal_quality == pytest.approx(0.5 * 0.7)
    assert still.targets[0].angle_deg is None  # no target info: single-antenna view
    # Distance goes stale: no target can be placed.
    stale = _feed(asm, m.encode_phase(0.0, 0.6, 0.0), 10.0)
    assert stale is not None
    assert stale.targets == ()
    # The device says nobody is there: frames carry no targets.
    _feed(asm, m.encode_distance(0.7), 10.1)
    _feed(asm, m.encode_presence(False), 10.1)
    empty = _feed(asm, m.encode_phase(0.0, 0.6, 0.0), 10.2)
    assert empty is not None
    assert (empty.targets, empty.device_presence) == ((), False)
    # Zero rates mean "no reading"; malformed messages are ignored.
    _feed(asm, m.encode_breath_rate(0.0), 10.3)
    assert asm.breath_rate_bpm is None
    bad = m.parse(m.encode_frame(m.TYPE_PHASE, bytes(4))).messages[0]
    assert asm.push(bad, 10.4) is None


def test_stream_to_frames_end_to_end() -> None:
    stream = b"\xff\x00" + b"".join(
        m.encode_distance(0.6, frame_id=2 * k)
        + m.encode_phase(0.0, 0.01 * k, 0.0, frame_id=2 * k + 1)
        for k in range(20)
    )
    parser = StreamParser(m.FAMILY, m.parse)
    asm = m.Mr60bha2Assembler()
    frames_out = []
    for k, start in enumerate(range(0, len(stream), 7)):
        for message in parser.feed(stream[start : start + 7]):
            vf = asm.push(message, k * 0.01)
            if vf is not None:
                frames_out.append(vf)
    assert len(frames_out) == 20
    assert parser.stats.skipped_bytes == 2
    assert all(vf.targets[0].distance_m == pytest.approx(0.6) for vf in frames_out)
