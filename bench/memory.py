"""What one simulated night leaves in memory outside Home Assistant: ``python -m bench.memory``.

Plays ``--nights`` simulated nights through :class:`SimulatorSource` (speed 0) and one
:class:`SleepPipeline`, as the coordinator does (frames pushed, closed epochs processed), and
prints the process's resident memory (``/proc/self/status``) after the imports, the fresh
pipeline and each night, with what ``tracemalloc`` still traces. With ``--trace`` it also
prints the ten source lines holding the most memory that a night added and kept (tracemalloc
makes the run several times slower and adds to the resident memory itself). The last line
printed is one JSON object: ``rss_<stage>_mb`` and ``night_growth_mb`` (RSS after the last night
less after the first).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
from pathlib import Path
import tracemalloc


def rss_mb() -> float:
    """Resident memory of the running process in MB."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return float(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def play(nights: int, trace: bool) -> dict[str, float]:
    """Play the nights; resident memory at each stage."""
    from custom_components.radar_sleep.simulation.bedroom import (  # noqa: PLC0415
        SimulatorConfig,
    )
    from custom_components.radar_sleep.simulation.source import SimulatorSource  # noqa: PLC0415
    from custom_components.radar_sleep.sleep import SleepPipeline  # noqa: PLC0415

    figures = {"rss_imports_mb": rss_mb()}
    if trace:
        tracemalloc.start(8)
    pipeline = SleepPipeline()
    gc.collect()
    figures["rss_fresh_pipeline_mb"] = rss_mb()
    before = tracemalloc.take_snapshot() if trace else None
    source = SimulatorSource(SimulatorConfig(seed=1), speed=0.0, nights=nights)
    ended = 0
    async for frame in source.frames():
        closed = pipeline.push(frame).epoch
        if closed is None:
            continue
        if pipeline.process_epoch(closed).summary is not None:
            ended += 1
            gc.collect()
            figures[f"rss_night_{ended}_mb"] = rss_mb()
            traced = tracemalloc.get_traced_memory()[0] / 2**20 if trace else float("nan")
            print(f"night {ended}: RSS {rss_mb():.0f} MB, traced {traced:.1f} MB", flush=True)
    gc.collect()
    figures["rss_end_mb"] = rss_mb()
    figures["nights"] = ended
    figures["night_growth_mb"] = figures[f"rss_night_{ended}_mb"] - figures["rss_night_1_mb"]
    if before is not None:
        after = tracemalloc.take_snapshot()
        print("kept after the nights (tracemalloc, by line):")
        for stat in after.compare_to(before, "lineno")[:10]:
            print(f"  {stat}")
    return {k: round(v, 1) for k, v in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=2)
    parser.add_argument("--trace", action="store_true", help="also trace what stays (slow)")
    args = parser.parse_args()
    figures = asyncio.run(play(args.nights, args.trace))
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
