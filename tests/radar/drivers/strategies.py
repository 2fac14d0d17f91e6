"""Hypothesis strategies: valid frames of every serial family, written by the drivers' encoders."""

from __future__ import annotations

from hypothesis import strategies as st

from custom_components.radar_sleep.radar.drivers import ld2410, mr24bsd1, mr60bha2, ti_vitals

# --------------------------------------------------------------------------- MR60BHA2

FINITE = st.floats(-1e6, 1e6, allow_nan=False, width=32)


@st.composite
def mr60bha2_frames(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(list(mr60bha2.TYPE_NAMES.values())))
    fid = draw(st.integers(0, 0xFFFF))
    target = st.builds(
        mr60bha2.RadarTarget,
        FINITE,
        FINITE,
        st.integers(-(2**31), 2**31 - 1),
        st.integers(-(2**31), 2**31 - 1),
    )
    match kind:
        case "phase":
            return mr60bha2.encode_phase(draw(FINITE), draw(FINITE), draw(FINITE), frame_id=fid)
        case "breath_rate":
            return mr60bha2.encode_breath_rate(draw(FINITE), frame_id=fid)
        case "heart_rate":
            return mr60bha2.encode_heart_rate(draw(FINITE), frame_id=fid)
        case "distance":
            dist = draw(st.none() | st.floats(0.01, 10.0))
            return mr60bha2.encode_distance(dist, frame_id=fid)
        case "presence":
            return mr60bha2.encode_presence(
                draw(st.booleans()), width=draw(st.sampled_from([1, 2, 4])), frame_id=fid
            )
        case "target_info":
            return mr60bha2.encode_target_info(draw(st.lists(target, max_size=3)), frame_id=fid)
        case "point_cloud":
            return mr60bha2.encode_point_cloud(draw(st.lists(target, max_size=3)), frame_id=fid)
        case "alt_position":
            return mr60bha2.encode_alt_position(draw(FINITE), draw(FINITE), frame_id=fid)
        case "status":
            return mr60bha2.encode_status(draw(st.integers(0, 0xFFFF)), frame_id=fid)
        case "debug_log":
            text = draw(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30))
            return mr60bha2.encode_debug_log(text, frame_id=fid)
        case _:
            return mr60bha2.encode_firmware(
                *draw(st.lists(st.integers(0, 255), min_size=4, max_size=4)), frame_id=fid
            )


# --------------------------------------------------------------------------- MR24BSD1


@st.composite
def mr24bsd1_frames(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 11))
    match kind:
        case 0:
            return mr24bsd1.encode_environment(
                draw(st.sampled_from(list(mr24bsd1.ENVIRONMENT_CODES))), passive=draw(st.booleans())
            )
        case 1:
            return mr24bsd1.encode_body_movement(draw(st.floats(0, 100, width=32)))
        case 2:
            return mr24bsd1.encode_approach(
                draw(st.sampled_from(list(mr24bsd1.APPROACH_STATES.values())))
            )
        case 3:
            return mr24bsd1.encode_heartbeat(
                draw(st.sampled_from(list(mr24bsd1.ENVIRONMENT_CODES)))
            )
        case 4:
            text = draw(
                st.text(
                    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12
                )
            )
            return mr24bsd1.encode_identity(
                draw(st.sampled_from(list(mr24bsd1.IDENTITY_FIELDS.values()))), text
            )
        case 5:
            return mr24bsd1.encode_breath_rate(draw(st.integers(0, 255)))
        case 6:
            statuses = list(mr24bsd1.BREATHING_STATUSES.values())
            return mr24bsd1.encode_breathing_status(draw(st.sampled_from(statuses)))
        case 7:
            return mr24bsd1.encode_bed_status(draw(st.booleans()))
        case 8:
            return mr24bsd1.encode_sleep_state(
                draw(st.sampled_from(list(mr24bsd1.SLEEP_STATES.values())))
            )
        case 9:
            return mr24bsd1.encode_sleep_duration(
                draw(st.sampled_from(list(mr24bsd1.SLEEP_DURATION_STAGES.values()))),
                draw(st.integers(0, 2**32 - 1)),
            )
        case 10:
            return mr24bsd1.encode_sleep_quality(draw(st.integers(0, 100)))
        case _:
            return mr24bsd1.encode_heart_rate(draw(st.integers(0, 255)))


# --------------------------------------------------------------------------- TI mmWave

f32s = st.floats(-50.0, 50.0, allow_nan=False, width=32)
tracks_st = st.lists(
    st.builds(
        ti_vitals.TiTrack,
        tid=st.integers(0, 2**32 - 1),
        x=f32s,
        y=f32s,
        z=f32s,
        vx=f32s,
        vy=f32s,
        vz=f32s,
        ax=f32s,
        ay=f32s,
        az=f32s,
        g=f32s,
        confidence=f32s,
    ),
    max_size=4,
)
vitals_st = st.builds(
    ti_vitals.TiVitals,
    target_id=st.integers(0, 0xFFFF),
    range_bin=st.integers(0, 0xFFFF),
    breath_deviation=f32s,
    heart_rate_bpm=f32s,
    breath_rate_bpm=f32s,
    heart_buffer=st.tuples(*[f32s] * 15),
    breath_buffer=st.tuples(*[f32s] * 15),
)


@st.composite
def ti_vitals_frames(draw: st.DrawFn) -> bytes:
    tlvs = []
    if tracks := draw(tracks_st):
        tlvs.append(ti_vitals.encode_tracks(tracks))
        tlvs.append(ti_vitals.encode_target_index(draw(st.lists(st.integers(0, 255), max_size=20))))
    if draw(st.booleans()):
        tlvs.append(ti_vitals.encode_vitals(draw(vitals_st)))
    return ti_vitals.encode_frame(draw(st.integers(0, 2**32 - 1)), tlvs, pad=draw(st.booleans()))


# --------------------------------------------------------------------------- LD2410

HEAD = bytes.fromhex("F4F3F2F1")
CMD_HEAD = bytes.fromhex("FDFCFBFA")
u16 = st.integers(0, 0xFFFF)
energy = st.integers(0, 100)


def values_st(max_size: int) -> st.SearchStrategy[bytes]:
    """Command values: anything but a frame header (no real value holds one)."""
    return st.binary(max_size=max_size).filter(lambda b: HEAD not in b and CMD_HEAD not in b)


@st.composite
def ld2410_frames(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["basic", "engineering", "ack", "command"]))
    if kind == "ack":
        return ld2410.encode_ack(
            draw(st.integers(0x60, 0xFF)), draw(st.integers(0, 1)), draw(values_st(20))
        )
    if kind == "command":
        return ld2410.encode_command(draw(st.integers(0x60, 0xFF)), draw(values_st(8)))
    common = {
        "moving_distance_cm": draw(st.integers(0, 2000)),
        "moving_energy": draw(energy),
        "still_distance_cm": draw(st.integers(0, 2000)),
        "still_energy": draw(energy),
        "detection_distance_cm": draw(st.integers(0, 2000)),
    }
    state = draw(st.integers(0, 3))
    if kind == "basic":
        return ld2410.encode_basic_report(state, **common)
    return ld2410.encode_engineering_report(
        state,
        moving_gate_energy=draw(st.lists(energy, min_size=1, max_size=9)),
        still_gate_energy=draw(st.lists(energy, min_size=1, max_size=9)),
        extra=draw(st.sampled_from([(), (0x80, 0), (0xFF, 1)])),
        **common,
    )
