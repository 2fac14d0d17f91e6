"""Per-epoch inference time of the shipped stage and intent models: ``python -m bench.engine``.

Each model runs epoch by epoch through the runtime's own classes (:class:`EngineStager`,
:class:`IntentModel`: context encoding, standardisation and the forward pass), once with the
numpy backend and once with onnxruntime when it is importable. Inputs are feature vectors of a
synthetic night (values do not change the arithmetic; one in twenty is missing, as out-of-bed
epochs are). Each figure is the median over ``--repeats`` runs of the mean time per epoch over
``--epochs`` epochs. Goal: <= 5 ms per epoch on the numpy backend.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from custom_components.radar_sleep.sleep.features import FEATURE_NAMES
from custom_components.radar_sleep.sleep.staging.network import (
    EngineStager,
    IntentModel,
    onnxruntime_available,
)

GOAL_MS = 5.0


def _inputs(epochs: int) -> list[np.ndarray | None]:
    rng = np.random.default_rng(0)
    rows: list[np.ndarray | None] = []
    for i in range(epochs):
        rows.append(None if i % 20 == 19 else rng.normal(size=len(FEATURE_NAMES)))
    return rows


def one_run(kind: str, backend: str, epochs: int) -> float:
    """Mean milliseconds per epoch."""
    rows = _inputs(epochs)
    if kind == "stage":
        stager = EngineStager(backend=backend)  # type: ignore[arg-type]
        start = time.perf_counter()
        for x in rows:
            if x is None:
                stager.skip()
            else:
                stager.step(x)
    else:
        intent = IntentModel(backend=backend)  # type: ignore[arg-type]
        start = time.perf_counter()
        for x in rows:
            intent.score(x)
    return 1e3 * (time.perf_counter() - start) / epochs


def run(repeats: int, epochs: int = 1000) -> dict[str, float | None]:
    """Figures keyed ``<model>_<backend>_ms_per_epoch``."""
    figures: dict[str, float | None] = {}
    backends = ["numpy"] + (["onnxruntime"] if onnxruntime_available() else [])
    for kind in ("stage", "intent"):
        for backend in backends:
            runs = [one_run(kind, backend, epochs) for _ in range(repeats)]
            figures[f"{kind}_{backend}_ms_per_epoch"] = round(statistics.median(runs), 4)
        if "onnxruntime" not in backends:
            figures[f"{kind}_onnxruntime_ms_per_epoch"] = None
    figures["goal_ms"] = GOAL_MS
    figures["goal_met"] = float(
        all(
            v is not None and v <= GOAL_MS
            for k, v in figures.items()
            if k.endswith("numpy_ms_per_epoch")
        )
    )
    return figures


def print_table(figures: dict[str, float | None], repeats: int) -> None:
    """Readable summary."""
    print(f"model inference per epoch (median of {repeats} runs of 1000 epochs):")
    for key, value in figures.items():
        print(f"{key:>32}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1000)
    args = parser.parse_args()
    figures = run(args.repeats, args.epochs)
    print_table(figures, args.repeats)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
