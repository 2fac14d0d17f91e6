"""Run the sleep pipeline on a breathing recording (CSV or EDF), as a radar would see it.

Sleep researchers have polysomnography with a breathing channel (respiratory inductance
plethysmography belts, nasal pressure, an oro-nasal thermistor) and expert stages; Radar Sleep
sees chest displacement and body movement only. This module turns a breathing recording into
the :class:`~..contracts.VitalsFrame` stream a bedside radar would produce and runs the
runtime :class:`~.pipeline.SleepPipeline` on it, so that anyone can check the pipeline on
their own recordings::

    python -m custom_components.radar_sleep.sleep analyze night.csv --start 2024-03-01T22:10
    python -m custom_components.radar_sleep.sleep analyze night.edf --channel "Resp chest"

The conversion (:func:`breathing_view`), in order:

1. **Radar frame rate.** The signal is resampled to ``frame_rate_hz`` (default 10 Hz, as the
   simulator; raw FMCW runs at 20 Hz) by polyphase filtering (band-limited, so a 1-Hz
   thermistor channel becomes a smooth 10-Hz waveform with nothing above its own Nyquist
   frequency). The pipeline's breath detector accepts 1 Hz (its band-pass,
   :data:`.features.BREATH_BAND_HZ`, then ends at 0.45 Hz), but it finds peaks on samples:
   at 1 Hz breath timing would be quantised to whole seconds, so the waveform is rebuilt at
   the radar's rate first.
2. **The night's own breathing reference.** 60-s windows whose band-passed spectrum is
   concentrated around one frequency (at least :data:`PERIODIC_FRACTION` of the band power
   within ±0.05 Hz of the peak) are clear breathing; their median RMS is the night's typical
   breath, and their median RMS of the signal's velocity the typical breathing velocity. A
   sensor that is off (daytime in an ambulatory recording) records low-amplitude noise with a
   flat spectrum, which these statistics leave out.
3. **Amplitude.** Units are unknown (ADC counts, litres, volts), so the night is scaled such
   that the typical breath is :data:`BREATH_AMPLITUDE_MM` peak to trough, the chest
   displacement of tidal breathing (4-12 mm: Kranjec J et al., *Biomed Signal Process Control*
   13:102-112, 2014). The stage features are relative to the night's own baseline, so the
   scale matters only for the primary-user tracker's population priors.
4. **Movement** is derived from the breathing signal itself, as a radar's movement index is
   from its displacement (never from EEG, EOG or EMG): the short-time (2 s) RMS of the signal's
   velocity relative to the night's typical breathing velocity, mapped on a log scale from
   :data:`MOVEMENT_FLOOR` (0) to :data:`MOVEMENT_FULL` (1); body movements show up on every
   breathing sensor as fast deflections far beyond a breath (the artefacts movement-based
   staging relies on: Long X et al., *Biomed Signal Process Control* 14:197-205, 2014).
   Samples at the ADC rail (clipping: three or more in a row at the recording's extreme value)
   count as movement 1.
5. **Signal quality** is the local (10 s) breath amplitude relative to the night's typical
   breath, mapped from 0.1 (0) to 0.4 (1), times ``1 - movement``: the radar's breathing-band
   share falls in the same way when nobody breathes in view. Presence, and therefore the
   session, follow from it: a recording is "in bed" where it carries breathing.
6. **Radar band.** The displacement is band-passed with the causal respiration filter of the
   raw-FMCW driver (second-order Butterworth, :data:`RADAR_BREATH_BAND_HZ`, as
   ``radar/fmcw/config.py``'s ``DspConfig.breathing_band_hz``) and soft-limited to
   ±:data:`LIMIT_BREATHS` typical breaths (a radar's band-passed movement artefacts are of the
   order of a breath, a belt's or a thermistor's can be tens of times larger).

Missing samples (NaN, gaps in a CSV's time column longer than :data:`MAX_GAP_S`) give frames
without a target: the radar sees nobody. After the recording ends the stream continues
without a target until the session closes, so that the night's summary is produced.

Radar Sleep is a wellness tool: its stages are estimates from breathing and movement, not a
polysomnographic or diagnostic scoring (see ``docs/analyze.md``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
import importlib
import json
import math
from pathlib import Path
import sys
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, signal

from ..contracts import (
    NightSummary,
    SessionState,
    SleepUpdate,
    Stage,
    TargetVitals,
    VitalsFrame,
)
from .config import PipelineConfig
from .features import EpochFeatures
from .models import BaselineParams, StageModel
from .pipeline import EpochRecord, SleepPipeline
from .serialize import summary_to_dict

type FloatArray = NDArray[np.float64]

DEFAULT_FRAME_RATE_HZ = 10.0
"""Frames per second fed to the pipeline (the simulator's rate)."""
RADAR_BREATH_BAND_HZ = (0.1, 0.6)
"""The raw-FMCW driver's respiration band-pass (``radar/fmcw/config.py``, ``DspConfig``)."""
BREATH_AMPLITUDE_MM = 7.0
"""Peak-to-trough chest displacement of the night's typical breath after scaling (the
simulator's population mean, ``simulation/physiology.py`` ``CHEST_DEPTH_MM``)."""
LIMIT_BREATHS = 2.0
"""Displacement soft limit, in typical breaths (``tanh``)."""
DISTANCE_M = 0.6
"""Range reported for the sleeper: inside the default zone (bedside table, your side)."""
PERIODIC_FRACTION = 0.7
"""Share of the breathing-band power within ±0.05 Hz of the spectral peak above which a
60-s window is clear breathing (white noise scores about 0.4, sleep breathing 0.8-0.95)."""
PEAK_HALF_WIDTH_HZ = 0.05
MIN_PERIODIC_WINDOWS = 10
"""Fewer clear-breathing windows than this: fall back to upper quantiles of all windows."""
MOVEMENT_FLOOR = 2.5
"""Velocity RMS, in typical breathing velocities, below which the movement index is 0 (deep
breaths and sighs stay below it)."""
MOVEMENT_FULL = 10.0
"""Velocity RMS, in typical breathing velocities, at which the movement index is 1."""
MOVEMENT_WINDOW_S = 2.0
AMPLITUDE_WINDOW_S = 10.0
QUALITY_FLOOR = 0.1
"""Local breath amplitude (in typical breaths) at which the signal quality is 0."""
QUALITY_FULL = 0.4
"""Local breath amplitude (in typical breaths) from which the signal quality is 1."""
CLIP_RUN = 3
"""Samples in a row at the recording's extreme value that make it an ADC rail."""
MAX_GAP_S = 10.0
"""A gap in a CSV's time column longer than this is missing data (no target)."""
MIN_DURATION_S = 600.0
"""Shortest recording analysed: a session needs 5 minutes, the features 90 s of context."""
TIME_COLUMNS = ("t_s", "t", "time", "time_s", "seconds", "timestamp")
"""Time columns recognised when ``--time-column`` is not given."""
BREATHING_WORDS = (
    "resp",
    "thor",
    "chest",
    "abd",
    "flow",
    "therm",
    "effort",
    "nasal",
    "rip",
    "pressure",
    "npre",
    "cannula",
)
"""EDF labels containing one of these are breathing channels (when ``--channel`` is absent),
unless they also contain one of :data:`NOT_BREATHING_WORDS`. ``training/loaders.py`` has the
full label mapping (kinds, priorities) for retraining."""
NOT_BREATHING_WORDS = ("cpap", "pap", "leak", "limit", "spo2", "sao2", "pleth", "snore", "blood")
"""``CPAP Flow``, ``Flow Limitation``, ``Pleth`` (photoplethysmogram), ``Blood pressure``..."""


class AnalysisError(ValueError):
    """The input cannot be analysed (bad file, missing column or channel, too short)."""


# -- the radar's view of a breathing signal -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreathingView:
    """A breathing recording as a radar's per-frame channels (one value per frame)."""

    frame_rate_hz: float
    t: FloatArray
    """Frame times, seconds from the first sample."""
    displacement_mm: FloatArray
    """Chest displacement (band-passed unless the view was made with ``band_hz=None``)."""
    movement: FloatArray
    """Movement index 0..1."""
    quality: FloatArray
    """Signal quality 0..1."""
    valid: NDArray[np.bool_]
    """Frames with data (False where the input was missing)."""
    scale_mm: float
    """Millimetres per input unit."""
    breath_amplitude_mm: float
    """The night's typical peak-to-trough breath after scaling."""
    periodic_fraction: float
    """Share of the 60-s windows that are clear breathing."""

    def frames(
        self,
        distance_m: float = DISTANCE_M,
        angle_deg: float | None = None,
        target_id: int = 1,
    ) -> Iterator[VitalsFrame]:
        """One :class:`~..contracts.VitalsFrame` per frame: one target, or none where invalid."""
        return single_target_frames(self, distance_m, angle_deg, target_id)


def single_target_frames(
    view: Any, distance_m: float, angle_deg: float | None, target_id: int = 1
) -> Iterator[VitalsFrame]:
    """Frames of one target from a view's per-frame channels; no target where invalid.

    ``view`` has ``t``, ``displacement_mm``, ``movement``, ``quality``, ``valid`` and
    ``frame_rate_hz`` (:class:`BreathingView`, ``training/radar_view.py``'s ``RadarView``).
    """
    rate = view.frame_rate_hz
    d = view.displacement_mm.tolist()
    m = view.movement.tolist()
    q = view.quality.tolist()
    ok = view.valid.tolist()
    for k, tk in enumerate(view.t.tolist()):
        if not ok[k]:
            yield VitalsFrame(t=tk, targets=())
            continue
        target = TargetVitals(
            target_id=target_id,
            distance_m=distance_m,
            angle_deg=angle_deg,
            respiration_mm=(d[k],),
            respiration_rate_hz=rate,
            movement=m[k],
            signal_quality=q[k],
        )
        yield VitalsFrame(t=tk, targets=(target,))


def _bandpass_sos(band_hz: tuple[float, float], fs: float) -> NDArray[np.float64]:
    """Second-order Butterworth band-pass sections, the upper edge kept below Nyquist."""
    hi = min(band_hz[1], 0.45 * fs)
    if hi <= band_hz[0]:
        raise AnalysisError(
            f"sample rate {fs:g} Hz is too low for breathing (at least "
            f"{band_hz[0] / 0.45:.2g} Hz; is the time column in seconds?)"
        )
    sos: FloatArray = signal.butter(2, (band_hz[0], hi), btype="bandpass", fs=fs, output="sos")
    return sos


def _rolling_rms(x: FloatArray, n: int) -> FloatArray:
    """Centred moving RMS over ``n`` samples."""
    out: FloatArray = np.sqrt(
        np.maximum(ndimage.uniform_filter1d(x * x, max(1, n), mode="nearest"), 0.0)
    )
    return out


def _clipped(x: FloatArray, valid: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Samples held at the recording's extreme value for :data:`CLIP_RUN` samples or more."""
    out = np.zeros(x.size, dtype=np.bool_)
    if not valid.any():
        return out
    for rail in (float(np.max(x[valid])), float(np.min(x[valid]))):
        at = valid & (x == rail)
        if np.count_nonzero(at) < CLIP_RUN:
            continue
        # Run lengths of consecutive samples at the rail.
        edges = np.diff(np.concatenate(([0], at.astype(np.int8), [0])))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        for a, b in zip(starts, stops, strict=True):
            if b - a >= CLIP_RUN:
                out[a:b] = True
    return out


def _window_stats(
    band: FloatArray, velocity: FloatArray, valid: NDArray[np.bool_], fs: float, hi_hz: float
) -> tuple[float, float, float]:
    """Typical breath RMS, typical velocity RMS and the share of clear-breathing windows.

    Windows of 60 s every 30 s; see the module docstring (step 2).
    """
    hop = round(30 * fs)
    size = 2 * hop
    n_win = (band.size - size) // hop + 1
    if n_win < 1:
        raise AnalysisError("recording too short for the breathing statistics")
    nfft = 1 << (4 * size - 1).bit_length()
    freqs = np.fft.rfftfreq(nfft, 1.0 / fs)
    in_band = (freqs >= RADAR_BREATH_BAND_HZ[0]) & (freqs <= hi_hz)
    taper = np.hanning(size)
    periodic = np.zeros(n_win, dtype=np.bool_)
    rms = np.zeros(n_win)
    vrms = np.zeros(n_win)
    usable = np.zeros(n_win, dtype=np.bool_)
    for a in range(0, n_win, 256):
        idx = np.arange(a, min(a + 256, n_win))[:, None] * hop + np.arange(size)[None, :]
        seg = band[idx]
        ok = valid[idx].all(axis=1)
        spec = np.abs(np.fft.rfft(seg * taper, n=nfft, axis=1)) ** 2
        spec = spec[:, in_band]
        f_band = freqs[in_band]
        peak = f_band[np.argmax(spec, axis=1)]
        near = np.abs(f_band[None, :] - peak[:, None]) <= PEAK_HALF_WIDTH_HZ
        total = np.maximum(spec.sum(axis=1), 1e-300)
        share = (spec * near).sum(axis=1) / total
        sl = slice(a, a + idx.shape[0])
        periodic[sl] = ok & (share >= PERIODIC_FRACTION)
        usable[sl] = ok
        rms[sl] = np.sqrt(np.mean(seg * seg, axis=1))
        vrms[sl] = np.sqrt(np.mean(velocity[idx] ** 2, axis=1))
    if not usable.any():
        raise AnalysisError("no 60-s stretch of the recording is free of missing samples")
    if np.count_nonzero(periodic) >= MIN_PERIODIC_WINDOWS:
        typical = float(np.median(rms[periodic]))
        typical_v = float(np.median(vrms[periodic]))
    else:  # no clear breathing: the upper part of the recording's own distribution
        typical = float(np.percentile(rms[usable], 75))
        typical_v = float(np.percentile(vrms[usable], 75))
    if not typical > 0 or not typical_v > 0:
        raise AnalysisError("the breathing signal is flat")
    return typical, typical_v, float(np.count_nonzero(periodic) / np.count_nonzero(usable))


def breathing_view(
    breathing: NDArray[np.floating[Any]] | Sequence[float],
    fs: float,
    *,
    frame_rate_hz: float = DEFAULT_FRAME_RATE_HZ,
    amplitude_mm: float = BREATH_AMPLITUDE_MM,
    band_hz: tuple[float, float] | None = RADAR_BREATH_BAND_HZ,
    limit_breaths: float | None = LIMIT_BREATHS,
) -> BreathingView:
    """What a radar would report of a breathing recording, frame by frame.

    Parameters
    ----------
    breathing
        Samples of a breathing channel in any unit (NaN where missing).
    fs
        Its sample rate (Hz).
    frame_rate_hz
        Output frame rate; the actual rate is ``fs * up / down`` for the nearest small
        rational ``up / down`` (exact for the usual rates).
    amplitude_mm
        Peak-to-trough displacement of the night's typical breath.
    band_hz
        The radar's causal respiration band-pass; ``None`` leaves the displacement unfiltered
        (``training/radar_view.py`` adds its noise first, then filters).
    limit_breaths
        Soft limit of the displacement in typical breaths (``None``: no limit).

    Raises
    ------
    AnalysisError
        Too short, flat, or a sample rate too low for breathing (below about 0.25 Hz).

    """
    x_in = np.asarray(breathing, dtype=np.float64).reshape(-1)
    if not fs > 0 or not math.isfinite(fs):
        raise AnalysisError(f"bad sample rate {fs!r}")
    if not frame_rate_hz > 2 * (band_hz or RADAR_BREATH_BAND_HZ)[1]:
        raise AnalysisError(f"frame rate {frame_rate_hz:g} Hz is too low for the breath band")
    valid_in = np.isfinite(x_in)
    if np.count_nonzero(valid_in) < 2:
        raise AnalysisError("the breathing signal has no valid samples")
    if x_in.size / fs < MIN_DURATION_S:
        raise AnalysisError(
            f"recording too short: {x_in.size / fs:.0f} s (at least {MIN_DURATION_S:.0f} s)"
        )
    k_in = np.arange(x_in.size)
    x = np.interp(k_in, k_in[valid_in], x_in[valid_in])
    x -= float(np.median(x[valid_in]))
    clip_in = _clipped(x, valid_in)

    ratio = Fraction(frame_rate_hz / fs).limit_denominator(1000)
    up, down = ratio.numerator, ratio.denominator
    rate = fs * up / down
    n = math.ceil(x.size * up / down)
    y: FloatArray = signal.resample_poly(x, up, down)[:n]
    t = np.arange(n) / rate
    src = np.minimum((t * fs).astype(np.int64), x.size - 1)
    valid = valid_in[src]
    spread = max(1, round(rate))  # clipping: one second either side
    clip = ndimage.maximum_filter1d(clip_in[src].astype(np.uint8), 2 * spread + 1) > 0

    hi_stat = min(RADAR_BREATH_BAND_HZ[1], 0.45 * fs)
    stat_sos = _bandpass_sos((RADAR_BREATH_BAND_HZ[0], hi_stat), rate)
    band: FloatArray = signal.sosfiltfilt(stat_sos, y)
    velocity = np.diff(y, prepend=y[0]) * rate
    typical, typical_v, periodic = _window_stats(band, velocity, valid, rate, hi_stat)

    v_ratio = _rolling_rms(velocity, round(MOVEMENT_WINDOW_S * rate)) / typical_v
    movement = np.clip(
        np.log(np.maximum(v_ratio, 1e-12) / MOVEMENT_FLOOR)
        / math.log(MOVEMENT_FULL / MOVEMENT_FLOOR),
        0.0,
        1.0,
    )
    movement[clip] = 1.0
    local = _rolling_rms(band, round(AMPLITUDE_WINDOW_S * rate)) / typical
    quality = np.clip((local - QUALITY_FLOOR) / (QUALITY_FULL - QUALITY_FLOOR), 0.0, 1.0)
    quality *= 1.0 - movement
    movement[~valid] = 0.0
    quality[~valid] = 0.0

    scale = amplitude_mm / (2.0 * math.sqrt(2.0) * typical)
    disp = y * scale
    if band_hz is not None:
        sos = _bandpass_sos(band_hz, rate)
        zi = signal.sosfilt_zi(sos) * disp[0]
        disp, _ = signal.sosfilt(sos, disp, zi=zi)
    if limit_breaths is not None:
        limit = limit_breaths * amplitude_mm
        disp = limit * np.tanh(disp / limit)
    disp = np.where(valid, disp, 0.0)
    return BreathingView(
        frame_rate_hz=rate,
        t=t,
        displacement_mm=np.asarray(disp, dtype=np.float64),
        movement=movement,
        quality=quality,
        valid=valid,
        scale_mm=scale,
        breath_amplitude_mm=amplitude_mm,
        periodic_fraction=periodic,
    )


# -- running the pipeline -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """The pipeline's account of a breathing recording, epoch by epoch and night by night.

    Epoch ``k`` covers ``[start + 30 k, start + 30 (k + 1))``: the grid starts at the first
    sample.
    """

    start: datetime
    """UTC instant of the first sample (the start of epoch 0)."""
    fs: float
    """Sample rate of the input."""
    duration_s: float
    epoch_seconds: int
    stages: NDArray[np.int8]
    """Final :class:`~..contracts.Stage` per epoch (wake where nobody was in view): each
    session's summary hypnogram inside it, the pipeline's records elsewhere."""
    probabilities: FloatArray
    """Epochs x 4: wake, light, deep, REM, as last revised (with a lookahead model, the last
    ``lookahead`` epochs of a session get their stage, not their probabilities, when it
    closes)."""
    present: NDArray[np.bool_]
    """Epochs with breathing in view for at least half the epoch."""
    in_session: NDArray[np.bool_]
    """Epochs inside a session (in bed, or briefly away, during one)."""
    records: tuple[EpochRecord, ...]
    """The pipeline's final record of each epoch it processed (revised by the stage model's
    lookahead), in the order of ``features`` and ``updates``."""
    features: tuple[EpochFeatures, ...]
    updates: tuple[SleepUpdate, ...]
    """The live state after each epoch (with the reason for each decision)."""
    summaries: tuple[NightSummary, ...]
    """One per session, in order."""
    view: BreathingView = field(repr=False)
    """The frames the pipeline saw, as arrays."""

    @property
    def n_epochs(self) -> int:
        """Number of epochs covering the recording."""
        return int(self.stages.size)

    @property
    def labels(self) -> list[str]:
        """Stage labels per epoch (``wake|light|deep|rem``)."""
        return [Stage(int(s)).label for s in self.stages]

    def epoch_start(self, index: int) -> datetime:
        """Start of epoch ``index``."""
        return self.start + timedelta(seconds=index * self.epoch_seconds)

    @property
    def main_summary(self) -> NightSummary | None:
        """The night with the most sleep (the longest session when none has any)."""
        if not self.summaries:
            return None
        return max(
            self.summaries,
            key=lambda s: (
                s.metrics.tst_min if s.metrics is not None else 0.0,
                (s.session_end - s.session_start).total_seconds(),
            ),
        )


def analyze_breathing(
    breathing: NDArray[np.floating[Any]] | Sequence[float],
    fs: float,
    start: datetime | None = None,
    *,
    config: PipelineConfig | None = None,
    stager: StageModel | None = None,
    params: BaselineParams | None = None,
    frame_rate_hz: float = DEFAULT_FRAME_RATE_HZ,
    amplitude_mm: float = BREATH_AMPLITUDE_MM,
    distance_m: float = DISTANCE_M,
) -> AnalysisResult:
    """Run the runtime sleep pipeline on a breathing recording.

    Parameters
    ----------
    breathing, fs
        The breathing channel (any unit, NaN where missing) and its sample rate.
    start
        Instant of the first sample; a naive datetime is taken as UTC (so that times print as
        the recording's own clock). ``None``: the pipeline's default origin.
    config, stager, params
        Passed to :class:`~.pipeline.SleepPipeline`; ``stager=None`` is the shipped stage
        model (the trained one where it is installed, else the baseline HMM).
    frame_rate_hz, amplitude_mm
        See :func:`breathing_view`.
    distance_m
        Range reported for the sleeper; must lie in ``config``'s user zone.

    Returns
    -------
    AnalysisResult
        Final stages per epoch: a model with a lookahead of ``L`` epochs stages each epoch
        ``L`` epochs later, and the result holds those revised stages, not the live ones.

    Raises
    ------
    AnalysisError
        See :func:`breathing_view`; also a ``distance_m`` outside the user zone.

    """
    config = config or PipelineConfig()
    if not config.zone.contains(distance_m, None):
        raise AnalysisError(f"distance {distance_m} m is outside the configured user zone")
    view = breathing_view(breathing, fs, frame_rate_hz=frame_rate_hz, amplitude_mm=amplitude_mm)
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    pipeline = SleepPipeline(config, start, stager=stager, params=params)
    origin = pipeline.origin
    duration = float(np.asarray(breathing).size / fs)
    es = config.epoch_seconds
    n_epochs = max(1, math.ceil(duration / es - 1e-9))

    def stream() -> Iterator[VitalsFrame]:
        yield from view.frames(distance_m=distance_m)
        # Nobody in view after the end, until the session has closed (summary).
        last = float(view.t[-1]) if view.t.size else 0.0
        tail = config.session_end_minutes * 60.0 + 2 * es
        for k in range(1, math.ceil(tail) + 1):
            yield VitalsFrame(t=last + k, targets=())

    present = np.zeros(n_epochs, dtype=np.bool_)
    in_session = np.zeros(n_epochs, dtype=np.bool_)
    order: list[int] = []
    final: dict[int, EpochRecord] = {}
    features: list[EpochFeatures] = []
    updates: list[SleepUpdate] = []
    # A stage model with lookahead L stages epoch k only L epochs later, by revising the
    # pipeline's record of it: keep the latest version of every record, not the live one.
    recent = pipeline.stager.lookahead + 2
    for result in pipeline.run(stream()):
        k = result.record.index
        final[k] = result.record
        for revised in pipeline.records[-recent:]:
            final[revised.index] = revised
        if not 0 <= k < n_epochs:
            continue
        order.append(k)
        present[k] = result.record.present
        in_session[k] = result.update.session_state in (SessionState.ACTIVE, SessionState.AWAY)
        features.append(result.features)
        updates.append(result.update)
    records = tuple(final[k] for k in order)
    stages = np.zeros(n_epochs, dtype=np.int8)
    probs = np.zeros((n_epochs, 4))
    probs[:, 0] = 1.0
    for rec in records:
        stages[rec.index] = int(rec.stage)
        probs[rec.index] = rec.probabilities
    # The summaries hold every session's final stages, including those the stage model gave
    # only when the session closed (its lookahead drained).
    for summary in pipeline.summaries:
        first = round((summary.hypnogram_start - origin).total_seconds() / es)
        for j, stage in enumerate(summary.hypnogram):
            if 0 <= first + j < n_epochs:
                stages[first + j] = int(stage)
    return AnalysisResult(
        start=origin,
        fs=float(fs),
        duration_s=duration,
        epoch_seconds=es,
        stages=stages,
        probabilities=probs,
        present=present,
        in_session=in_session,
        records=records,
        features=tuple(features),
        updates=tuple(updates),
        summaries=tuple(pipeline.summaries),
        view=view,
    )


# -- reading files --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recording:
    """A breathing channel read from a file."""

    signal: FloatArray
    fs: float
    channel: str
    source: Path
    format: str
    """``csv`` or ``edf``."""
    start: datetime | None = None
    """Instant of the first sample, when the file says."""
    t0_s: float = 0.0
    """Time-column value of the first sample (CSV)."""


def _parse_time(values: list[str], column: str) -> tuple[FloatArray, datetime | None]:
    """Seconds (relative to 0) or ISO timestamps (relative to the first, which is returned)."""
    try:
        return np.array([float(v) for v in values]), None
    except ValueError:
        pass
    try:
        stamps = [datetime.fromisoformat(v.strip()) for v in values]
    except ValueError as err:
        raise AnalysisError(
            f"time column {column!r} is neither seconds nor ISO times: {err}"
        ) from err
    first = stamps[0]
    return np.array([(s - first).total_seconds() for s in stamps]), first


def _uniform(t: FloatArray, x: FloatArray, column: str) -> tuple[FloatArray, float]:
    """Samples on a uniform grid at the median sample interval; gaps become NaN."""
    if t.size < 2:
        raise AnalysisError("the recording has fewer than two samples")
    dt = np.diff(t)
    bad = np.flatnonzero(~(dt > 0))
    if bad.size:
        row = int(bad[0]) + 2
        raise AnalysisError(f"time column {column!r} is not increasing at data row {row}")
    step = float(np.median(dt))
    fs = 1.0 / step
    # Snap to 6 significant digits (a time column printed with rounding).
    fs = float(f"{fs:.6g}")
    if np.all(np.abs(dt - 1.0 / fs) <= 1e-6 * max(1.0, float(t[-1]))):
        return x, fs
    grid = t[0] + np.arange(math.floor((t[-1] - t[0]) * fs) + 1) / fs
    finite = np.isfinite(x)
    if np.count_nonzero(finite) < 2:
        raise AnalysisError("the breathing signal has no valid samples")
    out = np.interp(grid, t[finite], x[finite])
    right = np.clip(np.searchsorted(t, grid, side="left"), 1, t.size - 1)
    gap = (t[right] - t[right - 1]) > MAX_GAP_S
    out[gap] = np.nan
    return out, fs


def read_csv(
    path: Path, time_column: str | None = None, signal_column: str | None = None
) -> Recording:
    """A breathing column with its time column (seconds or ISO timestamps) from a CSV file.

    Without ``time_column`` the first of :data:`TIME_COLUMNS` present is used; without
    ``signal_column`` the only other column. Empty cells are missing samples.
    """
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise AnalysisError(f"{path} is empty")
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise AnalysisError(f"cannot read {path}: {err}") from err
    names = [h.strip() for h in header]
    listed = ", ".join(names)
    if time_column is None:
        time_column = next((c for c in TIME_COLUMNS if c in names), None)
        if time_column is None:
            raise AnalysisError(f"no time column in {path} (columns: {listed}); use --time-column")
    elif time_column not in names:
        raise AnalysisError(f"no column {time_column!r} in {path} (columns: {listed})")
    if signal_column is None:
        others = [c for c in names if c != time_column]
        if len(others) != 1:
            raise AnalysisError(
                f"which column is breathing? (columns: {listed}); use --signal-column"
            )
        signal_column = others[0]
    elif signal_column not in names:
        raise AnalysisError(f"no column {signal_column!r} in {path} (columns: {listed})")
    ti, si = names.index(time_column), names.index(signal_column)
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if any(len(r) <= max(ti, si) for r in rows):
        raise AnalysisError(f"{path} has rows with missing cells")
    t, start = _parse_time([r[ti] for r in rows], time_column)
    values = np.empty(len(rows))
    for k, r in enumerate(rows):
        cell = r[si].strip()
        try:
            values[k] = float(cell) if cell else math.nan
        except ValueError:
            raise AnalysisError(
                f"column {signal_column!r}, data row {k + 1}: {cell!r} is not a number"
            ) from None
    if not np.all(np.isfinite(t)):
        raise AnalysisError(f"time column {time_column!r} has missing values")
    x, fs = _uniform(t, values, time_column)
    return Recording(
        signal=x,
        fs=fs,
        channel=signal_column,
        source=path,
        format="csv",
        start=start,
        t0_s=float(t[0]) if t.size else 0.0,
    )


def read_edf(path: Path, channel: str | None = None) -> Recording:
    """One breathing channel of an EDF/EDF+ file (needs the optional ``edfio`` package).

    Without ``channel`` the only label containing one of :data:`BREATHING_WORDS` is used.
    """
    try:
        edfio = importlib.import_module("edfio")
    except ImportError:
        raise AnalysisError(
            "reading EDF needs the edfio package: pip install edfio (or export a CSV)"
        ) from None
    try:
        edf = edfio.read_edf(path, lazy_load_data=True)
        continuous = bool(edf.is_continuous)
    except (OSError, ValueError, UnicodeDecodeError, IndexError) as err:
        raise AnalysisError(f"cannot read {path} as EDF: {err}") from err
    if not continuous:
        raise AnalysisError(f"{path} is a discontinuous EDF+ (EDF+D): export it as continuous")
    labels = [str(s.label).strip() for s in edf.signals]
    listed = ", ".join(labels) or "none"
    if channel is None:
        matches = [
            lb
            for lb in labels
            if any(w in lb.lower() for w in BREATHING_WORDS)
            and not any(w in lb.lower() for w in NOT_BREATHING_WORDS)
        ]
        if len(matches) != 1:
            what = "several" if matches else "no"
            raise AnalysisError(
                f"{what} breathing channels in {path} (channels: {listed}); use --channel"
            )
        channel = matches[0]
    wanted = channel.strip().lower()
    index = next((i for i, lb in enumerate(labels) if lb.lower() == wanted), None)
    if index is None:
        raise AnalysisError(f"no channel {channel!r} in {path} (channels: {listed})")
    sig = edf.signals[index]
    try:
        data = np.asarray(sig.data, dtype=np.float64)
    except (OSError, ValueError) as err:
        raise AnalysisError(f"cannot read channel {labels[index]!r} of {path}: {err}") from err
    try:
        start: datetime | None = edf.startdatetime
    except ValueError, AttributeError:  # anonymised dates
        start = None
    return Recording(
        signal=data,
        fs=float(sig.sampling_frequency),
        channel=labels[index],
        source=path,
        format="edf",
        start=start,
    )


def read_recording(
    path: Path,
    channel: str | None = None,
    time_column: str | None = None,
    signal_column: str | None = None,
) -> Recording:
    """A CSV or EDF breathing recording (by the file's suffix; CSV unless ``.edf``/``.rec``)."""
    if not path.is_file():
        raise AnalysisError(f"no such file: {path}")
    if path.suffix.lower() in {".edf", ".rec", ".bdf"}:
        return read_edf(path, channel)
    return read_csv(path, time_column, signal_column or channel)


# -- output ---------------------------------------------------------------------------------------


def result_to_dict(result: AnalysisResult, recording: Recording | None = None) -> dict[str, Any]:
    """JSON types: source, conversion, hypnogram per epoch, and each night's summary."""
    view = result.view
    main = result.main_summary
    out: dict[str, Any] = {}
    if recording is not None:
        out["source"] = {
            "file": str(recording.source),
            "format": recording.format,
            "channel": recording.channel,
        }
    out["recording"] = {
        "start": result.start.isoformat(),
        "fs_hz": result.fs,
        "duration_s": round(result.duration_s, 3),
    }
    out["conversion"] = {
        "frame_rate_hz": view.frame_rate_hz,
        "scale_mm_per_unit": view.scale_mm,
        "breath_amplitude_mm": view.breath_amplitude_mm,
        "clear_breathing_fraction": round(view.periodic_fraction, 4),
        "valid_fraction": round(float(np.mean(view.valid)), 4),
        "movement_fraction": round(float(np.mean(view.movement > 0.1)), 4),
    }
    out["hypnogram"] = {
        "start": result.start.isoformat(),
        "epoch_seconds": result.epoch_seconds,
        "stages": result.labels,
    }
    out["nights"] = [summary_to_dict(s) for s in result.summaries]
    out["night"] = None if main is None else summary_to_dict(main)
    return out


EPOCH_COLUMNS = (
    "epoch",
    "start",
    "stage",
    "p_wake",
    "p_light",
    "p_deep",
    "p_rem",
    "present",
    "in_session",
    "trying_to_sleep",
    "intent_score",
    "breathing_rate_bpm",
    "movement_fraction",
    "movement_max",
    "interval_cv",
    "amplitude_mm",
    "amplitude_cv",
)
"""Columns of ``--epochs-csv``."""


def write_epochs_csv(result: AnalysisResult, path: Path) -> None:
    """One row per epoch: stage, probabilities, session, intent and the main features."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(EPOCH_COLUMNS)
        by_index = {
            r.index: (r, f, u)
            for r, f, u in zip(result.records, result.features, result.updates, strict=True)
        }

        def num(value: float | None, digits: int = 4) -> str:
            return "" if value is None else f"{value:.{digits}g}"

        for k in range(result.n_epochs):
            p = result.probabilities[k]
            row: list[str] = [
                str(k),
                result.epoch_start(k).isoformat(),
                Stage(int(result.stages[k])).label,
                *(f"{float(v):.4f}" for v in p),
                str(int(result.present[k])),
                str(int(result.in_session[k])),
            ]
            if k in by_index:
                rec, feat, upd = by_index[k]
                row += [
                    str(int(upd.trying_to_sleep)),
                    num(rec.intent_score),
                    num(rec.breathing_rate_bpm),
                    num(feat.movement_fraction),
                    num(feat.movement_max),
                    num(feat.interval_cv),
                    num(feat.amplitude_mm),
                    num(feat.amplitude_cv),
                ]
            else:
                row += ["0"] + [""] * 7
            writer.writerow(row)


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by ``None`` (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _parse_start(text: str) -> datetime:
    """An ISO 8601 date-time; naive times are taken as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as err:
        raise AnalysisError(f"--start: {err}") from err
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Entry point of ``python -m custom_components.radar_sleep.sleep``; the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m custom_components.radar_sleep.sleep",
        description="Run Radar Sleep's sleep pipeline on a breathing recording.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ana = sub.add_parser("analyze", help="stage a breathing recording (CSV or EDF)")
    ana.add_argument("file", type=Path)
    ana.add_argument("--channel", help="EDF channel label (CSV: the breathing column)")
    ana.add_argument("--time-column", help=f"CSV time column (default: one of {TIME_COLUMNS})")
    ana.add_argument("--signal-column", help="CSV breathing column (default: the other one)")
    ana.add_argument("--start", help="ISO time of the first sample (CSV: of time 0); naive = UTC")
    ana.add_argument("--epochs-csv", type=Path, help="also write one row per epoch here")
    ana.add_argument("--frame-rate", type=float, default=DEFAULT_FRAME_RATE_HZ)
    args = parser.parse_args(argv)

    try:
        recording = read_recording(args.file, args.channel, args.time_column, args.signal_column)
        start = recording.start
        if args.start is not None:
            start = _parse_start(args.start) + timedelta(seconds=recording.t0_s)
        result = analyze_breathing(
            recording.signal, recording.fs, start, frame_rate_hz=args.frame_rate
        )
        if args.epochs_csv is not None:
            write_epochs_csv(result, args.epochs_csv)
    except (AnalysisError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    data = result_to_dict(result, recording)
    data["recording"]["start_assumed"] = start is None
    out.write(json.dumps(_finite(data), allow_nan=False) + "\n")
    return 0
