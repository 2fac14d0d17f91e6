"""Evaluate primary-user tracking on simulated nights against their ground truth.

    .venv/bin/python -m training.evaluate user [--nights 40] [--first-seed 0] [--jobs 1]

Each night runs the pipeline's per-frame path (``SleepPipeline.push``: tracking, presence,
epoch collection) over one simulated bedroom, with the scenario of the night (partner in bed
first, partner staying after you get up, your bathroom trip while the partner sleeps and
rolls over, a pet, a single-antenna device, renumbered target ids, a single-target device, or
you alone), both bed sides and all radar positions. Per 30-s epoch, against the simulator's
ground truth of who is in bed and whose target each frame's chosen one is:

- **you in bed**: the epoch counts as attributed to you when the pipeline uses it (presence
  on for at least half of it, as ``process_epoch`` decides) and at least 90 % of the frames
  it attributed to you are really yours;
- **you out of bed, someone else in bed** (partner or pet): correct when the pipeline does not
  use the epoch.

The same figures for the naive attribution (the strongest target in your zone, what the
pipeline did before tracking) are printed alongside. Seeds below 10000 are never used for
fitting. A single-antenna radar at the headboard cannot tell the sides apart (documented
limitation) and is not drawn. Prints Markdown tables; the last line is one JSON object with
every figure.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass
import json
import math
from multiprocessing import Pool
import time

import numpy as np

from custom_components.radar_sleep.contracts import EPOCH_SECONDS
from custom_components.radar_sleep.simulation.bedroom import (
    USER_ID,
    BedroomSimulator,
    SimulatorConfig,
)
from custom_components.radar_sleep.simulation.scenarios import (
    EVALUATION_SEEDS,
    HELD_OUT_LIMIT,
    user_night_config,
)
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline
from custom_components.radar_sleep.sleep.presence import PresenceDetector
from custom_components.radar_sleep.sleep.session import PRESENT_FRACTION
from custom_components.radar_sleep.sleep.user import Decision

PURITY = 0.9
"""Share of an epoch's attributed frames that must be the user's for it to count as theirs."""


@dataclass
class Tally:
    """Epoch counts of one night (or a pool of nights)."""

    nights: int = 0
    in_bed: int = 0
    in_bed_ok: int = 0
    others_only: int = 0
    others_only_ok: int = 0
    naive_in_bed_ok: int = 0
    naive_others_only_ok: int = 0

    def add(self, other: Tally) -> None:
        """Add another tally's counts."""
        for key in vars(self):
            setattr(self, key, getattr(self, key) + getattr(other, key))

    def figures(self) -> dict[str, float | int | None]:
        """The counts and shares of this tally."""

        def share(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "nights": self.nights,
            "epochs_in_bed": self.in_bed,
            "in_bed_attributed": share(self.in_bed_ok, self.in_bed),
            "epochs_others_only": self.others_only,
            "others_only_excluded": share(self.others_only_ok, self.others_only),
            "overall": share(self.in_bed_ok + self.others_only_ok, self.in_bed + self.others_only),
            "naive_in_bed_attributed": share(self.naive_in_bed_ok, self.in_bed),
            "naive_others_only_excluded": share(self.naive_others_only_ok, self.others_only),
        }


def evaluate(job: tuple[int, int]) -> tuple[str, SimulatorConfig, Tally]:
    """Run one night; count its epochs."""
    seed, index = job
    name, cfg = user_night_config(seed, index)
    sim = BedroomSimulator(cfg)
    truth = sim.truth
    config = PipelineConfig(side=cfg.user_side, radar_position=cfg.radar_position)
    pipeline = SleepPipeline(config)
    tracker = pipeline.presence.tracker
    naive = PresenceDetector(config.zone, config.presence_threshold)
    n = truth.n_epochs
    frames = np.zeros(n, dtype=np.int64)
    counts = {
        key: np.zeros(n, dtype=np.int64)
        for key in ("present", "mine", "theirs", "naive_present", "naive_mine", "naive_theirs")
    }
    for k, frame in enumerate(sim.frames()):
        epoch = math.floor(frame.t / EPOCH_SECONDS)
        if epoch >= n:
            break
        pipeline.push(frame)
        frames[epoch] += 1
        if pipeline.presence.present:
            counts["present"][epoch] += 1
            verdict = tracker.verdict
            if verdict.decision == Decision.YOU and verdict.target_id is not None:
                owner = sim.owner(k, verdict.target_id)
                counts["mine" if owner == USER_ID else "theirs"][epoch] += 1
        target = naive.best_target(frame)
        naive.update(frame, target)
        if naive.present:
            counts["naive_present"][epoch] += 1
            if target is not None:
                owner = sim.owner(k, target.target_id)
                counts["naive_mine" if owner == USER_ID else "naive_theirs"][epoch] += 1
    user_in = truth.user.in_bed
    others_in = np.zeros(n, dtype=np.bool_)
    for person in (truth.partner, truth.pet):
        if person is not None:
            others_in |= person.in_bed
    tally = Tally(nights=1)
    for prefix, ok_in, ok_out in (
        ("", "in_bed_ok", "others_only_ok"),
        ("naive_", "naive_in_bed_ok", "naive_others_only_ok"),
    ):
        used = counts[prefix + "present"] >= PRESENT_FRACTION * np.maximum(frames, 1)
        attributed = counts[prefix + "mine"] + counts[prefix + "theirs"]
        pure = counts[prefix + "mine"] >= PURITY * np.maximum(attributed, 1)
        pure &= counts[prefix + "mine"] > 0
        setattr(tally, ok_in, int(np.sum(user_in & used & pure)))
        setattr(tally, ok_out, int(np.sum(~user_in & others_in & ~used)))
    tally.in_bed = int(np.sum(user_in))
    tally.others_only = int(np.sum(~user_in & others_in))
    return name, cfg, tally


def main(argv: list[str] | None = None) -> None:
    """Evaluate, print the tables and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=40)
    parser.add_argument("--first-seed", type=int, default=EVALUATION_SEEDS)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    args = parser.parse_args(argv)
    if args.first_seed + args.nights > HELD_OUT_LIMIT:
        parser.error(
            f"evaluation seeds must stay below {HELD_OUT_LIMIT} (training seeds start there)"
        )
    started = time.monotonic()
    jobs = [(args.first_seed + i, i) for i in range(args.nights)]
    if args.jobs > 1:
        with Pool(args.jobs) as pool:
            rows = pool.map(evaluate, jobs)
    else:
        rows = [evaluate(job) for job in jobs]

    by_scenario: dict[str, Tally] = defaultdict(Tally)
    by_position: dict[str, Tally] = defaultdict(Tally)
    overall = Tally()
    nights: list[dict[str, object]] = []
    for name, cfg, tally in rows:
        by_scenario[name].add(tally)
        by_position[f"{cfg.user_side} side, {cfg.radar_position}"].add(tally)
        overall.add(tally)
        nights.append({"seed": cfg.seed, "scenario": name, **tally.figures()})
        del nights[-1]["nights"]

    def pct(value: object) -> str:
        return "n/a" if value is None else f"{100 * float(value):.1f} %"  # type: ignore[arg-type]

    def table(title: str, groups: dict[str, Tally]) -> None:
        print(
            f"| {title} | nights | epochs you in bed | attributed to you | epochs others only "
            "| excluded | overall | naive: attributed | naive: excluded |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for key, tally in groups.items():
            f = tally.figures()
            print(
                f"| {key} | {f['nights']} | {f['epochs_in_bed']} | {pct(f['in_bed_attributed'])} "
                f"| {f['epochs_others_only']} | {pct(f['others_only_excluded'])} "
                f"| {pct(f['overall'])} | {pct(f['naive_in_bed_attributed'])} "
                f"| {pct(f['naive_others_only_excluded'])} |"
            )
        print()

    print(
        f"## Primary-user attribution, {args.nights} simulated nights "
        f"(seeds {args.first_seed}-{args.first_seed + args.nights - 1})\n"
    )
    table("scenario", dict(by_scenario))
    table("bed side, radar", dict(sorted(by_position.items())))
    total = overall.figures()
    print(
        f"Overall: {pct(total['in_bed_attributed'])} of {total['epochs_in_bed']} epochs with you "
        f"in bed attributed to you (goal >= 95 %), {pct(total['others_only_excluded'])} of "
        f"{total['epochs_others_only']} epochs with only someone else in bed excluded; naive "
        f"attribution {pct(total['naive_in_bed_attributed'])} and "
        f"{pct(total['naive_others_only_excluded'])}. {time.monotonic() - started:.0f} s.\n"
    )
    worst = sorted(
        (n for n in nights if n["in_bed_attributed"] is not None),
        key=lambda n: float(n["in_bed_attributed"]),  # type: ignore[arg-type]
    )[:5]
    print(
        "Worst nights: "
        + ", ".join(
            f"seed {n['seed']} ({n['scenario']}) {pct(n['in_bed_attributed'])}/"
            f"{pct(n['others_only_excluded'])}"
            for n in worst
        )
    )
    print(
        json.dumps(
            {
                "nights": args.nights,
                "first_seed": args.first_seed,
                "overall": total,
                "scenarios": {k: v.figures() for k, v in by_scenario.items()},
                "positions": {k: v.figures() for k, v in sorted(by_position.items())},
                "per_night": nights,
            }
        )
    )


if __name__ == "__main__":
    main()
