"""The shared breath detectors and band-pass on signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from custom_components.radar_sleep.dsp import (
    BreathMeter,
    bandpass_sos,
    breath_stats,
    peak_times,
)

from .signals import sine_breathing, timed_breathing

FS = 10.0


@pytest.mark.parametrize("fs", [1.0, 1.2, 1.56, 2.0, 5.0, 10.0, 20.0, 25.0])
def test_breathing_band_pass_is_second_order_butterworth_clamped_below_nyquist(
    fs: float,
) -> None:
    """The epoch features' band-pass: 0.1-0.7 Hz, upper edge at most 0.9 x Nyquist."""
    expected = signal.butter(
        2, (0.1, min(0.7, 0.9 * fs / 2)), btype="bandpass", fs=fs, output="sos"
    )
    assert np.array_equal(bandpass_sos(fs), expected)


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
    # Breaths are timed between samples: the rate within a quarter breath per minute.
    assert stats.rate_bpm == pytest.approx(rate, abs=0.25)
    assert stats.interval_cv < 0.05
    assert breath_stats(x[::2], 0.5) is None  # below 1 Hz: no breath-by-breath features


def test_peak_times_are_the_vertex_of_the_parabola_through_three_samples() -> None:
    """Worked by hand: through (1, 3), (2, 4), (3, 1) the parabola is -2(t-2)^2 - (t-2) + 4."""
    x = np.array([0.0, 3.0, 4.0, 1.0, 0.0, 2.0])
    assert peak_times(x, np.array([2])).tolist() == [1.75]
    # A symmetric peak stays on its sample; a peak at either end cannot be interpolated.
    assert peak_times(np.array([1.0, 2.0, 1.0]), np.array([1])).tolist() == [1.0]
    assert peak_times(x, np.array([0, 5])).tolist() == [0.0, 5.0]
    # A flat top of two samples peaks between them; without curvature a sample stays put.
    assert peak_times(np.array([0.0, 1.0, 1.0, 0.0]), np.array([1])).tolist() == [1.5]
    assert peak_times(np.array([0.0, 1.0, 2.0]), np.array([1])).tolist() == [1.0]


@pytest.mark.parametrize("fs", [1.0, 2.0, 5.0])
def test_interval_cv_does_not_depend_on_the_frame_rate(fs: float) -> None:
    """Regular breathing (15/min, interval CV 0.03 by construction) measures as at 10 Hz.

    Timed to whole samples, every interval at 1 Hz was 4 s and the CV 0.
    """
    fine = breath_stats(timed_breathing(15, 120, jitter=0.03, seed=4, fs=FS), FS)
    coarse = breath_stats(timed_breathing(15, 120, jitter=0.03, seed=4, fs=fs), fs)
    assert fine is not None
    assert coarse is not None
    assert coarse.interval_cv == pytest.approx(fine.interval_cv, abs=0.01)
    assert coarse.interval_cv > 0.01


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


def test_breath_meter_measures_period_and_amplitude() -> None:
    t = np.arange(0.0, 120.0, 0.1)
    noise = np.random.default_rng(0).normal(0, 0.05, t.size)
    x = 3.0 * np.sin(2 * np.pi * t / 5.0) + noise  # 12 breaths/min, 6 mm peak to trough
    meter = BreathMeter()
    breaths = [b for k in range(t.size) if (b := meter.add(float(x[k]), float(t[k]), 0.1, True))]
    periods, amps = np.array(breaths).T
    assert len(breaths) >= 20
    assert np.median(periods) == pytest.approx(5.0, rel=0.05)
    assert 3.0 < np.median(amps) < 6.5  # the band-pass takes a little of the 6 mm


def test_breath_meter_counts_no_breath_across_unclean_samples() -> None:
    t = np.arange(0.0, 60.0, 0.1)
    x = 3.0 * np.sin(2 * np.pi * t / 5.0)
    meter = BreathMeter()
    breaths = [k for k in range(t.size) if meter.add(float(x[k]), float(t[k]), 0.1, False)]
    assert breaths == []
