"""Sleep-intent onset ("lights off") error over many held-out simulated nights.

    .venv/bin/python scripts/evaluate_intent.py [--nights 200] [--first-seed 0] [--jobs 2]

Each night (seed ``first_seed + i``; seeds below 10000 are never used for fitting) is a varied
bedroom (``fit_baseline.simulated_config``: partner, pet, radar placement, single antenna)
with a varied time spent reading, watching TV or on the phone before trying to sleep
(``pre_sleep``) and a right-skewed sleep latency. The pipeline runs on the night's frames up to
30 minutes after sleep onset; the intent onset it dates (the start of the trying-to-sleep
segment that led to sleep) is compared with the simulator's ground truth. Prints a Markdown
summary; the last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
import json
from multiprocessing import get_context
from pathlib import Path
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_baseline import simulated_config

from custom_components.radar_sleep.contracts import EPOCH_SECONDS
from custom_components.radar_sleep.radar.simulator import (
    BedroomSimulator,
    GroundTruth,
    SimulatorConfig,
)
from custom_components.radar_sleep.sleep import EpochResult, PipelineConfig, SleepPipeline

PRE_SLEEP = ("reading", "tv", "phone")


def night_config(seed: int) -> SimulatorConfig:
    """The evaluation's bedroom for ``seed``: varied scene and pre-sleep activity."""
    config = simulated_config(seed)
    fields = SimulatorConfig.__dataclass_fields__
    if "pre_sleep" in fields:
        rng = np.random.default_rng(seed + 9_000_000)
        config = replace(config, pre_sleep=PRE_SLEEP[int(rng.integers(len(PRE_SLEEP)))])
    return config


def run_past_onset(
    seed: int,
) -> tuple[SimulatorConfig, GroundTruth, SleepPipeline, list[EpochResult]]:
    """The pipeline over night ``seed`` up to 30 minutes after sleep onset."""
    config = night_config(seed)
    sim = BedroomSimulator(config)
    truth = sim.truth
    stop = round((truth.sleep_onset_s + 1800) * config.frame_rate_hz)
    pipeline = SleepPipeline(
        PipelineConfig(side=config.user_side, radar_position=config.radar_position)
    )
    return config, truth, pipeline, list(pipeline.run(sim.frames(0, stop)))


def evaluate(seed: int) -> dict[str, float | str | None]:
    config, truth, pipeline, _ = run_past_onset(seed)
    onset = pipeline.intent.onset_index
    detected = onset is not None and pipeline.intent.slept
    return {
        "seed": seed,
        "pre_sleep": str(getattr(config, "pre_sleep", "reading")),
        "reading_min": (truth.intent_s - truth.bed_enter_s) / 60,
        "sol_min": (truth.sleep_onset_s - truth.intent_s) / 60,
        "error_min": (onset * EPOCH_SECONDS - truth.intent_s) / 60 if detected else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if args.first_seed + args.nights > 10_000:
        parser.error("seeds from 10000 on are used for fitting")
    t0 = time.perf_counter()
    seeds = range(args.first_seed, args.first_seed + args.nights)
    with get_context("fork").Pool(args.jobs) as pool:
        rows = pool.map(evaluate, seeds)
    errors = [float(r["error_min"]) for r in rows if r["error_min"] is not None]  # type: ignore[arg-type]
    abs_err = np.abs(errors)
    figures: dict[str, float | int | dict[str, float]] = {
        "nights": len(rows),
        "detected": len(errors),
        "detected_pct": round(100 * len(errors) / len(rows), 1),
        "median_abs_error_min": round(float(np.median(abs_err)), 2),
        "p90_abs_error_min": round(float(np.percentile(abs_err, 90)), 2),
        "mean_error_min": round(float(np.mean(errors)), 2),
        "within_5_min_pct": round(100 * float(np.mean(abs_err <= 5)), 1),
        "within_15_min_pct": round(100 * float(np.mean(abs_err <= 15)), 1),
    }
    by_activity: dict[str, float] = {}
    for activity in PRE_SLEEP:
        errs = [
            abs(float(r["error_min"]))
            for r in rows
            if r["pre_sleep"] == activity and r["error_min"] is not None
        ]  # type: ignore[arg-type]
        if errs:
            by_activity[f"{activity}_median_abs_error_min"] = round(statistics.median(errs), 2)
            by_activity[f"{activity}_p90_abs_error_min"] = round(float(np.percentile(errs, 90)), 2)
            by_activity[f"{activity}_nights"] = len(errs)
    figures["by_pre_sleep"] = by_activity
    figures["seconds"] = round(time.perf_counter() - t0, 1)
    print(f"## Sleep-intent onset error, {len(rows)} held-out simulated nights\n")
    print("| figure | value | goal |\n|---|---:|---|")
    goals = {"median_abs_error_min": "≤ 5", "p90_abs_error_min": "≤ 15"}
    for key, value in figures.items():
        if not isinstance(value, dict):
            print(f"| {key} | {value} | {goals.get(key, '')} |")
    for key, value in by_activity.items():
        print(f"| {key} | {value} | |")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
