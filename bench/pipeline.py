"""Speed of the simulator and the sleep pipeline: ``python -m bench.pipeline``.

Per-frame work (``SleepPipeline.push``, in Home Assistant's event loop) and per-epoch work
(``process_epoch``, in the executor) are timed separately over one simulated night; each figure
is the median of ``--repeats`` runs. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from custom_components.radar_sleep.simulation.bedroom import (
    BedroomSimulator,
    SimulatorConfig,
)
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline


def one_run(seed: int) -> dict[str, float]:
    t0 = time.perf_counter()
    sim = BedroomSimulator(SimulatorConfig(seed=seed))
    t1 = time.perf_counter()
    frames = list(sim.frames())
    t2 = time.perf_counter()
    pipeline = SleepPipeline(PipelineConfig())
    epochs = []
    for frame in frames:
        closed = pipeline.push(frame).epoch
        if closed is not None:
            epochs.append(closed)
    t3 = time.perf_counter()
    for epoch in epochs:
        pipeline.process_epoch(epoch)
    t4 = time.perf_counter()
    night_s = sim.truth.duration_s
    return {
        "simulator_setup_s": t1 - t0,
        "simulator_frames_per_s": len(frames) / (t2 - t1),
        "push_us_per_frame": 1e6 * (t3 - t2) / len(frames),
        "process_epoch_ms": 1e3 * (t4 - t3) / len(epochs),
        "pipeline_x_realtime": night_s / ((t3 - t2) + (t4 - t3)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = [one_run(seed) for seed in range(args.repeats)]
    figures = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
    figures["repeats"] = args.repeats
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
