"""How often *any* causal smart alarm can wake in light sleep: the oracle ceiling.

    .venv/bin/python -m training.evaluate ceiling [--data ../shared/data] [--window 30]
        [--spread 120] [--sim-seeds 20000-20139,40000-40359]

The smart alarm's figure "woken in light sleep" judges the epoch the user is woken in: a
trigger on the update of epoch ``i`` wakes the user at the start of epoch ``i + 1``
(:mod:`training.evaluate.alarm`). A policy that knew the true stage of every epoch up to now
(a perfect stage model) can still not know whether light sleep goes on for one more epoch.
This module measures that limit on expert-scored hypnograms:

* every alarm window of ``--window`` minutes whose deadline lies in the last ``--spread``
  minutes of the sleep period (every deadline epoch, not a random draw), as the evaluation
  places them: after the first sleep epoch + the window, at the latest at the final wake
  (the epoch after the last sleep epoch);
* the causal oracle rules "wake at the first epoch of the window that has been truly light
  (N1 or N2) for ``r`` epochs" and "... truly N2 for ``r`` epochs", ``r`` = 1..30, the alarm
  ringing at the deadline without one: % woken in light sleep among the windows holding
  light sleep, for each ``r`` and the best;
* the hazard table: P(the next epoch is light | light now for ``r`` epochs; ``r`` bucketed as
  1, 2, 3, 4, 5-9, 10-19, >= 20), over the last ``spread + window`` minutes of the sleep
  period, which bounds every causal rule.

Real hypnograms from ``../shared/data/hypnograms`` (Sleep-EDF SC, UCDDB, MIT-BIH slpdb;
skipped with a message when absent) and, with ``--sim-seeds``, the four-class truth of
cached simulated nights (:mod:`training.datasets`; N1 and N2 are one class there, so only the
light rules apply). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
import json
from pathlib import Path
import sys
from typing import Any

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import EPOCH_SECONDS
from training import DATA_DIR
from training.datasets import CACHE, Night, parse_seeds
from training.fit.hypnogram import load_hypnogram_csv

RUNS = tuple(range(1, 31))
PER_MIN = 60 // EPOCH_SECONDS
HAZARD_RUNS = (1, 2, 3, 4, 5, 10, 20)


def windows(
    asleep: NDArray[np.bool_], window_min: float, spread_min: float
) -> Iterator[tuple[int, int]]:
    """(start, deadline) of every window placed as the evaluation places them."""
    idx = np.nonzero(asleep)[0]
    if len(idx) == 0:
        return
    end = min(int(idx[-1]) + 1, len(asleep) - 1)
    w = round(window_min * PER_MIN)
    lo = max(end - round(spread_min * PER_MIN), int(idx[0]) + w)
    for deadline in range(lo, end + 1):
        yield deadline - w, deadline


def runs(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Length of the run of ``True`` ending at each epoch (0 where ``False``)."""
    out = np.zeros(len(mask), dtype=np.int64)
    for i, m in enumerate(mask):
        out[i] = out[i - 1] + 1 if m and i else int(m)
    return out


def oracle(
    light: NDArray[np.bool_],
    armed: NDArray[np.bool_],
    asleep: NDArray[np.bool_],
    window_min: float,
    spread_min: float,
) -> dict[int, list[int]]:
    """``{r: [woken in light, windows with light]}`` for "first epoch armed for r epochs".

    The rule sees the updates completing inside the window (epochs ``start - 1`` ..
    ``deadline - 2``) and wakes the user at the start of the next epoch.
    """
    run = runs(armed)
    out = {r: [0, 0] for r in RUNS}
    for start, deadline in windows(asleep, window_min, spread_min):
        if not light[start:deadline].any():
            continue
        for r in RUNS:
            out[r][0] += int(light[oracle_ring(run, start, deadline, r)])
            out[r][1] += 1
    return out


def oracle_ring(run: NDArray[np.int64], start: int, deadline: int, r: int) -> int:
    """Epoch the oracle rule "first update whose run is at least ``r``" wakes the user in.

    The updates completing inside the window are those of epochs ``start - 1`` ..
    ``deadline - 2``; a trigger on epoch ``i`` wakes at the start of ``i + 1``; without one
    the alarm rings at ``deadline``. ``run`` is :func:`runs` of the true stage mask.
    """
    hit = np.nonzero(run[start - 1 : deadline - 1] >= r)[0]
    return start + int(hit[0]) if len(hit) else deadline


def hazard(
    light: NDArray[np.bool_], asleep: NDArray[np.bool_], last_min: float
) -> dict[int, list[int]]:
    """``{r: [next epoch light, epochs light for r (last bucket: at least r)]}``."""
    idx = np.nonzero(asleep)[0]
    out = {r: [0, 0] for r in HAZARD_RUNS}
    if len(idx) == 0:
        return out
    end = min(int(idx[-1]) + 1, len(light) - 1)
    run = runs(light)
    for i in range(max(int(idx[0]), end - round(last_min * PER_MIN)), end):
        if not light[i]:
            continue
        r = max(h for h in HAZARD_RUNS if run[i] >= h)
        out[r][0] += int(light[i + 1])
        out[r][1] += 1
    return out


def bound(
    light: NDArray[np.bool_],
    asleep: NDArray[np.bool_],
    rates: dict[int, float],
    window_min: float,
    spread_min: float,
) -> list[float]:
    """Per window with light sleep: the best hazard among the states the window visits.

    Waking at an epoch light for ``r`` epochs succeeds with probability ``rates[r]`` (the
    hazard table), so no causal rule that knows the stage history as run lengths does better
    on a window than its best state; the mean over windows bounds every such rule, however
    it chooses (it would have to know in advance which state is the best one to come).
    """
    run = runs(light)
    out = []
    for start, deadline in windows(asleep, window_min, spread_min):
        if not light[start:deadline].any():
            continue
        seen = run[start - 1 : deadline - 1]
        best = 0.0
        for r in seen[seen > 0]:
            best = max(best, rates[max(h for h in HAZARD_RUNS if r >= h)])
        # A window whose light sleep only starts at its last epoch rings at the deadline.
        out.append(best if best else float(light[deadline]))
    return out


def add(total: dict[int, list[int]], part: dict[int, list[int]]) -> None:
    """Sum ``part`` into ``total``."""
    for k, (a, b) in part.items():
        total.setdefault(k, [0, 0])
        total[k][0] += a
        total[k][1] += b


def pct(counts: list[int]) -> float | None:
    """A percentage of ``[hits, total]``, ``None`` without any."""
    return round(100 * counts[0] / counts[1], 2) if counts[1] else None


def summary(name: str, results: dict[str, Any], nights: int) -> dict[str, Any]:
    """Best rule per family and the hazard table, with a readable print."""
    fig: dict[str, Any] = {f"{name}_nights": nights}
    print(f"\n## {name}: {nights} nights")
    if not nights:
        return fig
    for family in ("light", "n2"):
        if family not in results:
            continue
        table = results[family]
        best = max(RUNS, key=lambda r: pct(table[r]) or 0.0)
        fig[f"{name}_{family}_windows"] = table[1][1]
        fig[f"{name}_{family}_best_run"] = best
        fig[f"{name}_{family}_best_pct"] = pct(table[best])
        fig[f"{name}_{family}_run1_pct"] = pct(table[1])
        shown = ", ".join(f"r={r}: {pct(table[r])} %" for r in (1, 2, 3, 4, 5, 8, 10, 15, 20))
        print(f"first epoch truly {family} for r epochs ({table[1][1]} windows): {shown}")
        print(f"  best: r={best}, {pct(table[best])} % woken in light sleep")
    hz = results["hazard"]
    print(
        "P(next epoch light | light for r epochs): "
        + ", ".join(f"r {_bucket(r)}: {pct(hz[r])} %" for r in hz)
    )
    fig[f"{name}_hazard_pct"] = {str(r): pct(hz[r]) for r in hz}
    fig[f"{name}_hazard_max_pct"] = max(pct(v) or 0.0 for v in hz.values())
    if "bound" in results:
        fig[f"{name}_bound_pct"] = round(100 * float(np.mean(results["bound"])), 2)
        print(
            "bound for any causal rule (mean over windows of the best state visited): "
            f"{fig[f'{name}_bound_pct']} %"
        )
    return fig


def _bucket(r: int) -> str:
    """The run lengths of hazard bucket ``r``: "= 4", "5-9", ">= 20"."""
    nxt = [h for h in HAZARD_RUNS if h > r]
    if not nxt:
        return f">= {r}"
    return f"= {r}" if nxt[0] == r + 1 else f"{r}-{nxt[0] - 1}"


def measure(
    name: str,
    nights: list[tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_] | None]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Every figure for ``nights``: (light, asleep, N2 or ``None``) masks per night."""
    results: dict[str, Any] = {"light": {}, "hazard": {}}
    last = args.spread + args.window
    for light, asleep, n2 in nights:
        add(results["light"], oracle(light, light, asleep, args.window, args.spread))
        if n2 is not None:
            add(results.setdefault("n2", {}), oracle(light, n2, asleep, args.window, args.spread))
        add(results["hazard"], hazard(light, asleep, last))
    rates = {r: (pct(v) or 0.0) / 100 for r, v in results["hazard"].items()}
    results["bound"] = [
        b
        for light, asleep, _ in nights
        for b in bound(light, asleep, rates, args.window, args.spread)
    ]
    return summary(name, results, len(nights))


def real_nights(data: Path) -> Iterator[NDArray[np.int8]]:
    """AASM codes (W 0, N1 1, N2 2, N3 3, R 4, unscored -1) of every real hypnogram."""
    for path in sorted((data / "hypnograms").glob("*/*.csv")):
        with path.open(encoding="utf-8") as f:
            if f.readline().strip() != "stage":
                continue  # event tables and summaries
        yield load_hypnogram_csv(path)


def main(argv: list[str] | None = None) -> None:
    """Measure the ceiling; print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--spread", type=float, default=120.0)
    parser.add_argument("--sim-seeds", help="cached simulated nights, e.g. 20000-20139")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {"window_min": args.window, "spread_min": args.spread}

    if (args.data / "hypnograms").is_dir():
        real = [c for c in real_nights(args.data) if (c >= 1).sum() >= 10 * PER_MIN]
        figures |= measure("real", [((c == 1) | (c == 2), c >= 1, c == 2) for c in real], args)
    else:
        print(f"no real hypnograms in {args.data / 'hypnograms'}: skipped", file=sys.stderr)

    if args.sim_seeds:
        stages = [
            Night.load(CACHE / f"{seed}.npz").stage
            for seed in parse_seeds(args.sim_seeds)
            if (CACHE / f"{seed}.npz").exists()
        ]
        figures |= measure("simulated", [(st == 1, st >= 1, None) for st in stages], args)
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
