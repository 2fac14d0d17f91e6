"""Fit the stage network's causal sequence step (:mod:`...staging.sequence`) and select it.

    .venv/bin/python -m training.fit.sequence [--data ../shared/data]
        [--select-seeds 90000-90029] [--valid-seeds 20000-20029] [--prior-seeds 20000-20029]
        [--out custom_components/radar_sleep/sleep/staging/model_files/stage_sequence.json]

* **Transitions** are counted on the real expert hypnograms (``hypnograms/<source>/*.csv``,
  each night's main sleep period, four classes, add-one smoothing), leaving out every night
  of the subject of the test night SC4001 (Sleep-EDF subject 0: SC4001 and SC4002), so that
  nothing is fitted on the night the report tests on.
* **Class prior**: the stage frequencies of the network's training distribution (the present,
  scored epochs of ``--prior-seeds``: nights drawn as the training nights are).
* **Temperature** and whether to divide by the prior are selected by pooled Cohen's kappa on
  the held-out physiology validation nights (``--select-seeds``,
  :func:`~custom_components.radar_sleep.simulation.scenarios.heldout_physiology_config`);
  the validation nights of the training distribution (``--valid-seeds``) are reported too.

Deterministic (no random draws). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
import json
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.simulation.hypnogram import to_four_class
from custom_components.radar_sleep.sleep.staging.network import (
    ContextEncoder,
    MlpModel,
    numpy_forward,
    shipped_model,
)
from custom_components.radar_sleep.sleep.staging.sequence import (
    SEQUENCE_FILE,
    ForwardFilter,
    SequenceParams,
)
from training import DATA_DIR
from training.datasets import Night, nights, parse_seeds
from training.fit.hypnogram import load_source_nights

SOURCES = ("sleep-edf-sc", "ucddb", "slpdb")
TEST_SUBJECT = ("SC4001", "SC4002")
"""Nights of the test night's subject, never fitted on."""
TEMPERATURES = (0.15, 0.25, 0.35, 0.5, 0.7, 1.0, 1.4)


def fit_transitions(data: Path) -> tuple[NDArray[np.float64], NDArray[np.float64], list[str]]:
    """Four-class transition matrix and initial distribution of the real hypnograms.

    The initial distribution is the stage of the first epoch after lights-off in the filter's
    use (the user lies awake first): wake with the add-one smoothing of the other stages
    against the number of nights. Returns the nights used too.
    """
    counts = np.ones((4, 4))
    used: list[str] = []
    for source in SOURCES:
        for name, codes in load_source_nights(data / "hypnograms", source).items():
            if name.startswith(TEST_SUBJECT) or len(codes) == 0:
                continue
            arr = np.asarray(codes, dtype=np.int64)
            valid = arr >= 0
            four = np.where(valid, to_four_class(np.clip(arr, 0, None)), -1)
            a, b = four[:-1], four[1:]
            ok = (a >= 0) & (b >= 0)
            np.add.at(counts, (a[ok], b[ok]), 1)
            used.append(f"{source}/{name}")
    transition = counts / counts.sum(axis=1, keepdims=True)
    initial = np.array([len(used), 1.0, 1.0, 1.0])
    return transition, initial / initial.sum(), used


def night_probabilities(
    night: Night, model: MlpModel
) -> tuple[list[str], NDArray[np.float32], NDArray[np.int8]]:
    """The network's probabilities over a night, stepped as the pipeline steps a stager.

    Returns per epoch the pipeline's action (``step``, ``skip`` or ``reset``), the
    probabilities of the ``step`` epochs (in order) and their true stages (-1: unscored).
    """
    enc = ContextEncoder(model.meta)
    actions: list[str] = []
    rows: list[NDArray[np.float32]] = []
    labels: list[int] = []
    for i in range(len(night.x)):
        if night.present[i]:
            rows.append(enc.push(night.x[i]))
            labels.append(int(night.stage[i]))
            actions.append("step")
        elif night.in_session[i]:
            enc.push(None)
            actions.append("skip")
        else:
            enc.reset()
            actions.append("reset")
    width = model.meta.input_size
    x = np.stack(rows) if rows else np.zeros((0, width), np.float32)
    return actions, numpy_forward(model, x), np.array(labels, dtype=np.int8)


def filtered(
    actions: Sequence[str], probs: NDArray[np.float32], params: SequenceParams | None
) -> NDArray[np.int64]:
    """Predicted stages of the ``step`` epochs, with the forward filter (or without: None)."""
    if params is None:
        stages: NDArray[np.int64] = np.argmax(probs, axis=1).astype(np.int64)
        return stages
    filt = ForwardFilter(params)
    out: list[int] = []
    k = 0
    for action in actions:
        if action == "step":
            out.append(int(np.argmax(filt.step(probs[k].astype(np.float64)))))
            k += 1
        elif action == "skip":
            filt.skip()
        else:
            filt.reset()
    return np.array(out, dtype=np.int64)


def pooled_kappa(
    runs: Sequence[tuple[list[str], NDArray[np.float32], NDArray[np.int8]]],
    params: SequenceParams | None,
) -> float:
    """Cohen's kappa over every scored epoch of ``runs`` (Cohen 1960)."""
    cm = np.zeros((4, 4))
    for actions, probs, labels in runs:
        pred = filtered(actions, probs, params)
        keep = labels >= 0
        np.add.at(cm, (labels[keep].astype(np.int64), pred[keep]), 1)
    n = cm.sum()
    pe = float((cm.sum(0) * cm.sum(1)).sum()) / (n * n)
    return float((np.trace(cm) / n - pe) / (1 - pe))


def class_prior(data: Sequence[Night]) -> NDArray[np.float64]:
    """Stage frequencies of the present, scored epochs."""
    labels = np.concatenate([n.stage[n.present & (n.stage >= 0)] for n in data])
    counts = np.bincount(labels.astype(np.int64), minlength=4).astype(np.float64)
    prior: NDArray[np.float64] = counts / counts.sum()
    return prior


def select(
    model: MlpModel,
    data: Path,
    select_seeds: list[int],
    valid_seeds: list[int],
    prior_nights: Sequence[Night],
    *,
    jobs: int = 2,
) -> tuple[SequenceParams, dict[str, object]]:
    """Fit the transitions, select temperature and prior; the parameters and the figures.

    ``prior_nights``: nights of the network's training distribution (their stage
    frequencies are the class prior).
    """
    transition, initial, used = fit_transitions(data)
    prior = class_prior(prior_nights)
    held = [night_probabilities(n, model) for n in nights(select_seeds, jobs)]
    valid = [night_probabilities(n, model) for n in nights(valid_seeds, jobs)]
    grid: dict[str, float] = {"none": round(pooled_kappa(held, None), 4)}
    best: tuple[float, str, SequenceParams] | None = None
    for prior_name, prior_value in (("training", prior), ("uniform", np.full(4, 0.25))):
        for temperature in TEMPERATURES:
            params = SequenceParams(transition, initial, prior_value, temperature, {})
            k = pooled_kappa(held, params)
            key = f"{prior_name}@{temperature}"
            grid[key] = round(k, 4)
            if best is None or k > best[0] + 1e-9:
                best = (k, key, params)
    assert best is not None
    _, key, chosen = best
    figures: dict[str, object] = {
        "hypnograms": len(used),
        "left_out_subject": list(TEST_SUBJECT),
        "select_seeds": [select_seeds[0], select_seeds[-1]],
        "valid_seeds": [valid_seeds[0], valid_seeds[-1]],
        "prior_seeds": [prior_nights[0].seed, prior_nights[-1].seed],
        "heldout_physiology_kappa": grid,
        "chosen": key,
        "heldout_physiology_kappa_without": grid["none"],
        "heldout_physiology_kappa_with": grid[key],
        "valid_kappa_without": round(pooled_kappa(valid, None), 4),
        "valid_kappa_with": round(pooled_kappa(valid, chosen), 4),
    }
    source = {
        "hypnograms": f"{len(used)} expert-scored nights of {', '.join(SOURCES)} "
        f"(subject {'/'.join(TEST_SUBJECT)} left out)",
        "network": model.meta.version,
        "selected_on": f"held-out physiology nights {select_seeds[0]}-{select_seeds[-1]}",
        "chosen": key,
        "heldout_physiology_kappa": grid[key],
        "heldout_physiology_kappa_without": grid["none"],
    }
    return (
        SequenceParams(
            chosen.transition, chosen.initial, chosen.class_prior, chosen.temperature, source
        ),
        figures,
    )


def write(params: SequenceParams, path: Path) -> None:
    """Write the JSON file (sorted keys, fixed layout: byte-stable)."""
    path.write_text(json.dumps(params.to_dict(), indent=1, sort_keys=True) + "\n", "utf-8")


def main(argv: list[str] | None = None) -> int:
    """Fit, select, write; print the figures as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--select-seeds", default="90000-90029")
    parser.add_argument("--valid-seeds", default="20000-20029")
    parser.add_argument("--prior-seeds", default="20000-20029")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=SEQUENCE_FILE)
    args = parser.parse_args(argv)
    params, figures = select(
        shipped_model("stage"),
        args.data,
        parse_seeds(args.select_seeds),
        parse_seeds(args.valid_seeds),
        nights(parse_seeds(args.prior_seeds), args.jobs),
        jobs=args.jobs,
    )
    write(params, args.out)
    print(f"wrote {args.out}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
