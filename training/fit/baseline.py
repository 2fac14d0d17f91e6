"""Fit the baseline stage and intent models on simulated nights with ground truth.

    .venv/bin/python -m training.fit.baseline [--nights 40] [--first-seed 10000]
        [--out custom_components/radar_sleep/sleep/staging/model_files/baseline_params.json]

Features come from the runtime's own pipeline (one implementation). Training seeds start at
10000; evaluation seeds (``python -m training.evaluate``) are below 10000 and never overlap
(:mod:`custom_components.radar_sleep.simulation.scenarios`).
Deterministic: the same arguments write the same file.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import json
from pathlib import Path
import sys

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import Stage
from custom_components.radar_sleep.simulation.bedroom import (
    ABSENT,
    BedroomSimulator,
    activity_to_stage,
)
from custom_components.radar_sleep.simulation.physiology import Activity
from custom_components.radar_sleep.simulation.scenarios import TRAIN_SEEDS, simulated_config
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline
from custom_components.radar_sleep.sleep.features import FEATURE_NAMES
from custom_components.radar_sleep.sleep.staging.baseline import (
    PARAMS_FILE,
    BaselineParams,
    BaselineStager,
)
from custom_components.radar_sleep.sleep.staging.protocol import model_inputs

TEMPERATURES = (1.0, 0.5, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05)
STD_FLOOR = 0.5
"""Each class's SD is at least this fraction of the feature's pooled SD (no over-narrow
class, e.g. deep sleep's near-zero movement)."""

N_FEATURES = len(FEATURE_NAMES)


@dataclass
class NightData:
    """Features and labels of one simulated night's in-bed, present epochs."""

    x: NDArray[np.float64]
    stage: NDArray[np.int8]
    intent: NDArray[np.int8]
    truth_stages: NDArray[np.int8]


def neutral_params() -> BaselineParams:
    """Parameters that decide nothing: used while collecting features to fit real ones."""
    return BaselineParams(
        feature_names=FEATURE_NAMES,
        means=np.zeros((4, N_FEATURES)),
        stds=np.ones((4, N_FEATURES)),
        transition=np.full((4, 4), 0.25),
        initial=np.full(4, 0.25),
        intent_weights=np.zeros(N_FEATURES),
        intent_bias=0.0,
        intent_mean=np.zeros(N_FEATURES),
        intent_scale=np.ones(N_FEATURES),
    )


def night_data(seed: int, params: BaselineParams | None = None) -> NightData:
    """Run the pipeline over one simulated night; keep present epochs with the user in bed."""
    sim_config = simulated_config(seed)
    sim = BedroomSimulator(sim_config)
    pipeline = SleepPipeline(
        PipelineConfig(side=sim_config.user_side, radar_position=sim_config.radar_position),
        params=params or neutral_params(),
    )
    truth = sim.truth
    acts = truth.user.activity
    xs, stages, intents = [], [], []
    for result in pipeline.run(sim.frames()):
        i = result.features.index
        if i >= truth.n_epochs or acts[i] == ABSENT or not result.record.present:
            continue
        xs.append(result.features.vector())
        stages.append(int(activity_to_stage(acts[i : i + 1])[0]))
        t = i * 30
        intents.append(
            int(truth.intent_s <= t < truth.final_wake_s and acts[i] != Activity.READING)
        )
    return NightData(
        np.array(xs), np.array(stages, np.int8), np.array(intents, np.int8), truth.user_stages
    )


def fit_logistic(
    x: NDArray[np.float64], y: NDArray[np.int8], l2: float = 1.0
) -> NDArray[np.float64]:
    """L2-regularised logistic regression by Newton's method; returns [w..., b]."""
    xb = np.hstack([x, np.ones((x.shape[0], 1))])
    w = np.zeros(xb.shape[1])
    reg = l2 * np.eye(xb.shape[1])
    reg[-1, -1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) + reg @ w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def kappa(y: NDArray[np.int8], p: NDArray[np.int8]) -> float:
    """Cohen's kappa over four classes."""
    cm = np.zeros((4, 4))
    np.add.at(cm, (y, p), 1)
    n = cm.sum()
    pe = float((cm.sum(0) * cm.sum(1)).sum()) / (n * n)
    return float((np.trace(cm) / n - pe) / (1 - pe))


def stage_kappa(params: BaselineParams, nights: list[NightData]) -> float:
    """Kappa of the forward filter over the nights' present, in-bed epochs."""
    ys, ps = [], []
    for night in nights:
        stager = BaselineStager(params)
        ps += [int(np.argmax(stager.step(v))) for v in night.x]
        ys += night.stage.tolist()
    return kappa(np.array(ys, np.int8), np.array(ps, np.int8))


def fit(nights: list[NightData], temperature: float = 1.0) -> BaselineParams:
    """Estimate emissions, transitions and the intent model."""
    x = model_inputs(np.vstack([n.x for n in nights]))
    stage = np.concatenate([n.stage for n in nights])
    intent = np.concatenate([n.intent for n in nights])
    means = np.zeros((4, N_FEATURES))
    stds = np.ones((4, N_FEATURES))
    for s in Stage:
        rows = x[stage == s]
        for f in range(N_FEATURES):
            col = rows[:, f][~np.isnan(rows[:, f])]
            if col.size >= 10:
                means[s, f] = float(np.mean(col))
                stds[s, f] = float(np.std(col))
    pooled = np.nanstd(x, axis=0)
    stds = np.maximum(stds, np.maximum(STD_FLOOR * pooled, 1e-3))
    counts = np.ones((4, 4))  # Laplace smoothing
    for n in nights:
        seq = n.truth_stages[n.truth_stages >= 0]
        np.add.at(counts, (seq[:-1], seq[1:]), 1)
    transition = counts / counts.sum(axis=1, keepdims=True)
    mean = np.nanmean(x, axis=0)
    scale = np.nanstd(x, axis=0)
    scale[scale < 1e-6] = 1.0
    z = (np.where(np.isnan(x), mean, x) - mean) / scale
    w = fit_logistic(z, intent)
    return BaselineParams(
        feature_names=FEATURE_NAMES,
        means=means,
        stds=stds,
        transition=transition,
        initial=np.array([0.97, 0.01, 0.01, 0.01]),
        intent_weights=w[:-1],
        intent_bias=float(w[-1]),
        intent_mean=mean,
        intent_scale=scale,
        emission_temperature=temperature,
    )


def fit_with_validation(nights: list[NightData]) -> tuple[BaselineParams, dict[float, float]]:
    """Choose the emission temperature on the last quarter of the nights, then refit on all."""
    cut = max(1, len(nights) * 3 // 4)
    train, valid = nights[:cut], nights[cut:]
    scores = {t: stage_kappa(fit(train, t), valid) for t in TEMPERATURES}
    best = max(scores, key=lambda t: scores[t])
    return fit(nights, best), scores


def main() -> None:
    """Fit on the training nights and write the parameters file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=40)
    parser.add_argument("--first-seed", type=int, default=TRAIN_SEEDS)
    parser.add_argument("--out", type=Path, default=PARAMS_FILE)
    args = parser.parse_args()
    nights = []
    for seed in range(args.first_seed, args.first_seed + args.nights):
        nights.append(night_data(seed))
        print(f"seed {seed}: {len(nights[-1].stage)} epochs", file=sys.stderr)
    params, scores = fit_with_validation(nights)
    for temp, score in scores.items():
        print(f"temperature {temp}: validation kappa {score:.3f}", file=sys.stderr)
    text = json.dumps(params.to_dict(), indent=1, sort_keys=True) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(
        json.dumps(
            {
                "nights": args.nights,
                "epochs": int(sum(len(n.stage) for n in nights)),
                "temperature": params.emission_temperature,
                "validation_kappa": round(scores[params.emission_temperature], 3),
                "out": str(args.out),
            }
        )
    )


if __name__ == "__main__":
    main()
