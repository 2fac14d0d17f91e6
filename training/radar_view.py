"""The radar's view of a belt or airflow recording: domain adaptation from PSG to radar.

Polysomnography records breathing with belts (RIP), a nasal cannula or a thermistor; Radar
Sleep sees chest displacement in millimetres, a movement index and a signal quality, per radar
frame, with radar noise. :func:`radar_view` turns the first into the second so that expert-
scored PSG nights can train or test the runtime's models ("pretrain on respiration, adapt to
radar"), and :func:`radar_night` runs the runtime pipeline on the result to give the same
per-epoch features as the simulated nights of :mod:`training.simulated`.

The steps, in order (one random generator seeded by :attr:`RadarViewConfig.seed` drives every
draw, so a view is a pure function of its inputs and the seed):

1. **Source conversion** (:func:`~custom_components.radar_sleep.sleep.analyze.breathing_view`,
   shared with the runtime's analyze tool): resampling to the radar frame rate, the night's
   typical breath and its scaling to :attr:`~RadarViewConfig.breath_amplitude_mm` peak to
   trough, the source's own movements (fast deflections far beyond a breath) and where it
   carries breathing at all.
2. **Band limits**: the chest signal is band-limited to the radar pipeline's breathing band,
   :data:`~custom_components.radar_sleep.sleep.features.BREATH_BAND_HZ` (zero phase: this is
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
   causal respiration filter (:data:`~custom_components.radar_sleep.sleep.analyze.
   RADAR_BREATH_BAND_HZ`); ``radar_band_hz=None`` reports it unfiltered (as the simulator).

The output (:class:`RadarView`) holds one value per frame and yields
:class:`~custom_components.radar_sleep.contracts.VitalsFrame`s (:meth:`RadarView.frames`), so
the runtime :class:`~custom_components.radar_sleep.sleep.SleepPipeline` runs on it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, signal

from custom_components.radar_sleep.contracts import (
    EPOCH_SECONDS,
    SessionState,
    VitalsFrame,
)
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline
from custom_components.radar_sleep.sleep.analyze import (
    BREATH_AMPLITUDE_MM,
    DEFAULT_FRAME_RATE_HZ,
    DISTANCE_M,
    RADAR_BREATH_BAND_HZ,
    breathing_view,
    single_target_frames,
)
from custom_components.radar_sleep.sleep.features import BREATH_BAND_HZ, MOVING

if TYPE_CHECKING:
    from training.loaders import BreathingChannel, Hypnogram
    from training.simulated import Night

type FloatArray = NDArray[np.float64]

LIMIT_BREATHS = 2.0
"""Soft limit of the band-limited chest signal, in typical breaths (``tanh``)."""
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
MOVEMENT_WINDOW_S = 1.0
MOVEMENT_FLOOR_MM_S2 = 20.0
"""RMS acceleration of the displacement below which the movement index is 0: three times
that of a typical breath (7 mm at 15 breaths/min: 6 mm/s^2), above that of 30 breaths/min
and of the noise at 2 m."""
MOVEMENT_FULL_MM_S2 = 150.0
"""RMS acceleration at which the movement index is 1. A burst of energy ``e`` (step 4) has an
RMS acceleration of about ``125 e`` mm/s^2, so the index of a gross movement is about its
energy, as in the simulator's movement channel."""


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
class RadarView:
    """A breathing recording as a radar's per-frame channels (one value per frame)."""

    frame_rate_hz: float
    t: FloatArray
    """Frame times, seconds from the first sample."""
    displacement_mm: FloatArray
    """Chest displacement as the driver reports it (band-passed unless configured not to)."""
    movement: FloatArray
    """Movement index 0..1, derived from the displacement (step 6)."""
    quality: FloatArray
    """Signal quality 0..1."""
    valid: NDArray[np.bool_]
    """Frames where the source had data (the radar reports no target elsewhere)."""
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
    n = max(1, round(MOVEMENT_WINDOW_S * fs))
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
        :func:`~custom_components.radar_sleep.sleep.analyze.breathing_view`).
    config
        Placement and noise; its ``seed`` makes the view deterministic.

    Raises
    ------
    custom_components.radar_sleep.sleep.analyze.AnalysisError
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
    hi = min(BREATH_BAND_HZ[1], 0.45 * rate)
    sos = signal.butter(2, (BREATH_BAND_HZ[0], hi), btype="bandpass", fs=rate, output="sos")
    chest = signal.sosfiltfilt(sos, np.where(src.valid, src.displacement_mm, 0.0))
    limit = LIMIT_BREATHS * cfg.breath_amplitude_mm
    chest = limit * np.tanh(chest / limit)

    # 3. Line-of-sight projection.
    gain = projection_gain(cfg.distance_m, cfg.radar_height_m)
    chest = gain * chest

    # 4. Movement artefacts: the source's movements, then optional random bursts.
    artefact = np.zeros(n)
    if cfg.source_artefacts:
        for a, stop in _runs(src.movement > MOVING):
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
        lo_b, hi_b = cfg.radar_band_hz[0], min(cfg.radar_band_hz[1], 0.45 * rate)
        band = signal.butter(2, (lo_b, hi_b), btype="bandpass", fs=rate, output="sos")
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

    Returns a :class:`training.simulated.Night` (features per epoch, the pipeline's presence
    and session, the expert's four-class stage, the intent label and the AASM stage as the
    activity), so that PSG nights train and validate exactly like simulated ones. ``seed``
    is ``config.seed``. The intent label is 1 from ``lights_off_epoch`` (default: the first
    scored epoch; in-lab PSG starts at lights off) to the end of the last sleep epoch.
    """
    from custom_components.radar_sleep.simulation.bedroom import ABSENT  # noqa: PLC0415
    from custom_components.radar_sleep.simulation.physiology import Activity  # noqa: PLC0415
    from training.simulated import Night  # noqa: PLC0415

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
            "cut it to the recording (training.loaders.load_night does)"
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
