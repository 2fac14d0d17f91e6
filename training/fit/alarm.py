"""Fit the smart alarm policy's parameters on the training nights; write ``alarm_params.json``.

    .venv/bin/python -m training.fit.alarm [--seeds 10000-10099,30000-30059] [--draws 5]
        [--window 30] [--spread 120] [--jobs 2] [--cached-only] [--dry-run]

Training nights only: by default the stage model's own training nights of
:mod:`training.datasets`, 10-Hz devices (seeds 10000-10099) and 1, 2 and 5-Hz devices
(30000-30059); :mod:`training.evaluate.alarm` measures on seeds 20000 and up and 40000 and
up. Each night is staged by the runtime's default stage model and gets ``--draws`` alarm
windows, drawn as in the evaluation (:func:`training.evaluate.alarm.prepare`, more draws of the
night's generator).

1. **Latest-moment model** (:class:`~custom_components.radar_sleep.alarm_core.policy.
   LatestMomentModel`), for every candidate of the thresholds below: the windows are replayed
   through the policy itself, so that classes, run lengths (counted from the window's
   opening) and events are exactly those it sees, and counted: ``stay[c][b]`` = P(same class
   next epoch | class ``c``, run bucket ``b``), shrunk towards the class's overall stay
   probability with 5 pseudo-counts; ``switch[c][d]`` = P(class ``d`` entered | class ``c``
   left), one pseudo-count per cell; ``success[c][b]`` = P(the true stage of the next epoch,
   the one the user is woken in, is light | class, bucket), shrunk towards the class's rate;
   ``movement_success`` and ``breathing_success`` = the same at wakeable events that are not
   confirmed light sleep, shrunk towards 1/2.
2. **Thresholds** (``light_probability``, ``network_light_probability`` (on the stage
   network's own probabilities, before its sequence step), ``wake_in_weak_light``,
   ``min_light_epochs``, ``movement_threshold``, ``breathing_change``) and the trade-off
   ``sleep_value`` by
   coordinate descent (at most three sweeps over each one's grid from the built-in
   defaults), maximising
   ``score = % of the windows with light sleep in which the user is woken in light sleep
   + 0.05 * mean minutes gained versus the naive alarm``: waking in light sleep first (20
   minutes gained weigh as much as one percentage point, so minutes only break near-ties).
   The stage model's probabilities are sharp after its sequence step (a forward filter), so
   the grid of ``light_probability`` reaches 0.999; ``sleep_value`` stays above 0 so that the
   learned patience (a factor on it) keeps something to scale.

Prints each sweep, then the trade-off (``sleep_value`` against light sleep and minutes) for
the chosen thresholds, on the training windows; the last line is one JSON object.
``--dry-run`` does not write the file.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
import json
from pathlib import Path
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.alarm_core.policy import (
    CLASSES,
    LIGHT as LIGHT_CLASS,
    PARAMS_FILE,
    AlarmPolicyParams,
    LatestMomentModel,
    Observation,
    SmartAlarmPolicy,
)
from custom_components.radar_sleep.simulation.scenarios import (
    ALARM_TRAINING_SEEDS,
    is_training_seed,
)
from training.datasets import CACHE, nights, parse_seeds
from training.evaluate.alarm import (
    LIGHT,
    Prepared,
    evaluate,
    prepare_seeds,
    stage_model_name,
    summarise,
    window_times,
)

PCT_PER_MIN = 0.05
"""Weight of one minute gained, in percentage points of light sleep at waking."""
SHRINK = 5.0
GRID: dict[str, list[Any]] = {
    "light_probability": [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999],
    "network_light_probability": [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.97],
    "wake_in_weak_light": [False, True],
    "min_light_epochs": [1, 2, 3, 5],
    "movement_threshold": [0.1, 0.2, 0.35, 0.5, 1.0],
    "breathing_change": [0.1, 0.15, 0.25, 0.4, 1.0],
    "sleep_value": [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03],
}
"""Candidate values (a movement threshold of 1 leaves only total movement as an event)."""
INTEGERS = ("min_light_epochs",)


def _table(a: NDArray[np.float64]) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(round(float(v), 6) for v in row) for row in a)


def fit_model(prepared: list[Prepared], params: AlarmPolicyParams) -> AlarmPolicyParams:
    """``params`` with the latest-moment model counted over the windows (see the module doc).

    Whether the policy would trigger does not matter here: every epoch of the window is fed.
    """
    k, b = len(CLASSES), len(params.run_edges)
    model = LatestMomentModel(params)
    stay_n, total_n = np.zeros((k, b)), np.zeros((k, b))
    switch_n = np.ones((k, k)) - np.eye(k)
    hit_n, seen_n = np.zeros((k, b)), np.zeros((k, b))
    events = {"movement": [0, 0], "breathing": [0, 0]}
    for p in prepared:
        policy = SmartAlarmPolicy(params)
        policy.start_window(*window_times(p.window))
        prev: Observation | None = None
        for i in range(p.window.start - 1, p.window.deadline - 1):
            policy.observe(p.updates[i])
            obs = policy.last_observation
            assert obs is not None
            light_next = int(p.night.stage[i + 1] == LIGHT)
            if obs.cls is not None:
                j = model.bucket(max(obs.run, 1))
                seen_n[obs.cls, j] += 1
                hit_n[obs.cls, j] += light_next
                if prev is not None and prev.cls is not None:
                    jp = model.bucket(max(prev.run, 1))
                    total_n[prev.cls, jp] += 1
                    if obs.cls == prev.cls:
                        stay_n[prev.cls, jp] += 1
                    else:
                        switch_n[prev.cls, obs.cls] += 1
            confirmed = obs.cls == LIGHT_CLASS and obs.run >= params.min_light_epochs
            if not confirmed and (obs.movement or obs.breathing is not None):
                counts = events["movement" if obs.movement else "breathing"]
                counts[0] += 1
                counts[1] += light_next
            prev = obs
    overall = (stay_n.sum(1) + 1) / (total_n.sum(1) + 2)
    stay = (stay_n + SHRINK * overall[:, None]) / (total_n + SHRINK)
    switch = switch_n / switch_n.sum(1, keepdims=True)
    rate = (hit_n.sum(1) + 1) / (seen_n.sum(1) + 2)
    success = (hit_n + SHRINK * rate[:, None]) / (seen_n + SHRINK)

    def shrunk(counts: list[int]) -> float:
        return round((counts[1] + 0.5 * SHRINK) / (counts[0] + SHRINK), 6)

    return replace(
        params,
        stay=_table(stay),
        switch=_table(switch),
        success=_table(success),
        movement_success=shrunk(events["movement"]),
        breathing_success=shrunk(events["breathing"]),
    )


def score(figures: dict[str, Any]) -> float:
    """Light sleep at waking first; minutes gained break near-ties (see the module doc)."""
    light = figures["light_when_offered_pct"] or 0.0
    return float(light) + PCT_PER_MIN * float(figures["gained_vs_first_detected_min_mean"])


def coordinate_descent(
    prepared: list[Prepared], sweeps: int = 3
) -> tuple[AlarmPolicyParams, dict[str, Any]]:
    """The best parameters found, and their figures on ``prepared``."""
    best = fit_model(prepared, AlarmPolicyParams())
    best_fig = summarise(evaluate(prepared, best))
    best_score = score(best_fig)
    for sweep in range(sweeps):
        changed = False
        for name, values in GRID.items():
            for value in values:
                typed = int(value) if name in INTEGERS else value
                if typed == getattr(best, name):
                    continue
                change: dict[str, Any] = {name: typed}
                candidate = fit_model(prepared, replace(best, **change))
                figures = summarise(evaluate(prepared, candidate))
                s = score(figures)
                if s > best_score + 1e-9:
                    best, best_fig, best_score, changed = candidate, figures, s, True
            print(
                f"sweep {sweep + 1} {name:>25} = {getattr(best, name)!s:<6} score "
                f"{best_score:7.2f}  light {best_fig['light_when_offered_pct']} %  gained "
                f"{best_fig['gained_vs_first_detected_min_mean']} min",
                flush=True,
            )
        if not changed:
            break
    return best, best_fig


def frontier(prepared: list[Prepared], params: AlarmPolicyParams) -> list[dict[str, Any]]:
    """Light sleep against minutes gained for each ``sleep_value`` (the trade-off's knob)."""
    rows = []
    for value in GRID["sleep_value"]:
        figures = summarise(evaluate(prepared, replace(params, sleep_value=value)))
        rows.append(
            {
                "sleep_value": value,
                "light_when_offered_pct": figures["light_when_offered_pct"],
                "gained_min_mean": figures["gained_vs_first_detected_min_mean"],
                "deadline_rings": figures["deadline_rings"],
            }
        )
    return rows


def params_json(params: AlarmPolicyParams) -> str:
    """The JSON file: one key per line, a matrix row per line."""
    lines = []
    for key, value in params.to_dict().items():
        if key in ("stay", "switch", "success"):
            rows = ",\n    ".join(json.dumps(row) for row in value)
            lines.append(f'  "{key}": [\n    {rows}\n  ]')
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main() -> None:
    """Fit the policy; print the sweeps and the JSON line; write the parameters file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seeds",
        default=ALARM_TRAINING_SEEDS,
        help="training seed ranges A-B (default: the 10-Hz and the low-rate training nights)",
    )
    parser.add_argument("--draws", type=int, default=5, help="alarm windows per night")
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--spread", type=float, default=120.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cached-only", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--out", type=Path, default=PARAMS_FILE)
    args = parser.parse_args()
    started = time.monotonic()
    seeds = parse_seeds(args.seeds)
    if not all(is_training_seed(s) for s in seeds):
        parser.error("fit on the training seeds (10000-19999, 30000-39999) only")
    if args.cached_only:
        seeds = [s for s in seeds if (CACHE / f"{s}.npz").exists()]
    else:
        nights(seeds, args.jobs)
    prepared = prepare_seeds(seeds, args.window, args.spread, args.draws, args.jobs)
    print(f"{len(seeds)} training nights, {len(prepared)} windows", flush=True)
    params, figures = coordinate_descent(prepared)
    print("| sleep_value | light when offered % | gained min (mean) | deadline rings |")
    print("|---|---|---|---|")
    for row in frontier(prepared, params):
        print(
            f"| {row['sleep_value']} | {row['light_when_offered_pct']} | "
            f"{row['gained_min_mean']} | {row['deadline_rings']} |"
        )
    model = stage_model_name()
    # The provenance keeps the name the shipped file was fitted under, so that a refit writes
    # the same bytes (tests/alarm_core/test_policy.py checks it).
    params = replace(
        params,
        fitted=(
            f"scripts/fit_alarm.py: {len(seeds)} training nights (seeds {args.seeds}),"
            f" {args.draws} windows each, stage model {model}"
        ),
    )
    if not args.dry_run:
        args.out.write_text(params_json(params), encoding="utf-8")
        print(f"wrote {args.out}")
    out = {
        "stage_model": model,
        "training_nights": len(seeds),
        "windows": len(prepared),
        "score": round(score(figures), 3),
        **{
            k: v
            for k, v in params.to_dict().items()
            if k not in ("stay", "switch", "success", "fitted")
        },
        **{f"train_{k}": v for k, v in figures.items() if k not in ("nights", "nights_skipped")},
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
