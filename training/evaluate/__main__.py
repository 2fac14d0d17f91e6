"""Every evaluation behind one command: ``python -m training.evaluate [COMMAND] [OPTIONS]``.

Without a command, the evaluation report: Markdown, PNG plots and every figure in JSON::

    .venv/bin/python -m training.evaluate [--nights 40] [--jobs 2] [--out docs/evaluation]
        [--data ../shared/data] [--first-seed 0] [--hypnogram-nights 200] [--quick]

(``scripts/evaluate`` runs it after ``scripts/setup``.) It follows the standardized framework
for testing sleep trackers of Menghini et al. (2021, *Sleep* 44:zsaa170): epoch-by-epoch
confusion matrix, accuracy, Cohen's kappa and per-stage sensitivity, specificity, PPV and F1,
per night (mean, SD, 95 % CI) and pooled; Bland-Altman bias and limits of agreement with the
proportional-bias and heteroscedasticity tests for TST, SE, SOL, WASO and the minutes of each
stage (statistics in :mod:`training.evaluate.agreement`). Three sections
(:mod:`training.evaluate.runs`): held-out simulated nights, the real Sleep-EDF night SC4001
from its breathing channel only, the simulator's sleep architecture against the real expert
hypnograms; plots in :mod:`training.evaluate.plots`, the Markdown in
:mod:`training.evaluate.report`. Deterministic: the same arguments and code write the same
files, byte for byte (fixed seeds, PNGs without timestamps).

Commands (each one's ``--help`` lists its options):

``stages``      stages, sessions and metric bias (:mod:`training.evaluate.stages`, 20 nights)
``intent``      sleep-intent onset error (:mod:`training.evaluate.intent`, 200 nights)
``user``        primary-user attribution (:mod:`training.evaluate.user`, 40 nights)
``all``         ``stages``, ``intent`` and ``user``; last line their JSON lines merged under
                ``"stages"``, ``"intent"`` and ``"user"`` (``--quick``: a few nights each)
``alarm``       the smart alarm's policy (:mod:`training.evaluate.alarm`, 500 nights)
``ceiling``     the causal-oracle ceiling of any smart alarm (:mod:`training.evaluate.ceiling`)
``hypnograms``  simulated against real sleep architecture (:mod:`training.evaluate.hypnograms`)
``learning``    what the tracker learns from its user: stage adaptation, alarm learning,
                teaching (:mod:`training.evaluate.learning`)

The last line printed by every command is one JSON object with its figures.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
import json
import math
from pathlib import Path
import sys
import time
from typing import Any

from custom_components.radar_sleep.simulation.scenarios import (
    EVALUATION_SEEDS,
    HELD_OUT_LIMIT,
    HELDOUT_PHYSIOLOGY_SEEDS,
)
from training import DATA_DIR, ROOT
from training.evaluate import alarm, ceiling, hypnograms, intent, learning, stages, user
from training.evaluate.agreement import (
    STAGE_NAMES,
    group_agreement,
    json_ready,
    sleep_wake,
)
from training.evaluate.learning import run_printing
from training.evaluate.plots import (
    plot_bland_altman,
    plot_confusion,
    plot_hypnograms,
    plot_stage_proportions,
    plot_transitions,
)
from training.evaluate.report import build_report, headline
from training.evaluate.runs import (
    KAPPA_GOAL,
    METRICS,
    REAL_MARGIN_MIN,
    REAL_RECORD,
    SW_NAMES,
    architecture,
    night_metric_agreement,
    real_night,
    run_nights,
)

DEFAULT_OUT = ROOT / "docs" / "evaluation"
HELDOUT_TEST_SEEDS = HELDOUT_PHYSIOLOGY_SEEDS + 5_000
"""First held-out physiology night of the report (95000-): the same range as the nights the
stage model's sequence step is selected on (90000-), other seeds."""
DEFAULT_DATA = DATA_DIR
USAGE = (
    "commands: "
    + ", ".join(("stages", "intent", "user", "all", "alarm", "ceiling", "hypnograms", "learning"))
    + " (python -m training.evaluate COMMAND --help); without one, the report:"
)


def _example_night(kappas: Sequence[float]) -> int:
    """Index of the median-κ night (the lower of the two middle ones)."""
    order = sorted((k, i) for i, k in enumerate(kappas) if math.isfinite(k))
    return order[(len(order) - 1) // 2][1] if order else 0


def report(argv: list[str] | None = None) -> int:
    """Build the report; print progress and, last, the headline JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=40, help="simulated held-out nights")
    parser.add_argument(
        "--first-seed", type=int, default=EVALUATION_SEEDS, help="first simulated seed"
    )
    parser.add_argument("--jobs", type=int, default=2, help="processes for the simulated nights")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report directory")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data root")
    parser.add_argument(
        "--hypnogram-nights",
        type=int,
        default=200,
        help="sleep periods drawn from the hypnogram model",
    )
    parser.add_argument(
        "--heldout-nights",
        type=int,
        default=20,
        help="simulated nights of the held-out physiology range (seeds from 95000)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 nights, 30 periods")
    args = parser.parse_args(argv)
    if args.quick:
        args.nights, args.hypnogram_nights = min(args.nights, 3), min(args.hypnogram_nights, 30)
        args.heldout_nights = min(args.heldout_nights, 2)
    if args.nights < 1:
        parser.error("--nights must be at least 1")
    if args.first_seed < 0 or args.first_seed + args.nights > HELD_OUT_LIMIT:
        parser.error(f"held-out seeds are 0..{HELD_OUT_LIMIT - 1}")
    started = time.monotonic()
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)

    seeds = list(range(args.first_seed, args.first_seed + args.nights))
    print(f"1/3 simulating {len(seeds)} held-out nights on {args.jobs} processes ...", flush=True)
    rows = run_nights(seeds, args.jobs)
    four = group_agreement([(r["ref"], r["dev"]) for r in rows])
    sw = group_agreement(
        [(sleep_wake(r["ref"]), sleep_wake(r["dev"])) for r in rows], names=SW_NAMES
    )
    pairs = [(r["dev_metrics"], r["ref_metrics"]) for r in rows if r["dev_metrics"]]
    ba = night_metric_agreement(pairs)
    kappas = [a.kappa for a in four.nights]
    rated = [r for r in rows if r["ref"]]
    ex = rated[_example_night(kappas)] if rated else rows[0]
    simulated = {
        "stager": rows[0]["stager"],
        "nights": len(rows),
        "seeds": [seeds[0], seeds[-1]],
        "epochs": four.pooled.n_epochs,
        "absent_epochs": sum(r["absent_epochs"] for r in rows),
        "unscored_epochs": sum(r["unscored_epochs"] for r in rows),
        "nights_one_session": sum(1 for r in rows if r["sessions"] == 1),
        "nights_with_summary": len(pairs),
        "four_class": four.to_dict(),
        "sleep_wake": sw.to_dict(),
        "bland_altman": {k: b.to_dict() for k, b in ba.items()},
        "per_night": [
            {
                "seed": r["seed"],
                "sessions": r["sessions"],
                "epochs": len(r["ref"]),
                "kappa": a.kappa,
                "accuracy": a.accuracy,
                "device": r["dev_metrics"],
                "reference": r["ref_metrics"],
            }
            for r, a in zip(rated, four.nights, strict=True)
        ],
        "example_seed": ex["seed"],
        "example_kappa": kappas[rated.index(ex)] if rated else None,
    }
    plot_confusion(
        four.pooled.confusion,
        STAGE_NAMES,
        f"simulated, {len(rows)} nights (pooled)",
        out_dir / "confusion_simulated.png",
    )
    for key, label, unit in METRICS:
        plot_bland_altman(
            ba[key],
            [math.nan if d[key] is None else d[key] for d, _ in pairs],
            [math.nan if r[key] is None else r[key] for _, r in pairs],
            label=label,
            unit=unit,
            path=out_dir / f"ba_{key}.png",
        )
    plot_hypnograms(
        ex["window_ref"],
        ex["window_dev"],
        f"simulated night, seed {ex['seed']}",
        out_dir / "hypnogram_simulated.png",
        "lights off",
    )

    heldout_seeds = list(range(HELDOUT_TEST_SEEDS, HELDOUT_TEST_SEEDS + args.heldout_nights))
    print(f"    {len(heldout_seeds)} nights of the held-out physiology range ...", flush=True)
    held_rows = run_nights(heldout_seeds, args.jobs) if heldout_seeds else []
    heldout: dict[str, Any] = {"nights": len(held_rows)}
    if held_rows:
        heldout |= {
            "seeds": [heldout_seeds[0], heldout_seeds[-1]],
            "four_class": group_agreement([(r["ref"], r["dev"]) for r in held_rows]).to_dict(),
            "sleep_wake": group_agreement(
                [(sleep_wake(r["ref"]), sleep_wake(r["dev"])) for r in held_rows],
                names=SW_NAMES,
            ).to_dict(),
        }

    print(f"    {time.monotonic() - started:.0f} s", flush=True)
    print("2/3 the real night ...", flush=True)
    real = real_night(args.data)
    real_json: dict[str, Any]
    if "skipped" in real:
        print(f"    skipped: {real['skipped']}", flush=True)
        real_json = dict(real)
    else:
        real_json = {
            k: v for k, v in real.items() if k not in ("four_class", "sleep_wake", "seconds")
        }
        real_json["four_class"] = real["four_class"].to_dict()
        real_json["sleep_wake"] = real["sleep_wake"].to_dict()
        plot_confusion(
            real["four_class"].confusion,
            STAGE_NAMES,
            f"real night {REAL_RECORD}",
            out_dir / "confusion_real.png",
        )
        plot_hypnograms(
            real["ref"],
            real["dev"],
            f"{REAL_RECORD}: expert (top) vs breathing-only analyser (bottom)",
            out_dir / "hypnogram_real.png",
            "window start",
        )

    print(f"    {time.monotonic() - started:.0f} s", flush=True)
    print("3/3 hypnogram architecture ...", flush=True)
    arch = architecture(args.data, args.hypnogram_nights, 0, [r["aasm"] for r in rows])
    if "skipped" not in arch:
        plot_stage_proportions(arch, out_dir / "stage_proportions.png")
        plot_transitions(arch, out_dir / "transitions.png")
    else:
        print(f"    skipped: {arch['skipped']}", flush=True)

    figures = json_ready(
        {
            "simulated": simulated,
            "heldout_physiology": heldout,
            "real": real_json,
            "architecture": arch,
            "settings": {
                "nights": args.nights,
                "first_seed": args.first_seed,
                "hypnogram_nights": args.hypnogram_nights,
                "heldout_nights": args.heldout_nights,
                "real_margin_min": REAL_MARGIN_MIN,
                "kappa_goal": KAPPA_GOAL,
            },
        }
    )
    (out_dir / "figures.json").write_text(
        json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    (out_dir / "report.md").write_text(build_report(figures), encoding="utf-8")
    head = headline(figures)
    head["report"] = str(out_dir / "report.md")
    head["seconds"] = round(time.monotonic() - started, 1)
    print(f"report: {out_dir / 'report.md'}", flush=True)
    print(json.dumps(head))
    return 0


def merged(argv: list[str] | None = None) -> int:
    """Run the stage, intent and user evaluations; last, their JSON lines as one object.

    Each runs in its own process, its report printed as it comes; ``--quick`` runs a few
    nights each.
    """
    parser = argparse.ArgumentParser(prog="python -m training.evaluate all")
    parser.add_argument("--quick", action="store_true", help="a few nights each, a smoke run")
    args = parser.parse_args(argv)
    nights = MERGED_QUICK_NIGHTS if args.quick else MERGED_NIGHTS
    last: dict[str, Any] = {}
    for name, n in nights.items():
        print(f"== {name}", flush=True)
        code, figures = run_printing(
            [sys.executable, "-m", "training.evaluate", name, "--nights", str(n)]
        )
        if code:
            return code
        last[name] = figures
    print(json.dumps(last))
    return 0


COMMANDS: dict[str, Callable[[list[str]], object]] = {
    "stages": stages.main,
    "intent": intent.main,
    "user": user.main,
    "alarm": alarm.main,
    "ceiling": ceiling.main,
    "hypnograms": hypnograms.main,
    "learning": learning.main,
    "all": merged,
}
"""The subcommands; without one, the report."""
MERGED_NIGHTS = {"stages": 20, "intent": 200, "user": 40}
MERGED_QUICK_NIGHTS = {"stages": 2, "intent": 4, "user": 4}


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand, or build the report."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in COMMANDS:
        code = COMMANDS[args[0]](args[1:])
        return code if isinstance(code, int) else 0
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
    return report(args)


if __name__ == "__main__":
    raise SystemExit(main())
