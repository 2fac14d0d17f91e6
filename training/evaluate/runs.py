"""The report's three runs: held-out simulated nights, the real night, the architecture.

1. held-out simulated nights (seeds below 10000, never used in training) through the real
   :class:`~custom_components.radar_sleep.sleep.SleepPipeline` with its default stage model;
2. the real Sleep-EDF night SC4001 reduced to what a radar would see (its 1-Hz breathing
   channel only), scored by ``analyze_breathing``;
3. the simulator's sleep architecture against the real expert hypnograms
   (:mod:`training.evaluate.hypnograms`' figures).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
import json
import math
from multiprocessing import get_context
from pathlib import Path
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import EPOCH_SECONDS, SleepMetrics, Stage
from custom_components.radar_sleep.simulation.bedroom import ABSENT, BedroomSimulator
from custom_components.radar_sleep.simulation.hypnogram import (
    REFERENCE_SOURCE,
    STAGE_LABELS,
    load_default_model,
    sample_sleep_period,
    to_four_class,
)
from custom_components.radar_sleep.simulation.physiology import Activity
from custom_components.radar_sleep.simulation.scenarios import (
    HELDOUT_PHYSIOLOGY_SEEDS,
    heldout_physiology_config,
    simulated_config,
)
from custom_components.radar_sleep.sleep import (
    PipelineConfig,
    SleepPipeline,
    sleep_metrics,
)
from custom_components.radar_sleep.sleep.features import MOVEMENT_FRAME_LEVEL
from custom_components.radar_sleep.sleep.staging import BaselineStager
from training.evaluate.agreement import (
    BlandAltman,
    bland_altman,
    epoch_agreement,
    sleep_wake,
)
from training.evaluate.hypnograms import SOURCES
from training.fit.hypnogram import architecture_stats, load_hypnogram_csv, load_source_nights
from training.psg.analyze import analyze_breathing

KAPPA_GOAL = 0.75
REAL_RECORD = "SC4001E0"
REAL_MARGIN_MIN = 30
"""Minutes of the real recording kept before the first and after the last sleep epoch."""
REAL_START = datetime(1989, 4, 24, 16, 13)
"""Start of the SC4001E0 recording (local clock; ``analyze_breathing`` takes naive as UTC)."""
SW_NAMES = ("wake", "sleep")

METRICS: tuple[tuple[str, str, str], ...] = (
    ("tst_min", "TST", "min"),
    ("se_pct", "SE", "%"),
    ("sol_min", "SOL", "min"),
    ("waso_min", "WASO", "min"),
    ("light_min", "light", "min"),
    ("deep_min", "deep", "min"),
    ("rem_min", "REM", "min"),
)
"""Night metrics compared by Bland-Altman: attribute of SleepMetrics, label, unit."""

# =============================================================================================
# 1. Simulated held-out nights
# =============================================================================================


def _metrics_dict(m: SleepMetrics | None) -> dict[str, float | None] | None:
    if m is None:
        return None
    return {key: getattr(m, key) for key, _, _ in METRICS} | {"tib_min": m.tib_min}


def describe_stager(stager: object) -> str:
    """A short name of the pipeline's stage model (class, and model name/version if any)."""
    name = type(stager).__name__
    meta = getattr(stager, "meta", None)
    extra = [str(getattr(meta, a)) for a in ("name", "version") if getattr(meta, a, None)]
    return f"{name} ({' '.join(extra)})" if extra else name


def simulate_night(seed: int) -> dict[str, Any]:
    """Run the pipeline over one simulated night and pair its output with the ground truth.

    The epoch-by-epoch comparison covers the in-bed period as ``scripts/evaluate stages``
    defines it: from lights off (the simulated user's sleep intent) to getting up, epochs
    with the user in bed (a bathroom trip is left out) that the pipeline scored. Night metrics:
    the pipeline's own summary (its own lights-off estimate to the end of its session; the
    longest session if the night split) against :func:`sleep_metrics` of the true stages from
    lights off to getting up, out-of-bed epochs as wake. Seeds from
    :data:`HELDOUT_PHYSIOLOGY_SEEDS` on are nights of the held-out physiology range
    (:func:`heldout_physiology_config`).
    """
    cfg = (
        heldout_physiology_config(seed)
        if seed >= HELDOUT_PHYSIOLOGY_SEEDS
        else simulated_config(seed)
    )
    sim = BedroomSimulator(cfg)
    truth = sim.truth
    pipeline = SleepPipeline(PipelineConfig(side=cfg.user_side, radar_position=cfg.radar_position))
    predicted: dict[int, int] = {}
    for result in pipeline.run(sim.frames()):
        predicted[result.record.index] = int(result.record.stage)
    stages = truth.user_stages
    lo, hi = int(truth.intent_s) // EPOCH_SECONDS, int(truth.bed_exit_s) // EPOCH_SECONDS
    window_ref = [int(s) for s in stages[lo:hi]]
    window_dev = [predicted.get(i, -1) for i in range(lo, hi)]
    pairs = [(r, d) for r, d in zip(window_ref, window_dev, strict=True) if r >= 0 and d >= 0]
    ref_hyp = np.where(stages[lo:hi] < 0, Stage.WAKE, stages[lo:hi])
    summaries = pipeline.summaries
    device = max(summaries, key=lambda s: s.metrics.tib_min if s.metrics else -1.0, default=None)
    # AASM-like codes of the true night for the architecture comparison (reading is wake;
    # out of bed inside the sleep period, a bathroom trip, is wake too).
    act = truth.user.activity.astype(np.int16)
    aasm = np.where((act == Activity.READING) | (act == ABSENT), 0, act).astype(np.int8)
    return {
        "seed": seed,
        "stager": describe_stager(pipeline.stager),
        "sessions": len(summaries),
        "window_epochs": hi - lo,
        "absent_epochs": sum(1 for r in window_ref if r < 0),
        "unscored_epochs": sum(
            1 for r, d in zip(window_ref, window_dev, strict=True) if r >= 0 > d
        ),
        "ref": [r for r, _ in pairs],
        "dev": [d for _, d in pairs],
        "window_ref": window_ref,
        "window_dev": window_dev,
        "ref_metrics": _metrics_dict(sleep_metrics(ref_hyp.tolist())),
        "dev_metrics": _metrics_dict(device.metrics if device else None),
        "aasm": aasm[: int(truth.bed_exit_s) // EPOCH_SECONDS].tolist(),
    }


def run_nights(seeds: Sequence[int], jobs: int) -> list[dict[str, Any]]:
    """:func:`simulate_night` for each seed, in seed order, on ``jobs`` processes."""
    if jobs <= 1 or len(seeds) <= 1:
        return [simulate_night(s) for s in seeds]
    with get_context("spawn").Pool(min(jobs, len(seeds))) as pool:
        return pool.map(simulate_night, seeds, chunksize=1)


def night_metric_agreement(
    pairs: Sequence[tuple[Mapping[str, float | None], Mapping[str, float | None]]],
) -> dict[str, BlandAltman]:
    """Bland-Altman of every night metric over (device, reference) metric dicts."""
    out = {}
    for key, _, _ in METRICS:
        dev = [math.nan if d.get(key) is None else float(d[key]) for d, _ in pairs]  # type: ignore[arg-type]
        ref = [math.nan if r.get(key) is None else float(r[key]) for _, r in pairs]  # type: ignore[arg-type]
        out[key] = bland_altman(dev, ref, size="mean")
    return out


# =============================================================================================
# 2. The real night
# =============================================================================================


def _stages_from(result: object) -> list[int]:
    """Per-epoch stage codes of an ``AnalysisResult`` (``.stages``) or a plain sequence."""
    value = getattr(result, "stages", result)
    return [int(s) for s in value]  # type: ignore[attr-defined]


def load_real_night(data: Path) -> tuple[NDArray[np.float64], NDArray[np.int8], int, int] | str:
    """The SC4001 breathing signal (1 Hz), its four-class hypnogram, first/last sleep epoch.

    Returns a message instead when the data are absent.
    """
    folder = data / "sleep-edf-sc4001"
    summary_path = data / "hypnograms" / "summary.json"
    needed = (folder / "resp_1hz.csv", folder / "hypnogram.csv", summary_path)
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        return f"data not found: {', '.join(missing)}"
    table = np.loadtxt(folder / "resp_1hz.csv", delimiter=",", skiprows=1)
    t, resp = table[:, 0], table[:, 1]
    if t.size > 1 and not np.allclose(np.diff(t), 1.0):
        return "resp_1hz.csv is not sampled at 1 Hz"
    codes = load_hypnogram_csv(folder / "hypnogram.csv")
    info = json.loads(summary_path.read_text(encoding="utf-8"))["nights"]["sleep-edf-sc"]
    first = int(info[REAL_RECORD]["first_sleep_epoch"])
    last = int(info[REAL_RECORD]["last_sleep_epoch"])
    four = np.where(codes < 0, -1, to_four_class(np.clip(codes, 0, None))).astype(np.int8)
    return resp.astype(np.float64), four, first, last


def real_night(data: Path) -> dict[str, Any]:
    """Score the real night from its breathing channel alone and compare with the experts."""
    loaded = load_real_night(data)
    if isinstance(loaded, str):
        return {"skipped": loaded}
    resp, ref_all, first, last = loaded
    per_min = 60 // EPOCH_SECONDS
    lo = max(0, first - REAL_MARGIN_MIN * per_min)
    hi = min(ref_all.size, last + 1 + REAL_MARGIN_MIN * per_min)
    fs = 1.0
    # A radar sees the bed: give it the window only (the person in bed), not the day.
    signal = resp[int(lo * EPOCH_SECONDS * fs) : int(hi * EPOCH_SECONDS * fs)]
    start = REAL_START + timedelta(seconds=lo * EPOCH_SECONDS)
    started = time.monotonic()
    result: Any = analyze_breathing(signal, fs, start)
    seconds = time.monotonic() - started
    dev_all = _stages_from(result)
    n = min(len(dev_all), hi - lo)
    ref = ref_all[lo : lo + n].astype(np.int64)
    dev = np.array(dev_all[:n], dtype=np.int64)
    keep = (ref >= 0) & (dev >= 0)
    four = epoch_agreement(ref[keep], dev[keep])
    sw = epoch_agreement(sleep_wake(ref[keep]), sleep_wake(dev[keep]), SW_NAMES)
    # For comparison: the same night through the baseline HMM the trained model replaced.
    base_all = _stages_from(analyze_breathing(signal, fs, start, stager=BaselineStager()))
    base = np.array((base_all + [-1] * n)[:n], dtype=np.int64)
    bkeep = (ref >= 0) & (base >= 0)
    base_four = epoch_agreement(ref[bkeep], base[bkeep])
    base_sw = epoch_agreement(sleep_wake(ref[bkeep]), sleep_wake(base[bkeep]), SW_NAMES)
    ref_hyp = np.where(ref < 0, Stage.WAKE, ref)
    dev_hyp = np.where(dev < 0, Stage.WAKE, dev)
    main = getattr(result, "main_summary", None)
    view = getattr(result, "view", None)
    present = getattr(result, "present", None)
    return {
        "record": REAL_RECORD,
        "window_epochs": [int(lo), int(lo + n)],
        "first_sleep_epoch": first,
        "last_sleep_epoch": last,
        "margin_min": REAL_MARGIN_MIN,
        "epochs": int(keep.sum()),
        "epochs_output": len(dev_all),
        "seconds": seconds,
        "four_class": four,
        "sleep_wake": sw,
        "baseline_kappa_4class": base_four.kappa,
        "baseline_accuracy_4class": base_four.accuracy,
        "baseline_kappa_sleep_wake": base_sw.kappa,
        "ref_metrics": _metrics_dict(sleep_metrics(ref_hyp.tolist())),
        "dev_metrics": _metrics_dict(sleep_metrics(dev_hyp.tolist())),
        "summary_metrics": _metrics_dict(main.metrics if main is not None else None),
        "sessions": len(getattr(result, "summaries", ())),
        "present_fraction": None if present is None else float(np.mean(present[:n])),
        "clear_breathing_fraction": getattr(view, "periodic_fraction", None),
        "movement_fraction": None
        if view is None
        else float(np.mean(np.asarray(view.movement) > MOVEMENT_FRAME_LEVEL)),
        "ref": ref.tolist(),
        "dev": dev.tolist(),
    }


# =============================================================================================
# 3. Simulated architecture vs real hypnograms
# =============================================================================================


def _sleep_period(codes: Sequence[int]) -> NDArray[np.int8]:
    arr = np.asarray(codes, dtype=np.int8)
    idx = np.flatnonzero(arr > 0)
    return arr[idx[0] : idx[-1] + 1] if idx.size else arr[:0]


def architecture(
    data: Path, n_model: int, seed: int, sim_nights: Sequence[Sequence[int]]
) -> dict[str, Any]:
    """Architecture figures of simulated and real hypnograms, side by side.

    Columns: ``model`` (``n_model`` sleep periods drawn from the simulator's shipped
    hypnogram model, as ``scripts/evaluate hypnograms`` does), ``nights`` (the true
    hypnograms of section 1's simulated nights) and each real source.
    """
    hyp = data / "hypnograms"
    if not (hyp / "summary.json").is_file():
        return {"skipped": f"data not found: {hyp}"}
    model = load_default_model()
    drawn = [sample_sleep_period(np.random.default_rng(seed + i), model) for i in range(n_model)]
    columns: dict[str, list[NDArray[np.int8]]] = {
        "model": [np.asarray(h, dtype=np.int8) for h in drawn],
        "nights": [_sleep_period(h) for h in sim_nights],
    }
    for source in SOURCES:
        columns[source] = list(load_source_nights(hyp, source).values())
    stats = {name: architecture_stats(nights) for name, nights in columns.items()}
    per_night_pct = {
        name: [
            [architecture_stats([n])[f"pct_{s.lower()}"] for s in ("N1", "N2", "N3", "R")]
            for n in nights
            if np.any(np.asarray(n) > 0)
        ]
        for name, nights in columns.items()
        if name in ("model", "nights", REFERENCE_SOURCE)
    }
    ref = stats[REFERENCE_SOURCE]
    match: dict[str, dict[str, float]] = {}
    for name in ("model", "nights"):
        sim = stats[name]
        pct_diff = [sim[f"pct_{s}"] - ref[f"pct_{s}"] for s in ("n1", "n2", "n3", "r")]
        trans = [
            abs(sim[f"trans_{a}_{b}"] - ref[f"trans_{a}_{b}"])
            for a in STAGE_LABELS
            for b in STAGE_LABELS
        ]
        match[name] = {
            "stage_pct_max_abs_diff": max(abs(d) for d in pct_diff),
            "transition_max_abs_diff": max(trans),
            "transition_mean_abs_diff": float(np.mean(trans)),
            "cycle_median_min": sim["cycle_median_min"],
            "cycle_median_min_reference": ref["cycle_median_min"],
        }
    return {
        "model_nights": n_model,
        "model_seeds": [seed, seed + n_model - 1],
        "stats": stats,
        "per_night_pct": per_night_pct,
        "match": match,
    }
