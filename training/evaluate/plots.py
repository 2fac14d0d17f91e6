"""The report's figures (PNG, no timestamps: the same figures give the same bytes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import math
from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")
from matplotlib.figure import Figure
import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import EPOCH_SECONDS, Stage
from custom_components.radar_sleep.simulation.hypnogram import (
    REFERENCE_SOURCE,
    STAGE_LABELS,
)
from training.evaluate.agreement import (
    BlandAltman,
)

DPI = 100
STAGE_COLOURS = ("#d62728", "#7fb3d5", "#1f3a93", "#2ca02c")
STAGE_Y = {Stage.WAKE: 3, Stage.REM: 2, Stage.LIGHT: 1, Stage.DEEP: 0}
"""Plot height of each stage (the usual hypnogram order: wake, REM, light, deep)."""
_SAVE_KW: dict[str, Any] = {"dpi": DPI, "metadata": {"Software": None}}

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
