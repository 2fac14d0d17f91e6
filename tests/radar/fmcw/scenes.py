"""Scenes, runs and track summaries shared by the raw-FMCW tests.

Every expected value comes from the simulator's inputs (a person's range, angle, breathing
rate), never from what the DSP produced before.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import NDArray
import pytest

from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.radar.fmcw.config import DspConfig, FmcwConfig
from custom_components.radar_sleep.radar.fmcw.processor import FmcwProcessor
from custom_components.radar_sleep.radar.fmcw.simulate import (
    FmcwScene,
    Output,
    SimPerson,
    SimulatedCapture,
    Waveform,
    simulate,
)

CONFIG = FmcwConfig()


FS = CONFIG.frame_rate_hz


WARM_UP_S = 10.0
"""Detection needs a few seconds, the band-pass and the quality window ten."""


def spectral_rate_bpm(x: NDArray[np.float64], fs: float) -> float:
    """Breathing rate as the spectral peak (zero-padded, Hann) between 6 and 42 breaths/min."""
    x = np.asarray(x, dtype=np.float64) - float(np.mean(x))
    n = 1 << 16
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size), n))
    f = np.fft.rfftfreq(n, 1.0 / fs)
    band = (f >= 0.1) & (f <= 0.7)
    return 60.0 * float(f[band][np.argmax(spec[band])])


@dataclass
class Track:
    """One target id's outputs over time."""

    t: NDArray[np.float64]
    respiration: NDArray[np.float64]
    movement: NDArray[np.float64]
    quality: NDArray[np.float64]
    distance: NDArray[np.float64]
    angle: NDArray[np.float64]


def tracks(frames: list[VitalsFrame], after_s: float = 0.0) -> dict[int, Track]:
    """Per-target series from frames at ``t >= after_s``."""
    rows: dict[int, list[tuple[float, ...]]] = {}
    for frame in frames:
        if frame.t < after_s:
            continue
        for tv in frame.targets:
            assert len(tv.respiration_mm) == 1
            assert tv.respiration_rate_hz == FS
            assert 0.0 <= tv.movement <= 1.0
            assert 0.0 <= tv.signal_quality <= 1.0
            assert tv.breath_rate_bpm is None
            assert tv.angle_deg is not None
            rows.setdefault(tv.target_id, []).append(
                (
                    frame.t,
                    tv.respiration_mm[0],
                    tv.movement,
                    tv.signal_quality,
                    tv.distance_m,
                    tv.angle_deg,
                )
            )
    out = {}
    for tid, r in rows.items():
        a = np.array(r)
        out[tid] = Track(a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5])
    return out


def run(
    scene: FmcwScene,
    duration_s: float = 60.0,
    output: Output = "real",
    dsp: DspConfig | None = None,
) -> tuple[SimulatedCapture, list[VitalsFrame]]:
    """Simulate a scene and process it in 2-s batches, as a live source would."""
    cap = simulate(scene, duration_s, CONFIG, output=output)
    processor = FmcwProcessor(cap.config, dsp)
    frames: list[VitalsFrame] = []
    step = round(2 * FS)
    for start in range(0, len(cap.t), step):
        frames.extend(
            processor.process(cap.frames[start : start + step], cap.t[start : start + step])
        )
    assert [f.t for f in frames] == cap.t.tolist()
    return cap, frames


def assert_same_frames(got: list[VitalsFrame], expected: list[VitalsFrame]) -> None:
    """Same frames and targets; numbers equal up to float32 rounding of the range transform
    (a BLAS may sum a matrix product in another order for another batch size)."""
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.t == e.t
        assert [tv.target_id for tv in g.targets] == [tv.target_id for tv in e.targets]
        for a, b in zip(g.targets, e.targets, strict=True):
            da, db = asdict(a), asdict(b)
            assert da.pop("respiration_mm") == pytest.approx(db.pop("respiration_mm"), abs=1e-5)
            assert da == pytest.approx(db, rel=1e-4, abs=1e-5)


def match(person: SimPerson, found: dict[int, Track]) -> Track:
    """The track nearest to a simulated person (range and angle)."""

    def cost(tr: Track) -> float:
        dr = abs(float(np.median(tr.distance)) - person.distance_m) / 0.05
        da = abs(float(np.median(tr.angle)) - person.angle_deg) / 5.0
        return max(dr, da)

    return min(found.values(), key=cost)


def assert_person_recovered(person: SimPerson, tr: Track) -> None:
    """Rate within 0.5 breaths/min, distance within 5 cm, angle within 5 degrees."""
    assert spectral_rate_bpm(tr.respiration, FS) == pytest.approx(person.breath_rate_bpm, abs=0.5)
    assert float(np.median(tr.distance)) == pytest.approx(person.distance_m, abs=0.05)
    assert float(np.median(tr.angle)) == pytest.approx(person.angle_deg, abs=5.0)
    assert float(np.median(tr.quality)) > 0.5


def asymmetric_breathing(rate_bpm: float, depth_mm: float) -> Waveform:
    """Inhale over 40 % of the cycle, exhale over 60 % (raised-cosine halves)."""

    def wave(t: NDArray[np.float64]) -> NDArray[np.float64]:
        phase = (t * rate_bpm / 60.0) % 1.0
        rise = (1.0 - np.cos(np.pi * phase / 0.4)) / 2.0
        fall = (1.0 + np.cos(np.pi * (phase - 0.4) / 0.6)) / 2.0
        return depth_mm * (np.where(phase < 0.4, rise, fall) - 0.5)

    return wave
