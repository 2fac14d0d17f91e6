"""The interface between epoch features and stage models, shared by every model family.

A stage model (:class:`StageModel`) is fed one epoch's feature vector at a time
(:data:`..features.FEATURE_NAMES` order) and returns the four stage probabilities; every
family transforms the features the same way first (:func:`model_inputs`). The families:
:mod:`.baseline` (a hidden Markov model) and :mod:`.network` (the trained networks).
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

type ModelFamily = Literal["network", "baseline"]
"""Which family of model runs (for staging, and for the intent score): the trained networks
(:mod:`.network`, shipped in ``model_files/``) or the baseline models (:mod:`.baseline`).
Chosen explicitly; a missing model file is an error, never a silent fallback."""

_LOG10_FEATURES = (0, 1)
"""movement_fraction, movement_max."""
_LOG_FEATURES = (2, 3)
"""interval_cv, amplitude_cv."""


def model_inputs(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Transform epoch feature vectors (``FEATURE_NAMES`` order, 1-D or 2-D) for the models."""
    out = np.array(x, dtype=np.float64, copy=True)
    cols = out[..., _LOG10_FEATURES]
    out[..., _LOG10_FEATURES] = np.log10(np.maximum(cols, 0.0) + 0.01)
    cols = out[..., _LOG_FEATURES]
    out[..., _LOG_FEATURES] = np.log(np.maximum(cols, 1e-3))
    return out


class StageModel(Protocol):
    """An incremental four-class stage model (wake, light, deep, REM)."""

    lookahead: int
    """Epochs after the staged one that the model waits for (0: causal)."""

    def reset(self) -> None:
        """Start a new night."""

    def step(self, x: NDArray[np.float64]) -> NDArray[np.float64] | None:
        """Fold in one epoch's feature vector; probabilities of the epoch ``lookahead`` back.

        ``None`` while that many epochs are still to come.
        """

    def skip(self) -> NDArray[np.float64] | None:
        """An epoch without data inside the night (user out of bed); returns as :meth:`step`.

        With ``lookahead`` 0 the skipped epoch's own probabilities are not used.
        """

    def drain(self) -> list[NDArray[np.float64]]:
        """Probabilities of the epochs still waiting for their lookahead (end of night)."""

    def dump_state(self) -> dict[str, Any]:
        """The model's running context, JSON-serialisable (kept across restarts)."""

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state`."""
