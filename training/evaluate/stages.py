"""Evaluate the sleep pipeline on held-out simulated nights against their ground truth.

    .venv/bin/python -m training.evaluate stages [--nights 20] [--first-seed 0]

Seeds below 10000 are never used for fitting (training seeds start at 10000:
:mod:`custom_components.radar_sleep.simulation.scenarios`).
Prints a Markdown summary; the last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import EPOCH_SECONDS, Stage
from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator
from custom_components.radar_sleep.simulation.scenarios import EVALUATION_SEEDS, simulated_config
from custom_components.radar_sleep.sleep import (
    PipelineConfig,
    SleepPipeline,
    sleep_metrics,
)


def cohen_kappa(truth: NDArray[np.int8], pred: NDArray[np.int8], k: int = 4) -> float:
    """Cohen's kappa (Cohen J, *Educ Psychol Meas* 20:37-46, 1960)."""
    cm = confusion(truth, pred, k).astype(float)
    n = cm.sum()
    po = np.trace(cm) / n
    pe = float((cm.sum(0) * cm.sum(1)).sum()) / (n * n)
    return float((po - pe) / (1 - pe)) if pe < 1 else 1.0


def confusion(truth: NDArray[np.int8], pred: NDArray[np.int8], k: int = 4) -> NDArray[np.int64]:
    """Confusion matrix, rows truth, columns predicted."""
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (truth, pred), 1)
    return cm


def evaluate(seed: int) -> dict[str, float | list[int] | None]:
    """Run the pipeline over night ``seed``; its epochs and errors against the ground truth."""
    cfg = simulated_config(seed)
    sim = BedroomSimulator(cfg)
    truth = sim.truth
    pipeline = SleepPipeline(PipelineConfig(side=cfg.user_side, radar_position=cfg.radar_position))
    records = {}
    for result in pipeline.run(sim.frames()):
        records[result.record.index] = result.record
    summaries = pipeline.summaries
    out: dict[str, float | list[int] | None] = {"seed": seed, "sessions": len(summaries)}
    t_stages = truth.user_stages
    # Epoch by epoch, where the user is in bed between intent and getting up.
    lo, hi = int(truth.intent_s) // EPOCH_SECONDS, int(truth.bed_exit_s) // EPOCH_SECONDS
    idx = [i for i in range(lo, hi) if t_stages[i] >= 0 and i in records]
    y = np.array([t_stages[i] for i in idx], dtype=np.int8)
    p = np.array([records[i].stage for i in idx], dtype=np.int8)
    out["epochs"] = len(idx)
    out["y"] = y.tolist()
    out["p"] = p.tolist()
    if not summaries:
        return out
    s = summaries[0]
    t_hyp = np.where(t_stages[lo:hi] < 0, Stage.WAKE, t_stages[lo:hi])
    tm = sleep_metrics(t_hyp.tolist())
    assert s.metrics is not None
    assert tm is not None
    origin = pipeline.origin
    out.update(
        session_start_err_min=((s.session_start - origin).total_seconds() - truth.bed_enter_s) / 60,
        session_end_err_min=((s.session_end - origin).total_seconds() - truth.bed_exit_s) / 60,
        intent_err_min=None
        if s.intent_start is None
        else ((s.intent_start - origin).total_seconds() - truth.intent_s) / 60,
        tst_err_min=s.metrics.tst_min - tm.tst_min,
        se_err_pct=s.metrics.se_pct - tm.se_pct,
        sol_err_min=None
        if s.metrics.sol_min is None or tm.sol_min is None
        else s.metrics.sol_min - tm.sol_min,
        waso_err_min=s.metrics.waso_min - tm.waso_min,
    )
    return out


def main(argv: list[str] | None = None) -> None:
    """Evaluate, print the summary and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=EVALUATION_SEEDS)
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows = [evaluate(seed) for seed in range(args.first_seed, args.first_seed + args.nights)]
    y = np.concatenate([np.array(r["y"], dtype=np.int8) for r in rows])
    p = np.concatenate([np.array(r["p"], dtype=np.int8) for r in rows])
    cm = confusion(y, p)
    sleep_y, sleep_p = (y != Stage.WAKE).astype(np.int8), (p != Stage.WAKE).astype(np.int8)
    per_night = [cohen_kappa(np.array(r["y"]), np.array(r["p"])) for r in rows if r["y"]]

    def med(key: str) -> float | None:
        vals = [abs(float(r[key])) for r in rows if r.get(key) is not None]  # type: ignore[arg-type]
        return round(float(np.median(vals)), 2) if vals else None

    def bias(key: str) -> float | None:
        vals = [float(r[key]) for r in rows if r.get(key) is not None]  # type: ignore[arg-type]
        return round(float(np.mean(vals)), 2) if vals else None

    figures = {
        "nights": args.nights,
        "nights_with_one_session": sum(1 for r in rows if r["sessions"] == 1),
        "epochs": int(y.size),
        "accuracy": round(float(np.mean(y == p)), 3),
        "kappa_4class_pooled": round(cohen_kappa(y, p), 3),
        "kappa_4class_median_night": round(float(np.median(per_night)), 3),
        "kappa_sleep_wake": round(cohen_kappa(sleep_y, sleep_p, 2), 3),
        "confusion_wake_light_deep_rem": cm.tolist(),
        "session_start_abs_err_min_median": med("session_start_err_min"),
        "session_end_abs_err_min_median": med("session_end_err_min"),
        "intent_onset_abs_err_min_median": med("intent_err_min"),
        "tst_bias_min": bias("tst_err_min"),
        "tst_abs_err_min_median": med("tst_err_min"),
        "se_bias_pct": bias("se_err_pct"),
        "sol_bias_min": bias("sol_err_min"),
        "waso_bias_min": bias("waso_err_min"),
        "seconds": round(time.monotonic() - started, 1),
    }
    print(f"# Pipeline on {args.nights} held-out simulated nights (seeds {args.first_seed}..)\n")
    print("| figure | value |\n|---|---|")
    for key, value in figures.items():
        if key != "confusion_wake_light_deep_rem":
            print(f"| {key} | {value} |")
    print("\nConfusion (rows truth, columns predicted: wake, light, deep, REM):")
    for label, row in zip(("wake", "light", "deep", "rem"), cm.tolist(), strict=True):
        print(f"  {label:>5} {row}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
