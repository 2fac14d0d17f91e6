"""Test signals with known answers, shared by the breathing tests."""

from __future__ import annotations

import numpy as np


def sine_breathing(
    rate_bpm: float, seconds: float, jitter: float = 0.0, seed: int = 0, fs: float = 10.0
) -> np.ndarray:
    """Raised-cosine breaths (3 mm deep) at ``rate_bpm``, each period jittered by ``jitter``
    (relative SD), plus 0.05 mm of white noise, sampled at ``fs``."""
    rng = np.random.default_rng(seed)
    out: list[float] = []
    while len(out) < seconds * fs:
        period = 60.0 / rate_bpm * (1 + jitter * rng.standard_normal())
        n = round(period * fs)
        out.extend(3.0 * (1 - np.cos(2 * np.pi * np.arange(n) / n)))
    return np.array(out[: int(seconds * fs)]) + rng.normal(0, 0.05, int(seconds * fs))


def timed_breathing(
    rate_bpm: float, seconds: float, jitter: float, seed: int, fs: float
) -> np.ndarray:
    """Raised-cosine breaths (3 mm deep) starting at times that do not depend on ``fs``.

    Each period is ``60 / rate_bpm`` jittered by ``jitter`` (relative SD), drawn before any
    sampling, so the same ``seed`` gives the same breaths at every ``fs``; the phase runs
    linearly within each breath; plus 0.05 mm of white noise.
    """
    rng = np.random.default_rng(seed)
    starts = [0.0]
    while starts[-1] <= seconds:
        starts.append(starts[-1] + 60.0 / rate_bpm * (1 + jitter * rng.standard_normal()))
    t = np.arange(int(seconds * fs)) / fs
    phase = np.interp(t, starts, np.arange(len(starts)))
    noise = np.random.default_rng(seed + 1).normal(0, 0.05, t.size)
    return 3.0 * (1 - np.cos(2 * np.pi * phase)) + noise
