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
