"""TI mmWave vital-signs driver: golden frames, bad frames, assembly.

The properties every family's parser shares (noise, split reads, mutations) are in
``test_parser_robustness.py``.

Golden frames are written out here with ``struct.pack`` from the documented layout (TI Radar
Toolbox ``parseFrame.py``/``parseTLVs.py``, ``vitalsign.h``), never with the driver's encoders.
"""

from __future__ import annotations

import math
import struct

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.radar_sleep.radar.drivers import ti_vitals as ti
from custom_components.radar_sleep.radar.families import get_family
from custom_components.radar_sleep.radar.protocol import DecodedMessage

from .strategies import tracks_st, vitals_st

MAGIC = bytes((0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x07))  # u16 0x0102 0x0304 0x0506 0x0708


def tlv(tlv_type: int, payload: bytes) -> bytes:
    """type u32, length u32 (payload only), payload."""
    return struct.pack("<II", tlv_type, len(payload)) + payload


def frame(
    frame_number: int,
    tlvs: list[bytes],
    *,
    align: int = 32,
    pad_byte: int = 0,
    n_obj: int = 0,
    total: int | None = None,
    n_tlv: int | None = None,
) -> bytes:
    """magic + 8 x u32 header (40 bytes), TLVs, padding up to totalPacketLen."""
    body = b"".join(tlvs)
    used = 40 + len(body)
    padded = -(-used // align) * align if align else used
    total = padded if total is None else total
    header = MAGIC + struct.pack(
        "<8I",
        0x0306_0000,  # version
        total,  # totalPacketLen (whole frame)
        0xA6843,  # platform
        frame_number,
        123_456,  # timeCpuCycles
        n_obj,  # numDetectedObj
        len(tlvs) if n_tlv is None else n_tlv,
        0,  # subFrameNumber
    )
    return header + body + bytes([pad_byte]) * (padded - used)


EC = [0.5] * 16
TRACK_3 = struct.pack("<I27f", 3, 0.6, 1.2, 0.9, 0.05, -0.1, 0.0, 0.01, 0.02, 0.0, *EC, 2.0, 0.75)
TRACK_7 = struct.pack("<I27f", 7, -0.4, 2.0, 1.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, *EC, 1.0, 0.5)
INDEX = bytes((3, 3, 7, 253, 254, 255))
HEIGHTS = struct.pack("<Iff", 3, 1.3, 0.4) + struct.pack("<Iff", 7, 1.7, 0.2)
HEART = [60.0 + i for i in range(15)]
BREATH = [10.0 + i / 4 for i in range(15)]
VITALS = (
    struct.pack("<HH", 3, 21)  # id, rangeBin
    + struct.pack("<3f", 0.04, 63.5, 14.0)  # breathingDeviation, heartRate, breathingRate
    + struct.pack("<15f", *HEART)
    + struct.pack("<15f", *BREATH)
)


def f32(x: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


def golden() -> bytes:
    return frame(
        42,
        [tlv(1010, TRACK_3 + TRACK_7), tlv(1011, INDEX), tlv(1012, HEIGHTS), tlv(1040, VITALS)],
        n_obj=6,
    )


def fields_of(messages: list[DecodedMessage]) -> list[dict[str, object]]:
    return [dict(m.fields) for m in messages]


# --------------------------------------------------------------------------- golden frames


def test_sizes_match_the_documented_structs() -> None:
    assert len(MAGIC) + 32 == ti.HEADER_BYTES == 40
    assert len(TRACK_3) == ti.TRACK_BYTES == 112
    assert len(HEIGHTS) // 2 == ti.HEIGHT_BYTES == 12
    assert len(VITALS) == ti.VITALS_BYTES == 136


def test_golden_frame_every_tlv() -> None:
    data = golden()
    assert len(data) % 32 == 0
    result = ti.parse(data, 1000)
    assert (result.consumed, result.bad_checksums, result.skipped_bytes) == (len(data), 0, 0)
    [msg] = result.messages
    assert (msg.family, msg.type, msg.offset) == ("ti-vitals", "frame", 1000)
    f = msg.fields
    assert f["frame_number"] == 42
    assert f["platform"] == 0xA6843
    assert f["version"] == 0x0306_0000
    assert f["time_cpu_cycles"] == 123_456
    assert f["num_detected_obj"] == 6
    assert f["packet_bytes"] == len(data)
    assert f["tlv_types"] == [1010, 1011, 1012, 1040]
    assert f["track_id"] == [3, 7]
    assert f["track_x_m"] == [f32(0.6), f32(-0.4)]
    assert f["track_y_m"] == [f32(1.2), f32(2.0)]
    assert f["track_z_m"] == [f32(0.9), f32(1.1)]
    assert f["track_vx_mps"] == [f32(0.05), 0.0]
    assert f["track_vy_mps"] == [f32(-0.1), 0.0]
    assert f["track_ax_mps2"] == [f32(0.01), 0.0]
    assert f["track_ay_mps2"] == [f32(0.02), 0.0]
    assert f["track_gating_gain"] == [2.0, 1.0]
    assert f["track_confidence"] == [0.75, 0.5]
    assert f["target_index"] == [3, 3, 7, 253, 254, 255]
    assert f["height_track_id"] == [3, 7]
    assert f["height_max_z_m"] == [f32(1.3), f32(1.7)]
    assert f["height_min_z_m"] == [f32(0.4), f32(0.2)]
    assert f["vs_id"] == 3
    assert f["vs_range_bin"] == 21
    assert f["vs_breath_deviation"] == f32(0.04)
    assert f["vs_heart_rate_bpm"] == 63.5
    assert f["vs_breath_rate_bpm"] == 14.0
    assert f["vs_heart_buffer"] == HEART
    assert f["vs_breath_buffer"] == BREATH
    assert msg.to_json()["family"] == "ti-vitals"


def test_encoders_write_the_documented_layout() -> None:
    tracks = [
        ti.TiTrack(3, 0.6, 1.2, 0.9, 0.05, -0.1, 0.0, 0.01, 0.02, 0.0, tuple(EC), 2.0, 0.75),
        ti.TiTrack(7, -0.4, 2.0, 1.1, ec=tuple(EC), g=1.0, confidence=0.5),
    ]
    vitals = ti.TiVitals(3, 21, 0.04, 63.5, 14.0, tuple(HEART), tuple(BREATH))
    encoded = ti.encode_frame(
        42,
        [
            ti.encode_tracks(tracks),
            ti.encode_target_index(list(INDEX)),
            ti.encode_target_heights([ti.TiHeight(3, 1.3, 0.4), ti.TiHeight(7, 1.7, 0.2)]),
            ti.encode_vitals(vitals),
        ],
        time_cpu_cycles=123_456,
        num_detected_obj=6,
    )
    assert encoded == golden()
    assert ti.encode_tlv(1020, b"abc") == struct.pack("<II", 1020, 3) + b"abc"


def test_unpadded_frame_and_xwrl6432_ext_types() -> None:
    data = frame(5, [tlv(308, TRACK_7), tlv(309, bytes((7, 255)))], align=0)
    assert len(data) == 40 + 8 + 112 + 8 + 2
    [msg] = ti.parse(data).messages
    assert msg.fields["track_id"] == [7]
    assert msg.fields["target_index"] == [7, 255]
    assert msg.fields["tlv_types"] == [308, 309]


def test_unknown_tlv_skipped_and_listed() -> None:
    data = frame(9, [tlv(1020, bytes(range(28))), tlv(1040, VITALS), tlv(6, b"")], pad_byte=0xAB)
    [msg] = ti.parse(data).messages
    assert msg.fields["tlv_types"] == [1020, 1040, 6]
    assert msg.fields["vs_heart_rate_bpm"] == 63.5
    assert "track_id" not in msg.fields


def test_frame_without_tlvs() -> None:
    [msg] = ti.parse(frame(1, [])).messages
    assert msg.fields["tlv_types"] == []
    assert msg.fields["packet_bytes"] == 64


def test_vitals_tlv_longer_than_the_struct_is_accepted() -> None:
    [msg] = ti.parse(frame(1, [tlv(1040, VITALS + bytes(8))])).messages
    assert msg.fields["vs_breath_buffer"] == BREATH


# --------------------------------------------------------------------------- bad frames


NAN_TRACK = struct.pack("<I27f", 1, math.nan, 1.0, 1.0, *([0.0] * 24))
BAD_FRAMES = {
    "tlv runs past the frame": frame(1, [struct.pack("<II", 1040, 500) + VITALS]),
    "too much padding": frame(1, [tlv(1040, VITALS)], total=40 + 144 + 40),
    "track list not a multiple of 112": frame(1, [tlv(1010, TRACK_3[:100])]),
    "vitals too short": frame(1, [tlv(1040, VITALS[:100])]),
    "heights not a multiple of 12": frame(1, [tlv(1012, HEIGHTS + b"\x00")]),
    "non-finite position": frame(1, [tlv(1010, NAN_TRACK)]),
    "numTLVs beyond totalPacketLen": frame(1, [tlv(1040, VITALS)], n_tlv=40),
    "numTLVs larger than the TLVs": frame(1, [tlv(1040, VITALS)], n_tlv=2, align=0),
}


@pytest.mark.parametrize("name", BAD_FRAMES)
def test_bad_frame_counted_and_next_frame_found(name: str) -> None:
    good = golden()
    data = BAD_FRAMES[name] + good
    result = ti.parse(data)
    assert result.bad_checksums >= 1, name
    assert fields_of(result.messages) == fields_of(ti.parse(good).messages)
    assert result.messages[0].offset == len(BAD_FRAMES[name])
    assert result.consumed == len(data)
    assert result.skipped_bytes == len(BAD_FRAMES[name])


@pytest.mark.parametrize("total", [39, 0, ti.MAX_PACKET_BYTES + 1, 0xFFFF_FFFF])
def test_absurd_length_is_garbage(total: int) -> None:
    fake = MAGIC + struct.pack("<8I", 0, total, 0xA6843, 0, 0, 0, 1, 0)
    good = golden()
    result = ti.parse(fake + good)
    assert result.bad_checksums == 0
    assert result.skipped_bytes == len(fake)
    assert [m.fields["frame_number"] for m in result.messages] == [42]


def test_legacy_52_byte_header_is_not_decoded() -> None:
    # SDK 2.x People Counting labs: 'Q10I2H' header, TLV length includes the TLV header.
    payload = struct.pack("<I9f", 1, *([0.5] * 9))
    legacy_tlv = struct.pack("<II", 7, 8 + len(payload)) + payload
    header = MAGIC + struct.pack(
        "<10I2H", 0x0102, 0xA1642, 0, 52 + len(legacy_tlv), 3, 0, 0, 0, 0, 0, 1, 0
    )
    result = ti.parse(header + legacy_tlv)
    assert result.messages == []
    assert result.bad_checksums == 0
    assert result.consumed == len(header + legacy_tlv)


def test_frame_hiding_inside_a_bad_frame_is_found() -> None:
    good = golden()
    # A header claiming 5 TLVs over the good frame: its TLV walk reads the good frame's magic
    # as a TLV header of absurd length.
    fake = MAGIC + struct.pack("<8I", 0, 40 + len(good), 0xA6843, 99, 0, 0, 5, 0)
    result = ti.parse(fake + good)
    assert result.bad_checksums == 1
    assert [m.fields["frame_number"] for m in result.messages] == [42]
    assert result.messages[0].offset == len(fake)


def test_truncated_frame_does_not_swallow_the_next() -> None:
    first = frame(1, [tlv(1040, VITALS)])
    second = golden()
    for cut in range(1, len(first) - 40):
        result = ti.parse(first[:-cut] + second + frame(2, []))
        numbers = [m.fields["frame_number"] for m in result.messages]
        assert numbers[-2:] == [42, 2], cut
        assert numbers in ([1, 42, 2], [42, 2]), cut


def test_total_corrupted_into_the_next_frame_ends_at_its_magic() -> None:
    first = frame(1, [tlv(1040, VITALS)])  # 40 + 144 = 184 -> 192 (8 bytes padding)
    longer = bytearray(first)
    struct.pack_into("<I", longer, 12, len(first) + 16)  # 16 more: 8 into the next frame
    result = ti.parse(bytes(longer) + golden())
    assert [m.fields["frame_number"] for m in result.messages] == [1, 42]


def test_frame_ending_like_the_start_of_a_magic_waits_for_seven_more_bytes() -> None:
    data = frame(3, [tlv(1011, bytes((1, 2)))], align=0)  # no padding, last byte 0x02
    assert data[-1] == MAGIC[0]
    assert ti.parse(data).consumed == 0  # undecided: could be a frame cut short
    assert len(ti.parse(data + bytes(6)).messages) == 0
    assert [m.fields["frame_number"] for m in ti.parse(data + bytes(7)).messages] == [3]
    assert [m.fields["frame_number"] for m in ti.parse(data + golden()).messages] == [3, 42]


def test_incomplete_frame_and_partial_magic_are_kept() -> None:
    data = golden()
    for n in range(len(data)):
        result = ti.parse(data[:n])
        assert (result.messages, result.consumed) == ([], 0)
    result = ti.parse(b"junk" + MAGIC[:5])
    assert (result.consumed, result.skipped_bytes) == (4, 4)
    result = ti.parse(b"junk\x02")
    assert result.consumed == 4
    result = ti.parse(data + data[:30])
    assert (len(result.messages), result.consumed) == (1, len(data))


def test_family_registration() -> None:
    family = get_family("ti-vitals")
    assert family.baud_rate == ti.BAUD_RATE == 921_600
    assert family.capabilities == ti.CAPABILITIES
    assert not ti.CAPABILITIES.can_stage_sleep  # stock TLV 1040 carries no waveform
    assert family.assembler is ti.TiVitalsAssembler


# --------------------------------------------------------------------------- properties


@settings(database=None, max_examples=60, deadline=None)
@given(tracks=tracks_st, vitals=st.none() | vitals_st, number=st.integers(0, 2**32 - 1))
def test_round_trip(tracks: list[ti.TiTrack], vitals: ti.TiVitals | None, number: int) -> None:
    tlvs = [ti.encode_tracks(tracks)]
    if vitals is not None:
        tlvs.append(ti.encode_vitals(vitals))
    [msg] = ti.parse(ti.encode_frame(number, tlvs)).messages
    f = msg.fields
    assert f["frame_number"] == number
    assert f["track_id"] == [t.tid for t in tracks]
    assert f["track_x_m"] == [t.x for t in tracks]
    assert f["track_vz_mps"] == [t.vz for t in tracks]
    assert f["track_az_mps2"] == [t.az for t in tracks]
    assert f["track_confidence"] == [t.confidence for t in tracks]
    if vitals is not None:
        assert f["vs_id"] == vitals.target_id
        assert f["vs_range_bin"] == vitals.range_bin
        assert f["vs_breath_rate_bpm"] == vitals.breath_rate_bpm
        assert f["vs_heart_buffer"] == list(vitals.heart_buffer)
        assert f["vs_breath_buffer"] == list(vitals.breath_buffer)


# --------------------------------------------------------------------------- assembly


def test_assembler_targets_rates_and_presence() -> None:
    assembler = ti.TiVitalsAssembler()
    [msg] = ti.parse(golden()).messages
    out = assembler.push(msg, 12.5)
    assert out is not None
    assert out.t == 12.5
    assert out.device_presence is True
    a, b = out.targets
    assert (a.target_id, b.target_id) == (3, 7)
    x, y, z = f32(0.6), f32(1.2), f32(0.9)
    assert a.distance_m == pytest.approx(math.sqrt(x * x + y * y + z * z))
    assert a.angle_deg == pytest.approx(math.degrees(math.atan2(x, y)))
    assert a.angle_deg > 0  # x > 0: to the radar's right
    assert b.angle_deg is not None
    assert b.angle_deg < 0
    speed = math.sqrt(f32(0.05) ** 2 + f32(-0.1) ** 2)
    assert a.movement == pytest.approx(speed / ti.MOVEMENT_FULL_SCALE_MPS)
    assert (a.breath_rate_bpm, a.heart_rate_bpm) == (14.0, 63.5)  # vitals id 3 = track 3
    assert (b.breath_rate_bpm, b.heart_rate_bpm) == (None, None)
    assert a.signal_quality == pytest.approx(1.0)  # deviation 0.04 >= 0.02
    assert b.signal_quality == 0.0
    assert a.respiration_mm == ()  # stock firmware: the buffers are rate histories
    assert a.respiration_rate_hz == 0.0


def test_assembler_sensor_height_and_no_tracker() -> None:
    [msg] = ti.parse(frame(1, [tlv(1010, TRACK_7)])).messages
    out = ti.TiVitalsAssembler(sensor_height_m=1.1).push(msg, 0.0)
    assert out is not None
    assert out.targets[0].distance_m == pytest.approx(math.hypot(f32(-0.4), 2.0), rel=1e-6)
    fresh = ti.TiVitalsAssembler()
    [empty] = ti.parse(frame(2, [tlv(1040, VITALS)])).messages
    first = fresh.push(empty, 0.0)
    assert first is not None
    assert (first.targets, first.device_presence) == ((), None)  # no target list seen yet
    fresh.push(msg, 0.1)
    later = fresh.push(empty, 0.2)
    assert later is not None
    assert later.device_presence is False


def test_assembler_zero_rates_are_not_reported() -> None:
    zero = struct.pack("<HH3f", 3, 0, 0.0, 0.0, 0.0) + bytes(120)
    [msg] = ti.parse(frame(1, [tlv(1010, TRACK_3), tlv(1040, zero)])).messages
    out = ti.TiVitalsAssembler().push(msg, 0.0)
    assert out is not None
    target = out.targets[0]
    assert (target.breath_rate_bpm, target.heart_rate_bpm, target.signal_quality) == (
        None,
        None,
        0.0,
    )


def test_assembler_phase_waveform_mode_takes_new_samples_oldest_first() -> None:
    assembler = ti.TiVitalsAssembler(waveform="phase_rad", frame_rate_hz=20.0)
    scale = ti.WAVELENGTH_M / (4 * math.pi) * 1000.0
    assert scale == pytest.approx(299_792_458.0 / 60.75e9 / (4 * math.pi) * 1000.0)

    def vitals_frame(number: int, newest_first: list[float]) -> DecodedMessage:
        payload = struct.pack("<HH3f", 3, 21, 0.05, 60.0, 15.0)
        payload += struct.pack("<15f", *HEART) + struct.pack("<15f", *newest_first)
        [msg] = ti.parse(frame(number, [tlv(1010, TRACK_3), tlv(1040, payload)])).messages
        return msg

    buffer = [float(i) for i in range(15)]  # index 0 is the newest
    first = assembler.push(vitals_frame(100, buffer), 0.0)
    assert first is not None
    assert first.targets[0].respiration_mm == pytest.approx((0.0,))
    assert first.targets[0].respiration_rate_hz == 20.0
    second = assembler.push(vitals_frame(103, buffer), 0.15)  # 3 frames later: 3 new samples
    assert second is not None
    assert second.targets[0].respiration_mm == pytest.approx((2 * scale, 1 * scale, 0.0))
    third = assembler.push(vitals_frame(200, buffer), 5.0)  # gap: the whole buffer
    assert third is not None
    assert len(third.targets[0].respiration_mm) == 15
    assert third.targets[0].respiration_mm[0] == pytest.approx(14 * scale)


def test_assembler_ignores_other_families() -> None:
    assert ti.TiVitalsAssembler().push(DecodedMessage("ld2410", "basic", 0, {}), 0.0) is None
