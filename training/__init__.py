"""Offline tools: training data, recordings, fitting, evaluation and model export.

Simulated nights (``datasets``), polysomnography readers (``psg``), model fitting (``fit``),
evaluation (``evaluate``), export.

Run from the repository root as ``python -m training.<module>`` (``scripts/train`` and
``scripts/evaluate`` do).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The repository root."""
DATA_DIR = ROOT.parent / "shared" / "data"
"""The shared data sets (real recordings and hypnograms), next to the repository."""
