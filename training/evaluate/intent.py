"""Sleep-intent onset ("lights off") error over many held-out simulated nights.

    .venv/bin/python -m training.evaluate intent [--nights 200] [--first-seed 0] [--jobs 2]
        [--pre-sleep varied|reading|tv|phone|mixed]

Each night (seed ``first_seed + i``; seeds below 10000 are never used for fitting) is a varied
bedroom (``scenarios.intent_night_config``: partner, pet, radar placement, single antenna)
with 10-45 minutes awake in bed before trying to sleep and a right-skewed sleep latency. What
the user does in that time (``SimulatorConfig.pre_sleep``) is by default ``varied``: reading,
TV, phone and a mix of them in turn (seed modulo 4), so every activity gets a quarter of the
nights; ``--pre-sleep`` fixes one. The pipeline runs on the night's frames up to 30 minutes
after sleep onset; the intent onset it dates (the start of the trying-to-sleep segment that
led to sleep) is compared with the simulator's ground truth (the end of the pre-sleep
activity). Prints a Markdown summary, overall and per activity; the last line is one JSON
object with every figure (per activity under ``by_pre_sleep``, keys ``<activity>_<figure>``).
The goal is a median absolute error of at most 5 min and a 90th percentile of at
most 15 min, overall and for every activity.
"""

from __future__ import annotations

import argparse
from functools import partial
import json
from multiprocessing import get_context
import time
from typing import Literal

import numpy as np

from custom_components.radar_sleep.contracts import EPOCH_SECONDS
from custom_components.radar_sleep.simulation.bedroom import (
    BedroomSimulator,
    GroundTruth,
    PreSleep,
    SimulatorConfig,
)
from custom_components.radar_sleep.simulation.scenarios import (
    EVALUATION_SEEDS,
    HELD_OUT_LIMIT,
    PRE_SLEEP,
    intent_night_config,
)
from custom_components.radar_sleep.sleep import EpochResult, PipelineConfig, SleepPipeline

GOAL_MEDIAN_MIN, GOAL_P90_MIN = 5.0, 15.0


def run_past_onset(
    seed: int, pre_sleep: PreSleep | Literal["varied"] = "varied"
) -> tuple[SimulatorConfig, GroundTruth, SleepPipeline, list[EpochResult]]:
    """The pipeline over night ``seed`` up to 30 minutes after sleep onset."""
    config = intent_night_config(seed, pre_sleep)
    sim = BedroomSimulator(config)
    truth = sim.truth
    stop = round((truth.sleep_onset_s + 1800) * config.frame_rate_hz)
    pipeline = SleepPipeline(
        PipelineConfig(side=config.user_side, radar_position=config.radar_position)
    )
    return config, truth, pipeline, list(pipeline.run(sim.frames(0, stop)))


def evaluate(
    seed: int, pre_sleep: PreSleep | Literal["varied"] = "varied"
) -> dict[str, float | str | None]:
    """Onset error of night ``seed`` (``None`` when no intent onset led to sleep)."""
    config, truth, pipeline, _ = run_past_onset(seed, pre_sleep)
    onset = pipeline.intent.onset_index
    error = None
    if onset is not None and pipeline.intent.slept:
        error = (onset * EPOCH_SECONDS - truth.intent_s) / 60
    return {
        "seed": seed,
        "pre_sleep": config.pre_sleep,
        "reading_min": (truth.intent_s - truth.bed_enter_s) / 60,
        "sol_min": (truth.sleep_onset_s - truth.intent_s) / 60,
        "error_min": error,
    }


def main(argv: list[str] | None = None) -> None:
    """Evaluate, print the summary and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=EVALUATION_SEEDS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pre-sleep", choices=("varied", *PRE_SLEEP), default="varied")
    args = parser.parse_args(argv)
    if args.first_seed + args.nights > HELD_OUT_LIMIT:
        parser.error(f"seeds from {HELD_OUT_LIMIT} on are used for fitting")
    t0 = time.perf_counter()
    seeds = range(args.first_seed, args.first_seed + args.nights)
    with get_context("fork").Pool(args.jobs) as pool:
        rows = pool.map(partial(evaluate, pre_sleep=args.pre_sleep), seeds)
    figures: dict[str, float | int | bool | dict[str, float | int | bool]] = {
        "nights": len(rows),
        **summary(rows),
    }
    by_activity: dict[str, float | int | bool] = {}
    for activity in PRE_SLEEP:
        subset = [r for r in rows if r["pre_sleep"] == activity]
        if subset:
            by_activity[f"{activity}_nights"] = len(subset)
            by_activity.update(
                {f"{activity}_{key}": value for key, value in summary(subset).items()}
            )
    figures["goal_met_all_activities"] = bool(figures["goal_met"]) and all(
        value for key, value in by_activity.items() if key.endswith("_goal_met")
    )
    figures["by_pre_sleep"] = by_activity
    figures["seconds"] = round(time.perf_counter() - t0, 1)
    print(f"## Sleep-intent onset error, {len(rows)} held-out simulated nights\n")
    print("| figure | value | goal |\n|---|---:|---|")
    goals = {
        "median_abs_error_min": f"≤ {GOAL_MEDIAN_MIN:g}",
        "p90_abs_error_min": f"≤ {GOAL_P90_MIN:g}",
    }
    for key, value in figures.items():
        if not isinstance(value, dict):
            print(f"| {key} | {value} | {goals.get(key, '')} |")
    columns = ["nights", *(key for key in summary(rows) if key != "goal_met"), "goal_met"]
    print("\n### Per pre-sleep activity\n")
    print("| activity | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for activity in PRE_SLEEP:
        if f"{activity}_nights" in by_activity:
            cells = (str(by_activity.get(f"{activity}_{key}", "")) for key in columns)
            print(f"| {activity} | " + " | ".join(cells) + " |")
    print(json.dumps(figures))


def summary(rows: list[dict[str, float | str | None]]) -> dict[str, float | int | bool]:
    """Detection and onset-error figures of some nights (errors of detected nights only)."""
    errors = [float(r["error_min"]) for r in rows if r["error_min"] is not None]
    out: dict[str, float | int | bool] = {
        "detected": len(errors),
        "detected_pct": round(100 * len(errors) / len(rows), 1),
    }
    if not errors:
        return {**out, "goal_met": False}
    abs_err = np.abs(errors)
    median, p90 = float(np.median(abs_err)), float(np.percentile(abs_err, 90))
    return {
        **out,
        "median_abs_error_min": round(median, 2),
        "p90_abs_error_min": round(p90, 2),
        "mean_error_min": round(float(np.mean(errors)), 2),
        "within_5_min_pct": round(100 * float(np.mean(abs_err <= 5)), 1),
        "within_15_min_pct": round(100 * float(np.mean(abs_err <= 15)), 1),
        "goal_met": median <= GOAL_MEDIAN_MIN and p90 <= GOAL_P90_MIN,
    }


if __name__ == "__main__":
    main()
