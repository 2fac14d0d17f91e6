"""Tracking of raw-FMCW targets across detection updates, by range and angle, with lasting ids."""

from __future__ import annotations

from dataclasses import dataclass
import math

import numpy as np
from numpy.typing import NDArray

from .config import DspConfig
from .detection import Detection
from .dsp import FloatArray


@dataclass(slots=True)
class Track:
    """State of one tracked target across updates."""

    target_id: int
    bin: int
    distance_m: float
    angle_deg: float | None
    weights: NDArray[np.complex128]
    missed: int = 0
    """Frames since the target was last detected."""
    fit_start: int = 0
    """Global index of the first frame the circle fit may use."""
    last_phase: float | None = None
    bp_zi: FloatArray | None = None
    ms_zi: FloatArray | None = None
    tail: FloatArray | None = None
    """The last two displacement samples (for the second difference)."""
    q_hist: FloatArray | None = None
    """Velocity powers (raw, band-passed) of the last ``quality_window_s``."""
    last_breathing: float | None = None
    moving: bool = False


def associate(
    tracks: list[Track],
    dets: list[Detection],
    n: int,
    g_start: int,
    *,
    dsp: DspConfig,
    fit_frames: int,
    next_id: int,
) -> int:
    """Match detections to ``tracks`` (nearest in range and angle, gated); start new tracks.

    ``tracks`` is updated in place (matched tracks take the detection's bin, distance, angle
    and beamformer; unmatched ones count ``n`` more missed frames; new tracks are appended
    with ids from ``next_id`` and a circle fit that may reach ``fit_frames`` back from
    ``g_start``) and left sorted by id. Returns the next free id.
    """
    free = list(tracks)
    for det in dets:
        best: Track | None = None
        best_cost = math.inf
        for tr in free:
            dr = abs(det.distance_m - tr.distance_m) / dsp.track_gate_m
            da = 0.0
            if det.angle_deg is not None and tr.angle_deg is not None:
                da = abs(det.angle_deg - tr.angle_deg) / dsp.track_gate_deg
            cost = max(dr, da)
            if cost <= 1.0 and cost < best_cost:
                best, best_cost = tr, cost
        if best is None:
            best = Track(
                next_id,
                det.bin,
                det.distance_m,
                det.angle_deg,
                det.weights,
                fit_start=g_start - fit_frames,
            )
            next_id += 1
            tracks.append(best)
        else:
            free.remove(best)
            if best.bin != det.bin or abs(np.vdot(best.weights, det.weights)) < 0.9:
                # Another signal from now on: no movement from the switch itself.
                best.tail = None
            best.bin, best.distance_m = det.bin, det.distance_m
            best.angle_deg, best.weights = det.angle_deg, det.weights
            best.missed = 0
    for tr in free:
        tr.missed += n
    tracks.sort(key=lambda tr: tr.target_id)
    return next_id
