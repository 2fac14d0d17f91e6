"""Breath detection and epoch features on signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from custom_components.radar_sleep.sleep.epoch import EpochInput
from custom_components.radar_sleep.sleep.features import FeatureExtractor, breath_stats

FS = 10.0


def sine_breathing(rate_bpm: float, seconds: float, jitter: float = 0.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    _t, out = 0.0, []
    while len(out) < seconds * FS:
        period = 60.0 / rate_bpm * (1 + jitter * rng.standard_normal())
        n = round(period * FS)
        out.extend(3.0 * (1 - np.cos(2 * np.pi * np.arange(n) / n)))
    return np.array(out[: int(seconds * FS)]) + rng.normal(0, 0.05, int(seconds * FS))


@pytest.mark.parametrize("rate", [8.0, 12.0, 15.0, 20.0, 30.0])
def test_rate_recovered(rate: float) -> None:
    stats = breath_stats(sine_breathing(rate, 90.0), FS)
    assert stats is not None
    assert stats.rate_bpm == pytest.approx(rate, abs=0.5)
    assert stats.interval_cv < 0.05
    assert stats.amplitude == pytest.approx(6.0, rel=0.25)


@pytest.mark.parametrize("rate", [10.0, 15.0, 20.0])
def test_one_hz_device_still_gives_breaths(rate: float) -> None:
    """At 1 Hz the band's upper edge moves below Nyquist (0.45 Hz) instead of giving up."""
    t = np.arange(90.0)  # 90 s at 1 Hz
    x = np.sin(2 * np.pi * rate / 60 * t) + np.random.default_rng(2).normal(0, 0.05, t.size)
    stats = breath_stats(x, 1.0)
    assert stats is not None
    # Peak times are whole seconds: the median interval is within one sample of the truth.
    assert 60 / (60 / rate + 1) <= stats.rate_bpm <= 60 / (60 / rate - 1)
    assert breath_stats(x[::2], 0.5) is None  # below 1 Hz: no breath-by-breath features


def test_irregular_breathing_has_higher_cv() -> None:
    regular = breath_stats(sine_breathing(15, 90, jitter=0.03, seed=1), FS)
    irregular = breath_stats(sine_breathing(15, 90, jitter=0.25, seed=1), FS)
    assert regular is not None
    assert irregular is not None
    assert irregular.interval_cv > 3 * regular.interval_cv


def test_noise_only_or_too_short_gives_none() -> None:
    rng = np.random.default_rng(3)
    assert breath_stats(rng.normal(0, 1e-6, 50), FS) is None
    assert breath_stats(np.zeros(900), FS) is None


def test_movement_intervals_are_dropped() -> None:
    x = sine_breathing(15, 90)
    movement = np.zeros_like(x)
    movement[300:400] = 1.0
    x[300:400] += np.linspace(0, 40, 100)
    with_mask = breath_stats(x, FS, movement)
    assert with_mask is not None
    assert with_mask.rate_bpm == pytest.approx(15, abs=0.7)
    assert with_mask.n_breaths < 22


def epoch(index: int, samples: np.ndarray, movement: float = 0.0) -> EpochInput:
    e = EpochInput(index=index, start_t=index * 30.0)
    e.respiration = samples.tolist()
    e.respiration_rate_hz = FS
    e.movement = [movement] * samples.size
    e.quality = [0.9] * samples.size
    e.distance = [0.6] * samples.size
    e.n_frames = e.present_frames = samples.size
    e.target_frames = {1: samples.size}
    return e


def test_extractor_uses_context_and_night_baseline() -> None:
    x = sine_breathing(15, 120)
    fx = FeatureExtractor()
    feats = [fx(epoch(i, x[i * 300 : (i + 1) * 300])) for i in range(4)]
    assert feats[0].breathing_rate_bpm == pytest.approx(15, abs=1.0)  # 30 s: about 7 breaths
    assert fx(epoch(5, x[:150])).breathing_rate_bpm is None  # 15 s alone is too little
    fx.reset()
    feats = [fx(epoch(i, x[i * 300 : (i + 1) * 300])) for i in range(4)]
    assert feats[2].breathing_rate_bpm == pytest.approx(15, abs=0.5)
    assert feats[3].rate_rel == pytest.approx(0.0, abs=0.05)
    assert feats[3].movement_fraction == 0.0
    assert np.isnan(fx(epoch(20, x[:150])).vector()[2])  # missing interval CV is NaN, not 0
    # A gap in epochs drops the stale context: the rate is this epoch's alone.
    later = fx(epoch(30, sine_breathing(24, 30)))
    assert later.breathing_rate_bpm == pytest.approx(24, abs=1.0)
