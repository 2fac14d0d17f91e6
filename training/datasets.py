"""Epoch features of simulated nights, exported by the runtime's own pipeline.

The models train on exactly what the runtime computes: each night runs through
:class:`~custom_components.radar_sleep.sleep.SleepPipeline` (presence, primary-user
attribution, epoching and :mod:`~custom_components.radar_sleep.sleep.features`), and the
per-epoch feature vectors are stored with the simulator's ground truth. One feature
implementation, never two.

Seeds and bedrooms are those of
:mod:`custom_components.radar_sleep.simulation.scenarios` (training seeds from 10000,
validation 20000, low-frame-rate training nights 30000; evaluation seeds below 10000 never
overlap). Nights are cached in ``build/training/nights-pre_sleep/`` because simulating them is
the slow part.

    .venv/bin/python -m training.datasets [--train 120] [--valid 30] [--lowrate 0] [--jobs 2]

simulates and caches nights ahead of a fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import SessionState
from custom_components.radar_sleep.simulation.bedroom import (
    ABSENT,
    BedroomSimulator,
    activity_to_stage,
)
from custom_components.radar_sleep.simulation.scenarios import (
    LOWRATE_SEEDS,
    TRAIN_SEEDS,
    VALID_SEEDS,
    night_config,
)
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline

from . import ROOT

CACHE = ROOT / "build" / "training" / "nights-pre_sleep"
"""Cache of simulated nights (the name says the simulator has pre-sleep variants)."""


@dataclass(frozen=True, slots=True)
class Night:
    """One simulated night as the pipeline saw it, epoch by epoch."""

    seed: int
    x: NDArray[np.float64]
    """Feature vectors (epochs x features), NaN where missing."""
    present: NDArray[np.bool_]
    """The pipeline's presence decision (the stage model only sees these epochs)."""
    in_session: NDArray[np.bool_]
    stage: NDArray[np.int8]
    """Ground-truth four-class stage of the user, -1 when absent."""
    intent: NDArray[np.int8]
    """1 between lights-off (intent) and final wake, else 0."""
    activity: NDArray[np.int8]

    def save(self, path: Path) -> None:
        """Cache to ``path`` (.npz)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            seed=self.seed,
            x=self.x,
            present=self.present,
            in_session=self.in_session,
            stage=self.stage,
            intent=self.intent,
            activity=self.activity,
        )

    @classmethod
    def load(cls, path: Path) -> Night:
        """Read a cached night."""
        with np.load(path, allow_pickle=False) as d:
            return cls(
                int(d["seed"]),
                d["x"],
                d["present"],
                d["in_session"],
                d["stage"],
                d["intent"],
                d["activity"],
            )


def parse_seeds(spec: str) -> list[int]:
    """``"20000-20139,40000-40359,7"`` as a list of seeds."""
    seeds: list[int] = []
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        seeds += range(int(first), int(last or first) + 1)
    return seeds


def simulate_night(seed: int) -> Night:
    """Run the runtime pipeline over simulated night ``seed``."""
    config = night_config(seed)
    sim = BedroomSimulator(config)
    truth = sim.truth
    pipeline = SleepPipeline(
        PipelineConfig(side=config.user_side, radar_position=config.radar_position)
    )
    acts = truth.user.activity
    stages = activity_to_stage(acts)
    xs, present, session, st, intent, act = [], [], [], [], [], []
    for result in pipeline.run(sim.frames()):
        i = result.features.index
        xs.append(result.features.vector())
        present.append(result.record.present)
        session.append(result.update.session_state in (SessionState.ACTIVE, SessionState.AWAY))
        inside = i < truth.n_epochs
        st.append(int(stages[i]) if inside else -1)
        act.append(int(acts[i]) if inside else int(ABSENT))
        t = i * truth.epoch_seconds
        intent.append(int(inside and truth.intent_s <= t < truth.final_wake_s))
    return Night(
        seed,
        np.array(xs),
        np.array(present, dtype=bool),
        np.array(session, dtype=bool),
        np.array(st, dtype=np.int8),
        np.array(intent, dtype=np.int8),
        np.array(act, dtype=np.int8),
    )


def _cached(seed: int) -> Path:
    path = CACHE / f"{seed}.npz"
    if not path.exists():
        simulate_night(seed).save(path)
    return path


def nights(seeds: list[int], jobs: int = 2) -> list[Night]:
    """The nights for ``seeds``, simulating (in ``jobs`` processes) those not cached."""
    missing = [s for s in seeds if not (CACHE / f"{s}.npz").exists()]
    if missing:
        print(f"simulating {len(missing)} nights with {jobs} processes ...", flush=True)
        with Pool(jobs) as pool:
            for k, _ in enumerate(pool.imap_unordered(_cached, missing), 1):
                if k % 10 == 0:
                    print(f"  {k}/{len(missing)}", flush=True)
    return [Night.load(CACHE / f"{s}.npz") for s in seeds]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", type=int, default=120)
    parser.add_argument("--valid", type=int, default=30)
    parser.add_argument("--lowrate", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    seeds = [TRAIN_SEEDS + i for i in range(args.train)]
    seeds += [VALID_SEEDS + i for i in range(args.valid)]
    seeds += [LOWRATE_SEEDS + i for i in range(args.lowrate)]
    print(len(nights(seeds, args.jobs)), "nights ready in", CACHE)
