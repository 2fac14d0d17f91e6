"""A breathing recording as a bedside radar sees it: the source view and the radar view.

Polysomnography records breathing with belts (RIP), a nasal cannula or a thermistor; Radar
Sleep sees chest displacement in millimetres, a movement index and a signal quality, per radar
frame. Two views, the second built on the first, both yielding the
:class:`~custom_components.radar_sleep.contracts.VitalsFrame` stream of one target
(:func:`single_target_frames`) on which the runtime
:class:`~custom_components.radar_sleep.sleep.SleepPipeline` runs unchanged:

* :func:`breathing_view` (:class:`BreathingView`): the recording itself as a radar's
  channels, used by ``python -m training.psg.analyze`` to stage a researcher's recording.
  Its movement index is the **source movement index** (:func:`source_movement_index`): the
  signal's velocity relative to the night's typical breathing velocity.
* :func:`radar_view` (:class:`RadarView`): the same source seen through a simulated radar
  (line-of-sight projection, movement artefacts, noise and drift) for training and testing
  the models on expert-scored nights (:func:`radar_night`). Its movement index is the
  **radar movement index** (:func:`movement_index`): the acceleration of the radar's
  displacement in mm/s^2, as the raw-FMCW driver derives it; the source movement index only
  places the artefacts.

The two movement indices measure different signals (the source, and the simulated radar's
displacement with its artefacts and noise) and both are kept: one view's numbers never
change with the other's.

Source view (:func:`breathing_view`), in order:

The conversion (:func:`breathing_view`), in order:

1. **Radar frame rate.** The signal is resampled to ``frame_rate_hz`` (default 10 Hz, as the
   simulator; raw FMCW runs at 20 Hz) by polyphase filtering (band-limited, so a 1-Hz
   thermistor channel becomes a smooth 10-Hz waveform with nothing above its own Nyquist
   frequency). The pipeline's breath detector accepts 1 Hz (its band-pass,
   :data:`~custom_components.radar_sleep.dsp.BREATH_BAND_HZ`, then ends at 0.45 Hz), but it
   finds peaks on samples: at 1 Hz breath timing would be quantised to whole seconds, so the
   waveform is rebuilt at the radar's rate first.
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
   :data:`SOURCE_MOVEMENT_FLOOR` (0) to :data:`SOURCE_MOVEMENT_FULL` (1)
   (:func:`source_movement_index`); body movements show up on every breathing sensor as fast
   deflections far beyond a breath (the artefacts movement-based
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

Radar view (:func:`radar_view`), in order (one random generator seeded by
:attr:`RadarViewConfig.seed` drives every draw, so a view is a pure function of its inputs
and the seed):

The steps, in order (one random generator seeded by :attr:`RadarViewConfig.seed` drives every
draw, so a view is a pure function of its inputs and the seed):

1. **Source conversion** (:func:`breathing_view`, the source view of the analyze tool):
   resampling to the radar frame rate, the night's typical breath and its scaling to
   :attr:`~RadarViewConfig.breath_amplitude_mm` peak to trough, the source's own movements
   (fast deflections far beyond a breath) and where it carries breathing at all.
2. **Band limits**: the chest signal is band-limited to the radar pipeline's breathing band,
   :data:`~custom_components.radar_sleep.dsp.BREATH_BAND_HZ` (zero phase: this is
   the body, not a filter of the radar), which removes belt drift, cardiogenic oscillation and
   thermistor noise, and soft-limited to ±:data:`LIMIT_BREATHS` typical breaths: a belt's or a
   thermistor's movement artefact is not chest displacement (step 4 puts a radar one back).
3. **Distance-dependent amplitude**: a radar measures the radial (line-of-sight) component of
   the chest's excursion. With the radar :attr:`~RadarViewConfig.radar_height_m` above the
   chest of a supine sleeper whose excursion is vertical, that is ``h / d`` of it at slant
   range ``d`` (capped at 1): :func:`projection_gain`. ``radar_height_m=None`` keeps the full
   excursion at every range (as ``simulation/bedroom.py`` does).
4. **Movement artefacts**: every movement found in the source (step 1) becomes a burst of
   large, fast displacement, as a radar sees a body moving: the sum of three sines of
   0.2-1.5 Hz with random phases, ``energy x U(3, 15) mm`` (``simulation/bedroom.py``'s gross
   movements), ``energy`` being the source movement index. Extra random bursts
   (:attr:`~RadarViewConfig.bursts_per_hour`, off by default) add movements that are not the
   sleeper's (augmentation only: they are not in the expert's labels).
5. **Radar noise**: white displacement noise of SD ``noise_mm * max(d, 0.3)**2`` (received
   power falls as ``d**-4``, so phase noise grows as ``d**2``; ``simulation/bedroom.py``) and a
   slow random-walk drift.
6. **Movement channel**, derived from the displacement as a radar derives it, never from
   EEG/EOG/EMG: the 1-s RMS acceleration of the displacement (low-passed at
   :data:`MOVEMENT_LOWPASS_HZ`) mapped on a log scale from :data:`MOVEMENT_FLOOR_MM_S2` (0;
   breaths, even fast or deep ones, stay below it) to :data:`MOVEMENT_FULL_MM_S2` (1)
   (:func:`movement_index`).
7. **Signal quality**: the radar's SNR term ``a / (a + 4 sigma)`` (``a`` the projected typical
   breath, ``sigma`` the noise SD; ``simulation/bedroom.py``), times the source's own breathing
   quality (zero where the belt or sensor carries no breathing), times ``1 - movement``.
8. **The driver's filter**: the displacement reported is band-passed by the raw-FMCW driver's
   causal respiration filter (:data:`RADAR_BREATH_BAND_HZ`); ``radar_band_hz=None`` reports
   it unfiltered (as the simulator).

Radar Sleep is a wellness tool: its stages are estimates from breathing and movement, not a
polysomnographic or diagnostic scoring (see ``docs/analyze.md``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, signal

from custom_components.radar_sleep.contracts import (
    EPOCH_SECONDS,
    SessionState,
    TargetVitals,
    VitalsFrame,
)
from custom_components.radar_sleep.dsp import BREATH_BAND_HZ, bandpass_sos
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline
from custom_components.radar_sleep.sleep.features import MOVEMENT_FRAME_LEVEL
from training.psg import RecordingError

if TYPE_CHECKING:
    from training.datasets import Night
    from training.psg.channels import BreathingChannel
    from training.psg.hypnogram import Hypnogram

type FloatArray = NDArray[np.float64]

DEFAULT_FRAME_RATE_HZ = 10.0
"""Frames per second fed to the pipeline (the simulator's rate)."""
RADAR_BREATH_BAND_HZ = (0.1, 0.6)
"""The raw-FMCW driver's respiration band-pass (``radar/fmcw/config.py``, ``DspConfig``)."""
BREATH_AMPLITUDE_MM = 7.0
"""Peak-to-trough chest displacement of the night's typical breath after scaling (the
simulator's population mean, ``simulation/physiology.py`` ``CHEST_DEPTH_MM``)."""
LIMIT_BREATHS = 2.0
"""Displacement soft limit, in typical breaths (``tanh``): of the analysed displacement
(:func:`breathing_view`) and of the radar view's chest signal (:func:`radar_view`, step 2)."""
DISTANCE_M = 0.6
"""Range reported for the sleeper: inside the default zone (bedside table, your side)."""
PERIODIC_FRACTION = 0.7
"""Share of the breathing-band power within ±0.05 Hz of the spectral peak above which a
60-s window is clear breathing (white noise scores about 0.4, sleep breathing 0.8-0.95)."""
PEAK_HALF_WIDTH_HZ = 0.05
MIN_PERIODIC_WINDOWS = 10
"""Fewer clear-breathing windows than this: fall back to upper quantiles of all windows."""
SOURCE_MOVEMENT_FLOOR = 2.5
"""Velocity RMS, in typical breathing velocities, below which the movement index is 0 (deep
breaths and sighs stay below it)."""
SOURCE_MOVEMENT_FULL = 10.0
"""Velocity RMS, in typical breathing velocities, at which the movement index is 1."""
SOURCE_MOVEMENT_WINDOW_S = 2.0
"""Window of the source movement index (velocity RMS)."""
AMPLITUDE_WINDOW_S = 10.0
QUALITY_FLOOR = 0.1
"""Local breath amplitude (in typical breaths) at which the signal quality is 0."""
QUALITY_FULL = 0.4
"""Local breath amplitude (in typical breaths) from which the signal quality is 1."""
CLIP_RUN = 3
"""Samples in a row at the recording's extreme value that make it an ADC rail."""
MIN_DURATION_S = 600.0
"""Shortest recording analysed: a session needs 5 minutes, the features 90 s of context."""

NOISE_MIN_DISTANCE_M = 0.3
"""The noise model's range floor (``simulation/bedroom.py``)."""
DRIFT_MM = 0.002
"""SD of the per-frame random-walk drift step (``simulation/bedroom.py``)."""
BURST_MM = (3.0, 15.0)
"""Range of a movement burst's amplitude at energy 1 (``simulation/bedroom.py``)."""
BURST_FREQS_HZ = (0.2, 1.5)
BURST_ENERGY = (0.35, 1.0)
"""Energy range of the random extra bursts."""
MOVEMENT_LOWPASS_HZ = 1.5
"""Low-pass (zero phase) before differentiating: radar phase noise is white, body movement
is below a few hertz."""
RADAR_MOVEMENT_WINDOW_S = 1.0
"""Window of the radar movement index (acceleration RMS)."""
MOVEMENT_FLOOR_MM_S2 = 20.0
"""RMS acceleration of the displacement below which the movement index is 0: three times
that of a typical breath (7 mm at 15 breaths/min: 6 mm/s^2), above that of 30 breaths/min
and of the noise at 2 m."""
MOVEMENT_FULL_MM_S2 = 150.0
"""RMS acceleration at which the movement index is 1. A burst of energy ``e`` (step 4) has an
RMS acceleration of about ``125 e`` mm/s^2, so the index of a gross movement is about its
energy, as in the simulator's movement channel."""


@dataclass(frozen=True, slots=True)
class FrameChannels:
    """Per-frame channels of a view, one value per frame.

    The common part of :class:`BreathingView` and :class:`RadarView`.
    """

    frame_rate_hz: float
    t: FloatArray
    """Frame times, seconds from the first sample."""
    displacement_mm: FloatArray
    """Chest displacement (band-passed unless the view was made without a band)."""
    movement: FloatArray
    """Movement index 0..1."""
    quality: FloatArray
    """Signal quality 0..1."""
    valid: NDArray[np.bool_]
    """Frames with data (False where the source had none)."""


def single_target_frames(
    view: FrameChannels, distance_m: float, angle_deg: float | None, target_id: int = 1
) -> Iterator[VitalsFrame]:
    """Frames of one target from a view's per-frame channels; no target where invalid."""
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


# -- the source view -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreathingView(FrameChannels):
    """A breathing recording as a radar's per-frame channels (:func:`breathing_view`)."""

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
        """One :class:`~custom_components.radar_sleep.contracts.VitalsFrame` per frame.

        One target per frame, none where the view is invalid.
        """
        return single_target_frames(self, distance_m, angle_deg, target_id)


def _breathing_sos(band_hz: tuple[float, float], fs: float) -> FloatArray:
    """The shared breathing band-pass design, with the user's error for a too low ``fs``.

    :func:`~custom_components.radar_sleep.dsp.bandpass_sos`: second order, the upper edge
    clamped to 0.9 x Nyquist (0.45 ``fs``).
    """
    try:
        return bandpass_sos(fs, band_hz)
    except ValueError:
        raise RecordingError(
            f"sample rate {fs:g} Hz is too low for breathing (at least "
            f"{band_hz[0] / 0.45:.2g} Hz; is the time column in seconds?)"
        ) from None


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
        raise RecordingError("recording too short for the breathing statistics")
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
        raise RecordingError("no 60-s stretch of the recording is free of missing samples")
    if np.count_nonzero(periodic) >= MIN_PERIODIC_WINDOWS:
        typical = float(np.median(rms[periodic]))
        typical_v = float(np.median(vrms[periodic]))
    else:  # no clear breathing: the upper part of the recording's own distribution
        typical = float(np.percentile(rms[usable], 75))
        typical_v = float(np.percentile(vrms[usable], 75))
    if not typical > 0 or not typical_v > 0:
        raise RecordingError("the breathing signal is flat")
    return typical, typical_v, float(np.count_nonzero(periodic) / np.count_nonzero(usable))


def source_movement_index(velocity: FloatArray, typical_v: float, fs: float) -> FloatArray:
    """Movement index 0..1 of a breathing recording, from its own velocity (step 4).

    The :data:`SOURCE_MOVEMENT_WINDOW_S` RMS of the signal's velocity relative to the night's
    typical breathing velocity ``typical_v``, mapped on a log scale from
    :data:`SOURCE_MOVEMENT_FLOOR` (0) to :data:`SOURCE_MOVEMENT_FULL` (1). Relative, so it holds
    for any sensor and unit; the radar view derives its own (:func:`movement_index`) from the
    radar's displacement.
    """
    v_ratio = _rolling_rms(velocity, round(SOURCE_MOVEMENT_WINDOW_S * fs)) / typical_v
    movement: FloatArray = np.clip(
        np.log(np.maximum(v_ratio, 1e-12) / SOURCE_MOVEMENT_FLOOR)
        / math.log(SOURCE_MOVEMENT_FULL / SOURCE_MOVEMENT_FLOOR),
        0.0,
        1.0,
    )
    return movement


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
        (:func:`radar_view` adds its noise first, then filters).
    limit_breaths
        Soft limit of the displacement in typical breaths (``None``: no limit).

    Raises
    ------
    RecordingError
        Too short, flat, or a sample rate too low for breathing (below about 0.25 Hz).

    """
    x_in = np.asarray(breathing, dtype=np.float64).reshape(-1)
    if not fs > 0 or not math.isfinite(fs):
        raise RecordingError(f"bad sample rate {fs!r}")
    if not frame_rate_hz > 2 * (band_hz or RADAR_BREATH_BAND_HZ)[1]:
        raise RecordingError(f"frame rate {frame_rate_hz:g} Hz is too low for the breath band")
    valid_in = np.isfinite(x_in)
    if np.count_nonzero(valid_in) < 2:
        raise RecordingError("the breathing signal has no valid samples")
    if x_in.size / fs < MIN_DURATION_S:
        raise RecordingError(
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
    stat_sos = _breathing_sos((RADAR_BREATH_BAND_HZ[0], hi_stat), rate)
    band: FloatArray = signal.sosfiltfilt(stat_sos, y)
    velocity = np.diff(y, prepend=y[0]) * rate
    typical, typical_v, periodic = _window_stats(band, velocity, valid, rate, hi_stat)

    movement = source_movement_index(velocity, typical_v, rate)
    movement[clip] = 1.0
    local = _rolling_rms(band, round(AMPLITUDE_WINDOW_S * rate)) / typical
    quality = np.clip((local - QUALITY_FLOOR) / (QUALITY_FULL - QUALITY_FLOOR), 0.0, 1.0)
    quality *= 1.0 - movement
    movement[~valid] = 0.0
    quality[~valid] = 0.0

    scale = amplitude_mm / (2.0 * math.sqrt(2.0) * typical)
    disp = y * scale
    if band_hz is not None:
        sos = _breathing_sos(band_hz, rate)
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


# -- the radar view --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RadarViewConfig:
    """How the radar is placed and how it sees (every default as in the simulator)."""

    distance_m: float = DISTANCE_M
    """Slant range from the radar to the chest."""
    angle_deg: float | None = 0.0
    """Azimuth reported in every frame (``None``: a single-antenna device)."""
    frame_rate_hz: float = DEFAULT_FRAME_RATE_HZ
    breath_amplitude_mm: float = BREATH_AMPLITUDE_MM
    """Peak-to-trough chest excursion of the night's typical breath (before projection)."""
    radar_height_m: float | None = 0.3
    """Height of the radar above the chest (:func:`projection_gain`); ``None``: no
    projection loss."""
    noise_mm: float = 0.15
    """Displacement noise SD at 1 m (grows with the square of the range)."""
    drift_mm: float = DRIFT_MM
    source_artefacts: bool = True
    """Turn the source's own movements into radar movement artefacts (step 4)."""
    bursts_per_hour: float = 0.0
    """Extra random movement bursts per hour in bed (augmentation; not in the labels)."""
    radar_band_hz: tuple[float, float] | None = RADAR_BREATH_BAND_HZ
    """The driver's causal respiration band-pass on the reported displacement."""
    seed: int = 0


def projection_gain(distance_m: float, radar_height_m: float | None) -> float:
    """Share of a vertical chest excursion along the line of sight at slant range ``d``.

    ``h / d`` for a radar ``h`` above the chest (``1`` when ``d <= h`` or ``h`` is ``None``).
    """
    if radar_height_m is None:
        return 1.0
    if not distance_m > 0:
        raise ValueError(f"distance {distance_m!r} m")
    return min(1.0, radar_height_m / distance_m)


def noise_sd_mm(distance_m: float, noise_mm: float) -> float:
    """Radar displacement noise SD at slant range ``distance_m`` (``simulation/bedroom.py``)."""
    return noise_mm * max(distance_m, NOISE_MIN_DISTANCE_M) ** 2


@dataclass(frozen=True, slots=True)
class RadarView(FrameChannels):
    """A breathing recording through a simulated radar (:func:`radar_view`).

    The displacement as the driver reports it, the movement index derived from it (step 6).
    """

    config: RadarViewConfig
    gain: float
    """Projection gain at the configured range."""
    noise_sd_mm: float
    breath_amplitude_mm: float
    """The typical breath as the radar sees it (after projection)."""
    source_movement: FloatArray = field(repr=False)
    """Movement found in the source signal (step 1), 0..1."""

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.t.size)

    def frames(self, target_id: int = 1) -> Iterator[VitalsFrame]:
        """One :class:`~custom_components.radar_sleep.contracts.VitalsFrame` per frame."""
        return single_target_frames(self, self.config.distance_m, self.config.angle_deg, target_id)


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(start, stop)`` of every run of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(
        zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True)
    )


def _burst(rng: np.random.Generator, length: int, fs: float, energy: float) -> FloatArray:
    """A body movement as a radar sees it (``simulation/bedroom.py``'s gross movement)."""
    k = np.arange(length) / fs
    freqs = rng.uniform(*BURST_FREQS_HZ, size=3)
    phases = rng.uniform(0.0, 2 * math.pi, size=3)
    amp = energy * float(rng.uniform(*BURST_MM))
    wobble: FloatArray = np.sin(2 * math.pi * freqs[:, None] * k[None, :] + phases[:, None]).sum(
        axis=0
    )
    return amp * wobble / 3.0


def movement_index(displacement_mm: FloatArray, fs: float) -> FloatArray:
    """Movement index 0..1 of a displacement stream, as a radar derives it (step 6).

    The 1-s RMS of the second derivative of the displacement (low-passed at
    :data:`MOVEMENT_LOWPASS_HZ`), mapped on a log scale from :data:`MOVEMENT_FLOOR_MM_S2` (0)
    to :data:`MOVEMENT_FULL_MM_S2` (1): the raw-FMCW driver's movement index
    (``radar/fmcw/processor.py``, RMS second difference of the displacement) in physical units, so
    that it does not depend on the frame rate. Breathing is slow and smooth, body movement
    fast: acceleration separates them far better than amplitude or velocity.
    """
    x = np.asarray(displacement_mm, dtype=np.float64)
    if fs > 2.5 * MOVEMENT_LOWPASS_HZ:
        sos = signal.butter(2, MOVEMENT_LOWPASS_HZ, btype="lowpass", fs=fs, output="sos")
        x = signal.sosfiltfilt(sos, x)
    accel = np.gradient(np.gradient(x)) * fs * fs
    n = max(1, round(RADAR_MOVEMENT_WINDOW_S * fs))
    rms = np.sqrt(np.maximum(ndimage.uniform_filter1d(accel**2, n, mode="nearest"), 0.0))
    span = math.log(MOVEMENT_FULL_MM_S2 / MOVEMENT_FLOOR_MM_S2)
    out: FloatArray = np.clip(np.log(np.maximum(rms, 1e-12) / MOVEMENT_FLOOR_MM_S2) / span, 0, 1)
    return out


def radar_view(
    breathing: NDArray[np.floating[Any]] | Sequence[float],
    fs: float,
    config: RadarViewConfig | None = None,
) -> RadarView:
    """What a radar at ``config.distance_m`` would see of a breathing recording.

    Parameters
    ----------
    breathing
        A breathing channel in any unit (RIP, nasal pressure, thermistor; NaN where missing).
    fs
        Its sample rate (Hz); at least about 0.25 Hz (see
        :func:`breathing_view`).
    config
        Placement and noise; its ``seed`` makes the view deterministic.

    Raises
    ------
    RecordingError
        Too short (under 10 min), flat, or a sample rate too low for breathing.
    ValueError
        A non-positive distance.

    """
    cfg = config or RadarViewConfig()
    if not cfg.distance_m > 0:
        raise ValueError(f"distance {cfg.distance_m!r} m")
    src = breathing_view(
        breathing,
        fs,
        frame_rate_hz=cfg.frame_rate_hz,
        amplitude_mm=cfg.breath_amplitude_mm,
        band_hz=None,
        limit_breaths=None,
    )
    rate = src.frame_rate_hz
    n = src.t.size
    rng = np.random.default_rng(cfg.seed)

    # 2. The chest: band-limited to the breathing band, source artefacts soft-limited.
    sos = bandpass_sos(rate, BREATH_BAND_HZ)
    chest = signal.sosfiltfilt(sos, np.where(src.valid, src.displacement_mm, 0.0))
    limit = LIMIT_BREATHS * cfg.breath_amplitude_mm
    chest = limit * np.tanh(chest / limit)

    # 3. Line-of-sight projection.
    gain = projection_gain(cfg.distance_m, cfg.radar_height_m)
    chest = gain * chest

    # 4. Movement artefacts: the source's movements, then optional random bursts.
    artefact = np.zeros(n)
    if cfg.source_artefacts:
        for a, stop in _runs(src.movement > MOVEMENT_FRAME_LEVEL):
            b = max(stop, min(n, a + round(rate)))  # at least 1 s
            artefact[a:b] += _burst(rng, b - a, rate, float(np.max(src.movement[a:b])))
    if cfg.bursts_per_hour > 0:
        in_bed_h = float(np.count_nonzero(src.valid)) / rate / 3600.0
        for _ in range(int(rng.poisson(cfg.bursts_per_hour * in_bed_h))):
            a = int(rng.integers(0, n))
            length = round(float(np.clip(rng.lognormal(math.log(4.0), 0.6), 1.0, 20.0)) * rate)
            b = min(n, a + length)
            artefact[a:b] += _burst(rng, b - a, rate, float(rng.uniform(*BURST_ENERGY)))

    # 5. Radar noise and drift.
    sigma = noise_sd_mm(cfg.distance_m, cfg.noise_mm)
    drift = np.cumsum(rng.normal(0.0, cfg.drift_mm, size=n))
    raw = chest + artefact + drift + rng.normal(0.0, sigma, size=n)

    # 6.-7. Movement and quality, from what the radar measured.
    movement = movement_index(raw, rate)
    seen = gain * cfg.breath_amplitude_mm
    snr = seen / (seen + 4.0 * sigma)
    quality = np.clip(snr * src.quality * (1.0 - movement), 0.0, 1.0)
    movement[~src.valid] = 0.0
    quality[~src.valid] = 0.0

    # 8. The driver's causal band-pass.
    disp = raw
    if cfg.radar_band_hz is not None:
        band = bandpass_sos(rate, cfg.radar_band_hz)
        zi = signal.sosfilt_zi(band) * raw[0]
        disp, _ = signal.sosfilt(band, raw, zi=zi)
    disp = np.where(src.valid, disp, 0.0)
    return RadarView(
        frame_rate_hz=rate,
        t=src.t,
        displacement_mm=np.asarray(disp, dtype=np.float64),
        movement=movement,
        quality=quality,
        valid=src.valid,
        config=cfg,
        gain=gain,
        noise_sd_mm=sigma,
        breath_amplitude_mm=seen,
        source_movement=src.movement,
    )


def radar_night(
    breathing: BreathingChannel,
    hypnogram: Hypnogram,
    config: RadarViewConfig | None = None,
    *,
    pipeline_config: PipelineConfig | None = None,
    lights_off_epoch: int | None = None,
) -> Night:
    """A PSG night through :func:`radar_view` and the runtime pipeline, as training data.

    Returns a :class:`training.datasets.Night` (features per epoch, the pipeline's presence
    and session, the expert's four-class stage, the intent label and the AASM stage as the
    activity), so that PSG nights train and validate exactly like simulated ones. ``seed``
    is ``config.seed``. The intent label is 1 from ``lights_off_epoch`` (default: the first
    scored epoch; in-lab PSG starts at lights off) to the end of the last sleep epoch.
    """
    from custom_components.radar_sleep.simulation.bedroom import ABSENT  # noqa: PLC0415
    from custom_components.radar_sleep.simulation.physiology import Activity  # noqa: PLC0415
    from training.datasets import Night  # noqa: PLC0415

    if hypnogram.epoch_seconds != EPOCH_SECONDS:
        raise ValueError(f"{hypnogram.epoch_seconds}-s epochs; the pipeline scores 30-s epochs")
    cfg = config or RadarViewConfig()
    view = radar_view(breathing.signal, breathing.fs, cfg)
    pipe_cfg = pipeline_config or PipelineConfig()
    if not pipe_cfg.zone.contains(cfg.distance_m, cfg.angle_deg):
        raise ValueError(f"distance {cfg.distance_m} m is outside the pipeline's user zone")
    pipeline = SleepPipeline(pipe_cfg)
    n_epochs = hypnogram.n_epochs
    scored = np.flatnonzero(hypnogram.aasm >= 0)
    sleep = np.flatnonzero(hypnogram.aasm > 0)
    if lights_off_epoch is None:
        lights_off_epoch = int(scored[0]) if scored.size else 0
    onset = lights_off_epoch
    final_wake = int(sleep[-1]) + 1 if sleep.size else onset
    xs, present, session, stage, intent, act = [], [], [], [], [], []
    for result in pipeline.run(view.frames()):
        i = result.features.index
        if i >= n_epochs:
            continue
        xs.append(result.features.vector())
        present.append(result.record.present)
        session.append(result.update.session_state in (SessionState.ACTIVE, SessionState.AWAY))
        stage.append(int(hypnogram.stages[i]))
        code = int(hypnogram.aasm[i])
        act.append(int(Activity(code)) if code >= 0 else int(ABSENT))
        intent.append(int(onset <= i < final_wake))
    if len(xs) != n_epochs:
        raise ValueError(
            f"the recording gives {len(xs)} epochs, the hypnogram has {n_epochs}: "
            "cut it to the recording (training.psg.recording.load_night does)"
        )
    return Night(
        cfg.seed,
        np.array(xs),
        np.array(present, dtype=bool),
        np.array(session, dtype=bool),
        np.array(stage, dtype=np.int8),
        np.array(intent, dtype=np.int8),
        np.array(act, dtype=np.int8),
    )
