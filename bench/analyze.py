"""Speed of ``analyze`` on one night's breathing recording: ``python -m bench.analyze``.

The recording: eight hours at 10 Hz of the simulated sleeper's chest displacement (seed 0, no
partner; :class:`BedroomSimulator`), written as a CSV of ``t_s`` and ``resp`` (the format of
``docs/analyze.md``). Each run is the whole command line (``training.psg.analyze.main``: reading
the CSV, the radar view, the sleep pipeline, the JSON), timed from start to end;
``seconds_per_night`` is the median over ``--repeats`` runs (default 3) with its minimum and
maximum, ``cpu_seconds_per_night`` the same in CPU time (what a busy machine does not change).
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
import statistics
import tempfile
import time

import numpy as np

from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator, SimulatorConfig
from training.psg.analyze import main as analyze_main

HOURS = 8.0
RATE_HZ = 10.0


def write_recording(path: Path, hours: float = HOURS) -> int:
    """Write the breathing CSV; the number of samples."""
    sim = BedroomSimulator(SimulatorConfig(seed=0, partner=False, frame_rate_hz=RATE_HZ))
    signal = sim._signals[0][1].displacement  # the sleeper's chest, unrounded
    n = round(hours * 3600 * RATE_HZ)
    if len(signal) < n:  # a short scene: its end repeats (never for seed 0)
        signal = np.resize(signal, n)
    t = np.arange(n) / RATE_HZ
    with path.open("w", encoding="utf-8") as out:
        out.write("t_s,resp\n")
        out.writelines(f"{a:.1f},{b:.4f}\n" for a, b in zip(t, signal[:n], strict=True))
    return n


def one_run(path: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of this process for one ``analyze`` of ``path``."""
    out = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    code = analyze_main([str(path)], out=out)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if code != 0:
        raise RuntimeError(f"analyze failed ({code})")
    json.loads(out.getvalue())
    return seconds, cpu


def run(repeats: int) -> dict[str, float]:
    """``seconds_per_night`` (median, min, max) and the recording's size."""
    with tempfile.TemporaryDirectory(prefix="radar-sleep-bench-") as folder:
        path = Path(folder) / "night.csv"
        samples = write_recording(path)
        runs = [one_run(path) for _ in range(repeats)]
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return {
        "seconds_per_night": round(statistics.median(walls), 2),
        "seconds_per_night_min": round(min(walls), 2),
        "seconds_per_night_max": round(max(walls), 2),
        "cpu_seconds_per_night": round(statistics.median(cpus), 2),
        "cpu_seconds_per_night_min": round(min(cpus), 2),
        "cpu_seconds_per_night_max": round(max(cpus), 2),
        "hours": HOURS,
        "rate_hz": RATE_HZ,
        "samples": samples,
        "repeats": repeats,
    }


def print_table(figures: dict[str, float]) -> None:
    """Readable summary."""
    print(f"analyze on an {HOURS:.0f}-hour {RATE_HZ:.0f}-Hz breathing recording:")
    print(
        f"{'seconds_per_night':>24}: {figures['seconds_per_night']} "
        f"({figures['seconds_per_night_min']} - {figures['seconds_per_night_max']})"
    )
    print(
        f"{'cpu_seconds_per_night':>24}: {figures['cpu_seconds_per_night']} "
        f"({figures['cpu_seconds_per_night_min']} - {figures['cpu_seconds_per_night_max']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    figures = run(args.repeats)
    print_table(figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
