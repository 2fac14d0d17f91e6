"""What teaching does to the intent onset of users whose habit the intent model misreads.

    .venv/bin/python -m training.evaluate.learning_teaching [--users 12] [--jobs 2] [--quick]

Each simulated user (:func:`scenarios.teaching_user_config`, held-out seeds from
``TEACHING_SEEDS``) has one bedroom and one pre-sleep activity, and every night lies still
and awake with the light on for about half an hour (their own usual time, give or take four
minutes) before trying to sleep: the intent model dates "lights off" at the end of the
activity instead. The pipeline runs on each night up to 30 minutes after sleep onset and its
per-epoch intent scores and stages are kept.

On the user's first 5 nights the user teaches when they really stopped ("I was reading until
23:10": the true onset rounded to 5 minutes, as people say times); the tracker learns from
those nights exactly as it does at home (:func:`.sleep.teach.learn` on the nights' summaries
with their labels). On the user's next 5 nights the onset is dated by
:class:`.sleep.intent.IntentTracker` without and with what was learned. The figures are the
median absolute onset error (minutes) over all those nights, before and after teaching
(nights whose onset was not found count as 120 minutes off, as in ``training.fit.intent``).
Goal: after at most half of before. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
import json
from multiprocessing import get_context
import sys
import time

import numpy as np

from custom_components.radar_sleep.contracts import (
    EPOCH_SECONDS,
    LabelKind,
    NightSummary,
    Stage,
    TeachingLabel,
)
from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator
from custom_components.radar_sleep.simulation.scenarios import teaching_user_config
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline
from custom_components.radar_sleep.sleep.intent import IntentTracker
from custom_components.radar_sleep.sleep.teach import learn

TAUGHT_NIGHTS = 5
EVALUATED_NIGHTS = 5
MISSED_MIN = 120.0
ROUND_MIN = 5
ORIGIN = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)

type Night = tuple[list[tuple[int, float, int]], float]
"""(index, intent score, stage) per scored epoch, and the true intent onset in epochs."""


def collect(user: int, night: int) -> Night:
    """The intent scores and stages of one night up to 30 minutes after sleep onset."""
    config = teaching_user_config(user, night)
    sim = BedroomSimulator(config)
    truth = sim.truth
    stop = round((truth.sleep_onset_s + 1800) * config.frame_rate_hz)
    pipeline = SleepPipeline(
        PipelineConfig(side=config.user_side, radar_position=config.radar_position),
        origin=ORIGIN,
    )
    epochs = [
        (r.record.index, float(r.record.intent_score), int(r.record.stage))
        for r in pipeline.run(sim.frames(0, stop))
        if r.record.intent_score is not None
    ]
    return epochs, truth.intent_s / EPOCH_SECONDS


def onset(epochs: list[tuple[int, float, int]], offset_epochs: int) -> int | None:
    """The intent onset (epoch) the tracker dates with this learned offset."""
    tracker = IntentTracker(onset_offset=offset_epochs)
    for index, score, stage in epochs:
        tracker.step(index, score, Stage(stage))
    return tracker.onset_index if tracker.slept else None


def error_min(found: int | None, truth: float) -> float:
    """Absolute onset error in minutes (:data:`MISSED_MIN` when not found)."""
    return MISSED_MIN if found is None else abs(found - truth) * EPOCH_SECONDS / 60


def taught_summary(user: int, night: int, data: Night) -> NightSummary:
    """The night as the tracker stores it, with what the user taught about it.

    Only what the learning reads is filled in: the model's onset and the taught one.
    """
    epochs, truth = data
    detected = onset(epochs, 0)
    start = ORIGIN + timedelta(seconds=epochs[0][0] * EPOCH_SECONDS)
    said = ORIGIN + timedelta(seconds=truth * EPOCH_SECONDS)
    rounded = round(said.timestamp() / (ROUND_MIN * 60)) * ROUND_MIN * 60
    label = TeachingLabel(LabelKind.READING_UNTIL, datetime.fromtimestamp(rounded, UTC))
    return NightSummary(
        night=date(2026, 1, 1) + timedelta(days=night),
        session_start=start,
        session_end=start,
        intent_start=None
        if detected is None
        else ORIGIN + timedelta(seconds=detected * EPOCH_SECONDS),
        sleep_onset=None,
        final_wake=None,
        hypnogram_start=start,
        hypnogram=(),
        metrics=None,
        mean_breathing_rate_bpm=None,
        labels=(label,),
    )


def user_errors(
    user: int, nights: list[Night], taught_nights: int = TAUGHT_NIGHTS
) -> tuple[list[float], list[float], float]:
    """One user's errors on the evaluated nights before and after teaching, and the offset.

    The first ``taught_nights`` of ``nights`` are taught, the rest evaluated.
    """
    taught = [taught_summary(user, k, n) for k, n in enumerate(nights[:taught_nights])]
    adaptation = learn(taught)
    evaluated = nights[taught_nights:]
    before = [error_min(onset(e, 0), truth) for e, truth in evaluated]
    after = [error_min(onset(e, adaptation.onset_offset_epochs), truth) for e, truth in evaluated]
    return before, after, adaptation.onset_offset_min


def measure(quick: bool = False, jobs: int = 2, users: int = 12) -> dict[str, float | int]:
    """Median onset error over the users' evaluated nights, before and after teaching.

    ``quick``: one user with two taught nights and one evaluated (a smoke test).
    """
    taught, evaluated = (2, 1) if quick else (TAUGHT_NIGHTS, EVALUATED_NIGHTS)
    users = 1 if quick else users
    tasks = [(u, k) for u in range(users) for k in range(taught + evaluated)]
    if jobs > 1 and not quick:  # a fresh interpreter per worker: forking a threaded one can hang
        with get_context("spawn").Pool(jobs) as pool:
            data = pool.starmap(collect, tasks)
    else:
        data = [collect(u, k) for u, k in tasks]
    per_user = taught + evaluated
    before: list[float] = []
    after: list[float] = []
    offsets: list[float] = []
    for u in range(users):
        b, a, offset = user_errors(u, data[u * per_user : (u + 1) * per_user], taught)
        before += b
        after += a
        offsets.append(offset)
    return {
        "teaching.users": users,
        "teaching.nights_evaluated": len(before),
        "teaching.onset_error_before_min": round(float(np.median(before)), 2),
        "teaching.onset_error_after_min": round(float(np.median(after)), 2),
        "teaching.onset_error_before_p90_min": round(float(np.percentile(before, 90)), 2),
        "teaching.onset_error_after_p90_min": round(float(np.percentile(after, 90)), 2),
        "teaching.learned_offset_median_min": round(float(np.median(offsets)), 2),
    }


def main(argv: list[str] | None = None) -> None:
    """Measure and print the figures; the last line is one JSON object."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    figures: dict[str, float | int] = dict(
        measure(quick=args.quick, jobs=args.jobs, users=args.users)
    )
    before = figures["teaching.onset_error_before_min"]
    after = figures["teaching.onset_error_after_min"]
    print("## Teaching: intent onset error of users who lie still awake before trying\n")
    print("| figure | value |\n|---|---:|")
    for key, value in figures.items():
        print(f"| {key} | {value} |")
    print(f"\nGoal (after ≤ half of before): {'met' if after <= before / 2 else 'not met'}")
    figures["seconds"] = round(time.perf_counter() - t0, 1)
    sys.stdout.flush()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
