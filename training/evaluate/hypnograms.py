"""Compare simulated sleep periods with the real expert-scored hypnograms.

Usage::

    .venv/bin/python -m training.evaluate hypnograms --data ../shared/data/hypnograms
        [--nights 200] [--seed 0]

Samples ``--nights`` sleep periods from the shipped model (night i uses
``np.random.default_rng(seed + i)``), computes ``architecture_stats`` for them and for the main
sleep periods of every source of the data set, and prints a Markdown table of every figure
side by side, the epoch transition matrix of the simulated nights against Sleep-EDF-SC, and
as its last line one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from custom_components.radar_sleep.simulation.hypnogram import (
    REFERENCE_SOURCE,
    STAGE_LABELS,
    load_default_model,
    sample_sleep_period,
)
from training.fit.hypnogram import architecture_stats, load_source_nights

SOURCES = ("sleep-edf-sc", "ucddb", "slpdb")
SIMULATED = "simulated"

LABELS = {
    "n_nights": "nights",
    "pct_n1": "N1 (% of TST)",
    "pct_n2": "N2 (% of TST)",
    "pct_n3": "N3 (% of TST)",
    "pct_r": "R (% of TST)",
    "tst_median_min": "median TST (min)",
    "spt_median_min": "median SPT (min)",
    "waso_median_min": "median WASO (min)",
    "sleep_efficiency_pct": "sleep efficiency in SPT (%)",
    "awakenings_per_night": "awakenings per night",
    "rem_latency_median_min": "median REM latency from sleep onset (min)",
    "rem_episodes_per_night": "REM episodes per night (15-min rule)",
    "cycle_median_min": "median NREM-REM cycle, REM onset to onset (min)",
    "rem_episode_first_median_min": "median R min in first REM episode",
    "rem_episode_last_median_min": "median R min in last REM episode",
    "n3_first_third_pct": "N3 % of sleep, first third of SPT",
    "n3_last_third_pct": "N3 % of sleep, last third of SPT",
    "rem_first_third_pct": "R % of sleep, first third of SPT",
    "rem_last_third_pct": "R % of sleep, last third of SPT",
}


def _fmt(value: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


def _json_value(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def main(argv: list[str] | None = None) -> int:
    """Print the comparison tables and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="hypnogram data set root")
    parser.add_argument("--nights", type=int, default=200, help="simulated nights")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first simulated night")
    args = parser.parse_args(argv)

    model = load_default_model()
    simulated = [
        sample_sleep_period(np.random.default_rng(args.seed + i), model) for i in range(args.nights)
    ]
    stats = {SIMULATED: architecture_stats(simulated)}
    for source in SOURCES:
        stats[source] = architecture_stats(list(load_source_nights(args.data, source).values()))
    columns = (SIMULATED, *SOURCES)

    print(f"## Sleep architecture: simulated (seeds {args.seed}..{args.seed + args.nights - 1})")
    print("vs real main sleep periods (ucddb and slpdb: sleep-apnea patients)")
    print()
    print("| figure | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for key, label in LABELS.items():
        digits = 0 if key == "n_nights" else 1
        cells = " | ".join(_fmt(stats[c][key], digits) for c in columns)
        print(f"| {label} | {cells} |")
    print()
    print(f"## Epoch transition probabilities: simulated / {REFERENCE_SOURCE} (row -> column)")
    print()
    print("| from \\ to | " + " | ".join(STAGE_LABELS) + " |")
    print("|---|" + "---:|" * len(STAGE_LABELS))
    for a in STAGE_LABELS:
        cells = " | ".join(
            f"{_fmt(stats[SIMULATED][f'trans_{a}_{b}'], 3)} / "
            f"{_fmt(stats[REFERENCE_SOURCE][f'trans_{a}_{b}'], 3)}"
            for b in STAGE_LABELS
        )
        print(f"| {a} | {cells} |")
    print()
    print(
        json.dumps(
            {c: {k: _json_value(v) for k, v in stats[c].items()} for c in columns},
            sort_keys=True,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
