"""Speed and accuracy of the raw-FMCW signal chain (radar/fmcw/) on simulated frames.

Speed: 60 s of simulated 20-Hz frames (3 RX x 4 chirps x 128 real samples, the default
BGT60TR13C-like configuration) are fed to ``FmcwProcessor`` in live-sized batches on one core
(BLAS/FFT threads pinned to 1, the process pinned to one CPU where the OS allows); each figure
is the median of ``--repeats`` runs and is the number of seconds of radar data processed per
second of CPU time. The headline (``fmcw_x_realtime`` in the JSON line, goal >= 2000) is one
person in the default bedside clutter, 1-s batches, the batch size of ``FmcwReplaySource``.

Accuracy (``--accuracy``, on by default): the scenes of ``tests/radar/fmcw/``, each 60 s
at the simulator's default SNR; the breathing rate is the spectral peak of the returned
``respiration_mm`` after a 10-s warm-up, distance and angle are medians. Errors are against the
simulator's inputs. The last line printed is one JSON object with every figure;
``python -m bench`` calls :func:`run` and merges it with the other benches.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time

import numpy as np

from custom_components.radar_sleep.dsp import BREATH_BAND_HZ
from custom_components.radar_sleep.radar.fmcw.config import FmcwConfig
from custom_components.radar_sleep.radar.fmcw.processor import FmcwProcessor
from custom_components.radar_sleep.radar.fmcw.simulate import (
    DEFAULT_SNR_DB,
    FmcwScene,
    MovementEpisode,
    SimPerson,
    simulate,
)

DURATION_S = 60.0
WARM_UP_S = 10.0

SPEED_SCENES = {
    "1 person": FmcwScene(people=(SimPerson(0.9, -10.0),), seed=1),
    "2 people, 0.7/1.3 m": FmcwScene(
        people=(SimPerson(0.7, -10.0), SimPerson(1.3, 20.0, breath_rate_bpm=18)), seed=2
    ),
    "2 people, same range": FmcwScene(
        people=(SimPerson(1.0, -10.0), SimPerson(1.0, 10.0, breath_rate_bpm=18)), seed=3
    ),
    "empty room": FmcwScene(people=(), seed=4),
}

ACCURACY_SCENES = {
    "0.5 m, -30 deg, 9/min": (SimPerson(0.5, -30.0, breath_rate_bpm=9.0),),
    "0.9 m, 0 deg, 15/min": (SimPerson(0.9, 0.0, breath_rate_bpm=15.0, breath_depth_mm=5.0),),
    "1.2 m, +20 deg, 19/min": (SimPerson(1.2, 20.0, breath_rate_bpm=19.0, breath_depth_mm=4.0),),
    "1.5 m, +40 deg, 24/min": (SimPerson(1.5, 40.0, breath_rate_bpm=24.0, breath_depth_mm=4.0),),
    "0.6/0.9 m (range)": (
        SimPerson(0.6, -10.0, breath_rate_bpm=12.0),
        SimPerson(0.9, 15.0, breath_rate_bpm=18.0),
    ),
    "1.0/1.5 m (range)": (
        SimPerson(1.0, 0.0, breath_rate_bpm=20.0),
        SimPerson(1.5, -30.0, breath_rate_bpm=13.0),
    ),
    "1.0 m, -10/+10 deg (angle)": (
        SimPerson(1.0, -10.0, breath_rate_bpm=11.0),
        SimPerson(1.0, 10.0, breath_rate_bpm=17.0, breath_depth_mm=5.0),
    ),
    "0.7 m, -30/-10 deg (angle)": (
        SimPerson(0.7, -30.0, breath_rate_bpm=14.0),
        SimPerson(0.7, -10.0, breath_rate_bpm=19.0, breath_depth_mm=5.0),
    ),
    "1.3 m, 0/+30 deg (angle)": (
        SimPerson(1.3, 0.0, breath_rate_bpm=18.0),
        SimPerson(1.3, 30.0, breath_rate_bpm=12.0, breath_depth_mm=5.0),
    ),
}


SNR_SWEEP = [
    (f"{snr:+.0f} dB, {d} m", (SimPerson(d, 15.0, breath_rate_bpm=16.0),), snr)
    for snr in (-6.0, -10.0, -14.0)
    for d in (0.6, 1.0, 1.4)
] + [
    (
        f"{snr:+.0f} dB, 1.0 m -10/+10 deg",
        (
            SimPerson(1.0, -10.0, breath_rate_bpm=11.0),
            SimPerson(1.0, 10.0, breath_rate_bpm=17.0, breath_depth_mm=5.0),
        ),
        snr,
    )
    for snr in (-6.0, -10.0)
]


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def x_realtime(frames: np.ndarray, t: np.ndarray, config: FmcwConfig, batch: int) -> float:
    processor = FmcwProcessor(config)
    start = time.process_time()
    for i in range(0, len(t), batch):
        processor.process(frames[i : i + batch], t[i : i + batch])
    return DURATION_S / (time.process_time() - start)


def spectral_rate_bpm(x: np.ndarray, fs: float) -> float:
    x = x - x.mean()
    n = 1 << 16
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size), n))
    f = np.fft.rfftfreq(n, 1.0 / fs)
    band = (f >= BREATH_BAND_HZ[0]) & (f <= BREATH_BAND_HZ[1])
    return 60.0 * float(f[band][np.argmax(spec[band])])


def accuracy() -> dict[str, float]:
    worst = {"rate_bpm": 0.0, "distance_cm": 0.0, "angle_deg": 0.0}
    header = f"{'scene':>28} {'person':>22} {'rate err':>9} {'dist err':>9} {'angle err':>9}"
    print(f"at the simulator's default SNR ({DEFAULT_SNR_DB:g} dB per sample, chest at 1 m):")
    print(header)
    scenes = [(name, people, DEFAULT_SNR_DB) for name, people in ACCURACY_SCENES.items()]
    for name, people, snr in scenes + SNR_SWEEP:
        if snr == SNR_SWEEP[0][2] and name == SNR_SWEEP[0][0]:
            print(
                f"worst errors: rate {worst['rate_bpm']:.2f}/min, distance "
                f"{worst['distance_cm']:.2f} cm, angle {worst['angle_deg']:.2f} deg"
            )
            print("lower SNR (not in the worst errors above):")
        cap = simulate(FmcwScene(people=people, seed=7, snr_db=snr), DURATION_S)
        processor = FmcwProcessor(cap.config)
        out = []
        for i in range(0, len(cap.t), 40):
            out.extend(processor.process(cap.frames[i : i + 40], cap.t[i : i + 40]))
        series: dict[int, list[tuple[float, float, float]]] = {}
        for frame in out:
            if frame.t >= WARM_UP_S:
                for tv in frame.targets:
                    row = (tv.respiration_mm[0], tv.distance_m, tv.angle_deg or 0.0)
                    series.setdefault(tv.target_id, []).append(row)
        tracks = {k: np.array(v) for k, v in series.items()}
        for person in people:

            def cost(a: np.ndarray, p: SimPerson = person) -> float:
                dr = abs(float(np.median(a[:, 1])) - p.distance_m) / 0.05
                return max(dr, abs(float(np.median(a[:, 2])) - p.angle_deg) / 5.0)

            best = min(tracks.values(), key=cost) if tracks else None
            label = (
                f"{person.distance_m} m {person.angle_deg:+.0f} deg {person.breath_rate_bpm}/min"
            )
            if best is None:
                print(f"{name:>28} {label:>22}  not detected")
                if snr == DEFAULT_SNR_DB:
                    worst = dict.fromkeys(worst, float("inf"))
                continue
            rate = spectral_rate_bpm(best[:, 0], cap.config.frame_rate_hz)
            errs = {
                "rate_bpm": abs(rate - person.breath_rate_bpm),
                "distance_cm": 100 * abs(float(np.median(best[:, 1])) - person.distance_m),
                "angle_deg": abs(float(np.median(best[:, 2])) - person.angle_deg),
            }
            if snr == DEFAULT_SNR_DB:
                for k, v in errs.items():
                    worst[k] = max(worst[k], v)
            print(
                f"{name:>28} {label:>22} {errs['rate_bpm']:>6.2f}/min"
                f" {errs['distance_cm']:>6.2f} cm {errs['angle_deg']:>6.2f} deg"
                f"  ({len(tracks)} targets)"
            )
    # Movement index and a static scene.
    moving = SimPerson(1.0, 5.0, breath_rate_bpm=14.0, movements=(MovementEpisode(20.0, 4.0),))
    cap = simulate(FmcwScene(people=(moving,), seed=5), DURATION_S)
    out = FmcwProcessor(cap.config).process(cap.frames, cap.t)
    mov = np.array([max((tv.movement for tv in f.targets), default=0.0) for f in out])
    t = cap.t
    during = (t >= 20.0) & (t < 24.0)
    still = ((t > 5.0) & (t < 19.5)) | (t > 26.0)
    print(
        f"movement index: max {mov[during].max():.2f} during a 4-s movement, "
        f"95th percentile {np.percentile(mov[still], 95):.3f} while still"
    )
    cap = simulate(FmcwScene(people=(), seed=2), DURATION_S)
    out = FmcwProcessor(cap.config).process(cap.frames, cap.t)
    n_targets = sum(len(f.targets) for f in out)
    print(f"empty room: {n_targets} target-frames in {len(out)} frames")
    return worst


BATCHES = {
    "1-s batches": ("", 20),
    "2-s batches": ("_2s_batch", 40),
    "one 60-s batch": ("_60s_batch", 1200),
}
"""Column label -> (key suffix, frames per ``process`` call)."""

SCENE_KEYS = {
    "1 person": "1_person",
    "2 people, 0.7/1.3 m": "2_people_apart",
    "2 people, same range": "2_people_same_range",
    "empty room": "empty_room",
}

GOAL_X_REALTIME = 2000
"""The promised speed: one person, 1-s batches, one core."""


def speed(repeats: int) -> dict[str, float]:
    """``x_realtime_<scene><batch suffix>`` for every speed scene and batch size; prints a table."""
    config = FmcwConfig()
    print(
        f"speed, x real time ({DURATION_S:.0f} s of {config.frame_rate_hz:.0f}-Hz frames, "
        f"{config.n_rx} RX x {config.chirps_per_frame} chirps x {config.samples_per_chirp} "
        f"samples, one core, median of {repeats}):"
    )
    figures: dict[str, float] = {}
    print(f"{'scene':>24} " + " ".join(f"{b:>15}" for b in BATCHES))
    for name, scene in SPEED_SCENES.items():
        cap = simulate(scene, DURATION_S, config, output="adc")
        row = []
        for suffix, batch in BATCHES.values():
            runs = [x_realtime(cap.frames, cap.t, config, batch) for _ in range(repeats)]
            value = statistics.median(runs)
            row.append(value)
            figures[f"x_realtime_{SCENE_KEYS[name]}{suffix}"] = round(value)
        print(f"{name:>24} " + " ".join(f"{v:>15.0f}" for v in row))
    headline = figures["x_realtime_1_person"]
    verdict = "met" if headline >= GOAL_X_REALTIME else "MISSED"
    print(f"goal >= {GOAL_X_REALTIME}x real time (1 person, 1-s batches): {verdict}")
    return figures


def run(repeats: int = 3, *, with_accuracy: bool = False) -> dict[str, float | None]:
    """Speed figures (and, with ``with_accuracy``, the worst errors at the default SNR).

    Pins the process to one CPU. Keys: ``x_realtime_<scene>`` (1-s batches; ``1_person`` is
    the headline), ``x_realtime_<scene>_2s_batch``, ``x_realtime_<scene>_60s_batch`` and
    ``worst_rate_err_bpm``, ``worst_distance_err_cm``, ``worst_angle_err_deg`` (``None`` when a
    person was not detected).
    """
    pin_one_core()
    figures: dict[str, float | None] = {}
    if with_accuracy:
        worst = accuracy()
        for key, unit in (("rate", "bpm"), ("distance", "cm"), ("angle", "deg")):
            value = worst[f"{key}_{unit}"]
            figures[f"worst_{key}_err_{unit}"] = round(value, 3) if math.isfinite(value) else None
    figures.update(speed(repeats))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-accuracy", dest="accuracy", action="store_false")
    args = parser.parse_args()
    figures = run(args.repeats, with_accuracy=args.accuracy)
    print(json.dumps({"fmcw_x_realtime": figures["x_realtime_1_person"], **figures}))


if __name__ == "__main__":
    main()
