"""Seeed MR24BSD1 driver: golden frames from the vendor's layout, golden streams, assembly.

The properties every family's parser shares (noise, split reads, mutations) are in
``test_parser_robustness.py``.

Golden frames are written out byte by byte from the MR24 manual's frame structure
(``0x55 Lenth_L Lenth_H Command Address_1 Address_2 Data Crc16_L Crc16_H``, LEN = every byte
but the header) with the codes of Seeed's ``sleepbreathingradar.h``. Two of them are the
vendor's own examples (``examples/CRC_Checksum_Generation`` and the wiki's C snippet in
``limengdu/Seeed-Studio-MR24BSD1-Sensor``), whose CRC bytes Seeed's routine prints.
"""

from __future__ import annotations

import pytest

from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.radar.drivers import mr24bsd1 as m
from custom_components.radar_sleep.radar.protocol import StreamParser

# 55 | LEN_L LEN_H | FUNCTION | ADDR1 | ADDR2 | DATA | CRC_L CRC_H
GOLDEN: list[tuple[str, bytes, str, dict[str, object]]] = [
    (
        "seeed_example_breathing_status",
        bytes.fromhex("55 0800 05 01 04 03 0c80"),
        "breathing_status",
        {"breathing_status": "normal", "code": 3},
    ),
    (
        "seeed_example_read_device_id",
        bytes.fromhex("55 0700 01 01 01 284e"),
        "read_command",
        {"function": 1, "address_1": 1, "address_2": 1, "raw": ""},
    ),
    (
        "environment_unoccupied",
        bytes.fromhex("55 0a00 04 03 05 00ffff 0d24"),
        "environment",
        {"occupied": False, "moving": False, "status": "unoccupied"},
    ),
    (
        "environment_stationary",
        bytes.fromhex("55 0a00 04 03 05 0100ff 1d14"),
        "environment",
        {"occupied": True, "moving": False, "status": "stationary"},
    ),
    (
        "environment_moving",
        bytes.fromhex("55 0a00 04 03 05 010101 9d04"),
        "environment",
        {"occupied": True, "moving": True, "status": "moving"},
    ),
    (
        "environment_passive",
        bytes.fromhex("55 0a00 03 03 05 0100ff 1ca3"),
        "environment",
        {"function": 3, "status": "stationary"},
    ),
    (
        "body_movement",
        bytes.fromhex("55 0b00 04 03 06 00004841 2ba5"),  # f32 12.5
        "body_movement",
        {"body_movement_pct": 12.5},
    ),
    (
        "approach",
        bytes.fromhex("55 0a00 04 03 07 010102 dcbd"),
        "approach",
        {"approach": "approaching", "code": 2},
    ),
    (
        "heartbeat",
        bytes.fromhex("55 0a00 04 05 01 0100ff 9424"),
        "heartbeat",
        {"status": "stationary", "occupied": True},
    ),
    ("abnormal_reset", bytes.fromhex("55 0800 04 05 02 0f 4f18"), "abnormal_reset", {}),
    (
        "device_id",
        bytes.fromhex("55 1300 03 01 01") + b"MR24BSD1-001" + bytes.fromhex("a536"),
        "device_id",
        {"text": "MR24BSD1-001"},
    ),
    (
        "software_version",
        bytes.fromhex("55 1100 03 01 02") + b"G24VD1SYV0" + bytes.fromhex("25c5"),
        "software_version",
        {"text": "G24VD1SYV0"},
    ),
    ("threshold_gear", bytes.fromhex("55 0800 03 04 0c 07 1a0a"), "threshold_gear", {"value": 7}),
    ("scene_setting", bytes.fromhex("55 0800 03 04 10 03 1309"), "scene_setting", {"value": 3}),
    (
        "breath_rate",
        bytes.fromhex("55 0800 05 01 01 0f 0fd5"),
        "breath_rate",
        {"breath_rate_bpm": 15.0},
    ),
    (
        "bed_status",
        bytes.fromhex("55 0800 05 03 07 01 2c71"),
        "bed_status",
        {"in_bed": True, "code": 1},
    ),
    (
        "sleep_state_light",
        bytes.fromhex("55 0800 05 03 08 01 2981"),
        "sleep_state",
        {"sleep_state": "light", "code": 1},
    ),
    (
        "sleep_state_deep",
        bytes.fromhex("55 0800 05 03 08 02 6980"),
        "sleep_state",
        {"sleep_state": "deep"},
    ),
    (
        "sleep_duration",
        bytes.fromhex("55 0b00 05 04 02 0000012c 3d6f"),  # u32 BE 300
        "sleep_duration",
        {"stage": "light", "duration_raw": 300},
    ),
    (
        "sleep_quality",
        bytes.fromhex("55 0800 05 05 01 55 ce2f"),
        "sleep_quality",
        {"sleep_score": 85},
    ),
    (
        "heart_rate",
        bytes.fromhex("55 0800 05 06 01 3e 7fc0"),
        "heart_rate",
        {"heart_rate_bpm": 62.0},
    ),
    (
        "sleep_function_on",
        bytes.fromhex("55 0800 02 05 0d 01 cba4"),
        "write_command",
        {"address_1": 5, "address_2": 13, "raw": "01"},
    ),
    (
        "unknown",
        bytes.fromhex("55 0800 04 09 09 ab 8990"),
        "unknown",
        {"function": 4, "address_1": 9, "address_2": 9, "raw": "ab"},
    ),
]


@pytest.mark.parametrize(("name", "frame", "type_", "fields"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_frames(name: str, frame: bytes, type_: str, fields: dict[str, object]) -> None:
    result = m.parse(frame, 42)
    assert result.consumed == len(frame)
    assert (result.bad_checksums, result.skipped_bytes) == (0, 0)
    (message,) = result.messages
    assert (message.family, message.type, message.offset) == ("mr24bsd1", type_, 42)
    for key, value in fields.items():
        assert message.fields[key] == value, key


def test_crc_is_crc16_modbus_low_byte_first() -> None:
    assert m.crc16_modbus(b"123456789") == 0x4B37  # CRC catalogue check value
    # Seeed's routine printed "0c80" for this frame and sent 0x0c then 0x80.
    assert m.crc16_modbus(bytes.fromhex("55 0800 05 01 04 03")) == 0x800C


def test_encoders_reproduce_the_golden_frames() -> None:
    built = {
        "seeed_example_breathing_status": m.encode_breathing_status("normal"),
        "seeed_example_read_device_id": m.encode_read_command(0x01, 0x01),
        "environment_unoccupied": m.encode_environment("unoccupied"),
        "environment_stationary": m.encode_environment("stationary"),
        "environment_moving": m.encode_environment("moving"),
        "environment_passive": m.encode_environment("stationary", passive=True),
        "body_movement": m.encode_body_movement(12.5),
        "approach": m.encode_approach("approaching"),
        "heartbeat": m.encode_heartbeat("stationary"),
        "abnormal_reset": m.encode_abnormal_reset(),
        "device_id": m.encode_identity("device_id", "MR24BSD1-001"),
        "software_version": m.encode_identity("software_version", "G24VD1SYV0"),
        "threshold_gear": m.encode_threshold_gear(7),
        "scene_setting": m.encode_scene_setting(3),
        "breath_rate": m.encode_breath_rate(15),
        "bed_status": m.encode_bed_status(True),
        "sleep_state_light": m.encode_sleep_state("light"),
        "sleep_state_deep": m.encode_sleep_state("deep"),
        "sleep_duration": m.encode_sleep_duration("light", 300),
        "sleep_quality": m.encode_sleep_quality(85),
        "heart_rate": m.encode_heart_rate(62),
        "sleep_function_on": m.encode_sleep_function_switch(True),
        "unknown": m.encode_frame(0x04, 0x09, 0x09, bytes([0xAB])),
    }
    for name, frame, _, _ in GOLDEN:
        assert built[name] == frame, name


def test_round_trips() -> None:
    cases: list[tuple[bytes, str, dict[str, object]]] = [
        (m.encode_body_movement(1.0, passive=True), "body_movement", {"body_movement_pct": 1.0}),
        (m.encode_approach("leaving"), "approach", {"approach": "leaving"}),
        (m.encode_approach("none"), "approach", {"approach": "none"}),
        (m.encode_heartbeat("unoccupied"), "heartbeat", {"occupied": False}),
        (
            m.encode_identity("hardware_version", "V1.0.0.0"),
            "hardware_version",
            {"text": "V1.0.0.0"},
        ),
        (
            m.encode_identity("protocol_version", "V2.0.0.0"),
            "protocol_version",
            {"text": "V2.0.0.0"},
        ),
        (m.encode_breath_rate(0), "breath_rate", {"breath_rate_bpm": 0.0}),
        (m.encode_bed_status(False), "bed_status", {"in_bed": False}),
        (m.encode_sleep_state("awake"), "sleep_state", {"sleep_state": "awake"}),
        (m.encode_sleep_state("none"), "sleep_state", {"sleep_state": "none"}),
        (
            m.encode_sleep_duration("deep", 2**32 - 1),
            "sleep_duration",
            {"stage": "deep", "duration_raw": 2**32 - 1},
        ),
        (m.encode_sleep_duration("awake", 5), "sleep_duration", {"stage": "awake"}),
        (m.encode_sleep_function_switch(False), "write_command", {"raw": "00"}),
    ]
    for status in m.BREATHING_STATUSES.values():
        cases.append(
            (m.encode_breathing_status(status), "breathing_status", {"breathing_status": status})
        )
    for frame, type_, fields in cases:
        (message,) = m.parse(frame).messages
        assert message.type == type_
        for key, value in fields.items():
            assert message.fields[key] == value, key


def test_short_payloads_and_bad_lengths() -> None:
    short = m.encode_frame(m.FN_SLEEP_REPORT, 0x04, 0x01, bytes(2))  # duration needs 4 bytes
    (message,) = m.parse(short).messages
    assert message.type == "sleep_duration"
    assert message.fields["malformed"] is True
    good = GOLDEN[0][1]
    for length in (0, 6, 65, 0x0800):  # below MIN_LEN, above MAX_LEN, high byte set
        junk = bytes([0x55, length & 0xFF, length >> 8])
        result = m.parse(junk + good)
        assert [msg.type for msg in result.messages] == ["breathing_status"]
        assert result.skipped_bytes == len(junk)
        assert result.consumed == len(junk + good)


def test_incomplete_tail_is_kept() -> None:
    frame = GOLDEN[6][1]
    for cut in range(len(frame)):
        result = m.parse(b"\x00" + frame[:cut])
        assert (result.messages, result.consumed) == ([], 1)
    parser = StreamParser(m.FAMILY, m.parse)
    assert parser.feed(frame[:5]) == []
    assert parser.buffered == 5
    assert [msg.type for msg in parser.feed(frame[5:])] == ["body_movement"]


# ----------------------------------------------------------------------- properties


def test_split_at_every_offset() -> None:
    junk = [b"", b"\x55", b"\x55\x08", b"\x00\xff", b"\x55\x10\x00\x04"]
    parts = []
    for k, (_, frame, _, _) in enumerate(GOLDEN):
        parts += [junk[k % len(junk)], frame]
    corrupted = bytearray(GOLDEN[14][1])
    corrupted[6] ^= 0x01
    stream = b"".join([*parts, bytes(corrupted), GOLDEN[6][1][:7]])
    whole = StreamParser(m.FAMILY, m.parse)
    expected = whole.feed(stream)
    assert len(expected) == len(GOLDEN)
    assert whole.stats.bad_checksums >= 1
    for cut in range(len(stream) + 1):
        parser = StreamParser(m.FAMILY, m.parse)
        got = parser.feed(stream[:cut]) + parser.feed(stream[cut:])
        assert got == expected, cut
        assert parser.stats == whole.stats, cut
        assert parser.buffered == whole.buffered == 7


def test_checksum_error_counts_once() -> None:
    corrupted = bytearray(GOLDEN[15][1])
    corrupted[-2] ^= 0x10
    result = m.parse(GOLDEN[14][1] + bytes(corrupted) + GOLDEN[16][1])
    assert [msg.type for msg in result.messages] == ["breath_rate", "sleep_state"]
    assert result.bad_checksums == 1
    assert result.skipped_bytes == len(corrupted)


# ----------------------------------------------------------------------- assembly


def _feed(asm: m.Mr24bsd1Assembler, frame: bytes, t: float) -> VitalsFrame | None:
    (message,) = m.parse(frame).messages
    return asm.push(message, t)


def _sleep_state(asm: m.Mr24bsd1Assembler) -> tuple[str | None, float | None]:
    return asm.device_sleep_state, asm.device_sleep_state_t


def test_assembler_reports_breathing_presence_and_on_chip_sleep_state() -> None:
    asm = m.Mr24bsd1Assembler()
    first = _feed(asm, m.encode_environment("stationary"), 0.0)
    assert first == VitalsFrame(t=0.0, targets=(), device_presence=True)  # no breath rate yet
    _feed(asm, m.encode_bed_status(True), 1.0)
    _feed(asm, m.encode_body_movement(1.0), 2.0)
    _feed(asm, m.encode_breath_rate(14), 3.0)
    frame = _feed(asm, m.encode_breathing_status("normal"), 4.0)
    assert frame is not None
    (target,) = frame.targets
    assert frame.device_presence is True
    assert target.breath_rate_bpm == 14.0
    assert target.respiration_mm == ()
    assert (target.angle_deg, target.distance_m) == (None, 0.8)
    assert (target.movement, target.signal_quality) == (0.0, 1.0)
    assert _sleep_state(asm) == (None, None)
    _feed(asm, m.encode_sleep_state("light"), 5.0)
    assert _sleep_state(asm) == ("light", 5.0)
    _feed(asm, m.encode_sleep_state("deep"), 6.0)
    assert _sleep_state(asm) == ("deep", 6.0)
    _feed(asm, m.encode_sleep_state("none"), 7.0)
    assert _sleep_state(asm) == (None, 7.0)
    assert asm.in_bed is True
    moving = _feed(asm, m.encode_body_movement(45.0), 8.0)
    assert moving is not None
    assert moving.targets[0].movement == pytest.approx(0.45)
    rough = _feed(asm, m.encode_breathing_status("movement"), 9.0)
    assert rough is not None
    assert rough.targets[0].signal_quality == 0.3
    _feed(asm, m.encode_heart_rate(61), 9.5)
    assert asm.heart_rate_bpm == 61.0
    stale = _feed(asm, m.encode_heartbeat("stationary"), 60.0)  # breath rate 57 s old
    assert stale is not None
    assert (stale.targets, stale.device_presence) == ((), True)
    empty = _feed(asm, m.encode_environment("unoccupied"), 61.0)
    assert empty == VitalsFrame(t=61.0, targets=(), device_presence=False)


def test_assembler_ignores_commands_unknowns_and_malformed() -> None:
    asm = m.Mr24bsd1Assembler(mounting_distance_m=1.1)
    assert _feed(asm, m.encode_read_command(0x01, 0x01), 0.0) is None
    assert _feed(asm, m.encode_sleep_function_switch(True), 0.0) is None
    assert _feed(asm, m.encode_frame(0x04, 0x09, 0x09, b"\x00"), 0.0) is None
    assert _feed(asm, m.encode_frame(m.FN_SLEEP_REPORT, 0x03, 0x08), 0.0) is None  # no data
    # Bed status alone stands in for presence; a zero rate means "nothing detected".
    _feed(asm, m.encode_bed_status(True), 1.0)
    frame = _feed(asm, m.encode_breath_rate(16), 2.0)
    assert frame is not None
    assert frame.targets[0].distance_m == 1.1
    assert frame.targets[0].signal_quality == 0.8  # no breathing status yet
    zero = _feed(asm, m.encode_breath_rate(0), 3.0)
    assert zero is not None
    assert zero.targets == ()


def test_stream_to_frames_end_to_end() -> None:
    reports = [
        m.encode_environment("stationary"),
        m.encode_bed_status(True),
        m.encode_sleep_state("awake"),
        *[m.encode_breath_rate(12 + k % 3) for k in range(10)],
        m.encode_sleep_state("light"),
    ]
    stream = b"\x00\x55" + b"".join(reports)
    parser = StreamParser(m.FAMILY, m.parse)
    asm = m.Mr24bsd1Assembler()
    out = []
    for k, start in enumerate(range(0, len(stream), 3)):
        for message in parser.feed(stream[start : start + 3]):
            vf = asm.push(message, float(k))
            if vf is not None:
                out.append(vf)
    assert len(out) == len(reports)
    assert parser.stats.skipped_bytes == 2
    assert [vf.targets[0].breath_rate_bpm for vf in out[3:13]] == [12 + k % 3 for k in range(10)]
    assert asm.device_sleep_state == "light"
