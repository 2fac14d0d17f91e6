"""Signal processing shared by the layers: the breathing band-pass and the breath detectors.

Home-Assistant-free, numpy/scipy only, and importing nothing of the package: like
:mod:`.contracts`, every layer (``radar/``, ``simulation/``, ``sleep/``) may import it, so
that the breathing band is defined once for the radar's demodulator and the sleep pipeline's
breath detector.

Two breath detectors, because they answer two different questions:

* :func:`breath_stats`: breath-by-breath *statistics of a window* (the epoch features): the
  zero-phase Butterworth band-pass of :func:`bandpass_sos` over the whole window, breaths as
  prominent peaks (``scipy.signal.find_peaks``). Needs the window, costs O(n log n).
* :class:`BreathMeter`: a *causal, O(1)-per-sample* breath stream (the primary-user tracker's
  breathing signatures, run on every target of every frame): a difference of two exponential
  moving averages as band-pass and breaths as hysteresis crossings. Its breaths arrive as they
  end, with no look-ahead and no numpy.

Both count no breath across body movement (:data:`BODY_MOVEMENT`) and none shorter than
:data:`MIN_BREATH_PERIOD_S`.
"""

from __future__ import annotations

from dataclasses import dataclass
import functools
import math

import numpy as np
from numpy.typing import NDArray
from scipy import signal

type FloatArray = NDArray[np.float64]

BREATH_BAND_HZ = (0.1, 0.7)
"""6-42 breaths/min: adult breathing at rest and in sleep, with margin."""
NYQUIST_MARGIN = 0.9
"""A band's upper edge is kept at most this fraction of Nyquist: below 1.56 Hz the breathing
band's upper edge moves to 0.9 x Nyquist (0.45 Hz = 27 breaths/min at 1 Hz, still above
sleeping rates), so a 1-Hz device still gives breath-by-breath features."""
BODY_MOVEMENT = 0.3
"""Movement energy (``TargetVitals.movement``, 0..1) above which a sample is body movement
(a posture change, a limb), not breathing: breath detectors count no breath across it and
the primary-user tracker learns the user's usual place only below it."""
MIN_BREATH_PERIOD_S = 1.4
"""Shortest breath either detector accepts: at most about 43 breaths/min (adults and pets at
rest)."""


def band_edges(fs: float, band_hz: tuple[float, float] = BREATH_BAND_HZ) -> tuple[float, float]:
    """``band_hz`` with its upper edge clamped to ``NYQUIST_MARGIN`` x Nyquist of ``fs``."""
    return (band_hz[0], min(band_hz[1], NYQUIST_MARGIN * fs / 2))


def bandpass_sos(
    fs: float, band_hz: tuple[float, float] = BREATH_BAND_HZ, order: int = 2
) -> FloatArray:
    """Butterworth band-pass second-order sections for the breathing band at ``fs``.

    Second order by default (Butterworth S, On the theory of filter amplifiers, *Wireless
    Engineer* 7:536-541, 1930); the upper edge is clamped by :func:`band_edges`. Raises
    ``ValueError`` when the clamped band is empty (``fs`` too low for breathing).
    """
    lo, hi = band_edges(fs, band_hz)
    if hi <= lo:
        raise ValueError(
            f"sample rate {fs:g} Hz is too low for a {lo:g}-{band_hz[1]:g} Hz band-pass"
        )
    return _butter_sos(order, lo, hi, fs).copy()


@functools.lru_cache(maxsize=64)
def _butter_sos(order: int, lo: float, hi: float, fs: float) -> FloatArray:
    """The Butterworth design, made once per band and rate.

    Designing took a third of an epoch's breath statistics. The cached sections are read-only
    (:func:`bandpass_sos` hands out copies: SciPy's filters want writable sections).
    """
    sos: FloatArray = signal.butter(order, (lo, hi), btype="bandpass", fs=fs, output="sos")
    sos.flags.writeable = False
    return sos


# -- window statistics (epoch features) ---------------------------------------------------

MIN_RATE_HZ = 1.0
"""Slowest sampling :func:`breath_stats` accepts: below 1 Hz the upper edge would fall under
ordinary breathing rates (0.45 x 0.8 Hz = 22 breaths/min)."""
MIN_BREATHS = 4
"""Fewest clean breath intervals :func:`breath_stats` summarises."""


@dataclass(frozen=True, slots=True)
class BreathStats:
    """Breath-by-breath statistics of a respiration segment."""

    n_breaths: int
    rate_bpm: float
    interval_cv: float
    amplitude: float
    amplitude_cv: float


def breath_stats(
    displacement: FloatArray, fs: float, movement: FloatArray | None = None
) -> BreathStats | None:
    """Detect breaths (peaks of the band-passed displacement) and summarise them.

    Breaths are maxima of the 0.1-0.7 Hz band-passed signal (:func:`bandpass_sos`, applied
    forward and backward: zero phase; the upper edge at most 0.9 x Nyquist, for 1-Hz devices)
    at least :data:`MIN_BREATH_PERIOD_S` apart (one sample at 1 Hz) whose prominence exceeds
    30 % of the segment's robust amplitude, each timed between samples
    (:func:`peak_times`); intervals overlapping body movement
    (:data:`BODY_MOVEMENT`) are discarded, as movement artefacts are not breaths. Returns
    ``None`` when fewer than :data:`MIN_BREATHS` clean breaths remain. Respiratory-effort
    features as in Redmond SJ, Heneghan C, *IEEE Trans Biomed Eng* 53(3):485-496, 2006.
    """
    if displacement.size < fs * 20 or fs < MIN_RATE_HZ:
        return None
    sos = bandpass_sos(fs)
    x = signal.sosfiltfilt(sos, displacement - float(np.mean(displacement)))
    lo, hi = np.percentile(x, [5, 95])
    robust = float(hi - lo)
    if robust <= 0:
        return None
    peaks, props = signal.find_peaks(
        x, distance=max(1, int(MIN_BREATH_PERIOD_S * fs)), prominence=0.3 * robust
    )
    if peaks.size < MIN_BREATHS + 1:
        return None
    intervals = np.diff(peak_times(x, peaks)) / fs
    prominences = props["prominences"][1:]
    if movement is not None and movement.size == displacement.size:
        moving = np.cumsum(movement > BODY_MOVEMENT)
        clean = (moving[peaks[1:]] - moving[peaks[:-1]]) == 0
        intervals, prominences = intervals[clean], prominences[clean]
    if intervals.size < MIN_BREATHS:
        return None
    mean_interval = float(np.mean(intervals))
    return BreathStats(
        n_breaths=int(intervals.size),
        rate_bpm=60.0 / float(np.median(intervals)),
        interval_cv=float(np.std(intervals) / mean_interval),
        amplitude=float(np.median(prominences)),
        amplitude_cv=float(np.std(prominences) / max(float(np.mean(prominences)), 1e-9)),
    )


def peak_times(x: FloatArray, peaks: NDArray[np.intp]) -> FloatArray:
    """The positions of the maxima ``peaks`` of ``x``, in samples, between samples.

    Quadratic interpolation: the vertex of the parabola through each peak sample and its two
    neighbours (Smith JO, Serra X, PARSHL: an analysis/synthesis program for non-harmonic
    sounds based on a sinusoidal representation, *Proc. ICMC* 1987), kept within half a
    sample; a peak at either end of ``x`` stays where it is. Without it a breath's time is a
    whole sample: at 1 Hz every breath interval is a whole second, and a sleeper breathing
    at 15 per minute with an interval CV of 0.03 measures 0.000 (with it 0.022, as at 10 Hz).
    """
    times = peaks.astype(np.float64)
    inner = (peaks > 0) & (peaks < x.size - 1)
    i = peaks[inner]
    before, at, after = x[i - 1], x[i], x[i + 1]
    curvature = before - 2.0 * at + after
    safe = np.where(curvature < 0.0, curvature, -1.0)
    offset = np.where(curvature < 0.0, 0.5 * (before - after) / safe, 0.0)
    times[inner] = i + np.clip(offset, -0.5, 0.5)
    return times


# -- causal breath stream (primary-user tracking) ------------------------------------------

FAST_TAU_S = 0.35
"""Low-pass of :class:`BreathMeter` (EMA): passes breathing up to about 0.45 Hz."""
SLOW_TAU_S = 4.0
"""Baseline of :class:`BreathMeter` (EMA): removes drift below about 0.04 Hz."""
ENVELOPE_TAU_S = 10.0
"""Time constant of :class:`BreathMeter`'s running amplitude (mean absolute signal)."""
HYSTERESIS = 0.35
""":class:`BreathMeter`'s crossing thresholds as a fraction of the running breath amplitude."""
MAX_BREATH_PERIOD_S = 15.0
"""Longest breath :class:`BreathMeter` reports (a longer gap is a pause, not a breath)."""


class BreathMeter:
    """Breath-by-breath period and amplitude of a displacement stream, O(1) per sample.

    The displacement is band-passed as the difference of two exponential moving averages
    (time constants :data:`FAST_TAU_S` and :data:`SLOW_TAU_S`); a breath is an upward
    crossing of a hysteresis threshold (:data:`HYSTERESIS` of the running amplitude, estimated
    from the mean absolute band-passed signal) after a downward one, its period the time since
    the previous breath and its amplitude the peak-to-trough excursion between them. Samples
    during body movement or of low quality (``clean=False``, the caller's judgement) reset the
    breath in progress.

    Unlike :func:`breath_stats` it is causal and needs no window: the band-pass is a first-
    order-per-EMA IIR filter, not the zero-phase Butterworth of :func:`bandpass_sos`, and a
    breath is a hysteresis crossing, not a prominent peak; so its breaths are not those of
    :func:`breath_stats` on the same signal.
    """

    __slots__ = ("_envelope", "_fast", "_hi", "_last_up", "_lo", "_peak", "_slow", "_up")

    def __init__(self) -> None:
        """Start with no signal."""
        self._fast: float | None = None
        self._slow = 0.0
        self._envelope = 0.0
        self._up = False
        self._hi = 0.0
        self._lo = 0.0
        self._peak: float | None = None
        self._last_up: float | None = None

    def add(self, x: float, t: float, dt: float, clean: bool) -> tuple[float, float] | None:
        """Fold in one sample at time ``t`` (``dt`` after the previous one).

        Returns a finished breath's ``(period_s, amplitude)``, else ``None``.
        """
        if self._fast is None:
            self._fast = self._slow = x
            return None
        self._fast += dt / (FAST_TAU_S + dt) * (x - self._fast)
        self._slow += dt / (SLOW_TAU_S + dt) * (x - self._slow)
        y = self._fast - self._slow
        if not clean:
            self._last_up = None
            self._peak = None
            return None
        self._envelope += dt / (ENVELOPE_TAU_S + dt) * (abs(y) - self._envelope)
        h = HYSTERESIS * 0.5 * math.pi * self._envelope
        self._hi = max(self._hi, y)
        self._lo = min(self._lo, y)
        if self._up:
            if y < -h:
                self._up = False
                self._peak = self._hi
                self._lo = y
            return None
        if y <= h:
            return None
        self._up = True
        result: tuple[float, float] | None = None
        if self._last_up is not None and self._peak is not None:
            period = t - self._last_up
            amplitude = self._peak - self._lo
            if MIN_BREATH_PERIOD_S <= period <= MAX_BREATH_PERIOD_S and amplitude > 0.0:
                result = (period, amplitude)
        self._last_up = t
        self._hi = y
        return result
