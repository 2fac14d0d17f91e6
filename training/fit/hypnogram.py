"""Fit the sleep-period hypnogram model to the Sleep-EDF-SC nights and write its parameters.

Usage::

    .venv/bin/python -m training.fit.hypnogram --data ../shared/data/hypnograms
        [--out custom_components/radar_sleep/simulation/hypnogram_params.json]

The model and its parameter format live in
``custom_components/radar_sleep/simulation/hypnogram.py``; this script only runs
``fit_reference_model`` and writes ``HypnogramModel.to_json()`` (sorted keys, floats rounded to
6 decimals), so re-running it on the same data gives a byte-identical file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from custom_components.radar_sleep.simulation.hypnogram import (
    PARAMS_FILE,
    REFERENCE_SOURCE,
    STAGE_LABELS,
    AasmStage,
    architecture_stats,
    fit_reference_model,
    load_source_nights,
    sample_sleep_period,
)

SUMMARY_SIM_NIGHTS = 100


def main(argv: list[str] | None = None) -> int:
    """Fit, write the parameters and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="hypnogram data set root")
    parser.add_argument("--out", type=Path, default=PARAMS_FILE, help="parameter JSON to write")
    args = parser.parse_args(argv)

    model = fit_reference_model(args.data)
    text = model.to_json()
    previous = args.out.read_text(encoding="utf-8") if args.out.is_file() else None
    args.out.write_text(text, encoding="utf-8")

    spt_median_h = float(np.exp(model.spt_log_mean)) / 60.0
    print(f"fitted on {model.source}")
    print(f"{model.n_nights} nights, {model.n_bouts} bouts")
    print(
        f"SPT log-normal: median {spt_median_h:.2f} h, sd(ln) {model.spt_log_sd:.3f}; "
        f"clipped to {model.spt_clip_min[0] / 60:.0f}-{model.spt_clip_min[1] / 60:.0f} h"
    )
    n2_rem = model.rem_entry_probs[:, AasmStage.N2, :]
    edges = ", ".join(f"{e:g}" for e in model.rem_gap_edges_min)
    print(f"P(N2 bout -> REM) by REM episodes begun (rows) x min since REM (edges {edges}):")
    for level, row in enumerate(n2_rem):
        print(f"  {level}: " + " ".join(f"{p:.2f}" for p in row))
    n2_n3 = model.transition_probs[:, AasmStage.N2, AasmStage.N3]
    n2_total = model.transition_probs[:, AasmStage.N2, :].sum(axis=1)
    print("P(N2 -> N3 | not REM) by hour: " + " ".join(f"{p:.2f}" for p in n2_n3 / n2_total))

    real = architecture_stats(list(load_source_nights(args.data, REFERENCE_SOURCE).values()))
    sim = architecture_stats(
        [sample_sleep_period(np.random.default_rng(s), model) for s in range(SUMMARY_SIM_NIGHTS)]
    )
    print(f"% of TST, {REFERENCE_SOURCE} vs {SUMMARY_SIM_NIGHTS} simulated nights:")
    for label in STAGE_LABELS[1:]:
        key = f"pct_{label.lower()}"
        print(f"  {label}: {real[key]:5.1f} vs {sim[key]:5.1f}")
    status = "unchanged" if previous == text else "written"
    print(f"{args.out} {status} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
