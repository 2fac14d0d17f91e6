"""Recordings the PSG tests write themselves: breathing signals, EDF and CSV files."""

from __future__ import annotations

from collections.abc import Sequence
import csv
from datetime import datetime
import math
from pathlib import Path

import edfio
import numpy as np

START = datetime(2001, 2, 3, 22, 45, 0)


def breathing(seconds: float, fs: float, rate_bpm: float = 15.0, amp: float = 1.0) -> np.ndarray:
    t = np.arange(round(seconds * fs)) / fs
    return amp * np.sin(2 * np.pi * rate_bpm / 60.0 * t)


SLEEP_EDF_ANNOTATIONS = [
    (0, 60, "Sleep stage W"),
    (60, 30, "Sleep stage 1"),
    (90, 60, "Sleep stage 2"),
    (150, 30, "Sleep stage 3"),
    (180, 60, "Sleep stage 4"),
    (240, 30, "Movement time"),
    (270, 30, "Sleep stage R"),
    # 300-330 s: not annotated
    (330, 30, "Sleep stage ?"),
    (330, None, "Lights on"),
]
"""A Sleep-EDF-style hypnogram: R&K stages with onset and duration."""


def write_edf(
    path: Path,
    signals: list[tuple[str, np.ndarray, float]],
    annotations: list[tuple[float, float | None, str]] = (),  # type: ignore[assignment]
    start: datetime | None = START,
    physical_range: tuple[float, float] = (-10.0, 10.0),
) -> Path:
    kwargs = {}
    if start is not None:
        kwargs = {
            "starttime": start.time(),
            "recording": edfio.Recording(startdate=start.date()),
        }
    edf = edfio.Edf(
        [
            edfio.EdfSignal(
                data,
                fs,
                label=label,
                physical_dimension="mV",
                physical_range=physical_range,
            )
            for label, data, fs in signals
        ],
        annotations=[edfio.EdfAnnotation(o, d, t) for o, d, t in annotations],
        **kwargs,
    )
    edf.write(path)
    return path


def synthetic_breathing(
    fs: float,
    segments: Sequence[tuple[float, float, float]],
    *,
    amplitude: float = 400.0,
    seed: int = 0,
) -> np.ndarray:
    """Breath-by-breath breathing in ADC-like units: ``(minutes, breaths/min, interval CV)``.

    Irregular segments (CV >= 0.2) also get a body movement (a 3-s deflection of ten breaths)
    about once a minute, as wake does on a belt or thermistor.
    """
    rng = np.random.default_rng(seed)
    parts = []
    for minutes, rate, cv in segments:
        n = round(minutes * 60 * fs)
        periods: list[float] = []
        while sum(periods) < minutes * 60 + 30:
            periods.append(60.0 / rate * math.exp(cv * rng.standard_normal()))
        edges = np.concatenate(([0.0], np.cumsum(periods)))
        t = np.arange(n) / fs
        k = np.searchsorted(edges, t, side="right") - 1
        phase = (t - edges[k]) / np.asarray(periods)[k]
        depth = amplitude * np.exp(0.1 * rng.standard_normal(len(periods)))[k]
        x = depth * np.sin(2 * np.pi * phase)
        if cv >= 0.2:
            for start in rng.uniform(0, minutes * 60 - 5, size=max(1, round(minutes))):
                a = round(start * fs)
                b = a + round(3 * fs)
                x[a:b] += 10 * amplitude * np.hanning(b - a)
        parts.append(x)
    x = np.concatenate(parts)
    return 2048.0 + x + rng.normal(0.0, 0.02 * amplitude, size=x.size)


NIGHT = [(8, 16, 0.3), (15, 14, 0.06), (10, 12, 0.03), (10, 15, 0.15), (7, 17, 0.3)]
"""50 minutes: awake and restless, then regular breathing of decreasing rate, REM-like
irregularity, awake again."""


def write_csv(path: Path, t: np.ndarray, columns: dict[str, np.ndarray]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["t_s", *columns])
        for k, tk in enumerate(t.tolist()):
            writer.writerow([f"{tk:.3f}", *(f"{v[k]:.3f}" for v in columns.values())])
    return path
