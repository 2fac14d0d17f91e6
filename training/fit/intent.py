"""Choose the change-point settings of the sleep-intent tracker on training nights.

    .venv/bin/python -m training.fit.intent [--nights 80] [--first-seed 10000] [--jobs 2]

Runs the pipeline on simulated training nights (seeds from 10000, never used for evaluation),
keeps each night's per-epoch intent scores and stages up to 30 minutes after sleep onset, and
replays :class:`IntentTracker` over them for every combination of penalty, minimum segment
length and "high" level. The setting with the smallest 90th percentile of the absolute onset
error (ties: median) wins; copy it into ``sleep/intent.py`` (``PENALTY``, ``MIN_SIZE``,
``HIGH``). Training nights vary the pre-sleep activity as the evaluation does (reading, TV,
phone, mixed in turn: ``scenarios.intent_night_config``). The last line is one JSON object
with the winner and its figures, overall and per pre-sleep activity (``by_pre_sleep``).
"""

from __future__ import annotations

import argparse
import itertools
import json
from multiprocessing import get_context

import numpy as np

from custom_components.radar_sleep.contracts import EPOCH_SECONDS, Stage
from custom_components.radar_sleep.simulation.scenarios import PRE_SLEEP, TRAIN_SEEDS
from custom_components.radar_sleep.sleep.intent import IntentTracker
from training.evaluate.intent import run_past_onset

type Night = tuple[list[tuple[int, float, int]], float, str]
"""(index, score, stage) per scored epoch, the true intent onset in epochs, and the pre-sleep
activity."""


def collect(seed: int) -> Night:
    """The intent scores and stages of night ``seed`` up to 30 minutes after sleep onset."""
    config, truth, _, results = run_past_onset(seed)
    epochs = [
        (r.record.index, float(r.record.intent_score), int(r.record.stage))
        for r in results
        if r.record.intent_score is not None
    ]
    return epochs, truth.intent_s / EPOCH_SECONDS, config.pre_sleep


def onset_errors(nights: list[Night], penalty: float, min_size: int, high: float) -> list[float]:
    """Onset error (minutes) of the tracker with these settings per night; 120 if missed."""
    errors = []
    for epochs, truth, _ in nights:
        tracker = IntentTracker(penalty=penalty, min_size=min_size, high=high)
        for index, score, stage in epochs:
            tracker.step(index, score, Stage(stage))
        if tracker.slept and tracker.onset_index is not None:
            errors.append((tracker.onset_index - truth) * EPOCH_SECONDS / 60)
        else:
            errors.append(120.0)  # missed: as bad as two hours off
    return errors


def main() -> None:
    """Search the settings and print the winner."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=80)
    parser.add_argument("--first-seed", type=int, default=TRAIN_SEEDS)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if args.first_seed < TRAIN_SEEDS:
        parser.error(f"training seeds start at {TRAIN_SEEDS}")
    seeds = range(args.first_seed, args.first_seed + args.nights)
    with get_context("fork").Pool(args.jobs) as pool:
        nights = pool.map(collect, seeds)
    results = []
    for penalty, min_size, high in itertools.product(
        (1.0, 2.0, 4.0, 8.0), (2, 3, 4), (0.6, 0.7, 0.75)
    ):
        err = np.abs(onset_errors(nights, penalty, min_size, high))
        results.append(
            (
                float(np.percentile(err, 90)),
                float(np.median(err)),
                {"penalty": penalty, "min_size": min_size, "high": high},
            )
        )
    results.sort(key=lambda r: (r[0], r[1]))
    print("| penalty | min_size | high | median abs error (min) | p90 (min) |")
    print("|---:|---:|---:|---:|---:|")
    for p90, median, setting in results[:10]:
        print(
            f"| {setting['penalty']} | {setting['min_size']} | {setting['high']} "
            f"| {median:.2f} | {p90:.2f} |"
        )
    p90, median, best = results[0]
    print("\n| pre-sleep activity | nights | median abs error (min) | p90 (min) |")
    print("|---|---:|---:|---:|")
    by_activity: dict[str, float | int] = {}
    for activity in PRE_SLEEP:
        subset = [night for night in nights if night[2] == activity]
        if not subset:
            continue
        err = np.abs(onset_errors(subset, best["penalty"], int(best["min_size"]), best["high"]))
        figures = (float(np.median(err)), float(np.percentile(err, 90)))
        by_activity[f"{activity}_nights"] = len(subset)
        by_activity[f"{activity}_median_abs_error_min"] = round(figures[0], 2)
        by_activity[f"{activity}_p90_abs_error_min"] = round(figures[1], 2)
        print(f"| {activity} | {len(subset)} | {figures[0]:.2f} | {figures[1]:.2f} |")
    print(
        json.dumps(
            {
                **best,
                "median_abs_error_min": median,
                "p90_abs_error_min": p90,
                "by_pre_sleep": by_activity,
            }
        )
    )


if __name__ == "__main__":
    main()
