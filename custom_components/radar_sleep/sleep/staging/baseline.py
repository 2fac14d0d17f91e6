"""Baseline stage and sleep-intent models, behind the interface of :mod:`.protocol`.

Stage model: a four-state hidden Markov model with diagonal-Gaussian emissions over the
epoch features of :mod:`..features`, run as a causal forward filter (Rabiner LR, A tutorial
on hidden Markov models and selected applications in speech recognition, *Proc IEEE*
77(2):257-286, 1989), so each epoch is staged as soon as it completes (lookahead 0). Missing
features are marginalised out. Movement features (zero-inflated) enter as
``log10(x + 0.01)`` and the coefficients of variation as ``log(x)``
(:func:`.protocol.model_inputs`). The features are correlated, which a diagonal model
over-counts; emissions are therefore tempered, ``p(x|s)^tau``, with ``tau`` chosen on
validation nights (a standard calibration of naive-Bayes likelihoods). Emissions are
estimated on simulated nights with ground truth, the transition matrix on the simulator's
stage sequences, by ``python -m training.fit.baseline``; the parameters ship in
``model_files/baseline_params.json``.

Intent model: logistic regression on the same features (still and regular-breathing epochs
score high, reading or using a phone scores low), fitted by the same script.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..features import FEATURE_NAMES
from .protocol import model_inputs

PARAMS_FILE = Path(__file__).with_name("model_files") / "baseline_params.json"
_Z_CLIP = 4.0
"""Emission z-scores are clipped so that one outlying feature cannot veto a stage."""


@dataclass(frozen=True, slots=True)
class BaselineParams:
    """Parameters of the baseline models (JSON-serialisable)."""

    feature_names: tuple[str, ...]
    means: NDArray[np.float64]
    """Emission means, stages x features."""
    stds: NDArray[np.float64]
    transition: NDArray[np.float64]
    """P(stage at t | stage at t-1), rows sum to 1."""
    initial: NDArray[np.float64]
    intent_weights: NDArray[np.float64]
    intent_bias: float
    intent_mean: NDArray[np.float64]
    """Feature means used to standardise and to impute missing intent inputs."""
    intent_scale: NDArray[np.float64]
    emission_temperature: float = 1.0
    """Exponent applied to emission likelihoods (see the module docstring)."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BaselineParams:
        """Build from the JSON layout."""
        names = tuple(data["feature_names"])
        if names != FEATURE_NAMES:
            raise ValueError(f"baseline parameters are for features {names}, not {FEATURE_NAMES}")
        return cls(
            feature_names=names,
            means=np.asarray(data["means"], dtype=np.float64),
            stds=np.asarray(data["stds"], dtype=np.float64),
            transition=np.asarray(data["transition"], dtype=np.float64),
            initial=np.asarray(data["initial"], dtype=np.float64),
            intent_weights=np.asarray(data["intent_weights"], dtype=np.float64),
            intent_bias=float(data["intent_bias"]),
            intent_mean=np.asarray(data["intent_mean"], dtype=np.float64),
            intent_scale=np.asarray(data["intent_scale"], dtype=np.float64),
            emission_temperature=float(data.get("emission_temperature", 1.0)),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON layout, rounded so that refits are byte-stable."""

        def r(a: NDArray[np.float64]) -> Any:
            return np.round(a, 6).tolist()

        return {
            "feature_names": list(self.feature_names),
            "means": r(self.means),
            "stds": r(self.stds),
            "transition": r(self.transition),
            "initial": r(self.initial),
            "intent_weights": r(self.intent_weights),
            "intent_bias": round(self.intent_bias, 6),
            "intent_mean": r(self.intent_mean),
            "intent_scale": r(self.intent_scale),
            "emission_temperature": round(self.emission_temperature, 6),
        }


@cache
def load_baseline_params(path: Path = PARAMS_FILE) -> BaselineParams:
    """The shipped baseline parameters."""
    return BaselineParams.from_dict(json.loads(path.read_text(encoding="utf-8")))


class BaselineStager:
    """Causal HMM forward filter with Gaussian emissions (see the module docstring)."""

    lookahead = 0

    def __init__(self, params: BaselineParams | None = None) -> None:
        """Use ``params`` or the shipped ones."""
        self.params = params or load_baseline_params()
        self._log_norm = -np.log(self.params.stds) - 0.5 * math.log(2 * math.pi)
        self._belief: NDArray[np.float64] | None = None

    def reset(self) -> None:
        """Start a new night from the initial distribution."""
        self._belief = None

    def skip(self) -> NDArray[np.float64] | None:
        """Out of bed: the filter starts again from the initial distribution."""
        self.reset()
        return None

    def drain(self) -> list[NDArray[np.float64]]:
        """Nothing waits: the filter is causal."""
        return []

    def dump_state(self) -> dict[str, Any]:
        """The forward filter's belief (``None`` before the first epoch)."""
        return {"belief": None if self._belief is None else self._belief.tolist()}

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state`."""
        belief = state.get("belief")
        self._belief = None if belief is None else np.asarray(belief, dtype=np.float64)

    def log_likelihood(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log-likelihood of raw features ``x`` per stage, missing (NaN) ones marginalised."""
        p = self.params
        x = model_inputs(x)
        ok = ~np.isnan(x)
        z = np.clip((x[ok] - p.means[:, ok]) / p.stds[:, ok], -_Z_CLIP, _Z_CLIP)
        out: NDArray[np.float64] = np.sum(self._log_norm[:, ok] - 0.5 * z * z, axis=1)
        return out

    def step(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Forward-filter one epoch."""
        p = self.params
        prior = p.initial if self._belief is None else self._belief @ p.transition
        ll = self.log_likelihood(x) * p.emission_temperature
        post = prior * np.exp(ll - ll.max())
        total = float(post.sum())
        belief = post / total if total > 0 else prior
        self._belief = belief
        return belief


def intent_score(params: BaselineParams, x: NDArray[np.float64]) -> float:
    """Probability that the user is trying to sleep during this epoch (0..1)."""
    x = model_inputs(x)
    z = (np.where(np.isnan(x), params.intent_mean, x) - params.intent_mean) / params.intent_scale
    logit = float(z @ params.intent_weights) + params.intent_bias
    return 1.0 / (1.0 + math.exp(-max(min(logit, 30.0), -30.0)))
