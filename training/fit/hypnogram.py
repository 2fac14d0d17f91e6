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
from collections.abc import Sequence
import itertools
import json
import math
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from custom_components.radar_sleep.simulation.hypnogram import (
    EPOCH_MIN,
    N_STAGES,
    PARAMS_FILE,
    REFERENCE_SOURCE,
    REM_EPISODE_MERGE_MIN,
    STAGE_LABELS,
    UNSCORED,
    AasmStage,
    FloatArray,
    HypnogramModel,
    IntArray,
    bin_index,
    opens_episode,
    sample_sleep_period,
)

# Fitting choices (see the module docstring). Time bins: hourly from sleep onset, 6 h+ last.
TIME_BIN_EDGES_MIN: Final = (60.0, 120.0, 180.0, 240.0, 300.0, 360.0)
REM_GAP_EDGES_MIN: Final = (5.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0, 120.0)
DURATION_CLASS_EDGES: Final = (1, 2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 64, 91, 128, 181, 256)
"""Duration classes in epochs: class k holds ``edges[k] <= d < edges[k + 1]``."""
N_REM_LEVELS: Final = 4
"""REM-entry probabilities are kept apart for 0, 1, 2 and 3+ REM episodes begun so far."""
_PSEUDO_TRANSITION: Final = 10.0
_PSEUDO_REM_ENTRY: Final = 5.0
_PSEUDO_DURATION: Final = 20.0
_LABEL_TO_CODE: Final = {**{label: i for i, label in enumerate(STAGE_LABELS)}, "?": UNSCORED}


# --------------------------------------------------------------------------------------------
# Loading and cropping real hypnograms
# --------------------------------------------------------------------------------------------


def load_hypnogram_csv(path: str | Path) -> IntArray:
    """Read a one-column hypnogram CSV (header ``stage``; W, N1, N2, N3, R or ?).

    Parameters
    ----------
    path : str or :py:class:`pathlib.Path`
        The CSV file, one row per 30-s epoch.

    Returns
    -------
    codes : :py:class:`numpy.ndarray` of int8
        AASM codes (:class:`AasmStage`); ``?`` is -1.

    Raises
    ------
    ValueError
        On an unknown label or a missing ``stage`` header.

    """
    lines = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if not lines or lines[0] != "stage":
        raise ValueError(f"{path}: expected a 'stage' header")
    try:
        return np.array([_LABEL_TO_CODE[label] for label in lines[1:]], dtype=np.int8)
    except KeyError as err:
        raise ValueError(f"{path}: unknown stage label {err.args[0]!r}") from err


def main_sleep_period(
    codes: npt.ArrayLike,
    *,
    first_sleep_epoch: int | None = None,
    last_sleep_epoch: int | None = None,
    max_wake_gap_min: float = 60.0,
) -> IntArray:
    """Crop a hypnogram to its main sleep period (first to last sleep epoch, both included).

    Parameters
    ----------
    codes : array_like of int
        AASM codes (-1 for unscored epochs).
    first_sleep_epoch, last_sleep_epoch : int, optional
        The period's bounds when known (for example from the data set's ``summary.json``);
        both or neither must be given.
    max_wake_gap_min : float
        Without explicit bounds, sleep epochs separated by more than this many minutes of
        non-sleep are split into separate sleep blocks and the block with the most sleep
        epochs is kept, which excludes daytime naps from 24-h recordings.

    Returns
    -------
    period : :py:class:`numpy.ndarray` of int8
        The cropped codes; empty if there is no sleep.

    """
    arr = np.asarray(codes, dtype=np.int8)
    if (first_sleep_epoch is None) != (last_sleep_epoch is None):
        raise ValueError("give both first_sleep_epoch and last_sleep_epoch, or neither")
    if first_sleep_epoch is not None and last_sleep_epoch is not None:
        return arr[first_sleep_epoch : last_sleep_epoch + 1].copy()
    sleep_idx = np.flatnonzero(arr > AasmStage.W)
    if sleep_idx.size == 0:
        return arr[:0].copy()
    max_gap = max_wake_gap_min / EPOCH_MIN
    splits = np.flatnonzero(np.diff(sleep_idx) - 1 > max_gap) + 1
    blocks = np.split(sleep_idx, splits)
    best = max(blocks, key=len)
    return arr[int(best[0]) : int(best[-1]) + 1].copy()


def load_source_nights(data_dir: str | Path, source: str) -> dict[str, IntArray]:
    """Load the main sleep periods of every night of one source of the hypnogram data set.

    The data set is ``<data_dir>/<source>/<night>.csv`` plus ``<data_dir>/summary.json``;
    each night is cropped to the ``first_sleep_epoch``/``last_sleep_epoch`` the summary gives
    (or with :func:`main_sleep_period`'s own rule if the summary lacks them).

    Returns
    -------
    nights : dict
        Night name -> cropped AASM codes, in name order.

    """
    root = Path(data_dir)
    summary_path = root / "summary.json"
    summary: dict[str, Any] = {}
    if summary_path.is_file():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    per_night: dict[str, Any] = summary.get("nights", {}).get(source, {})
    nights: dict[str, IntArray] = {}
    for path in sorted((root / source).glob("*.csv")):
        if path.name.endswith(".events.csv"):
            continue
        codes = load_hypnogram_csv(path)
        info = per_night.get(path.stem, {})
        first, last = info.get("first_sleep_epoch"), info.get("last_sleep_epoch")
        if first is not None and last is not None:
            nights[path.stem] = main_sleep_period(
                codes, first_sleep_epoch=int(first), last_sleep_epoch=int(last)
            )
        else:
            nights[path.stem] = main_sleep_period(codes)
    return nights


# --------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------


def _bouts(codes: IntArray) -> tuple[IntArray, npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Run-length encode: (stage, start epoch, length) of every bout."""
    if codes.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return codes[:0], empty, empty
    change = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate(([0], change)).astype(np.intp)
    ends = np.concatenate((change, [codes.size])).astype(np.intp)
    return codes[starts], starts, ends - starts


def _shrink(counts: FloatArray, prior: FloatArray, strength: float) -> FloatArray:
    """Posterior mean of a multinomial with a Dirichlet prior ``strength * prior`` (last axis)."""
    total = counts.sum(axis=-1, keepdims=True)
    out: FloatArray = (counts + strength * prior) / (total + strength)
    return out


def _normalise(counts: FloatArray) -> FloatArray:
    total = counts.sum(axis=-1, keepdims=True)
    out: FloatArray = np.divide(counts, total, out=np.zeros_like(counts), where=total > 0)
    return out


def fit_hypnogram_model(nights: Sequence[npt.ArrayLike], *, source: str = "") -> HypnogramModel:
    """Fit the semi-Markov sleep-period model to expert-scored sleep periods.

    Parameters
    ----------
    nights : sequence of array_like of int
        AASM codes of each night, each cropped to its main sleep period (see
        :func:`main_sleep_period`). Bouts of unscored epochs (-1) and the transitions into
        or out of them are ignored.
    source : str
        Free-text description stored in the model.

    Returns
    -------
    model : :class:`HypnogramModel`

    Notes
    -----
    Every estimate is a ratio of counts, shrunk towards a pooled estimate by a conjugate
    prior (posterior mean) so that sparse cells fall back on better-supported ones:

    * transition rows per hourly bin towards the all-night row of the same stage (Dirichlet,
      10 pseudo-bouts);
    * duration histograms per hourly bin, and the post-REM histograms, towards the
      all-night histogram of the same stage; REM histograms per episode number towards the
      histogram of all opening (or all resuming) REM bouts (Dirichlet, 20 pseudo-bouts);
    * REM-entry probabilities (beta, 5 pseudo-bouts): before the first REM bout, each
      time-since-onset cell towards the stage's pre-REM rate; after it, each
      (episode count, stage, gap) cell towards the same (stage, gap) cell pooled over episode
      counts, itself shrunk towards the stage's post-REM rate.

    With 500-900 bouts per hourly bin this only matters for rare cells (REM bouts in the first
    hour, N3 bouts after 6 h, late gaps before the first REM bout).

    """
    n_t = len(TIME_BIN_EDGES_MIN) + 1
    n_g = len(REM_GAP_EDGES_MIN) + 1
    class_edges = np.asarray(DURATION_CLASS_EDGES)
    n_d = class_edges.size - 1
    init = np.zeros(N_STAGES)
    trans = np.zeros((n_t, N_STAGES, N_STAGES))
    rem_hits = np.zeros((N_REM_LEVELS, N_STAGES, n_g))
    rem_tries = np.zeros((N_REM_LEVELS, N_STAGES, n_g))
    durations = np.zeros((n_t, N_STAGES, n_d))
    rem_durations = np.zeros((N_REM_LEVELS - 1, 2, n_d))
    post_rem_durations = np.zeros((N_STAGES, n_d))
    spt_min: list[float] = []
    n_bouts = 0
    for night in nights:
        codes = np.asarray(night, dtype=np.int8)
        codes = _crop_to_sleep(codes)
        if codes.size == 0:
            continue
        spt_min.append(codes.size * EPOCH_MIN)
        stages, starts, lengths = _bouts(codes)
        init[stages[0]] += 1
        level, last_rem_end = 0, 0
        for i, (stage, start, length) in enumerate(zip(stages, starts, lengths, strict=True)):
            if stage == UNSCORED:
                continue
            n_bouts += 1
            k = min(int(np.searchsorted(class_edges, length, side="right")) - 1, n_d - 1)
            end = int(start + length)
            if stage == AasmStage.R:
                opening = opens_episode(level, int(start), last_rem_end)
                level = min(level + 1, N_REM_LEVELS - 1) if opening else level
                rem_durations[level - 1, 0 if opening else 1, k] += 1
                last_rem_end = end
            elif i > 0 and stages[i - 1] == AasmStage.R:
                post_rem_durations[stage, k] += 1
            else:
                durations[bin_index(TIME_BIN_EDGES_MIN, start * EPOCH_MIN), stage, k] += 1
            if i + 1 >= stages.size or stages[i + 1] == UNSCORED:
                continue
            nxt = int(stages[i + 1])
            if stage != AasmStage.R:
                g = bin_index(REM_GAP_EDGES_MIN, (end - last_rem_end) * EPOCH_MIN)
                rem_tries[level, stage, g] += 1
                if nxt == AasmStage.R:
                    rem_hits[level, stage, g] += 1
                    continue
            trans[bin_index(TIME_BIN_EDGES_MIN, end * EPOCH_MIN), stage, nxt] += 1
    if len(spt_min) < 2:
        raise ValueError("need at least two nights with sleep")

    trans_probs = _shrink(trans, _normalise(trans.sum(axis=0))[None], _PSEUDO_TRANSITION)
    # Hierarchical shrinkage. Before the first REM bout: (stage, gap) cell <- stage rate.
    # After: (level, stage, gap) cell <- (stage, gap) cell over those levels <- stage rate.
    stage_rate = rem_hits[1:].sum(axis=(0, 2)) / np.maximum(rem_tries[1:].sum(axis=(0, 2)), 1.0)
    after_hits, after_tries = rem_hits[1:].sum(axis=0), rem_tries[1:].sum(axis=0)
    after_rate = (after_hits + _PSEUDO_REM_ENTRY * stage_rate[:, None]) / (
        after_tries + _PSEUDO_REM_ENTRY
    )
    first_rate = rem_hits[0].sum(axis=1) / np.maximum(rem_tries[0].sum(axis=1), 1.0)
    before_rate = (rem_hits[0] + _PSEUDO_REM_ENTRY * first_rate[:, None]) / (
        rem_tries[0] + _PSEUDO_REM_ENTRY
    )
    rem_entry = (rem_hits + _PSEUDO_REM_ENTRY * after_rate[None]) / (rem_tries + _PSEUDO_REM_ENTRY)
    rem_entry[0] = before_rate
    rem_entry[:, AasmStage.R, :] = 0.0
    dur_probs = _shrink(durations, _normalise(durations.sum(axis=0))[None], _PSEUDO_DURATION)
    post_rem_probs = _shrink(
        post_rem_durations, _normalise(durations.sum(axis=0)), _PSEUDO_DURATION
    )
    post_rem_probs[AasmStage.R] = 0.0
    rem_dur_probs = _shrink(
        rem_durations, _normalise(rem_durations.sum(axis=0))[None], _PSEUDO_DURATION
    )
    log_spt = np.log(np.asarray(spt_min))
    return HypnogramModel(
        time_bin_edges_min=TIME_BIN_EDGES_MIN,
        initial_stage_probs=_normalise(init),
        transition_probs=trans_probs,
        rem_gap_edges_min=REM_GAP_EDGES_MIN,
        rem_entry_probs=rem_entry,
        duration_class_edges=DURATION_CLASS_EDGES,
        duration_probs=dur_probs,
        rem_duration_probs=rem_dur_probs,
        post_rem_duration_probs=post_rem_probs,
        spt_log_mean=float(log_spt.mean()),
        spt_log_sd=float(log_spt.std(ddof=1)),
        source=source,
        n_nights=len(spt_min),
        n_bouts=n_bouts,
    )


def fit_reference_model(data_dir: str | Path) -> HypnogramModel:
    """Fit the shipped model: the Sleep-EDF-SC nights of the hypnogram data set.

    Parameters
    ----------
    data_dir : str or :py:class:`pathlib.Path`
        The data set's root (``<data_dir>/summary.json``, ``<data_dir>/sleep-edf-sc/*.csv``).
        Each night is cropped to the main sleep period that ``summary.json`` gives.

    Returns
    -------
    model : :class:`HypnogramModel`
        The model that ``hypnogram_params.json`` holds.

    """
    nights = load_source_nights(data_dir, REFERENCE_SOURCE)
    if not nights:
        raise ValueError(f"no {REFERENCE_SOURCE} nights under {data_dir}")
    source = (
        f"{REFERENCE_SOURCE}: {len(nights)} expert-scored nights of healthy adults aged 25-34 "
        "(Sleep-EDF Expanded, sleep cassette), main sleep period per summary.json"
    )
    return fit_hypnogram_model(list(nights.values()), source=source)


# --------------------------------------------------------------------------------------------
# Architecture statistics
# --------------------------------------------------------------------------------------------


def _crop_to_sleep(codes: IntArray) -> IntArray:
    sleep_idx = np.flatnonzero(codes > AasmStage.W)
    if sleep_idx.size == 0:
        return codes[:0]
    return codes[int(sleep_idx[0]) : int(sleep_idx[-1]) + 1]


def _rem_episodes(codes: IntArray) -> list[tuple[int, int, int]]:
    """REM episodes as (onset epoch, end epoch exclusive, number of R epochs)."""
    rem_idx = np.flatnonzero(codes == AasmStage.R)
    if rem_idx.size == 0:
        return []
    merge = REM_EPISODE_MERGE_MIN / EPOCH_MIN
    splits = np.flatnonzero(np.diff(rem_idx) - 1 >= merge) + 1
    return [(int(b[0]), int(b[-1]) + 1, int(b.size)) for b in np.split(rem_idx, splits)]


def _median(values: Sequence[float]) -> float:
    return float(np.median(values)) if values else math.nan


def architecture_stats(hypnograms: Sequence[npt.ArrayLike]) -> dict[str, float]:
    """Sleep-architecture figures pooled over nights, for real and simulated hypnograms alike.

    Parameters
    ----------
    hypnograms : sequence of array_like of int
        AASM codes (-1 unscored). Each night is cropped to its first..last sleep epoch; crop
        real 24-h recordings with :func:`main_sleep_period` first so that naps are excluded.

    Returns
    -------
    stats : dict
        ``n_nights``
            Nights with at least one sleep epoch.
        ``pct_n1``, ``pct_n2``, ``pct_n3``, ``pct_r``
            Stage % of total sleep time, pooled over all epochs of all nights (as in the data
            README and in [1]_).
        ``tst_median_min``, ``spt_median_min``, ``waso_median_min``
            Medians over nights of total sleep time, sleep period time (first to last sleep
            epoch) and wake after sleep onset (W epochs inside the sleep period).
        ``sleep_efficiency_pct``
            Pooled TST / SPT.
        ``awakenings_per_night``
            Mean number of runs of W inside the sleep period (any length).
        ``rem_latency_median_min``
            Median over nights (with REM) of the time from the first sleep epoch to the first
            R epoch.
        ``rem_episodes_per_night``
            Mean number of REM episodes per night. An episode is a run of R epochs in which
            consecutive R epochs are separated by less than 15 min of other epochs
            (Feinberg and Floyd's criterion [2]_); a single R epoch counts.
        ``cycle_median_min``
            Median over all consecutive pairs of REM episodes (pooled over nights) of the time
            from one episode's onset to the next one's: the NREM-REM cycle length.
        ``rem_episode_first_median_min``, ``rem_episode_last_median_min``
            Median number of R minutes in the first and in the last REM episode of nights with
            at least two episodes (REM periods lengthen across the night [2]_).
        ``n3_first_third_pct``, ``n3_last_third_pct``, ``rem_first_third_pct``,
        ``rem_last_third_pct``
            N3 and R % of the sleep epochs in the first and last third of the sleep period,
            pooled over nights.
        ``trans_<A>_<B>``
            Epoch-to-epoch transition probability from stage A to stage B (W, N1, N2, N3, R),
            self transitions included, pooled over consecutive scored epoch pairs inside the
            sleep periods; rows sum to 1.

        NaN where a figure is undefined (e.g. no REM at all).

    """
    n_nights = 0
    stage_counts = np.zeros(N_STAGES)
    trans = np.zeros((N_STAGES, N_STAGES))
    tst, spt, waso, awakenings, latency = [], [], [], [], []
    episodes_per_night: list[int] = []
    cycles: list[float] = []
    first_ep: list[float] = []
    last_ep: list[float] = []
    thirds = np.zeros((2, N_STAGES))
    for night in hypnograms:
        codes = _crop_to_sleep(np.asarray(night, dtype=np.int8))
        if codes.size == 0:
            continue
        n_nights += 1
        valid = codes >= 0
        counts = np.bincount(codes[valid], minlength=N_STAGES).astype(np.float64)
        stage_counts += counts
        n_sleep = float(counts[1:].sum())
        tst.append(n_sleep * EPOCH_MIN)
        spt.append(codes.size * EPOCH_MIN)
        waso.append(float(counts[AasmStage.W]) * EPOCH_MIN)
        wake = (codes == AasmStage.W).astype(np.int8)
        awakenings.append(float(np.count_nonzero(np.diff(wake) == 1)))
        pair = valid[:-1] & valid[1:]
        np.add.at(trans, (codes[:-1][pair], codes[1:][pair]), 1.0)
        rem_idx = np.flatnonzero(codes == AasmStage.R)
        if rem_idx.size:
            latency.append(float(rem_idx[0]) * EPOCH_MIN)
        eps = _rem_episodes(codes)
        episodes_per_night.append(len(eps))
        cycles.extend((b[0] - a[0]) * EPOCH_MIN for a, b in itertools.pairwise(eps))
        if len(eps) >= 2:
            first_ep.append(eps[0][2] * EPOCH_MIN)
            last_ep.append(eps[-1][2] * EPOCH_MIN)
        third = codes.size / 3.0
        for row, part in enumerate((codes[: round(third)], codes[round(2 * third) :])):
            thirds[row] += np.bincount(part[part >= 0], minlength=N_STAGES)

    total_sleep = stage_counts[1:].sum()
    pct = 100.0 * stage_counts / total_sleep if total_sleep > 0 else np.full(N_STAGES, np.nan)
    sleep_in_thirds = thirds[:, 1:].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        third_pct = 100.0 * thirds / sleep_in_thirds[:, None]
        trans_p = trans / trans.sum(axis=1, keepdims=True)
    stats: dict[str, float] = {
        "n_nights": float(n_nights),
        "pct_n1": float(pct[AasmStage.N1]),
        "pct_n2": float(pct[AasmStage.N2]),
        "pct_n3": float(pct[AasmStage.N3]),
        "pct_r": float(pct[AasmStage.R]),
        "tst_median_min": _median(tst),
        "spt_median_min": _median(spt),
        "waso_median_min": _median(waso),
        "sleep_efficiency_pct": (
            100.0 * float(total_sleep) / (sum(spt) / EPOCH_MIN) if spt else math.nan
        ),
        "awakenings_per_night": float(np.mean(awakenings)) if awakenings else math.nan,
        "rem_latency_median_min": _median(latency),
        "rem_episodes_per_night": (
            float(np.mean(episodes_per_night)) if episodes_per_night else math.nan
        ),
        "cycle_median_min": _median(cycles),
        "rem_episode_first_median_min": _median(first_ep),
        "rem_episode_last_median_min": _median(last_ep),
        "n3_first_third_pct": float(third_pct[0, AasmStage.N3]),
        "n3_last_third_pct": float(third_pct[1, AasmStage.N3]),
        "rem_first_third_pct": float(third_pct[0, AasmStage.R]),
        "rem_last_third_pct": float(third_pct[1, AasmStage.R]),
    }
    for a, name_a in enumerate(STAGE_LABELS):
        for b, name_b in enumerate(STAGE_LABELS):
            stats[f"trans_{name_a}_{name_b}"] = float(trans_p[a, b])
    return stats


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
