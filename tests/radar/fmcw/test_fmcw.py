"""Raw FMCW signal processing (radar/fmcw/) against its IF-level simulator (radar/fmcw/simulate.py).

Every expected value comes from the simulator's inputs (a person's range, angle, breathing
rate), never from what the DSP produced before.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
import itertools
import math
from pathlib import Path
import time

from hypothesis import given, settings, strategies as st
import numpy as np
from numpy.typing import NDArray
import pytest

from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.radar.fmcw import CAPABILITIES, FAMILY
from custom_components.radar_sleep.radar.fmcw.capture import (
    FORMAT_VERSION,
    decode_capture,
    iter_capture,
    load_capture,
    save_capture,
)
from custom_components.radar_sleep.radar.fmcw.config import SPEED_OF_LIGHT, DspConfig, FmcwConfig
from custom_components.radar_sleep.radar.fmcw.dsp import (
    angle_of_arrival_deg,
    arctangent_demodulation,
    circle_fit_kasa,
    circle_fit_pratt,
    circularity_spectrum,
    phase_to_displacement_mm,
    range_bins,
    range_profiles,
)
from custom_components.radar_sleep.radar.fmcw.processor import FmcwProcessor
from custom_components.radar_sleep.radar.fmcw.replay import FmcwReplaySource
from custom_components.radar_sleep.radar.fmcw.simulate import (
    DEFAULT_SNR_DB,
    FmcwScene,
    MovementEpisode,
    Output,
    SimPerson,
    SimulatedCapture,
    StaticScatterer,
    Waveform,
    simulate,
)

CONFIG = FmcwConfig()
FS = CONFIG.frame_rate_hz
WARM_UP_S = 10.0
"""Detection needs a few seconds, the band-pass and the quality window ten."""


# -- helpers -----------------------------------------------------------------------------------


def spectral_rate_bpm(x: NDArray[np.float64], fs: float) -> float:
    """Breathing rate as the spectral peak (zero-padded, Hann) between 6 and 42 breaths/min."""
    x = np.asarray(x, dtype=np.float64) - float(np.mean(x))
    n = 1 << 16
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size), n))
    f = np.fft.rfftfreq(n, 1.0 / fs)
    band = (f >= 0.1) & (f <= 0.7)
    return 60.0 * float(f[band][np.argmax(spec[band])])


@dataclass
class Track:
    """One target id's outputs over time."""

    t: NDArray[np.float64]
    respiration: NDArray[np.float64]
    movement: NDArray[np.float64]
    quality: NDArray[np.float64]
    distance: NDArray[np.float64]
    angle: NDArray[np.float64]


def tracks(frames: list[VitalsFrame], after_s: float = 0.0) -> dict[int, Track]:
    """Per-target series from frames at ``t >= after_s``."""
    rows: dict[int, list[tuple[float, ...]]] = {}
    for frame in frames:
        if frame.t < after_s:
            continue
        for tv in frame.targets:
            assert len(tv.respiration_mm) == 1
            assert tv.respiration_rate_hz == FS
            assert 0.0 <= tv.movement <= 1.0
            assert 0.0 <= tv.signal_quality <= 1.0
            assert tv.breath_rate_bpm is None
            assert tv.angle_deg is not None
            rows.setdefault(tv.target_id, []).append(
                (
                    frame.t,
                    tv.respiration_mm[0],
                    tv.movement,
                    tv.signal_quality,
                    tv.distance_m,
                    tv.angle_deg,
                )
            )
    out = {}
    for tid, r in rows.items():
        a = np.array(r)
        out[tid] = Track(a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5])
    return out


def run(
    scene: FmcwScene, duration_s: float = 60.0, output: Output = "real"
) -> tuple[SimulatedCapture, list[VitalsFrame]]:
    """Simulate a scene and process it in 2-s batches, as a live source would."""
    cap = simulate(scene, duration_s, CONFIG, output=output)
    processor = FmcwProcessor(cap.config)
    frames: list[VitalsFrame] = []
    step = round(2 * FS)
    for start in range(0, len(cap.t), step):
        frames.extend(
            processor.process(cap.frames[start : start + step], cap.t[start : start + step])
        )
    assert [f.t for f in frames] == cap.t.tolist()
    return cap, frames


def assert_same_frames(got: list[VitalsFrame], expected: list[VitalsFrame]) -> None:
    """Same frames and targets; numbers equal up to float32 rounding of the range transform
    (a BLAS may sum a matrix product in another order for another batch size)."""
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.t == e.t
        assert [tv.target_id for tv in g.targets] == [tv.target_id for tv in e.targets]
        for a, b in zip(g.targets, e.targets, strict=True):
            da, db = asdict(a), asdict(b)
            assert da.pop("respiration_mm") == pytest.approx(db.pop("respiration_mm"), abs=1e-5)
            assert da == pytest.approx(db, rel=1e-4, abs=1e-5)


def match(person: SimPerson, found: dict[int, Track]) -> Track:
    """The track nearest to a simulated person (range and angle)."""

    def cost(tr: Track) -> float:
        dr = abs(float(np.median(tr.distance)) - person.distance_m) / 0.05
        da = abs(float(np.median(tr.angle)) - person.angle_deg) / 5.0
        return max(dr, da)

    return min(found.values(), key=cost)


def assert_person_recovered(person: SimPerson, tr: Track) -> None:
    """Rate within 0.5 breaths/min, distance within 5 cm, angle within 5 degrees."""
    assert spectral_rate_bpm(tr.respiration, FS) == pytest.approx(person.breath_rate_bpm, abs=0.5)
    assert float(np.median(tr.distance)) == pytest.approx(person.distance_m, abs=0.05)
    assert float(np.median(tr.angle)) == pytest.approx(person.angle_deg, abs=5.0)
    assert float(np.median(tr.quality)) > 0.5


def asymmetric_breathing(rate_bpm: float, depth_mm: float) -> Waveform:
    """Inhale over 40 % of the cycle, exhale over 60 % (raised-cosine halves)."""

    def wave(t: NDArray[np.float64]) -> NDArray[np.float64]:
        phase = (t * rate_bpm / 60.0) % 1.0
        rise = (1.0 - np.cos(np.pi * phase / 0.4)) / 2.0
        fall = (1.0 + np.cos(np.pi * (phase - 0.4) / 0.6)) / 2.0
        return depth_mm * (np.where(phase < 0.4, rise, fall) - 0.5)

    return wave


# -- configuration, constants ----------------------------------------------------------------


def test_family_and_capabilities() -> None:
    assert FAMILY == "fmcw"
    assert CAPABILITIES.respiration_waveform
    assert CAPABILITIES.movement
    assert CAPABILITIES.can_stage_sleep
    assert CAPABILITIES.angle
    assert CAPABILITIES.multiple_targets
    assert not CAPABILITIES.breath_rate  # rates come from the sleep pipeline


def test_config_geometry_and_json_round_trip() -> None:
    cfg = FmcwConfig()
    assert cfg.bandwidth_hz == pytest.approx(5.5e9)
    assert cfg.range_resolution_m == pytest.approx(SPEED_OF_LIGHT / (2 * 5.5e9))
    assert cfg.wavelength_m == pytest.approx(SPEED_OF_LIGHT / 60.75e9)
    assert cfg.n_rx == 3
    assert cfg.rx_spacing_wl == pytest.approx(0.5)
    assert cfg.max_range_m(real=True) == pytest.approx(64 * cfg.range_resolution_m)
    assert cfg.max_range_m(real=False) == pytest.approx(128 * cfg.range_resolution_m)
    assert FmcwConfig.from_json(cfg.to_json()) == cfg
    other = replace(cfg, chirps_per_frame=1, azimuth_pair=None, frame_rate_hz=10.0)
    assert FmcwConfig.from_json(other.to_json()) == other
    with pytest.raises(ValueError, match="azimuth_pair"):
        FmcwConfig(azimuth_pair=(0, 0))
    with pytest.raises(ValueError, match="horizontally"):
        FmcwConfig(azimuth_pair=(1, 2), rx_positions_wl=((0, 0), (0.5, 0.0), (0.5, 0.5)))


# -- building blocks -------------------------------------------------------------------------


@pytest.mark.parametrize("distance_m", [0.4, 0.85, 1.3])
def test_range_profile_peaks_at_the_scatterer_and_real_matches_complex(distance_m: float) -> None:
    scene = FmcwScene(
        people=(),
        clutter=(StaticScatterer(distance_m, 20.0),),
        leakage=0.0,
        snr_db=40.0,
    )
    bins = range_bins(CONFIG, DspConfig())
    real = range_profiles(simulate(scene, 0.5, output="real").frames, CONFIG, bins)
    cplx = range_profiles(simulate(scene, 0.5, output="complex").frames, CONFIG, bins)
    energy = np.abs(real).sum(axis=(0, 1))
    peak = int(np.argmax(energy)) + bins.start
    assert abs(peak * CONFIG.range_resolution_m - distance_m) <= CONFIG.range_resolution_m
    k = peak - bins.start
    # The positive-frequency half of the real signal's spectrum is half the complex one.
    ratio = real[:, :, k] / cplx[:, :, k]
    assert np.allclose(np.abs(ratio), 0.5, atol=0.02)
    assert np.allclose(np.angle(ratio), 0.0, atol=0.05)


def test_angle_of_arrival_inverts_the_array_phase() -> None:
    for theta in (-60.0, -20.0, 0.0, 7.5, 45.0):
        delta = 2 * math.pi * 0.5 * math.sin(math.radians(theta))
        assert angle_of_arrival_deg(delta, 0.5) == pytest.approx(theta, abs=1e-9)


@pytest.mark.parametrize(
    ("arc_deg", "tol_pratt", "tol_kasa"), [(360, 0.01, 0.01), (90, 0.03, 0.05)]
)
def test_circle_fit_removes_the_dc_offset(
    arc_deg: float, tol_pratt: float, tol_kasa: float
) -> None:
    """A breathing chest on a noisy arc around a static offset three radii from the origin."""
    rng = np.random.default_rng(3)
    wavelength = CONFIG.wavelength_m
    t = np.arange(400) / FS
    # Displacement whose phase sweeps ``arc_deg`` (4 pi d / lambda).
    depth_mm = 1000 * wavelength * math.radians(arc_deg) / (4 * math.pi)
    disp = 0.5 * depth_mm * np.sin(2 * math.pi * 0.25 * t)
    centre, radius = 3.0 - 2.0j, 1.0
    z = centre + radius * np.exp(-1j * 4 * math.pi * disp / (1000 * wavelength) + 0.3j)
    z = z + 0.01 * (rng.standard_normal(t.size) + 1j * rng.standard_normal(t.size))
    c_pratt, r_pratt = circle_fit_pratt(z)
    c_kasa, _ = circle_fit_kasa(z)
    assert abs(c_pratt - centre) < tol_pratt * radius
    assert abs(c_kasa - centre) < tol_kasa * radius
    assert r_pratt == pytest.approx(radius, rel=0.05)
    # With the offset removed, arctangent demodulation gives the displacement back.
    got = phase_to_displacement_mm(arctangent_demodulation(z, c_pratt), wavelength)
    err = (got - got.mean()) - (disp - disp.mean())
    assert float(np.max(np.abs(err))) < 0.05 * depth_mm + 0.01
    # Without it, the phase of an offset arc is nothing like the displacement.
    naive = phase_to_displacement_mm(arctangent_demodulation(z), wavelength)
    assert float(np.max(np.abs((naive - naive.mean()) - (disp - disp.mean())))) > 0.3 * depth_mm


@settings(max_examples=50, deadline=None)
@given(
    cx=st.floats(-100, 100),
    cy=st.floats(-100, 100),
    radius=st.floats(0.01, 50),
    start=st.floats(-math.pi, math.pi),
    arc=st.floats(math.radians(30), 2 * math.pi),
)
def test_circle_fits_are_exact_on_noise_free_arcs(
    cx: float, cy: float, radius: float, start: float, arc: float
) -> None:
    phi = start + arc * np.linspace(0.0, 1.0, 50)
    z = complex(cx, cy) + radius * np.exp(1j * phi)
    for fit in (circle_fit_pratt, circle_fit_kasa):
        c, r = fit(z)
        assert abs(c - complex(cx, cy)) < 1e-5 * max(radius, abs(complex(cx, cy)))
        assert r == pytest.approx(radius, rel=1e-5)


def _two_antenna_echo(
    angle_deg: float, rate_hz: float, depth_mm: float, t: NDArray[np.float64]
) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    """Left/right complex bin samples of one breathing chest (unit echo) at ``angle_deg``."""
    wavelength_mm = 1000 * CONFIG.wavelength_m
    phase = -4 * math.pi * 0.5 * depth_mm * np.sin(2 * math.pi * rate_hz * t) / wavelength_mm
    left = np.exp(1j * phase)
    psi = 2 * math.pi * CONFIG.rx_spacing_wl * math.sin(math.radians(angle_deg))
    return left, left * np.exp(-1j * psi)


@pytest.mark.parametrize(("a1", "a2"), [(-10.0, 10.0), (-35.0, -15.0), (5.0, 40.0)])
def test_circularity_spectrum_has_its_minima_at_the_two_chests(a1: float, a2: float) -> None:
    rng = np.random.default_rng(0)
    t = np.arange(200) / FS
    l1, r1 = _two_antenna_echo(a1, 0.2, 6.0, t)
    l2, r2 = _two_antenna_echo(a2, 0.3, 5.0, t)
    noise = 0.02 * (rng.standard_normal((2, t.size)) + 1j * rng.standard_normal((2, t.size)))
    left = 5 - 2j + l1 + 0.8 * l2 + noise[0]  # plus static clutter in the bin
    right = 5 + 1j + r1 + 0.8 * r2 + noise[1]
    grid = np.arange(-70.0, 70.5, 1.0)
    spectrum = circularity_spectrum(left, right, grid, CONFIG.rx_spacing_wl, 2 * 0.02**2)
    inner = spectrum[1:-1]
    minima = np.flatnonzero((inner <= spectrum[:-2]) & (inner < spectrum[2:])) + 1
    deepest = sorted(grid[minima[np.argsort(spectrum[minima])][:2]])
    assert deepest == pytest.approx(sorted([a1, a2]), abs=2.0)
    assert float(spectrum[minima].min()) < 0.1 * float(np.median(spectrum))
    # One chest alone is a circle whatever the null (except on itself): no deep minima.
    alone = circularity_spectrum(5 + l1 + noise[0], 5 + r1 + noise[1], grid, 0.5, 2 * 0.02**2)
    away = np.abs(grid - a1) > 10
    assert float(np.max(alone[away])) < 0.01


# -- the whole chain on simulated frames -----------------------------------------------------

SINGLE = [
    # distance, angle, rate, depth, asymmetric waveform, output
    pytest.param(0.5, -30.0, 9.0, 6.0, False, "real", id="0.5m-30deg-9bpm"),
    pytest.param(0.9, 0.0, 15.0, 5.0, True, "adc", id="0.9m-0deg-15bpm-adc"),
    pytest.param(1.2, 20.0, 19.0, 4.0, True, "complex", id="1.2m+20deg-19bpm-iq"),
    pytest.param(1.5, 40.0, 24.0, 4.0, False, "real", id="1.5m+40deg-24bpm"),
]


@pytest.mark.parametrize(("distance", "angle", "rate", "depth", "asym", "output"), SINGLE)
def test_one_person(
    distance: float, angle: float, rate: float, depth: float, asym: bool, output: Output
) -> None:
    breathing = asymmetric_breathing(rate, depth) if asym else None
    person = SimPerson(
        distance, angle, breath_rate_bpm=rate, breath_depth_mm=depth, breathing=breathing
    )
    _, frames = run(FmcwScene(people=(person,), seed=int(rate)), output=output)
    found = tracks(frames, WARM_UP_S)
    assert len(found) == 1, "one person, one target"
    (tr,) = found.values()
    assert tr.t.size == sum(1 for f in frames if f.t >= WARM_UP_S)
    assert_person_recovered(person, tr)
    assert float(np.percentile(tr.movement, 95)) < 0.1  # lying still: below the pipeline's MOVING


@pytest.mark.parametrize(
    ("near", "far"),
    [
        pytest.param((0.6, -10.0, 12.0), (0.9, 15.0, 18.0), id="0.6m/0.9m"),
        pytest.param((0.8, 20.0, 16.0), (1.3, 25.0, 10.0), id="0.8m/1.3m-same-side"),
        pytest.param((1.0, 0.0, 20.0), (1.5, -30.0, 13.0), id="1.0m/1.5m"),
    ],
)
def test_two_people_apart_in_range(
    near: tuple[float, float, float], far: tuple[float, float, float]
) -> None:
    people = tuple(SimPerson(d, a, breath_rate_bpm=r) for d, a, r in (near, far))
    _, frames = run(FmcwScene(people=people, seed=7))
    found = tracks(frames, WARM_UP_S)
    assert len(found) == 2
    matched = [match(p, found) for p in people]
    assert matched[0] is not matched[1]
    for person, tr in zip(people, matched, strict=True):
        assert_person_recovered(person, tr)


@pytest.mark.parametrize(
    ("distance", "angles", "rates"),
    [
        pytest.param(1.0, (-10.0, 10.0), (11.0, 17.0), id="1.0m-20deg-apart"),
        pytest.param(0.7, (-30.0, -10.0), (14.0, 19.0), id="0.7m-20deg-apart-left"),
        pytest.param(1.3, (0.0, 30.0), (18.0, 12.0), id="1.3m-30deg-apart"),
    ],
)
def test_two_people_at_the_same_range_apart_in_angle(
    distance: float, angles: tuple[float, float], rates: tuple[float, float]
) -> None:
    people = (
        SimPerson(distance, angles[0], breath_rate_bpm=rates[0], breath_depth_mm=6.0),
        SimPerson(distance, angles[1], breath_rate_bpm=rates[1], breath_depth_mm=5.0),
    )
    _, frames = run(FmcwScene(people=people, seed=11))
    found = tracks(frames, WARM_UP_S)
    assert len(found) == 2
    matched = [match(p, found) for p in people]
    assert matched[0] is not matched[1]
    for person, tr in zip(people, matched, strict=True):
        assert_person_recovered(person, tr)


def test_movement_episodes_raise_the_movement_index() -> None:
    episodes = (MovementEpisode(20.0, 4.0), MovementEpisode(40.0, 6.0, amplitude_mm=10.0))
    person = SimPerson(1.0, 5.0, breath_rate_bpm=14.0, movements=episodes)
    _, frames = run(FmcwScene(people=(person,), seed=5))
    found = tracks(frames, 3.0)
    assert len(found) == 1
    (tr,) = found.values()
    for ep in episodes:
        during = (tr.t >= ep.start_s) & (tr.t < ep.start_s + ep.duration_s)
        assert float(tr.movement[during].max()) > 0.5
    quiet = np.ones(tr.t.size, dtype=bool)
    for ep in episodes:
        quiet &= (tr.t < ep.start_s - 0.5) | (tr.t > ep.start_s + ep.duration_s + 2.0)
    assert float(np.percentile(tr.movement[quiet], 95)) < 0.1
    # Breathing is recovered again once the body is still (the circle fit restarts).
    late = tr.t >= 50.0
    assert spectral_rate_bpm(tr.respiration[late], FS) == pytest.approx(14.0, abs=1.5)


def _stops_breathing(t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Breathes at 15/min for 20 s, then lies perfectly still (no breathing, no heartbeat)."""
    return np.where(t < 20.0, 3.0 * np.sin(2 * math.pi * 0.25 * t), 0.0)


@pytest.mark.parametrize(
    ("people", "after_s"),
    [
        pytest.param((), 0.0, id="empty-room"),
        pytest.param(
            (SimPerson(1.0, breath_depth_mm=0.0, heart_depth_mm=0.0),), 0.0, id="still-object"
        ),
        pytest.param(
            (SimPerson(0.8, 10.0, heart_depth_mm=0.0, breathing=_stops_breathing),),
            35.0,
            id="stops-breathing",
        ),
    ],
)
def test_a_static_scene_shows_no_breathing(people: tuple[SimPerson, ...], after_s: float) -> None:
    _, frames = run(FmcwScene(people=people, seed=2), duration_s=50.0)
    qualities = [tv.signal_quality for f in frames if f.t >= after_s for tv in f.targets]
    assert all(q < 0.3 for q in qualities)
    if after_s:  # while it breathed, it was seen
        before = [tv.signal_quality for f in frames if 5.0 <= f.t < 20.0 for tv in f.targets]
        assert before
        assert float(np.median(before)) > 0.5


@pytest.mark.parametrize(("distance", "snr_db"), [(1.0, -10.0), (0.6, -14.0)])
def test_one_person_at_low_snr(distance: float, snr_db: float) -> None:
    person = SimPerson(distance, 15.0, breath_rate_bpm=16.0)
    _, frames = run(FmcwScene(people=(person,), seed=6, snr_db=snr_db))
    found = tracks(frames, WARM_UP_S)
    assert len(found) == 1
    assert_person_recovered(person, next(iter(found.values())))


def test_output_does_not_depend_on_batching() -> None:
    cap = simulate(FmcwScene(people=(SimPerson(0.8, -15.0, breath_rate_bpm=13.0),), seed=1), 30.0)
    whole = FmcwProcessor(cap.config).process(cap.frames)
    for step in (20, 60):
        processor = FmcwProcessor(cap.config)
        parts: list[VitalsFrame] = []
        for start in range(0, len(cap.t), step):
            parts.extend(processor.process(cap.frames[start : start + step]))
        assert_same_frames(parts, whole)
    assert [f.t for f in whole] == pytest.approx(cap.t.tolist())


# -- simulator ------------------------------------------------------------------------------


def test_simulator_is_deterministic_and_its_snr_is_as_documented() -> None:
    scene = FmcwScene(people=(SimPerson(1.0),), seed=4)
    a = simulate(scene, 2.0)
    b = simulate(scene, 2.0)
    assert np.array_equal(a.frames, b.frames)
    assert not np.array_equal(a.frames, simulate(replace(scene, seed=5), 2.0).frames)
    assert a.frames.shape == (40, 3, CONFIG.chirps_per_frame, CONFIG.samples_per_chirp)
    assert scene.snr_db == DEFAULT_SNR_DB
    # Noise alone: per-sample power = (tone power of a unit chest at 1 m) / SNR.
    quiet = simulate(FmcwScene(people=(), clutter=(), leakage=0.0, snr_db=6.0), 2.0)
    snr = 10 ** (6.0 / 10)
    assert float(np.var(quiet.frames.astype(np.float64))) == pytest.approx(0.5 / snr, rel=0.03)
    cplx = simulate(
        FmcwScene(people=(), clutter=(), leakage=0.0, snr_db=6.0), 2.0, output="complex"
    )
    assert float(np.mean(np.abs(cplx.frames) ** 2)) == pytest.approx(1.0 / snr, rel=0.03)
    # A unit chest at 1 m without noise is a tone of amplitude 1.
    clean = simulate(
        FmcwScene(people=(SimPerson(1.0),), clutter=(), leakage=0.0, snr_db=200.0), 1.0
    )
    assert float(np.max(np.abs(clean.frames))) == pytest.approx(1.0, rel=0.02)
    # Ground truth: the chest moves towards the radar by the breathing displacement.
    assert np.allclose(clean.distance_m[0], 1.0 - clean.displacement_mm[0] / 1000)


# -- capture files and replay ---------------------------------------------------------------


@pytest.mark.parametrize("output", ["adc", "real", "complex"])
def test_capture_round_trip(tmp_path: Path, output: Output) -> None:
    cap = simulate(FmcwScene(people=(SimPerson(0.9, 10.0),), seed=3), 5.0, output=output)
    path = tmp_path / "night.npz"
    save_capture(path, cap.frames, cap.t, cap.config)
    loaded = load_capture(path)
    assert loaded.format_version == FORMAT_VERSION
    assert loaded.config == cap.config
    assert loaded.frames.dtype == cap.frames.dtype
    assert np.array_equal(loaded.frames, cap.frames)
    assert np.array_equal(loaded.t, cap.t)
    with np.load(path) as raw:  # an ordinary npz, readable without this package
        assert set(raw.files) == {"frames", "t", "config", "format_version"}
    batches = list(iter_capture(path, 7))
    assert [b[1].shape[0] for b in batches] == [7] * 14 + [2]
    assert np.array_equal(np.concatenate([b[1] for b in batches]), cap.frames)
    assert np.array_equal(np.concatenate([b[2] for b in batches]), cap.t)
    assert_same_frames(decode_capture(path), FmcwProcessor(cap.config).process(cap.frames, cap.t))


def test_capture_compressed_and_invalid(tmp_path: Path) -> None:
    cap = simulate(FmcwScene(seed=1), 1.0, output="adc")
    path = tmp_path / "small.npz"
    save_capture(path, cap.frames, cap.t, cap.config, compress=True)
    assert np.array_equal(np.concatenate([b[1] for b in iter_capture(path, 8)]), cap.frames)
    with pytest.raises(ValueError, match="frames must be"):
        save_capture(path, cap.frames[:, :2], cap.t, cap.config)
    with pytest.raises(ValueError, match="increase"):
        save_capture(path, cap.frames, cap.t[::-1], cap.config)
    future = tmp_path / "future.npz"
    np.savez(
        future,
        frames=cap.frames,
        t=cap.t,
        config=np.array(cap.config.to_json()),
        format_version=np.array(FORMAT_VERSION + 1),
    )
    with pytest.raises(ValueError, match="newer"):
        load_capture(future)


async def test_replay_source_yields_frames_in_time_order(tmp_path: Path) -> None:
    cap = simulate(FmcwScene(people=(SimPerson(0.7, -5.0),), seed=8), 12.0, output="adc")
    t = 1000.0 + cap.t  # a recording's own clock
    path = tmp_path / "replay.npz"
    save_capture(path, cap.frames, t, cap.config)
    source = FmcwReplaySource(path, speed=0)
    frames = [frame async for frame in source.frames()]
    times = [f.t for f in frames]
    assert times == t.tolist()
    assert all(b > a for a, b in itertools.pairwise(times))
    assert_same_frames(frames, FmcwProcessor(cap.config).process(cap.frames, t))
    assert any(f.targets for f in frames)


async def test_replay_source_paces_at_the_requested_speed(tmp_path: Path) -> None:
    cap = simulate(FmcwScene(seed=9), 3.0, output="adc")
    path = tmp_path / "paced.npz"
    save_capture(path, cap.frames, cap.t, cap.config)
    start = time.monotonic()
    frames = [f async for f in FmcwReplaySource(path, speed=20.0, batch_s=0.5).frames()]
    assert len(frames) == len(cap.t)
    assert time.monotonic() - start >= 3.0 / 20.0 * 0.9
    with pytest.raises(ValueError, match="speed"):
        FmcwReplaySource(path, speed=-1)
