"""A causal sequence step over a stage network's per-epoch probabilities: HMM forward filtering.

The network scores each epoch from a five-minute window; sleep architecture (how long stages
last, which follow which) lies beyond it. A hidden Markov model adds it without delay: the
network's posteriors divided by the class frequencies it was trained on are scaled
likelihoods (the hybrid HMM/neural-network approach: Bourlard H, Morgan N, *Connectionist
Speech Recognition: A Hybrid Approach*, Kluwer 1994), tempered by an exponent ``temperature``
(neighbouring epochs share most of their input window, so their evidence is not independent),
and the forward algorithm (Rabiner LR, A tutorial on hidden Markov models and selected
applications in speech recognition, *Proc IEEE* 77(2):257-286, 1989) combines them with stage
transitions fitted on real expert-scored hypnograms::

    belief_t  ∝  (belief_{t-1} @ transition)  *  (p_t / class_prior) ** temperature

Lookahead 0: each epoch's belief uses only the epochs up to it. An epoch without data inside
the night (out of bed) lets time pass without evidence. Parameters are fitted by
``python -m training.fit.sequence`` and ship in ``model_files/stage_sequence.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

SEQUENCE_FILE = Path(__file__).with_name("model_files") / "stage_sequence.json"
_FLOOR = 1e-6
"""Probabilities are floored here so that one confident epoch cannot rule a stage out."""


@dataclass(frozen=True, slots=True)
class SequenceParams:
    """Parameters of the forward filter (JSON-serialisable)."""

    transition: NDArray[np.float64]
    """P(stage at t | stage at t-1), wake, light, deep, REM; rows sum to 1."""
    initial: NDArray[np.float64]
    """Stage distribution before the night's first epoch."""
    class_prior: NDArray[np.float64]
    """Stage frequencies of the network's training epochs."""
    temperature: float
    """Exponent of the scaled likelihoods."""
    source: dict[str, Any]
    """Provenance: hypnograms, selection nights and figures."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SequenceParams:
        """Build from the JSON layout; ``ValueError`` if it is not a 4-stage filter."""
        transition = np.asarray(data["transition"], dtype=np.float64)
        initial = np.asarray(data["initial"], dtype=np.float64)
        prior = np.asarray(data["class_prior"], dtype=np.float64)
        if transition.shape != (4, 4) or initial.shape != (4,) or prior.shape != (4,):
            raise ValueError("stage sequence parameters are not for four stages")
        return cls(transition, initial, prior, float(data["temperature"]), dict(data["source"]))

    def to_dict(self) -> dict[str, Any]:
        """The JSON layout, rounded so that refits are byte-stable."""

        def r(a: NDArray[np.float64]) -> Any:
            return np.round(a, 6).tolist()

        return {
            "transition": r(self.transition),
            "initial": r(self.initial),
            "class_prior": r(self.class_prior),
            "temperature": round(self.temperature, 6),
            "source": self.source,
        }


@cache
def load_sequence_params(path: Path = SEQUENCE_FILE) -> SequenceParams:
    """The shipped forward-filter parameters."""
    return SequenceParams.from_dict(json.loads(path.read_text(encoding="utf-8")))


class ForwardFilter:
    """The forward algorithm over per-epoch stage probabilities (see the module docstring)."""

    def __init__(self, params: SequenceParams) -> None:
        """Filter with ``params``."""
        self.params = params
        self._belief: NDArray[np.float64] | None = None

    def reset(self) -> None:
        """A new night: the next epoch starts from the initial distribution."""
        self._belief = None

    def _prior(self) -> NDArray[np.float64]:
        if self._belief is None:
            return self.params.initial
        prior: NDArray[np.float64] = self._belief @ self.params.transition
        return prior

    def step(self, probs: NDArray[np.float64]) -> NDArray[np.float64]:
        """Fold in one epoch's network probabilities; the filtered stage probabilities."""
        p = self.params
        likelihood = (np.maximum(probs, _FLOOR) / p.class_prior) ** p.temperature
        post = self._prior() * likelihood
        total = float(post.sum())
        belief: NDArray[np.float64] = post / total if total > 0 else self._prior()
        self._belief = belief
        return belief

    def skip(self) -> None:
        """An epoch without data: time passes, nothing is observed."""
        if self._belief is not None:
            self._belief = self._belief @ self.params.transition

    def dump_state(self) -> list[float] | None:
        """The belief, JSON types (``None`` before the night's first epoch)."""
        return None if self._belief is None else self._belief.tolist()

    def load_state(self, state: list[float] | None) -> None:
        """Carry on from :meth:`dump_state`; ``ValueError`` for another number of stages."""
        if state is None:
            self._belief = None
            return
        belief = np.asarray(state, dtype=np.float64)
        if belief.shape != (4,):
            raise ValueError("forward-filter belief of another size")
        self._belief = belief
