"""The evaluation report: Markdown, PNG plots and every figure in JSON.

    .venv/bin/python -m training.evaluate [--nights 40] [--jobs 2] [--out docs/evaluation]
        [--data ../shared/data] [--quick]

(``scripts/evaluate`` runs it after ``scripts/setup``.) It follows the standardized framework
for testing sleep trackers of Menghini et al. (2021, *Sleep* 44:zsaa170): epoch-by-epoch
confusion matrix, accuracy, Cohen's kappa and per-stage sensitivity, specificity, PPV and F1,
per night (mean, SD, 95 % CI) and pooled; Bland-Altman bias and limits of agreement with the
proportional-bias and heteroscedasticity tests for TST, SE, SOL, WASO and the minutes of each
stage (statistics in :mod:`training.agreement`). Three sections:

1. held-out simulated nights (seeds below 10000, never used in training) through the real
   :class:`~custom_components.radar_sleep.sleep.SleepPipeline` with its default stage model;
2. the real Sleep-EDF night SC4001 reduced to what a radar would see (its 1-Hz breathing
   channel only), scored by ``sleep/analyze.py``'s ``analyze_breathing`` when it exists;
3. the simulator's sleep architecture against the real expert hypnograms
   (``scripts/compare_hypnograms.py``'s figures).

Deterministic: the same arguments and code write the same files, byte for byte (fixed seeds,
PNGs without timestamps). The last line printed is one JSON object with the headline figures.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
import importlib
import json
import math
from multiprocessing import get_context
from pathlib import Path
import sys
import time
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "scripts"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import matplotlib as mpl  # noqa: E402

mpl.use("Agg")
from compare_hypnograms import LABELS as ARCH_LABELS, SOURCES  # noqa: E402
from fit_baseline import simulated_config  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from custom_components.radar_sleep.contracts import EPOCH_SECONDS, SleepMetrics, Stage  # noqa: E402
from custom_components.radar_sleep.simulation.bedroom import ABSENT, BedroomSimulator  # noqa: E402
from custom_components.radar_sleep.simulation.hypnogram import (  # noqa: E402
    REFERENCE_SOURCE,
    STAGE_LABELS,
    architecture_stats,
    load_default_model,
    load_hypnogram_csv,
    load_source_nights,
    sample_sleep_period,
    to_four_class,
)
from custom_components.radar_sleep.simulation.physiology import Activity  # noqa: E402
from custom_components.radar_sleep.sleep import (  # noqa: E402
    PipelineConfig,
    SleepPipeline,
    sleep_metrics,
)
from custom_components.radar_sleep.sleep.staging.baseline import BaselineStager  # noqa: E402
from training.agreement import (  # noqa: E402
    STAGE_NAMES,
    BlandAltman,
    bland_altman,
    epoch_agreement,
    group_agreement,
    json_ready,
    sleep_wake,
)

DEFAULT_OUT = ROOT / "docs" / "evaluation"
DEFAULT_DATA = ROOT.parent / "shared" / "data"
HELD_OUT_LIMIT = 10_000
"""Seeds from here on are training seeds (scripts/fit_baseline.py, training/simulated.py)."""
KAPPA_GOAL = 0.75
REAL_RECORD = "SC4001E0"
REAL_MARGIN_MIN = 30
"""Minutes of the real recording kept before the first and after the last sleep epoch."""
REAL_START = datetime(1989, 4, 24, 16, 13)
"""Start of the SC4001E0 recording (local clock; ``analyze_breathing`` takes naive as UTC)."""
DPI = 100
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

STAGE_COLOURS = ("#d62728", "#7fb3d5", "#1f3a93", "#2ca02c")
STAGE_Y = {Stage.WAKE: 3, Stage.REM: 2, Stage.LIGHT: 1, Stage.DEEP: 0}
"""Plot height of each stage (the usual hypnogram order: wake, REM, light, deep)."""
_SAVE_KW: dict[str, Any] = {"dpi": DPI, "metadata": {"Software": None}}


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

    The epoch-by-epoch comparison covers the in-bed period as ``scripts/evaluate_pipeline.py``
    defines it: from lights off (the simulated user's sleep intent) to getting up, epochs
    with the user in bed (a bathroom trip is left out) that the pipeline scored. Night metrics:
    the pipeline's own summary (its own lights-off estimate to the end of its session; the
    longest session if the night split) against :func:`sleep_metrics` of the true stages from
    lights off to getting up, out-of-bed epochs as wake.
    """
    cfg = simulated_config(seed)
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
    try:
        analyze = importlib.import_module("custom_components.radar_sleep.sleep.analyze")
    except ModuleNotFoundError as err:
        if err.name != "custom_components.radar_sleep.sleep.analyze":
            raise
        return {"skipped": "custom_components/radar_sleep/sleep/analyze.py is not there yet"}
    analyze_breathing: Callable[..., Any] | None = getattr(analyze, "analyze_breathing", None)
    if analyze_breathing is None:
        return {"skipped": "sleep/analyze.py has no analyze_breathing()"}
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
        else float(np.mean(np.asarray(view.movement) > 0.1)),
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
    hypnogram model, as ``scripts/compare_hypnograms.py`` does), ``nights`` (the true
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


# =============================================================================================
# Plots
# =============================================================================================


def _save(fig: Figure, path: Path) -> None:
    fig.savefig(path, **_SAVE_KW)
    plt.close(fig)


def plot_confusion(cm: NDArray[np.int64], names: Sequence[str], title: str, path: Path) -> None:
    """Row-normalised confusion matrix (reference rows), with counts."""
    rows = cm.sum(axis=1, keepdims=True)
    norm = np.divide(cm, rows, out=np.zeros(cm.shape), where=rows > 0)
    fig, ax = plt.subplots(figsize=(3.8, 3.4))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            colour = "white" if norm[i, j] > 0.6 else "black"
            ax.text(
                j,
                i,
                f"{norm[i, j]:.2f}\n({cm[i, j]})",
                ha="center",
                va="center",
                fontsize=7,
                color=colour,
            )
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("device (predicted)")
    ax.set_ylabel("reference (truth)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    _save(fig, path)


def plot_bland_altman(
    ba: BlandAltman,
    dev: Sequence[float],
    ref: Sequence[float],
    *,
    label: str,
    unit: str,
    path: Path,
) -> None:
    """Differences against size, with bias, LoA (regression-based when flagged) and CIs."""
    d = np.asarray(dev, dtype=float)
    r = np.asarray(ref, dtype=float)
    keep = np.isfinite(d) & np.isfinite(r)
    d, r = d[keep], r[keep]
    x = (d + r) / 2 if ba.size == "mean" else r
    diff = d - r
    fig, ax = plt.subplots(figsize=(4.2, 3.2))
    ax.axhline(0, color="0.6", lw=0.8)
    ax.scatter(x, diff, s=12, color="#1f77b4", alpha=0.8, lw=0)
    if x.size:
        xs = np.linspace(float(x.min()), float(x.max()), 50) if np.ptp(x) > 0 else x[:1]
        bias, low, high = ba.bands(xs)
        ax.plot(xs, bias, color="#d62728", lw=1.5, label="bias")
        ax.plot(xs, low, color="0.3", lw=1.2, label="95 % LoA")
        ax.plot(xs, high, color="0.3", lw=1.2)
        if not ba.proportional and math.isfinite(ba.bias_ci_low):
            for v in (ba.bias_ci_low, ba.bias_ci_high):
                ax.axhline(v, color="#d62728", lw=0.8, ls="--")
        if not (ba.proportional or ba.heteroscedastic) and math.isfinite(ba.loa_lower_ci[0]):
            for v in (*ba.loa_lower_ci, *ba.loa_upper_ci):
                ax.axhline(v, color="0.3", lw=0.6, ls=":")
    kind = []
    if ba.proportional:
        kind.append("proportional bias")
    if ba.heteroscedastic:
        kind.append("heteroscedastic")
    sub = f" ({', '.join(kind)})" if kind else ""
    ax.set_title(f"{label}: bias {ba.bias:+.1f} {unit}{sub}", fontsize=9)
    what = "mean of device and reference" if ba.size == "mean" else "reference"
    ax.set_xlabel(f"{what} ({unit})", fontsize=8)
    ax.set_ylabel(f"device − reference ({unit})", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="best", frameon=False)
    fig.tight_layout()
    _save(fig, path)


def _hyp_y(codes: Sequence[int]) -> NDArray[np.float64]:
    return np.array([STAGE_Y[Stage(c)] if c >= 0 else np.nan for c in codes], dtype=float)


def plot_hypnograms(
    ref: Sequence[int], dev: Sequence[int], title: str, path: Path, start_label: str
) -> None:
    """Reference (top) and device (bottom) hypnograms of one night, hours from the start."""
    fig, axes = plt.subplots(2, 1, figsize=(7.5, 3.4), sharex=True)
    hours = np.arange(len(ref) + 1) * EPOCH_SECONDS / 3600
    for ax, codes, name in ((axes[0], ref, "reference"), (axes[1], dev, "device")):
        y = _hyp_y(codes)
        ax.step(hours[:-1], y, where="post", color="0.2", lw=0.9)
        for stage, colour in zip(Stage, STAGE_COLOURS, strict=True):
            mask = np.array([c == stage for c in codes])
            ax.fill_between(
                hours[:-1],
                STAGE_Y[stage] - 0.35,
                STAGE_Y[stage] + 0.35,
                where=mask,
                step="post",
                color=colour,
                alpha=0.5,
                lw=0,
            )
        ax.set_yticks([0, 1, 2, 3], ["deep", "light", "REM", "wake"], fontsize=7)
        ax.set_ylim(-0.6, 3.6)
        ax.set_ylabel(name, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[1].set_xlabel(f"hours from {start_label}", fontsize=8)
    axes[0].set_title(title, fontsize=9)
    fig.tight_layout()
    _save(fig, path)


def plot_stage_proportions(arch: Mapping[str, Any], path: Path) -> None:
    """Pooled stage % of TST per column (left) and per-night spread, simulated vs real."""
    stats = arch["stats"]
    names = list(stats)
    stages = ("n1", "n2", "n3", "r")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.2))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        vals = [stats[name][f"pct_{s}"] for s in stages]
        ax1.bar(np.arange(4) + (k - (len(names) - 1) / 2) * width, vals, width, label=name)
    ax1.set_xticks(range(4), ["N1", "N2", "N3", "R"])
    ax1.set_ylabel("% of TST (pooled)", fontsize=8)
    ax1.legend(fontsize=6, frameon=False)
    ax1.tick_params(labelsize=7)
    per_night = arch["per_night_pct"]
    groups = list(per_night)
    width = 0.8 / len(groups)
    for k, name in enumerate(groups):
        arr = np.array(per_night[name], dtype=float)
        pos = np.arange(4) + (k - (len(groups) - 1) / 2) * width
        bp = ax2.boxplot(
            [arr[:, i] for i in range(4)],
            positions=pos,
            widths=width * 0.9,
            patch_artist=True,
            showfliers=False,
        )
        for patch in bp["boxes"]:
            patch.set_facecolor(f"C{names.index(name)}")
            patch.set_alpha(0.6)
    ax2.set_xticks(range(4), ["N1", "N2", "N3", "R"])
    ax2.set_ylabel("% of TST, per night", fontsize=8)
    ax2.set_title(" / ".join(groups), fontsize=8)
    ax2.tick_params(labelsize=7)
    fig.tight_layout()
    _save(fig, path)


def plot_transitions(arch: Mapping[str, Any], path: Path) -> None:
    """Epoch transition matrices: simulated model against the reference source."""
    stats = arch["stats"]
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 3.2))
    for ax, name in zip(axes, ("model", REFERENCE_SOURCE), strict=True):
        m = np.array([[stats[name][f"trans_{a}_{b}"] for b in STAGE_LABELS] for a in STAGE_LABELS])
        ax.imshow(np.sqrt(np.nan_to_num(m)), cmap="Greens", vmin=0, vmax=1)
        for i in range(5):
            for j in range(5):
                ax.text(
                    j,
                    i,
                    f"{m[i, j]:.3f}",
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white" if m[i, j] > 0.5 else "black",
                )
        ax.set_xticks(range(5), STAGE_LABELS, fontsize=7)
        ax.set_yticks(range(5), STAGE_LABELS, fontsize=7)
        ax.set_xlabel("to", fontsize=8)
        ax.set_ylabel("from", fontsize=8)
        ax.set_title(name, fontsize=9)
    fig.tight_layout()
    _save(fig, path)


# =============================================================================================
# Report
# =============================================================================================


def _f(v: float | None, digits: int = 2) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.{digits}f}"


def _pct(v: float | None, digits: int = 1) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{100 * v:.{digits}f}"


def _stage_table(d: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    """Per-stage one-vs-rest figures in %.

    ``d`` is the JSON form of a :class:`GroupAgreement` (per-night mean (SD) and pooled) or
    of an :class:`EpochAgreement` (one night).
    """
    figs = ("sensitivity", "specificity", "ppv", "f1", "accuracy")
    head = "| stage | sensitivity | specificity | PPV | F1 | accuracy |"
    lines = [head, "|---|---|---|---|---|---|"]
    if "pooled" in d:
        for name in names:
            pooled = d["pooled"]["stages"][name]
            cells = [
                f"{_pct(d['average'][f'{name}_{f}']['mean'])} "
                f"({_pct(d['average'][f'{name}_{f}']['sd'])}); {_pct(pooled[f])}"
                for f in figs
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        return [*lines, "", "Cells: per-night mean (SD); pooled over all epochs. Percent.", ""]
    for name in names:
        st = d["stages"][name]
        lines.append(f"| {name} | " + " | ".join(_pct(st[f]) for f in figs) + " |")
    return [*lines, "", "Percent (one-vs-rest).", ""]


def _confusion_table(cm: Sequence[Sequence[int]], names: Sequence[str]) -> list[str]:
    lines = [
        "| reference \\ device | " + " | ".join(names) + " | total |",
        "|---|" + "---:|" * (len(names) + 1),
    ]
    for name, row in zip(names, cm, strict=True):
        lines.append(f"| {name} | " + " | ".join(str(v) for v in row) + f" | {sum(row)} |")
    return [*lines, ""]


def _ba_table(ba: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = [
        "| metric | n | device mean (SD) | reference mean (SD) | bias [95 % CI] | SD of diff. "
        "| 95 % LoA | prop. bias slope [95 % CI], p | heterosc. p | bias, LoA used |",
        "|---|---:|---|---|---|---:|---|---|---:|---|",
    ]
    for key, label, unit in METRICS:
        b = ba[key]
        pb, ht = b["proportional_bias"], b["heteroscedasticity"]
        used = (
            f"{b['bias_text']}; {b['loa_text']}"
            if b["proportional"] or b["heteroscedastic"]
            else "constant"
        )
        lines.append(
            f"| {label} ({unit}) | {b['n']} | {_f(b['device_mean'], 1)} ({_f(b['device_sd'], 1)})"
            f" | {_f(b['reference_mean'], 1)} ({_f(b['reference_sd'], 1)})"
            f" | {_f(b['bias'], 1)} [{_f(b['bias_ci'][0], 1)}, {_f(b['bias_ci'][1], 1)}]"
            f" | {_f(b['sd'], 1)} | {_f(b['loa_lower'], 1)} to {_f(b['loa_upper'], 1)}"
            f" | {_f(pb['slope'], 3)} [{_f(pb['slope_ci'][0], 3)}, {_f(pb['slope_ci'][1], 3)}]"
            f", {_f(pb['p_value'], 3)} | {_f(ht['p_value'], 3)} | {used} |"
        )
    return [*lines, ""]


def build_report(fig: Mapping[str, Any]) -> str:
    """The Markdown report, every number taken from ``fig`` (the content of figures.json)."""
    sim = fig["simulated"]
    out: list[str] = [
        "# Radar Sleep: evaluation report",
        "",
        "Generated by `scripts/evaluate` (`training/evaluate.py`; statistics in "
        "`training/agreement.py`; how to read it: [docs/evaluation.md](../evaluation.md)). "
        "Method: the standardized framework for testing sleep trackers of Menghini et al. "
        "(2021, *Sleep* 44:zsaa170): epoch-by-epoch agreement per night and pooled, "
        "Bland–Altman analysis of the night metrics. Stage model: "
        f"`{sim['stager']}`. Every figure below is in `figures.json`.",
        "",
        "## 1. Held-out simulated nights",
        "",
        f"{sim['nights']} nights of the bedroom simulator, seeds {sim['seeds'][0]}–"
        f"{sim['seeds'][1]} (seeds below {HELD_OUT_LIMIT} are never used to fit anything), "
        "run frame by frame through the real `SleepPipeline` (presence, primary-user "
        "tracking, features, causal stage model, intent, session, summary). Epoch by epoch "
        "over the in-bed period, from lights off (the simulated user starts trying to sleep) "
        "to getting up, epochs with the user in bed: "
        f"{sim['epochs']} epochs ({sim['absent_epochs']} out-of-bed epochs in that period "
        f"left out, {sim['unscored_epochs']} in-bed epochs the pipeline did not score left "
        f"out). Nights with exactly one session: {sim['nights_one_session']}/{sim['nights']}.",
        "",
    ]
    four, sw = sim["four_class"], sim["sleep_wake"]
    k_avg, k_pool = four["average"]["kappa"], four["pooled"]["kappa"]
    goal = "met" if k_pool is not None and k_pool >= KAPPA_GOAL else "**not met**"
    out += [
        "| figure | 4-class (wake/light/deep/REM) | sleep/wake |",
        "|---|---:|---:|",
        f"| Cohen's κ, pooled | {_f(k_pool, 3)} | {_f(sw['pooled']['kappa'], 3)} |",
        f"| κ per night, mean (SD) [95 % CI] | {_f(k_avg['mean'], 3)} ({_f(k_avg['sd'], 3)}) "
        f"[{_f(k_avg['ci_low'], 3)}, {_f(k_avg['ci_high'], 3)}] | "
        f"{_f(sw['average']['kappa']['mean'], 3)} ({_f(sw['average']['kappa']['sd'], 3)}) "
        f"[{_f(sw['average']['kappa']['ci_low'], 3)}, {_f(sw['average']['kappa']['ci_high'], 3)}]"
        " |",
        f"| κ per night, median (min–max) | {_f(k_avg['median'], 3)} ({_f(k_avg['min'], 3)}–"
        f"{_f(k_avg['max'], 3)}) | {_f(sw['average']['kappa']['median'], 3)} "
        f"({_f(sw['average']['kappa']['min'], 3)}–{_f(sw['average']['kappa']['max'], 3)}) |",
        f"| accuracy, pooled (%) | {_pct(four['pooled']['accuracy'])} | "
        f"{_pct(sw['pooled']['accuracy'])} |",
        f"| accuracy per night, mean (SD) (%) | {_pct(four['average']['accuracy']['mean'])} "
        f"({_pct(four['average']['accuracy']['sd'])}) | "
        f"{_pct(sw['average']['accuracy']['mean'])} ({_pct(sw['average']['accuracy']['sd'])}) |",
        "",
        f"Goal: 4-class pooled κ ≥ {KAPPA_GOAL}: {goal}.",
        "",
        "### Epoch by epoch, 4 classes",
        "",
        "Confusion matrix, pooled over all nights (rows: truth, columns: pipeline):",
        "",
        *_confusion_table(four["pooled"]["confusion"], STAGE_NAMES),
        "![confusion matrix, simulated nights](confusion_simulated.png)",
        "",
        "Row-normalised, mean of the per-night matrices (Menghini's proportional error "
        "matrix; a cell is averaged over the nights whose truth has that stage):",
        "",
        "| reference \\ device | " + " | ".join(STAGE_NAMES) + " |",
        "|---|" + "---:|" * len(STAGE_NAMES),
        *[
            f"| {name} | " + " | ".join(_f(v, 3) for v in row) + " |"
            for name, row in zip(STAGE_NAMES, four["mean_confusion_normalised"], strict=True)
        ],
        "",
        "One-vs-rest figures per stage:",
        "",
        *_stage_table(four, STAGE_NAMES),
        "### Epoch by epoch, sleep/wake",
        "",
        *_confusion_table(sw["pooled"]["confusion"], SW_NAMES),
        *_stage_table(sw, SW_NAMES),
        "### Night metrics (Bland–Altman)",
        "",
        "Device: the pipeline's own night summary (its lights-off estimate to the end of its "
        "session). Reference: the same metrics of the true hypnogram from true lights off to "
        "getting up. Differences are device − reference, plotted and regressed against the "
        "mean of the two. *Proportional bias* when the slope of the differences on the mean "
        "is significant (95 % CI excludes 0), *heteroscedastic* when the slope of the "
        "absolute residuals is; then bias and LoA are the regression-based bands of Bland & "
        "Altman (1999) given in the last column, as in Menghini's `BAplot`.",
        "",
        *_ba_table(sim["bland_altman"]),
        " ".join(f"![{label}](ba_{key}.png)" for key, label, _ in METRICS),
        "",
        f"### Example night (seed {sim['example_seed']}, κ {_f(sim['example_kappa'], 3)}, the "
        "median night)",
        "",
        "![hypnogram of a simulated night](hypnogram_simulated.png)",
        "",
    ]
    out += _real_section(fig["real"])
    out += _arch_section(fig["architecture"])
    return "\n".join(out).rstrip() + "\n"


def _real_section(real: Mapping[str, Any]) -> list[str]:
    out = ["## 2. The real night (Sleep-EDF SC4001, breathing only)", ""]
    if "skipped" in real:
        return [*out, f"Skipped: {real['skipped']}.", ""]
    four, sw = real["four_class"], real["sleep_wake"]
    lo, hi = real["window_epochs"]
    out += [
        "One healthy young adult, one night (PhysioNet Sleep-EDF Expanded, record "
        f"{real['record']}), reduced to what a radar would see: the 1-Hz oro-nasal "
        "thermistor channel alone (no EEG, EOG or EMG). `sleep/analyze.py`'s "
        "`analyze_breathing` turns it into the frames a bedside radar would send (resampled "
        "to 10 Hz, scaled to a typical chest excursion, movement derived from the breathing "
        "signal's own fast deflections, the radar's respiration band-pass) and runs the "
        "same `SleepPipeline` and stage model as section 1. The 22-h recording is cut to "
        f"the main sleep period of `summary.json` (epochs {real['first_sleep_epoch']}–"
        f"{real['last_sleep_epoch']}) ± {real['margin_min']} min: epochs {lo}–{hi - 1} "
        f"({(hi - lo) / 120:.1f} h), as if the person went to bed {real['margin_min']} min "
        f"before falling asleep and got up {real['margin_min']} min after the last sleep "
        "epoch; the analyser gets that window only (a radar sees the bed, not the day). "
        "Compared epoch by epoch with the expert hypnogram (R&K; N1 + N2 = light, S3 + S4 "
        f"= deep): {real['epochs']} epochs. The analyser saw breathing (presence) in "
        f"{_pct(real['present_fraction'])} % of them; {_pct(real['clear_breathing_fraction'])}"
        " % of its 60-s windows were clear periodic breathing; "
        f"{_pct(real['movement_fraction'])} % of frames had a movement index above 0.1; "
        f"sessions: {real['sessions']}.",
        "",
        "| figure | 4-class | sleep/wake |",
        "|---|---:|---:|",
        f"| Cohen's κ | {_f(four['kappa'], 3)} | {_f(sw['kappa'], 3)} |",
        f"| accuracy (%) | {_pct(four['accuracy'])} | {_pct(sw['accuracy'])} |",
        f"| Cohen's κ, baseline HMM instead (`BaselineStager`) | "
        f"{_f(real['baseline_kappa_4class'], 3)} | {_f(real['baseline_kappa_sleep_wake'], 3)} |",
        "",
        "The last row runs the same night through the baseline hidden Markov model that the "
        "trained stage model replaced: on simulated nights the trained model is far better "
        "(section 1), on this real night it is not; see the limits below and "
        "[docs/model-card.md](../model-card.md).",
        "",
        *_confusion_table(four["confusion"], STAGE_NAMES),
        *_stage_table(four, STAGE_NAMES),
        *_confusion_table(sw["confusion"], SW_NAMES),
        *_stage_table(sw, SW_NAMES),
        "![confusion matrix, real night](confusion_real.png)",
        "",
        "Night metrics. *Window*: `sleep_metrics` of the analyser's stages and of the "
        "experts' over the same window, whose start stands in for lights off (so the expert "
        f"SOL is the {real['margin_min']}-min margin by construction). *Summary*: what the "
        "pipeline itself reports for the night (its own lights-off estimate to the end of "
        "its session), as in section 1.",
        "",
        "| metric | analyser, window | expert, window | difference | analyser, summary |",
        "|---|---:|---:|---:|---:|",
    ]
    summary = real.get("summary_metrics") or {}
    for key, label, unit in METRICS:
        d, r = real["dev_metrics"].get(key), real["ref_metrics"].get(key)
        diff = None if d is None or r is None else d - r
        out.append(
            f"| {label} ({unit}) | {_f(d, 1)} | {_f(r, 1)} | {_f(diff, 1)} "
            f"| {_f(summary.get(key), 1)} |"
        )
    out += [
        "",
        "![hypnogram of the real night](hypnogram_real.png)",
        "",
        "What limits these figures:",
        "",
        "- **One night of one healthy young adult**: κ of a single night has a wide "
        "sampling spread (the simulated nights' per-night κ range shows how much nights "
        "differ) and says nothing about other people, ages or sleep disorders.",
        "- **A 1-Hz thermistor is not a radar.** It measures the temperature of oro-nasal "
        "airflow, not chest displacement; 1 Hz is barely twice the fastest breathing "
        "(Nyquist 0.5 Hz = 30 breaths/min), so breath-to-breath timing is quantised to 1 s "
        "(about 25 % of a 4-s breath) and the interval variability that separates deep from "
        "light and REM sleep is mostly lost; amplitude is in ADC counts with drifts from "
        "mouth breathing and sensor position.",
        "- **Movement is inferred**, from artefacts in the breathing signal, not measured: "
        "a radar's movement channel, the strongest wake cue, is missing.",
        "- **The in-bed period is assumed** (± 30 min around the experts' sleep period): "
        "SOL and the final wake are partly set by that choice.",
        "- **The models were fitted on simulated radar nights only**; this night tests "
        "their transfer to a different sensor without any adaptation.",
        "",
    ]
    return out


def _arch_section(arch: Mapping[str, Any]) -> list[str]:
    out = ["## 3. Simulated sleep architecture against real hypnograms", ""]
    if "skipped" in arch:
        return [*out, f"Skipped: {arch['skipped']}.", ""]
    stats = arch["stats"]
    cols = list(stats)
    seeds = arch["model_seeds"]
    out += [
        "Columns: `model`: sleep periods drawn from the simulator's hypnogram model "
        f"(`simulation/hypnogram.py`, {arch['model_nights']} nights, "
        f"`np.random.default_rng(seed)` for seeds {seeds[0]}–{seeds[1]}, as "
        "`scripts/compare_hypnograms.py`); `nights`: the true hypnograms of section 1's "
        "simulated nights; then the real expert-scored main sleep periods: `sleep-edf-sc` "
        "(healthy young adults, the source the model is fitted to), `ucddb` and `slpdb` "
        "(sleep-apnea patients: a pathological reference, not a norm). Every figure is over "
        "the sleep period (first to last sleep epoch).",
        "",
        "| figure | " + " | ".join(cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for key, label in ARCH_LABELS.items():
        digits = 0 if key == "n_nights" else 1
        out.append(f"| {label} | " + " | ".join(_f(stats[c][key], digits) for c in cols) + " |")
    out += [
        "",
        "![stage proportions](stage_proportions.png)",
        "",
        f"Epoch transition probabilities, `model` / `{REFERENCE_SOURCE}` (row → column, self "
        "transitions included):",
        "",
        "| from \\ to | " + " | ".join(STAGE_LABELS) + " |",
        "|---|" + "---:|" * len(STAGE_LABELS),
    ]
    for a in STAGE_LABELS:
        cells = " | ".join(
            f"{_f(stats['model'][f'trans_{a}_{b}'], 3)} / "
            f"{_f(stats[REFERENCE_SOURCE][f'trans_{a}_{b}'], 3)}"
            for b in STAGE_LABELS
        )
        out.append(f"| {a} | {cells} |")
    m, n = arch["match"]["model"], arch["match"]["nights"]
    out += [
        "",
        "![transition matrices](transitions.png)",
        "",
        f"Match with `{REFERENCE_SOURCE}`: largest difference in a stage's % of TST "
        f"{_f(m['stage_pct_max_abs_diff'], 1)} points (model), "
        f"{_f(n['stage_pct_max_abs_diff'], 1)} (simulated nights); median NREM-REM cycle "
        f"{_f(m['cycle_median_min'], 1)} min (model), {_f(n['cycle_median_min'], 1)} "
        f"(nights) against {_f(m['cycle_median_min_reference'], 1)}; transition "
        f"probabilities differ by {_f(m['transition_mean_abs_diff'], 3)} on average and "
        f"{_f(m['transition_max_abs_diff'], 3)} at most (model).",
        "",
    ]
    return out


# =============================================================================================
# Main
# =============================================================================================


def headline(fig: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of the last stdout line."""
    sim = fig["simulated"]
    four, sw = sim["four_class"], sim["sleep_wake"]
    ba = sim["bland_altman"]
    out: dict[str, Any] = {
        "stager": sim["stager"],
        "sim_nights": sim["nights"],
        "sim_epochs": sim["epochs"],
        "sim_kappa_4class_pooled": four["pooled"]["kappa"],
        "sim_kappa_4class_median_night": four["average"]["kappa"]["median"],
        "sim_kappa_4class_mean_night": four["average"]["kappa"]["mean"],
        "sim_accuracy_4class": four["pooled"]["accuracy"],
        "sim_kappa_sleep_wake": sw["pooled"]["kappa"],
        "sim_kappa_goal_met": bool(
            four["pooled"]["kappa"] is not None and four["pooled"]["kappa"] >= KAPPA_GOAL
        ),
    }
    for key, label, _ in METRICS:
        out[f"{label.lower()}_bias"] = ba[key]["bias"]
    real = fig["real"]
    if "skipped" in real:
        out["real"] = f"skipped: {real['skipped']}"
    else:
        out["real_kappa_4class"] = real["four_class"]["kappa"]
        out["real_kappa_sleep_wake"] = real["sleep_wake"]["kappa"]
        out["real_accuracy_4class"] = real["four_class"]["accuracy"]
        out["real_baseline_kappa_4class"] = real["baseline_kappa_4class"]
        out["real_baseline_kappa_sleep_wake"] = real["baseline_kappa_sleep_wake"]
    arch = fig["architecture"]
    if "skipped" in arch:
        out["hypnograms"] = f"skipped: {arch['skipped']}"
    else:
        m = arch["match"]["model"]
        out["hyp_stage_pct_max_abs_diff"] = m["stage_pct_max_abs_diff"]
        out["hyp_cycle_median_min_sim"] = m["cycle_median_min"]
        out["hyp_cycle_median_min_real"] = m["cycle_median_min_reference"]
        out["hyp_transition_max_abs_diff"] = m["transition_max_abs_diff"]
    return json_ready(out)  # type: ignore[no-any-return]


def _example_night(kappas: Sequence[float]) -> int:
    """Index of the median-κ night (the lower of the two middle ones)."""
    order = sorted((k, i) for i, k in enumerate(kappas) if math.isfinite(k))
    return order[(len(order) - 1) // 2][1] if order else 0


def main(argv: list[str] | None = None) -> int:
    """Build the report; print progress and, last, the headline JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=40, help="simulated held-out nights")
    parser.add_argument("--first-seed", type=int, default=0, help="first simulated seed")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the simulated nights")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report directory")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data root")
    parser.add_argument(
        "--hypnogram-nights",
        type=int,
        default=200,
        help="sleep periods drawn from the hypnogram model",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 nights, 30 periods")
    args = parser.parse_args(argv)
    if args.quick:
        args.nights, args.hypnogram_nights = min(args.nights, 3), min(args.hypnogram_nights, 30)
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
            "real": real_json,
            "architecture": arch,
            "settings": {
                "nights": args.nights,
                "first_seed": args.first_seed,
                "hypnogram_nights": args.hypnogram_nights,
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


if __name__ == "__main__":
    raise SystemExit(main())
