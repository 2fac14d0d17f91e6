"""Epoch features from breathing and movement (one implementation, used by every model).

Breathing features follow the respiratory-effort staging literature: rate, breath-to-breath
regularity of interval and amplitude, and depth relative to the night's own baseline (Long X
et al., Analyzing respiratory effort amplitude for automated sleep stage classification,
*Biomed Signal Process Control* 14:197-205, 2014; Redmond SJ, Heneghan C, Cardiorespiratory-
based sleep staging in subjects with obstructive sleep apnea, *IEEE Trans Biomed Eng*
53(3):485-496, 2006). Movement features are actigraphy-like activity counts (Cole RJ et al.,
Automatic sleep/wake identification from wrist activity, *Sleep* 15(5):461-469, 1992).
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..dsp import BreathStats, breath_stats
from .epoch import EpochInput

CONTEXT_EPOCHS = 3
"""Breathing statistics use the last 90 s (this epoch and two before): about 20 breaths."""
MOVEMENT_FRAME_LEVEL = 0.1
"""Movement energy (``TargetVitals.movement``, 0..1) above which a frame counts as moving in
the epoch's movement fraction (an actigraphy-like activity count); lower than
:data:`..dsp.BODY_MOVEMENT`, the level at which breaths stop counting."""

FEATURE_NAMES = (
    "movement_fraction",
    "movement_max",
    "interval_cv",
    "amplitude_cv",
    "rate_rel",
    "amplitude_rel",
)
"""The stage/intent model inputs, in order (see :meth:`EpochFeatures.vector`)."""


@dataclass(frozen=True, slots=True)
class EpochFeatures:
    """What one epoch says about the user's body."""

    index: int
    presence_fraction: float
    movement_fraction: float
    """Fraction of present frames with movement above ``MOVEMENT_FRAME_LEVEL`` (last 90 s)."""
    movement_max: float
    quality_mean: float
    distance_m: float | None
    angle_deg: float | None
    breathing_rate_bpm: float | None
    interval_cv: float | None
    """Coefficient of variation of breath intervals over the last 90 s."""
    amplitude_mm: float | None
    """Median breath amplitude over the last 90 s."""
    amplitude_cv: float | None
    rate_rel: float | None
    """Breathing rate relative to the night's running median, minus 1."""
    amplitude_rel: float | None
    """Log ratio of breath amplitude to the night's running median."""

    def vector(self) -> NDArray[np.float64]:
        """Model inputs in ``FEATURE_NAMES`` order; NaN where a feature is missing."""
        values = [getattr(self, name) for name in FEATURE_NAMES]
        return np.array([math.nan if v is None else float(v) for v in values])


class FeatureExtractor:
    """Turns closed epochs into :class:`EpochFeatures`, keeping the night's causal context.

    Holds the last ``CONTEXT_EPOCHS`` epochs of respiration and the running medians of rate
    and amplitude (the user's own baseline, which makes features comparable across people and
    devices). Call :meth:`reset` at the start of a night.
    """

    def __init__(self) -> None:
        """Start with no context."""
        self._context: deque[EpochInput] = deque(maxlen=CONTEXT_EPOCHS)
        self._rates: list[float] = []
        self._amplitudes: list[float] = []

    def reset(self) -> None:
        """Forget the night's context."""
        self._context.clear()
        self._rates.clear()
        self._amplitudes.clear()

    def dump_state(self) -> dict[str, Any]:
        """The night's context, JSON-serialisable (kept across restarts)."""
        return {
            "context": [asdict(e) for e in self._context],
            "rates": list(self._rates),
            "amplitudes": list(self._amplitudes),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state`."""
        self._context.clear()
        for item in state["context"]:
            epoch = EpochInput(**item)
            epoch.target_frames = {int(k): int(v) for k, v in item["target_frames"].items()}
            self._context.append(epoch)
        self._rates[:] = [float(r) for r in state["rates"]]
        self._amplitudes[:] = [float(a) for a in state["amplitudes"]]

    def __call__(self, epoch: EpochInput) -> EpochFeatures:
        """Features of ``epoch`` given the epochs before it."""
        if self._context and self._context[-1].index != epoch.index - 1:
            self._context.clear()
        self._context.append(epoch)
        context = list(self._context)
        movement = np.fromiter((m for e in context for m in e.movement), dtype=np.float64)
        fs = epoch.respiration_rate_hz
        same_rate = all(e.respiration_rate_hz == fs for e in context)
        stats: BreathStats | None = None
        if fs > 0 and same_rate:
            resp = np.fromiter((r for e in context for r in e.respiration), dtype=np.float64)
            frames_per_sample = len(movement) / resp.size if resp.size else 0.0
            aligned = movement if abs(frames_per_sample - 1.0) < 1e-9 else None
            stats = breath_stats(resp, fs, aligned)
        rate_rel = amplitude_rel = None
        if stats is not None:
            self._rates.append(stats.rate_bpm)
            self._amplitudes.append(stats.amplitude)
            rate_rel = stats.rate_bpm / float(np.median(self._rates)) - 1.0
            amplitude_rel = math.log(stats.amplitude / float(np.median(self._amplitudes)))
        device_rate = (
            float(np.median(epoch.device_breath_rate)) if epoch.device_breath_rate else None
        )
        return EpochFeatures(
            index=epoch.index,
            presence_fraction=epoch.presence_fraction,
            movement_fraction=float(np.mean(movement > MOVEMENT_FRAME_LEVEL))
            if movement.size
            else 0.0,
            movement_max=float(np.max(movement)) if movement.size else 0.0,
            quality_mean=float(np.mean(epoch.quality)) if epoch.quality else 0.0,
            distance_m=float(np.median(epoch.distance)) if epoch.distance else None,
            angle_deg=float(np.median(epoch.angle)) if epoch.angle else None,
            breathing_rate_bpm=stats.rate_bpm if stats is not None else device_rate,
            interval_cv=stats.interval_cv if stats else None,
            amplitude_mm=stats.amplitude if stats else None,
            amplitude_cv=stats.amplitude_cv if stats else None,
            rate_rel=rate_rel,
            amplitude_rel=amplitude_rel,
        )
