"""How much of the stage agreement lost to a shifted radar and sleeper the adaptation recovers.

    python -m training.evaluate.learning_adaptation [--quick] [--jobs 2]

Simulated users (``simulation/scenarios.py``, ``adaptation_night_config``) sleep ten nights
each. Shifted users see them through their own radar and body
(:func:`~custom_components.radar_sleep.simulation.scenarios.user_shift`: gain x0.5-2, noise
x2-4, breathing rate +-3/min, breathing variability x1.5, 1-5 Hz); unshifted users through
the training nights' sensor. The pipeline runs each night once, recording what its stage model
is fed; the stage model is then replayed on nights 8-10 without adaptation and with the
adaptation learned (:class:`~custom_components.radar_sleep.sleep.learning.StageAdaptation`)
from nights 1-7, and scored epoch by epoch against the ground truth as
``python -m training.evaluate stages`` scores (lights off to getting up, epochs in bed).

Figures (4-class Cohen's kappa pooled over the epochs of nights 8-10):

* ``adaptation.kappa_shifted``: shifted users, no adaptation;
* ``adaptation.kappa_adapted``: shifted users, adapted;
* ``adaptation.kappa_reference``: the same users' same nights without the shift;
* ``adaptation.recovered_fraction``: (adapted - shifted) / (reference - shifted);
* ``adaptation.kappa_unshifted`` and ``adaptation.kappa_unshifted_delta``: unshifted users,
  and adapted minus unadapted for them;
* ``adaptation.tuned_shifted_users`` and ``adaptation.tuned_unshifted_users``: how many users
  of each kind had their network tuned after night 7 (it is tuned only where its inputs
  shifted);
* ``adaptation.recovered_fraction_ci95``: a 95 % interval of the recovered fraction, the
  percentile bootstrap over the shifted users (Efron B, Tibshirani RJ. *An Introduction to the
  Bootstrap*, Chapman & Hall 1993, ch. 13): users are resampled with replacement
  :data:`BOOTSTRAP` times and the fraction computed again from their pooled epochs. Users
  differ far more from each other than nights do, so the user is the unit resampled;
* ``adaptation.kappa_labelled`` and ``adaptation.labelled_recovered_fraction``: the ceiling of
  any adaptation learned from nights 1-7: the same input and output corrections, with the
  network fitted on nights 1-7 *with their true stages* (which no real user gives), every
  layer, by :func:`~custom_components.radar_sleep.sleep.learning.tuning.fit_layers`
  (cross-entropy, :data:`LABELLED_PASSES` passes at step size :data:`LABELLED_STEP_SIZE`, the
  best of the settings tried on these users: a generous ceiling).

With ``--input-oracle``, two figures bound what any per-user correction of the inputs can do
(a correction of each input's distribution, such as the shipped re-standardisation):

* ``adaptation.kappa_input_oracle`` and ``adaptation.input_oracle_recovered_fraction``: each
  model input of a shifted user's nights mapped, quantile by quantile, from its distribution
  over the user's nights 1-7 to its distribution over *the same nights without the shift*
  (:func:`quantile_map`; an oracle: no user's radar shows what it would have measured unshifted),
  nothing else adapted;
* ``adaptation.kappa_input_oracle_tuned`` and its fraction: the same mapped nights with the
  shipped adaptation learned on them, the network tuned whatever the guard says (after the
  mapping the inputs show no shift).

Users come in blocks of ten, 8 shifted and 2 unshifted (``--first-user``, repeatable).
The reported users are blocks 0, 20, 50, 60, 70 and 80 (48 shifted and 12 unshifted users):
no setting of the adaptation was chosen on them. Blocks 10, 30, 40, 90, 100, 110 and 120 are
the users the settings and the tuning's guard were chosen on (``--first-user 10 --first-user
30`` ...).

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, replace
import json
from multiprocessing import get_context
from pathlib import Path
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import EPOCH_SECONDS
from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator, SimulatorConfig
from custom_components.radar_sleep.simulation.scenarios import (
    NIGHTS_PER_USER,
    adaptation_night_config,
    user_shift,
)
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline
from custom_components.radar_sleep.sleep.learning.adaptation import StageAdaptation
from custom_components.radar_sleep.sleep.learning.tuning import fit_layers
from custom_components.radar_sleep.sleep.staging import EngineStager
from custom_components.radar_sleep.sleep.staging.network import (
    ContextEncoder,
    MlpModel,
    ModelMeta,
    UserCorrection,
    shipped_model,
)
from training.evaluate.agreement import cohen_kappa as kappa_from_confusion
from training.evaluate.stages import cohen_kappa, confusion

LEARN_NIGHTS = 7
"""Nights 1-7 teach the adaptation; nights 8-10 are scored."""
SHIFTED_USERS = 8
UNSHIFTED_USERS = 2
QUICK_USERS = (1, 1)
"""Shifted and unshifted users of ``--quick`` (with two learning nights, a smoke test)."""
QUICK_LEARN_NIGHTS = 2

REPORTED_BLOCKS = (0, 20, 50, 60, 70, 80)
"""The first users of the reported blocks (module docstring)."""
BOOTSTRAP = 2000
"""Bootstrap resamples of the shifted users."""

LABELLED_PASSES = 5
LABELLED_STEP_SIZE = 3e-4
"""The labelled ceiling's fit (module docstring)."""

_RESET, _STEP, _SKIP = 0, 1, 2


class _Recorder:
    """A stage model that records what the pipeline feeds it (and stages with the network)."""

    def __init__(self) -> None:
        self.inner = EngineStager()
        self.lookahead = self.inner.lookahead
        self.ops: list[int] = []
        self.rows: list[NDArray[np.float64]] = []

    def reset(self) -> None:
        self.ops.append(_RESET)
        self.rows.append(np.full(6, np.nan))
        self.inner.reset()

    def step(self, x: NDArray[np.float64]) -> NDArray[np.float64] | None:
        self.ops.append(_STEP)
        self.rows.append(np.asarray(x, dtype=np.float64))
        return self.inner.step(x)

    def skip(self) -> NDArray[np.float64] | None:
        self.ops.append(_SKIP)
        self.rows.append(np.full(6, np.nan))
        return self.inner.skip()

    def drain(self) -> list[NDArray[np.float64]]:
        return self.inner.drain()

    def dump_state(self) -> dict[str, Any]:
        return self.inner.dump_state()

    def load_state(self, state: dict[str, Any]) -> None:
        self.inner.load_state(state)


@dataclass(frozen=True, slots=True)
class RecordedNight:
    """What the stage model was fed over one night, and the truth to score it against."""

    ops: NDArray[np.int8]
    """Per epoch processed: reset, step (in bed: a feature row) or skip."""
    rows: NDArray[np.float64]
    """Feature vectors of the steps (NaN rows elsewhere)."""
    truth: NDArray[np.int8]
    """True stage of the op's epoch where it is scored, else -1."""

    def in_bed_rows(self) -> NDArray[np.float64]:
        """The feature vectors of the night's in-bed epochs (what the adaptation learns from)."""
        rows: NDArray[np.float64] = self.rows[self.ops == _STEP]
        return rows


def record_night(job: tuple[int, int, bool]) -> RecordedNight:
    """Run the pipeline over night ``night`` of ``user`` (shifted or not), recording."""
    user, night, shifted = job
    return record_config(
        adaptation_night_config(user, night, user_shift(user) if shifted else None)
    )


def record_config(cfg: SimulatorConfig) -> RecordedNight:
    """Run the pipeline over the simulated night ``cfg``, recording its stage model's input."""
    sim = BedroomSimulator(cfg)
    truth = sim.truth
    recorder = _Recorder()
    pipeline = SleepPipeline(
        PipelineConfig(side=cfg.user_side, radar_position=cfg.radar_position), stager=recorder
    )
    indices: list[int] = []
    kept: set[int] = set()
    for result in pipeline.run(sim.frames()):
        indices.append(result.record.index)
        kept.add(result.record.index)
    # Every epoch processed made exactly one call (step, skip or reset), in order.
    ops = np.array(recorder.ops, dtype=np.int8)
    assert ops.size == len(indices), (ops.size, len(indices))
    stages = truth.user_stages
    lo, hi = int(truth.intent_s) // EPOCH_SECONDS, int(truth.bed_exit_s) // EPOCH_SECONDS
    scored = np.full(ops.size, -1, dtype=np.int8)
    for k, i in enumerate(indices):
        if lo <= i < hi and i < stages.size and stages[i] >= 0:
            scored[k] = stages[i]
    return RecordedNight(ops, np.stack(recorder.rows), scored)


def cached_night(job: tuple[int, int, bool], cache: str | None) -> RecordedNight:
    """:func:`record_night`, kept in (and read back from) the folder ``cache`` if given.

    The nights are deterministic for their seeds, so a kept night is the night recorded
    again; the folder only saves the simulation's time when the figures are computed again.
    """
    if cache is None:
        return record_night(job)
    user, night_number, shifted = job
    kind = "shifted" if shifted else "plain"
    path = Path(cache) / f"user{user}_night{night_number}_{kind}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            return RecordedNight(data["ops"], data["rows"], data["truth"])
    night = record_night(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, ops=night.ops, rows=night.rows, truth=night.truth)
    tmp.replace(path)
    return night


def _cached(args: tuple[tuple[int, int, bool], str | None]) -> RecordedNight:
    return cached_night(*args)


class _Labelled:
    """An adaptation whose network was fitted with the true stages (the ceiling)."""

    def __init__(self, adaptation: StageAdaptation, model: MlpModel) -> None:
        self.adaptation = adaptation
        self.model = model

    def shift(self, meta: ModelMeta) -> UserCorrection:
        found = self.adaptation.shift(meta)
        base = found or UserCorrection(np.zeros(meta.mean.size), np.ones(meta.mean.size))
        return replace(base, model=self.model)


def labelled(adaptation: StageAdaptation, nights: list[RecordedNight]) -> _Labelled:
    """The ceiling's adaptation (module docstring).

    ``adaptation``'s corrections, the network fitted on ``nights`` with their true stages.
    """
    model = shipped_model("stage")
    shift = adaptation.shift(model.meta)
    x: list[NDArray[np.float32]] = []
    y: list[NDArray[np.int8]] = []
    for night in nights:
        encoder = ContextEncoder(model.meta, shift)
        x.extend(encoder.push(row) for row in night.in_bed_rows())
        y.append(night.truth[night.ops == _STEP])
    truth = np.concatenate(y)
    known = (truth >= 0).astype(np.float64)
    onehot = np.eye(4)[np.maximum(truth, 0)]

    def gradient(probs: NDArray[np.float64], rows: NDArray[np.intp]) -> NDArray[np.float64]:
        weight = known[rows]
        out: NDArray[np.float64] = (
            (probs - onehot[rows]) * weight[:, None] / max(float(weight.sum()), 1.0)
        )
        return out

    fitted = fit_layers(
        model,
        np.stack(x),
        gradient,
        passes=LABELLED_PASSES,
        step_size=LABELLED_STEP_SIZE,
        output_layer=True,
    )
    return _Labelled(adaptation, fitted)


def replay(
    night: RecordedNight, adaptation: StageAdaptation | _Labelled | None
) -> NDArray[np.int8]:
    """The stage of each op's epoch from a fresh stage model (wake where not in bed)."""
    stager = EngineStager(adaptation=adaptation)
    out = np.zeros(night.ops.size, dtype=np.int8)
    for k, op in enumerate(night.ops):
        if op == _RESET:
            stager.reset()
        elif op == _SKIP:
            stager.skip()
        else:
            probs = stager.step(night.rows[k])
            assert probs is not None
            out[k] = int(np.argmax(probs))
    return out


def _score(pairs: list[tuple[NDArray[np.int8], NDArray[np.int8]]]) -> float:
    y = np.concatenate([t[t >= 0] for t, _ in pairs])
    p = np.concatenate([s[t >= 0] for t, s in pairs])
    return cohen_kappa(y, p)


def _confusion(pairs: list[tuple[NDArray[np.int8], NDArray[np.int8]]]) -> NDArray[np.int64]:
    """The confusion matrix of the pooled scored epochs of ``pairs``."""
    return sum(
        (confusion(t[t >= 0], s[t >= 0]) for t, s in pairs), np.zeros((4, 4), dtype=np.int64)
    )


QUANTILES = np.linspace(0.0, 100.0, 201)
"""The quantiles (in percent) :func:`quantile_map` matches."""


def quantile_map(
    values: NDArray[np.float64], source: NDArray[np.float64], target: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``values`` moved from the distribution of ``source`` to that of ``target``.

    Empirical quantile mapping (Panofsky HA, Brier GW. *Some Applications of Statistics to
    Meteorology*. Pennsylvania State University, 1968, pp. 40-45): a value at the ``q``-th
    percentile of ``source`` becomes the ``q``-th percentile of ``target``, linear between
    the :data:`QUANTILES`; beyond ``source``'s range, its end. NaN stays NaN, and NaN in
    ``source`` or ``target`` is left out.
    """
    src = np.percentile(source[~np.isnan(source)], QUANTILES)
    tgt = np.percentile(target[~np.isnan(target)], QUANTILES)
    knots, first = np.unique(src, return_index=True)
    out = np.array(values, dtype=np.float64, copy=True)
    known = ~np.isnan(out)
    out[known] = np.interp(np.interp(out[known], knots, QUANTILES[first]), QUANTILES, tgt)
    return out


class _AlwaysTuned(StageAdaptation):
    """The shipped adaptation with the network tuned whatever the inputs' shift."""

    def input_shift_size(self) -> float:
        return float("inf")


def input_oracle(
    learned: list[RecordedNight], unshifted: list[RecordedNight]
) -> Callable[[RecordedNight], RecordedNight]:
    """The oracle's mapping of a shifted user's nights (module docstring).

    ``learned``: the user's shifted nights 1-7; ``unshifted``: the same nights without the
    shift. Every model input is mapped by :func:`quantile_map` over their in-bed epochs.
    """
    src = np.concatenate([n.in_bed_rows() for n in learned])
    tgt = np.concatenate([n.in_bed_rows() for n in unshifted])

    def mapped(night: RecordedNight) -> RecordedNight:
        rows = night.rows.copy()
        for j in range(rows.shape[1]):
            rows[:, j] = quantile_map(rows[:, j], src[:, j], tgt[:, j])
        return replace(night, rows=rows)

    return mapped


def bootstrap_recovered(
    shifted: list[NDArray[np.int64]],
    adapted: list[NDArray[np.int64]],
    reference: list[NDArray[np.int64]],
    resamples: int = BOOTSTRAP,
) -> tuple[float, float]:
    """95 % percentile-bootstrap interval of the recovered fraction over users.

    Each list holds one confusion matrix per shifted user (their scored nights pooled), in
    the same user order. Resamples whose users lost nothing are left out.
    """
    rng = np.random.default_rng(0)
    a, b, c = np.stack(shifted), np.stack(adapted), np.stack(reference)
    values: list[float] = []
    for _ in range(resamples):
        pick = rng.integers(0, a.shape[0], a.shape[0])
        k_s, k_a, k_r = (kappa_from_confusion(m[pick].sum(axis=0)) for m in (a, b, c))
        if abs(k_r - k_s) > 1e-9:
            values.append((k_a - k_s) / (k_r - k_s))
    if not values:
        return 0.0, 0.0
    low, high = np.percentile(values, [2.5, 97.5])
    return round(float(low), 3), round(float(high), 3)


def measure(
    quick: bool = False,
    jobs: int = 2,
    cache: str | None = None,
    first_users: tuple[int, ...] = REPORTED_BLOCKS,
    oracle: bool = False,
) -> dict[str, Any]:
    """Every figure of the module docstring (``quick``: one user of each, two nights' learning).

    ``cache``: a folder keeping the recorded nights (:func:`cached_night`); ``first_users``:
    the first user of each block of users; ``oracle``: the input oracle's figures too.
    """
    started = time.monotonic()
    n_shifted, n_unshifted = QUICK_USERS if quick else (SHIFTED_USERS, UNSHIFTED_USERS)
    if quick:
        first_users = first_users[:1]
    learn = QUICK_LEARN_NIGHTS if quick else LEARN_NIGHTS
    scored_nights = range(learn + 1, (learn + 2 if quick else NIGHTS_PER_USER) + 1)
    shifted_users = [u for f in first_users for u in range(f, f + n_shifted)]
    unshifted_users = [
        u for f in first_users for u in range(f + n_shifted, f + n_shifted + n_unshifted)
    ]
    work: list[tuple[int, int, bool]] = []
    for u in shifted_users:
        work += [(u, n, True) for n in range(1, scored_nights[-1] + 1)]
        work += [
            (u, n, False) for n in (range(1, scored_nights[-1] + 1) if oracle else scored_nights)
        ]
    for u in unshifted_users:
        work += [(u, n, False) for n in range(1, scored_nights[-1] + 1)]
    args = [(job, cache) for job in work]
    if jobs > 1:
        with get_context("spawn").Pool(jobs) as pool:
            recorded = dict(zip(work, pool.map(_cached, args, chunksize=1), strict=True))
    else:
        recorded = {job: _cached(a) for job, a in zip(work, args, strict=True)}

    tuned = {True: 0, False: 0}

    def evaluate(u: int, shifted: bool) -> tuple[list[Any], list[Any], list[Any]]:
        adaptation = StageAdaptation()
        for n in range(1, learn + 1):
            adaptation.add_night(recorded[u, n, shifted].in_bed_rows())
        tuned[shifted] += adaptation.tuned is not None
        ceiling = (
            labelled(adaptation, [recorded[u, n, shifted] for n in range(1, learn + 1)])
            if shifted
            else None
        )
        plain, adapted, best = [], [], []
        for n in scored_nights:
            night = recorded[u, n, shifted]
            plain.append((night.truth, replay(night, None)))
            adapted.append((night.truth, replay(night, adaptation)))
            if ceiling is not None:
                best.append((night.truth, replay(night, ceiling)))
        return plain, adapted, best

    def evaluate_oracle(u: int) -> tuple[list[Any], list[Any]]:
        mapped = input_oracle(
            [recorded[u, n, True] for n in range(1, learn + 1)],
            [recorded[u, n, False] for n in range(1, learn + 1)],
        )
        adaptation = _AlwaysTuned()
        for n in range(1, learn + 1):
            adaptation.add_night(mapped(recorded[u, n, True]).in_bed_rows(), tune=n == learn)
        alone, tuned_too = [], []
        for n in scored_nights:
            night = mapped(recorded[u, n, True])
            alone.append((night.truth, replay(night, None)))
            tuned_too.append((night.truth, replay(night, adaptation)))
        return alone, tuned_too

    oracle_alone: list[Any] = []
    oracle_tuned: list[Any] = []
    shifted_plain: list[Any] = []
    shifted_adapted: list[Any] = []
    shifted_labelled: list[Any] = []
    reference: list[Any] = []
    per_user: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    for u in shifted_users:
        plain, adapted, best = evaluate(u, True)
        unshifted = [
            (recorded[u, n, False].truth, replay(recorded[u, n, False], None))
            for n in scored_nights
        ]
        shifted_plain += plain
        shifted_adapted += adapted
        shifted_labelled += best
        reference += unshifted
        if oracle:
            alone, tuned_too = evaluate_oracle(u)
            oracle_alone += alone
            oracle_tuned += tuned_too
        for kept, pairs in zip(per_user, (plain, adapted, unshifted), strict=True):
            kept.append(_confusion(pairs))
    unshifted_plain: list[Any] = []
    unshifted_adapted: list[Any] = []
    for u in unshifted_users:
        plain, adapted, _ = evaluate(u, False)
        unshifted_plain += plain
        unshifted_adapted += adapted
    k_shifted = _score(shifted_plain)
    k_adapted = _score(shifted_adapted)
    k_reference = _score(reference)
    k_unshifted = _score(unshifted_plain)
    k_labelled = _score(shifted_labelled)
    lost = k_reference - k_shifted

    def recovered(k: float) -> float:
        return round((k - k_shifted) / lost, 3) if abs(lost) > 1e-9 else 0.0

    figures: dict[str, Any] = {
        "adaptation.kappa_shifted": round(k_shifted, 4),
        "adaptation.kappa_adapted": round(k_adapted, 4),
        "adaptation.kappa_reference": round(k_reference, 4),
        "adaptation.recovered_fraction": recovered(k_adapted),
        "adaptation.recovered_fraction_ci95": list(bootstrap_recovered(*per_user)),
        "adaptation.kappa_unshifted": round(k_unshifted, 4),
        "adaptation.kappa_unshifted_delta": round(_score(unshifted_adapted) - k_unshifted, 4),
        "adaptation.tuned_shifted_users": tuned[True],
        "adaptation.tuned_unshifted_users": tuned[False],
        "adaptation.kappa_labelled": round(k_labelled, 4),
        "adaptation.labelled_recovered_fraction": recovered(k_labelled),
        "adaptation.first_users": list(first_users),
        "adaptation.shifted_users": len(shifted_users),
        "adaptation.unshifted_users": len(unshifted_users),
        "adaptation.learning_nights": learn,
    }
    if oracle:
        k_alone, k_tuned = _score(oracle_alone), _score(oracle_tuned)
        figures["adaptation.kappa_input_oracle"] = round(k_alone, 4)
        figures["adaptation.input_oracle_recovered_fraction"] = recovered(k_alone)
        figures["adaptation.kappa_input_oracle_tuned"] = round(k_tuned, 4)
        figures["adaptation.input_oracle_tuned_recovered_fraction"] = recovered(k_tuned)
    figures["adaptation.seconds"] = round(time.monotonic() - started, 1)
    return figures


def main(argv: list[str] | None = None) -> None:
    """Measure and print the figures, the JSON object last."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one user of each, a smoke test")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--cache", help="a folder keeping the recorded nights, to compute the figures again"
    )
    parser.add_argument(
        "--first-user",
        type=int,
        action="append",
        help="first user of a block of ten (repeatable; default: the reported blocks 0, 20, "
        "50, 60, 70 and 80; 10, 30, 40 and 90-120: the users the settings were chosen on)",
    )
    parser.add_argument(
        "--input-oracle",
        action="store_true",
        help="also the bound of any correction of the inputs (simulates each shifted user's "
        "learning nights without the shift too)",
    )
    args = parser.parse_args(argv)
    figures = measure(
        quick=args.quick,
        jobs=args.jobs,
        cache=args.cache,
        first_users=tuple(args.first_user or REPORTED_BLOCKS),
        oracle=args.input_oracle,
    )
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
