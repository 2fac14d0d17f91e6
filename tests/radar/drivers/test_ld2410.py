"""Hi-Link LD2410 driver: golden frames, bad frames, assembly.

The properties every family's parser shares (noise, split reads, mutations) are in
``test_parser_robustness.py``.

Golden frames are the example frames of Hi-Link's protocol documents (LD2410 V1.02, LD2410B
V1.06, as transcribed in ncmreynolds/ld2410) and frames written out here with ``struct.pack``
from the documented layout, never with the driver's encoders.
"""

from __future__ import annotations

import struct

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.radar_sleep.radar.drivers import ld2410
from custom_components.radar_sleep.radar.families import get_family
from custom_components.radar_sleep.radar.protocol import DecodedMessage

from .strategies import energy, u16

HEAD = bytes.fromhex("F4F3F2F1")
FOOT = bytes.fromhex("F8F7F6F5")
CMD_HEAD = bytes.fromhex("FDFCFBFA")
CMD_FOOT = bytes.fromhex("04030201")


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# Hi-Link example frames, byte for byte.
DOC_BASIC = hexbytes("F4 F3 F2 F1 0D 00 02 AA 02 51 00 00 00 00 3B 00 00 55 00 F8 F7 F6 F5")
DOC_ENG_B = hexbytes(  # LD2410B V1.06: light 0x60, OUT pin 1
    "F4 F3 F2 F1 23 00 01 AA 03 1E 00 3C 00 00 39 00 00 08 08 3C 22 05 03 03 04 03 06 05"
    " 00 00 39 10 13 06 06 08 04 60 01 55 00 F8 F7 F6 F5"
)
DOC_ENG_V102 = hexbytes(  # LD2410 V1.02: "reserved" extra bytes 03 05
    "F4 F3 F2 F1 23 00 01 AA 03 1E 00 3C 00 00 39 00 00 08 08 3C 22 05 03 03 04 03 06 05"
    " 00 00 39 10 13 06 06 08 04 03 05 55 00 F8 F7 F6 F5"
)
DOC_ENABLE_CONFIG = hexbytes("FD FC FB FA 04 00 FF 00 01 00 04 03 02 01")
DOC_ENABLE_CONFIG_ACK = hexbytes("FD FC FB FA 08 00 FF 01 00 00 01 00 40 00 04 03 02 01")
DOC_ENABLE_ENG = hexbytes("FD FC FB FA 02 00 62 00 04 03 02 01")
DOC_ENABLE_ENG_ACK = hexbytes("FD FC FB FA 04 00 62 01 00 00 04 03 02 01")
DOC_END_CONFIG = hexbytes("FD FC FB FA 02 00 FE 00 04 03 02 01")
DOC_VERSION_ACK = hexbytes("FD FC FB FA 0C 00 A0 01 00 00 00 01 02 01 16 24 06 22 04 03 02 01")
DOC_RESOLUTION_ACK = hexbytes("FD FC FB FA 06 00 AB 01 00 00 01 00 04 03 02 01")
DOC_PARAMS_ACK = hexbytes(
    "FD FC FB FA 1C 00 61 01 00 00 AA 08 08 08" + " 14" * 9 + " 19" * 9 + " 05 00 04 03 02 01"
)


def report(data: bytes) -> bytes:
    return HEAD + struct.pack("<H", len(data)) + data + FOOT


def basic_data(state: int, mov_cm: int, mov_e: int, still_cm: int, still_e: int, det: int) -> bytes:
    """type 0x02, head 0xAA, state, moving cm u16, energy, still cm u16, energy, detect cm u16."""
    return struct.pack("<BBBHBHBH", 0x02, 0xAA, state, mov_cm, mov_e, still_cm, still_e, det)


def eng_data(moving: list[int], still: list[int], extra: bytes = b"\x80\x01") -> bytes:
    head = struct.pack("<BBBHBHBH", 0x01, 0xAA, 3, 120, 45, 95, 80, 100)
    return head + bytes((len(moving) - 1, len(still) - 1, *moving, *still)) + extra


GOLDEN_BASIC = report(basic_data(2, 0, 0, 95, 80, 100) + b"\x55\x00")
MOVING = [60, 34, 5, 3, 3, 4, 3, 6, 5]
STILL = [0, 0, 57, 16, 19, 6, 6, 8, 4]
GOLDEN_ENG = report(eng_data(MOVING, STILL) + b"\x55\x00")


def fields_of(messages: list[DecodedMessage]) -> list[tuple[str, dict[str, object]]]:
    return [(m.type, dict(m.fields)) for m in messages]


# --------------------------------------------------------------------------- golden frames


def test_hi_link_basic_example() -> None:
    result = ld2410.parse(DOC_BASIC, 10)
    assert (result.consumed, result.bad_checksums, result.skipped_bytes) == (len(DOC_BASIC), 0, 0)
    [msg] = result.messages
    assert (msg.family, msg.type, msg.offset) == ("ld2410", "basic", 10)
    assert msg.fields == {
        "target_state": 2,
        "moving": False,
        "still": True,
        "moving_distance_m": 0.81,  # 0x0051 cm
        "moving_energy": 0,
        "still_distance_m": 0.0,
        "still_energy": 59,  # 0x3B
        "detection_distance_m": 0.0,
    }


@pytest.mark.parametrize(
    ("data", "light", "out"), [(DOC_ENG_B, 0x60, True), (DOC_ENG_V102, 0x03, True)]
)
def test_hi_link_engineering_examples(data: bytes, light: int, out: bool) -> None:
    [msg] = ld2410.parse(data).messages
    assert msg.type == "engineering"
    f = msg.fields
    assert (f["target_state"], f["moving"], f["still"]) == (3, True, True)
    assert f["moving_distance_m"] == 0.30
    assert f["moving_energy"] == 60
    assert f["still_energy"] == 57
    assert (f["max_moving_gate"], f["max_still_gate"]) == (8, 8)
    assert f["moving_gate_energy"] == MOVING
    assert f["still_gate_energy"] == STILL
    assert (f["light_level"], f["out_pin"]) == (light, out)
    assert "extra_bytes" not in f


def test_golden_frames_from_the_documented_layout() -> None:
    [basic, eng] = ld2410.parse(GOLDEN_BASIC + GOLDEN_ENG).messages
    assert basic.fields["still_distance_m"] == 0.95
    assert basic.fields["still_energy"] == 80
    assert basic.fields["detection_distance_m"] == 1.0
    assert eng.fields["moving_distance_m"] == 1.2
    assert eng.fields["moving_energy"] == 45
    assert eng.fields["light_level"] == 0x80
    assert eng.fields["out_pin"] is True


def test_engineering_without_extra_bytes_and_with_fewer_gates() -> None:
    [plain] = ld2410.parse(report(eng_data(MOVING, STILL, b"") + b"\x55\x00")).messages
    assert "light_level" not in plain.fields
    assert plain.fields["still_gate_energy"] == STILL
    [short] = ld2410.parse(report(eng_data([1, 2, 3], [4, 5], b"\x07") + b"\x55\x00")).messages
    assert short.fields["moving_gate_energy"] == [1, 2, 3]
    assert short.fields["still_gate_energy"] == [4, 5]
    assert short.fields["extra_bytes"] == [7]


def test_hi_link_commands_and_acks() -> None:
    stream = (
        DOC_ENABLE_CONFIG
        + DOC_ENABLE_CONFIG_ACK
        + DOC_ENABLE_ENG
        + DOC_ENABLE_ENG_ACK
        + DOC_END_CONFIG
        + DOC_VERSION_ACK
        + DOC_RESOLUTION_ACK
        + DOC_PARAMS_ACK
    )
    result = ld2410.parse(stream)
    assert (result.consumed, result.bad_checksums) == (len(stream), 0)
    msgs = result.messages
    assert [m.type for m in msgs] == ["command", "ack", "command", "ack", "command"] + ["ack"] * 3
    assert msgs[0].fields == {"command": 0xFF, "values": [1, 0]}
    assert msgs[1].fields["command"] == 0xFF
    assert msgs[1].fields["success"] is True
    assert (msgs[1].fields["protocol_version"], msgs[1].fields["buffer_size"]) == (1, 0x40)
    assert msgs[3].fields == {"command": 0x62, "status": 0, "success": True, "values": []}
    assert msgs[4].fields["command"] == 0xFE
    assert msgs[5].fields["firmware_version"] == "1.02.22062416"  # the document's V1.02.22062416
    assert msgs[6].fields["distance_resolution_m"] == 0.2
    params = msgs[7].fields
    assert (params["max_gate"], params["max_moving_gate"], params["max_still_gate"]) == (8, 8, 8)
    assert params["moving_sensitivity"] == [20] * 9
    assert params["still_sensitivity"] == [25] * 9
    assert params["no_one_duration_s"] == 5


def test_failed_ack() -> None:
    [msg] = ld2410.parse(hexbytes("FD FC FB FA 04 00 62 01 01 00 04 03 02 01")).messages
    assert msg.fields == {"command": 0x62, "status": 1, "success": False, "values": []}


def test_encoders_write_the_documented_bytes() -> None:
    assert ld2410.ENABLE_ENGINEERING_SEQUENCE == (DOC_ENABLE_CONFIG, DOC_ENABLE_ENG, DOC_END_CONFIG)
    assert ld2410.encode_ack(0x62) == DOC_ENABLE_ENG_ACK
    assert ld2410.encode_ack(0xFF, value=b"\x01\x00\x40\x00") == DOC_ENABLE_CONFIG_ACK
    assert ld2410.encode_ack(0xA0, value=hexbytes("0001 0201 16240622")) == DOC_VERSION_ACK
    assert (
        ld2410.encode_basic_report(
            2, moving_distance_cm=0x51, still_energy=0x3B, detection_distance_cm=0
        )
        == DOC_BASIC
    )
    assert (
        ld2410.encode_engineering_report(
            3,
            moving_distance_cm=0x1E,
            moving_energy=0x3C,
            still_energy=0x39,
            moving_gate_energy=MOVING,
            still_gate_energy=STILL,
            extra=(0x60, 0x01),
        )
        == DOC_ENG_B
    )
    assert (
        ld2410.encode_basic_report(
            2,
            still_distance_cm=95,
            still_energy=80,
            detection_distance_cm=100,
        )
        == GOLDEN_BASIC
    )


# --------------------------------------------------------------------------- bad frames


def with_byte(data: bytes, index: int, value: int) -> bytes:
    out = bytearray(data)
    out[index] = value
    return bytes(out)


BAD_FRAMES = {
    "wrong footer": DOC_BASIC[:-1] + b"\x00",
    "wrong tail": with_byte(DOC_BASIC, -6, 0x54),
    "wrong check": with_byte(DOC_BASIC, -5, 0x01),
    "wrong head": with_byte(DOC_BASIC, 7, 0xAB),
    "unknown type": with_byte(DOC_BASIC, 6, 0x03),
    "target state 4": with_byte(DOC_BASIC, 8, 0x04),
    "basic with engineering length": report(basic_data(1, 1, 1, 1, 1, 1) + b"\x08\x55\x00"),
    "gate 9": with_byte(DOC_ENG_B, 17, 9),
    "gates beyond length": report(eng_data(MOVING, STILL, b"")[:-1] + b"\x55\x00"),
    "ack without status": hexbytes("FD FC FB FA 02 00 62 01 04 03 02 01"),
    "empty command": hexbytes("FD FC FB FA 01 00 62 04 03 02 01"),
    "command footer on a report": DOC_BASIC[:-4] + CMD_FOOT,
}


@pytest.mark.parametrize("name", BAD_FRAMES)
def test_bad_frame_counted_and_next_frame_found(name: str) -> None:
    bad = BAD_FRAMES[name]
    result = ld2410.parse(bad + DOC_ENG_B)
    assert result.bad_checksums == 1, name
    assert fields_of(result.messages) == fields_of(ld2410.parse(DOC_ENG_B).messages)
    assert result.messages[0].offset == len(bad)
    assert result.skipped_bytes == len(bad)


@pytest.mark.parametrize("length", [65, 0x100, 0xFFFF])
def test_absurd_length_is_garbage(length: int) -> None:
    fake = HEAD + struct.pack("<H", length)
    result = ld2410.parse(fake + DOC_BASIC)
    assert result.bad_checksums == 0
    assert result.skipped_bytes == len(fake)
    assert [m.type for m in result.messages] == ["basic"]


def test_frame_cut_short_does_not_swallow_the_next() -> None:
    # The engineering frame loses 23 bytes: its length now reaches exactly to the end of the
    # basic frame that follows, footer included.
    data = DOC_ENG_B[: -len(DOC_BASIC)] + DOC_BASIC
    result = ld2410.parse(data)
    assert [m.type for m in result.messages] == ["basic"]
    assert result.bad_checksums == 1


def test_frame_hiding_inside_a_bad_frame_is_found() -> None:
    fake = HEAD + struct.pack("<H", len(DOC_BASIC) + 2) + DOC_BASIC + b"\x00\x00" + b"xxxx"
    result = ld2410.parse(fake)
    assert [m.type for m in result.messages] == ["basic"]
    assert result.messages[0].offset == 6


def test_incomplete_frame_and_partial_header_are_kept() -> None:
    for n in range(len(DOC_ENG_B)):
        assert ld2410.parse(DOC_ENG_B[:n]).consumed == 0
    for tail in (b"\xf4", b"\xf4\xf3\xf2", b"\xfd\xfc"):
        result = ld2410.parse(b"abc" + tail)
        assert (result.consumed, result.skipped_bytes) == (3, 3)
    assert ld2410.parse(b"abc\xf4\x00").consumed == 5
    result = ld2410.parse(DOC_BASIC + DOC_ENG_B[:20])
    assert (len(result.messages), result.consumed) == (1, len(DOC_BASIC))


def test_family_registration() -> None:
    family = get_family("ld2410")
    assert family.baud_rate == ld2410.BAUD_RATE == 256_000
    assert family.capabilities == ld2410.CAPABILITIES
    assert not ld2410.CAPABILITIES.respiration_waveform
    assert not ld2410.CAPABILITIES.can_stage_sleep
    assert family.assembler is ld2410.Ld2410Assembler


# --------------------------------------------------------------------------- properties


@settings(database=None, max_examples=100, deadline=None)
@given(
    state=st.integers(0, 3),
    distances=st.tuples(u16, u16, u16),
    energies=st.tuples(energy, energy),
    moving=st.lists(energy, min_size=1, max_size=9),
    still=st.lists(energy, min_size=1, max_size=9),
)
def test_round_trip(
    state: int,
    distances: tuple[int, int, int],
    energies: tuple[int, int],
    moving: list[int],
    still: list[int],
) -> None:
    values = {
        "moving_distance_cm": distances[0],
        "moving_energy": energies[0],
        "still_distance_cm": distances[1],
        "still_energy": energies[1],
        "detection_distance_cm": distances[2],
    }
    data = ld2410.encode_basic_report(state, **values) + ld2410.encode_engineering_report(
        state, moving_gate_energy=moving, still_gate_energy=still, **values
    )
    basic, eng = ld2410.parse(data).messages
    for msg in (basic, eng):
        assert msg.fields["target_state"] == state
        assert msg.fields["moving_distance_m"] == distances[0] / 100
        assert msg.fields["still_distance_m"] == distances[1] / 100
        assert msg.fields["detection_distance_m"] == distances[2] / 100
        assert (msg.fields["moving_energy"], msg.fields["still_energy"]) == energies
    assert eng.fields["moving_gate_energy"] == moving
    assert eng.fields["still_gate_energy"] == still


# --------------------------------------------------------------------------- assembly


def test_assembler_reports_presence_and_a_pseudo_target() -> None:
    assembler = ld2410.Ld2410Assembler()
    empty = ld2410.parse(ld2410.encode_basic_report(0)).messages[0]
    out = assembler.push(empty, 1.0)
    assert out is not None
    assert (out.t, out.targets, out.device_presence) == (1.0, (), False)

    [still] = ld2410.parse(DOC_ENG_B).messages  # state 3: the still target is the sleeper
    out = assembler.push(still, 2.0)
    assert out is not None
    assert out.device_presence is True
    [target] = out.targets
    assert target.distance_m == 0.0  # still distance 0 cm in Hi-Link's example
    assert target.angle_deg is None
    assert target.respiration_mm == ()
    assert target.respiration_rate_hz == 0.0
    assert target.movement == pytest.approx(0.60)
    assert target.signal_quality == pytest.approx(0.57)
    assert (target.breath_rate_bpm, target.heart_rate_bpm) == (None, None)

    moving = ld2410.parse(
        ld2410.encode_basic_report(1, moving_distance_cm=150, moving_energy=250)
    ).messages[0]
    out = assembler.push(moving, 3.0)
    assert out is not None
    assert out.targets[0].distance_m == 1.5  # moving only: the moving target's distance
    assert out.targets[0].movement == 1.0  # clipped


def test_assembler_ignores_acks_and_other_families() -> None:
    assembler = ld2410.Ld2410Assembler()
    [ack] = ld2410.parse(DOC_ENABLE_ENG_ACK).messages
    assert assembler.push(ack, 0.0) is None
    assert assembler.push(DecodedMessage("ti-vitals", "frame", 0, {}), 0.0) is None
