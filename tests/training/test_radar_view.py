"""The radar's view of a belt or airflow recording (training/radar_view.py)."""

from __future__ import annotations

from dataclasses import replace
import math

import numpy as np
import pytest

from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.dsp import BREATH_BAND_HZ
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline
from custom_components.radar_sleep.sleep.analyze import AnalysisError
from tests.conftest import shared_data_or_skip
from training.loaders import BreathingChannel, ChannelKind, hypnogram_from_labels
from training.radar_view import (
    RadarViewConfig,
    movement_index,
    noise_sd_mm,
    projection_gain,
    radar_night,
    radar_view,
)

FS = 25.0
QUIET = RadarViewConfig(noise_mm=0.0, drift_mm=0.0, radar_band_hz=None, source_artefacts=False)
"""No radar noise, drift, artefacts or driver filter: the chest signal alone."""


def belt(
    minutes: float = 20.0,
    fs: float = FS,
    rate_bpm: float = 15.0,
    *,
    movements_s: tuple[float, ...] = (),
    seed: int = 0,
) -> np.ndarray:
    """A RIP-belt-like recording in volts: breaths, a cardiac ripple, mains hum, drift.

    ``movements_s``: times of 4-s body movements (deflections of 15 typical breaths).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(round(minutes * 60 * fs)) / fs
    phase = 2 * np.pi * rate_bpm / 60.0 * t + 0.3 * np.sin(2 * np.pi * t / 47.0)
    x = 0.4 * np.sin(phase)
    x += 0.02 * np.sin(2 * np.pi * 1.2 * t)  # cardiogenic oscillation
    x += 0.01 * np.sin(2 * np.pi * 10.0 * t)  # interference
    x += 0.3 * t / t[-1]  # belt drift
    for s in movements_s:
        a = round(s * fs)
        b = a + round(4 * fs)
        x[a:b] += 6.0 * np.sin(np.linspace(0, 3 * np.pi, b - a))
    return x + rng.normal(0.0, 0.005, size=t.size)


def power_share(x: np.ndarray, fs: float, lo: float, hi: float) -> float:
    spec = np.abs(np.fft.rfft(x - x.mean())) ** 2
    f = np.fft.rfftfreq(x.size, 1 / fs)
    return float(spec[(f >= lo) & (f < hi)].sum() / spec.sum())


def p2p(x: np.ndarray) -> float:
    """Robust peak-to-trough excursion."""
    lo, hi = np.percentile(x, [2, 98])
    return float(hi - lo)


def test_band_limited_and_at_the_radar_frame_rate() -> None:
    x = belt()
    view = radar_view(x, FS, QUIET)
    assert view.frame_rate_hz == 10.0
    assert view.n_frames == math.ceil(x.size * 10 / FS)
    np.testing.assert_allclose(np.diff(view.t), 0.1)
    chest = view.displacement_mm[300:-300]
    # Everything outside the breathing band is gone: drift, cardiac ripple, interference.
    assert power_share(chest, 10.0, *BREATH_BAND_HZ) > 0.99
    assert power_share(chest, 10.0, 1.0, 5.0) < 1e-3
    # The typical breath is 7 mm peak to trough at 0.3 m, projected to 0.3 / 0.6 at 0.6 m.
    assert view.gain == pytest.approx(0.5)
    assert p2p(chest) == pytest.approx(0.5 * 7.0, rel=0.15)
    assert view.breath_amplitude_mm == pytest.approx(3.5)


def test_driver_filter_and_noise_band() -> None:
    view = radar_view(belt(), FS, RadarViewConfig(seed=4))
    disp = view.displacement_mm[300:]
    # The reported displacement went through the driver's 0.1-0.6 Hz respiration filter.
    assert power_share(disp, 10.0, 0.08, 0.8) > 0.97
    raw = radar_view(belt(), FS, replace(RadarViewConfig(seed=4), radar_band_hz=None))
    assert power_share(raw.displacement_mm[300:], 10.0, 1.0, 5.0) > power_share(disp, 10.0, 1, 5)


def test_deterministic_from_the_seed() -> None:
    x = belt(movements_s=(300.0,))
    cfg = RadarViewConfig(seed=7, bursts_per_hour=10.0)
    a, b = radar_view(x, FS, cfg), radar_view(x, FS, cfg)
    for name in ("displacement_mm", "movement", "quality", "valid"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    c = radar_view(x, FS, replace(cfg, seed=8))
    assert not np.array_equal(a.displacement_mm, c.displacement_mm)


@pytest.mark.parametrize("height", [0.3, None])
def test_amplitude_and_noise_against_distance(height: float | None) -> None:
    x = belt()
    near, far = 0.5, 1.5
    quiet = replace(QUIET, radar_height_m=height)
    a = radar_view(x, FS, replace(quiet, distance_m=near))
    b = radar_view(x, FS, replace(quiet, distance_m=far))
    ratio = p2p(b.displacement_mm[300:-300]) / p2p(a.displacement_mm[300:-300])
    expected = projection_gain(far, height) / projection_gain(near, height)
    assert ratio == pytest.approx(expected, rel=0.02)
    assert expected == (pytest.approx(near / far) if height else 1.0)
    # Noise grows with the square of the range: measure it where breathing has no power.
    cfg = RadarViewConfig(radar_band_hz=None, source_artefacts=False, radar_height_m=height)
    noisy = [radar_view(x, FS, replace(cfg, distance_m=d, seed=1)) for d in (near, far)]
    hf = [
        math.sqrt(power_share(v.displacement_mm, 10.0, 2.0, 5.0)) * v.displacement_mm.std()
        for v in noisy
    ]
    assert hf[1] / hf[0] == pytest.approx((far / near) ** 2, rel=0.1)
    assert (
        noisy[1].noise_sd_mm
        == pytest.approx(noise_sd_mm(far, 0.15))
        == pytest.approx(0.15 * far**2)
    )
    # ... and the signal quality falls with it.
    assert noisy[1].quality[100:].mean() < noisy[0].quality[100:].mean()


def test_projection_gain() -> None:
    assert projection_gain(0.2, 0.3) == 1.0
    assert projection_gain(0.6, 0.3) == pytest.approx(0.5)
    assert projection_gain(3.0, None) == 1.0
    with pytest.raises(ValueError, match="distance"):
        projection_gain(0.0, 0.3)
    with pytest.raises(ValueError, match="distance"):
        radar_view(belt(), FS, RadarViewConfig(distance_m=-1.0))


def test_movement_is_derived_from_the_signal() -> None:
    """Breathing alone shows no movement; the source's movements become radar artefacts."""
    still = radar_view(belt(seed=1), FS, RadarViewConfig(seed=2))
    assert float(np.max(still.movement[50:])) < 0.1
    times = (200.0, 500.0, 800.0)
    moving = radar_view(belt(movements_s=times, seed=1), FS, RadarViewConfig(seed=2))
    t = moving.t
    for s in times:
        around = (t >= s - 1) & (t < s + 6)
        assert moving.movement[around].max() > 0.3, s
        assert moving.source_movement[around].max() > 0.1
    away = np.ones(t.size, dtype=bool)
    for s in times:
        away &= np.abs(t - s - 2) > 12
    assert float(np.mean(moving.movement[away] > 0.1)) < 0.005
    # Quality drops while moving.
    assert moving.quality[(t >= 201) & (t < 203)].mean() < 0.5 * moving.quality[away].mean()
    # Without source artefacts the belt's deflection is only soft-limited chest signal.
    bare = radar_view(
        belt(movements_s=times, seed=1), FS, RadarViewConfig(seed=2, source_artefacts=False)
    )
    assert float(np.sum(bare.movement > 0.3)) < float(np.sum(moving.movement > 0.3))


def test_random_bursts() -> None:
    x = belt(minutes=60)
    none = radar_view(x, FS, RadarViewConfig(seed=3))
    some = radar_view(x, FS, RadarViewConfig(seed=3, bursts_per_hour=30.0))
    frames = lambda v: int(np.sum(v.movement > 0.1))  # noqa: E731
    assert frames(none) < 20
    # About 30 bursts of about 4 s, most of them seen as movement.
    assert 10 * 10 * 4 < frames(some) < 50 * 10 * 20


def test_movement_index_calibration() -> None:
    fs = 10.0
    t = np.arange(6000) / fs
    for rate in (10, 15, 20, 30):
        breath = 3.5 * np.sin(2 * np.pi * rate / 60 * t)
        assert movement_index(breath, fs).max() < 0.1, rate
    turn = np.zeros(t.size)
    turn[1000:1040] = 12.0 * np.sin(2 * np.pi * 0.9 * np.arange(40) / fs)
    assert movement_index(turn, fs)[1000:1040].max() > 0.8


def test_frames_feed_the_runtime_pipeline() -> None:
    x = belt(minutes=25, rate_bpm=13.0)
    x[round(12 * 60 * FS) : round(12.5 * 60 * FS)] = np.nan  # 30 s unplugged
    view = radar_view(x, FS, RadarViewConfig(distance_m=0.7, angle_deg=-3.0))
    frames = list(view.frames())
    assert len(frames) == view.n_frames
    assert all(isinstance(f, VitalsFrame) for f in frames)
    with_target = [f for f in frames if f.targets]
    assert len(frames) - len(with_target) == pytest.approx(300, abs=3)
    target = with_target[0].targets[0]
    assert (target.distance_m, target.angle_deg, target.respiration_rate_hz) == (0.7, -3.0, 10.0)
    assert len(target.respiration_mm) == 1
    assert 0.0 <= target.signal_quality <= 1.0
    results = list(SleepPipeline(PipelineConfig()).run(iter(frames)))
    rates = [r.features.breathing_rate_bpm for r in results if r.record.present]
    rates = [r for r in rates if r is not None]
    assert len(rates) > 30
    assert np.median(rates) == pytest.approx(13.0, abs=0.7)
    assert sum(r.record.present for r in results) >= 44


def test_errors() -> None:
    with pytest.raises(AnalysisError, match="too short"):
        radar_view(belt(minutes=2), FS)
    with pytest.raises(AnalysisError, match="bad sample rate"):
        radar_view(belt(), -1.0)


def test_radar_night_is_training_data() -> None:
    minutes = 20
    x = belt(minutes=minutes, rate_bpm=14.0)
    labels = ["W"] * 10 + ["2"] * 20 + ["3"] * 5 + ["R"] * 4 + ["?"]
    hyp = hypnogram_from_labels(labels)
    channel = BreathingChannel(x, FS, ChannelKind.THORAX, "Thor")
    night = radar_night(channel, hyp, RadarViewConfig(seed=5))
    assert night.seed == 5
    assert night.x.shape == (40, 6)
    np.testing.assert_array_equal(night.stage, hyp.stages)
    np.testing.assert_array_equal(night.activity[:11], [0] * 10 + [2])
    assert night.activity[-1] == -1
    # Lights off at the first scored epoch, final wake after the last sleep epoch.
    np.testing.assert_array_equal(night.intent, [1] * 39 + [0])
    assert night.present[10:].all()
    assert night.in_session[15:].all()
    with pytest.raises(ValueError, match="cut it to the recording"):
        radar_night(channel, hyp.resized(60))


@pytest.mark.slow
def test_real_thermistor_night() -> None:
    """Sleep-EDF SC4001's 1-Hz thermistor: a smooth 10-Hz view with rare movement."""
    folder = shared_data_or_skip("sleep-edf-sc4001")
    resp = np.loadtxt(folder / "resp_1hz.csv", delimiter=",", skiprows=1)[:, 1]
    night = resp[961 * 30 : 1802 * 30]
    view = radar_view(night, 1.0, RadarViewConfig(seed=0))
    assert view.frame_rate_hz == 10.0
    assert view.n_frames == night.size * 10
    assert 0.0005 < float(np.mean(view.movement > 0.1)) < 0.05
    assert float(np.mean(view.quality > 0.5)) > 0.7
