"""The stage model adapts to this radar and this body: its inputs re-standardised per user.

The stage network (:mod:`..staging.network`) was trained on simulated nights; a real radar
has its own gain, noise and sampling, and a sleeper their own breathing, so the distribution
of the network's inputs on the user's nights is shifted away from the training nights'.
Adaptive batch normalisation re-estimates the standardisation of a network's inputs on the
target domain, without labels, and leaves the weights alone (Li Y, Wang N, Shi J, Hou X, Liu J.
Adaptive Batch Normalization for practical domain adaptation. *Pattern Recognition*
80:109-117, 2018; arXiv:1603.04779, 2016). Here the target domain is the user, and its
statistics come from the user's own completed nights only (causal: a night is staged with
what was learned before it began):

* after each night, the median and interquartile range of each model input over the night's
  in-bed epochs are kept (the last :data:`MAX_NIGHTS`);
* from :data:`MIN_NIGHTS` nights on, the user's level (median of the nights' medians) and
  spread (median of their ranges) are compared with a typical training night's
  (``model_files/stage_adaptation.json``, fitted by ``python -m training.fit.adaptation``);
* the part of each difference beyond what training nights differ from each other by
  (:data:`DEAD_ZONE` between-night standard deviations; a soft threshold) is taken away:
  each input is moved and scaled so that the user's nights look like a typical training
  night. A user whose nights are like the training nights gets no correction at all, which
  keeps the model as it was for them; a robust level and spread (medians and quartiles,
  not means and standard deviations) are not pulled by a restless night.

What the inputs' correction leaves, the outputs' takes: the network's mean stage
probabilities over the user's nights are compared with their mean over training nights, and
the network's probabilities are reweighted by their ratio before the sequence step (beyond
the same kind of dead zone). Reweighting posteriors by a ratio of class priors is the
prior-shift adjustment of Saerens M, Latinne P, Decaestecker C. Adjusting the outputs of a
classifier to new a priori probabilities: a simple procedure. *Neural Computation*
14(1):21-41, 2002; here the ratio is taken the other way (towards the training nights'
mean output rather than towards an estimated new prior), as in distribution alignment
(Berthelot D et al. ReMixMatch: semi-supervised learning with distribution alignment and
augmentation anchoring. *ICLR* 2020): with a shifted sensor, a network calling too much of
the night one stage does so because of the sensor, not because the sleeper sleeps so.

What neither correction reaches, the network's own features learned on the simulator's sensor,
the tuning does: from :data:`MIN_NIGHTS` nights on, the stage network's hidden layers are
tuned on the user's last :data:`TUNE_NIGHTS` nights (their inputs corrected as above) by
information maximisation (:mod:`.tuning`), and the tuned network stages the nights after.
The tuning is guarded: only while an input's correction is larger than
:data:`INPUT_TUNE_ZONE` between-night standard deviations of the training nights (evidence of
a sensor's shift) is the network tuned.

Learning from unlabelled nights cannot tell a shifted sensor from a sleeper whose stage mix
differs from the population's (label shift, Saerens et al. 2002); the dead zones are the
guard, sized so that the variation among training nights, stage mix included, is left
alone.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from functools import cache
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..features import FEATURE_NAMES
from ..staging.network import (
    MODEL_DIR,
    ContextEncoder,
    MlpModel,
    ModelMeta,
    UserCorrection,
    numpy_forward,
    shipped_model,
)
from ..staging.protocol import model_inputs
from .tuning import tune

REFERENCE_FILE = MODEL_DIR / "stage_adaptation.json"
MIN_NIGHTS = 3
"""Nights before the adaptation is used."""
MAX_NIGHTS = 14
"""The most recent nights kept (a new radar or bed is learned within two weeks)."""
MIN_EPOCHS = 120
"""In-bed epochs with data a night needs to count (an hour)."""
DEAD_ZONE = 0.5
"""Differences up to this many between-night standard deviations of the training nights are
not corrected."""
OUTPUT_DEAD_ZONE = 0.5
"""The same for the network's mean output."""
INPUT_TUNE_ZONE = 0.81
"""The network is tuned only when an input's correction (beyond :data:`DEAD_ZONE`) exceeds this
many between-night standard deviations of the training nights (:meth:`StageAdaptation.
input_shift_size`). Chosen on 70 simulated selection users (never reported): the largest for a
user without a shift was 0.58, the smallest for a shifted one 1.04; 0.81 is midway."""
MAX_GAIN = 3.0
"""The input scale is changed by at most this factor either way."""
SPREAD_FLOOR = 1e-3
"""Ranges are floored here before their logarithm (a quantised input can have none)."""
TUNE_NIGHTS = 7
"""The most recent nights the network is tuned on (their feature vectors are kept)."""
MAX_NIGHT_EPOCHS = 2880
"""In-bed epochs kept per night for the tuning (a day)."""
N_FEATURES = len(FEATURE_NAMES)


@dataclass(frozen=True, slots=True)
class AdaptationReference:
    """A typical training night's inputs (:func:`load_reference`)."""

    median: NDArray[np.float64]
    """Per model input (after :func:`..staging.protocol.model_inputs`): median over
    training nights of the night's median."""
    spread: NDArray[np.float64]
    """Median over training nights of the night's interquartile range."""
    median_sd: NDArray[np.float64]
    """Between-night standard deviation of the nights' medians."""
    log_spread_sd: NDArray[np.float64]
    """Between-night standard deviation of the log of the nights' ranges."""
    adapt: NDArray[np.bool_]
    """Which inputs are adapted."""
    output_mean: NDArray[np.float64] | None = None
    """The stage network's mean probabilities (wake, light, deep, REM) over a typical
    training night's in-bed epochs (geometric mean over nights; ``None``: outputs are not
    adapted)."""
    log_output_sd: NDArray[np.float64] | None = None
    """Between-night standard deviation of the log of the nights' mean probabilities."""
    source: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AdaptationReference:
        """Build from the JSON layout; ``ValueError`` for another feature set."""
        if tuple(data["feature_names"]) != FEATURE_NAMES:
            raise ValueError("stage adaptation reference of another feature set")
        arrays = {k: np.asarray(data[k], dtype=np.float64) for k in _ARRAYS}
        if any(a.shape != (N_FEATURES,) for a in arrays.values()):
            raise ValueError("stage adaptation reference of another size")
        return cls(
            median=arrays["median"],
            spread=arrays["spread"],
            median_sd=arrays["median_sd"],
            log_spread_sd=arrays["log_spread_sd"],
            adapt=np.asarray(data["adapt"], dtype=np.bool_),
            output_mean=None
            if data.get("output_mean") is None
            else np.asarray(data["output_mean"], dtype=np.float64),
            log_output_sd=None
            if data.get("log_output_sd") is None
            else np.asarray(data["log_output_sd"], dtype=np.float64),
            source=dict(data.get("source", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON layout (rounded, so that refits are byte-stable)."""
        return {
            "feature_names": list(FEATURE_NAMES),
            **{k: np.round(getattr(self, k), 6).tolist() for k in _ARRAYS},
            "adapt": self.adapt.tolist(),
            **{
                k: None if getattr(self, k) is None else np.round(getattr(self, k), 6).tolist()
                for k in ("output_mean", "log_output_sd")
            },
            "source": self.source,
        }


_ARRAYS = ("median", "spread", "median_sd", "log_spread_sd")


@cache
def load_reference(path: Path = REFERENCE_FILE) -> AdaptationReference:
    """The shipped reference of a typical training night."""
    return AdaptationReference.from_dict(json.loads(path.read_text(encoding="utf-8")))


def night_statistics(
    rows: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Median and interquartile range of each model input over a night's in-bed epochs.

    ``rows`` are the epochs' feature vectors (:meth:`..features.EpochFeatures.vector`, NaN
    where missing). ``None`` for a night shorter than :data:`MIN_EPOCHS` with data.
    """
    u = model_inputs(np.asarray(rows, dtype=np.float64).reshape(-1, N_FEATURES))
    counts = np.sum(~np.isnan(u), axis=0)
    if u.shape[0] == 0 or int(np.min(counts)) < MIN_EPOCHS:
        return None
    q25, q50, q75 = np.nanpercentile(u, [25.0, 50.0, 75.0], axis=0)
    return np.asarray(q50, dtype=np.float64), np.asarray(q75 - q25, dtype=np.float64)


def mean_output(
    rows: NDArray[np.float64], correction: UserCorrection | None = None
) -> NDArray[np.float64]:
    """The shipped stage network's mean probabilities over a night's in-bed epochs.

    ``rows`` as for :func:`night_statistics`, in order; ``correction``: of the inputs (its
    output weight is not applied).
    """
    model = shipped_model("stage")
    encoder = ContextEncoder(model.meta, correction)
    x = np.stack([encoder.push(row) for row in np.asarray(rows, dtype=np.float64)])
    probs = numpy_forward(model, x).astype(np.float64)
    out: NDArray[np.float64] = probs.mean(axis=0)
    return out


def _soft(d: NDArray[np.float64], width: NDArray[np.float64]) -> NDArray[np.float64]:
    out: NDArray[np.float64] = np.sign(d) * np.maximum(np.abs(d) - width, 0.0)
    return out


class StageAdaptation:
    """What the stage model learned about one user's inputs (see the module docstring)."""

    def __init__(self, reference: AdaptationReference | None = None) -> None:
        """Nothing learned yet; ``reference`` defaults to the shipped one.

        Reads the reference and the shipped stage network (both cached): build it where
        files may be read (Home Assistant: in the executor), so that :meth:`load` does not.
        """
        self.reference = reference or load_reference()
        self.model = shipped_model("stage")
        self._fingerprint = fingerprint(self.model)
        self.medians: list[NDArray[np.float64]] = []
        self.spreads: list[NDArray[np.float64]] = []
        self.outputs: list[NDArray[np.float64]] = []
        """Per night, the network's mean probabilities under the input correction learned
        up to and including that night."""
        self.rows: list[NDArray[np.float32]] = []
        """The feature vectors of the last :data:`TUNE_NIGHTS` nights' in-bed epochs."""
        self.tuned: MlpModel | None = None
        """The stage network tuned on :attr:`rows` (``None``: the network as trained)."""
        self._published: tuple[Any, ...] = ()
        self._publish()

    def _publish(self) -> None:
        """What :meth:`as_dict` saves, swapped in at once when a change is complete.

        A night is learned in the executor over about a second while the store may be saved
        from the event loop; the lists are replaced, never changed in place, so a snapshot of
        them stays whole.
        """
        self._published = (self.medians, self.spreads, self.outputs, self.rows, self.tuned)

    @property
    def nights(self) -> int:
        """Nights learned from (at most :data:`MAX_NIGHTS`)."""
        return len(self.medians)

    def add_night(self, rows: NDArray[np.float64], *, tune: bool = True) -> bool:
        """Learn from a completed night's in-bed feature vectors; whether it counted.

        ``tune=False`` keeps the night without tuning the network again (several past nights
        learned at once: only the last needs the tuning).
        """
        stats = night_statistics(rows)
        if stats is None:
            return False
        self.medians = [*self.medians, stats[0]][-MAX_NIGHTS:]
        self.spreads = [*self.spreads, stats[1]][-MAX_NIGHTS:]
        if self.reference.output_mean is not None:
            meta = self.model.meta
            output = mean_output(rows, self._input_shift(meta, self._correction(1)))
            self.outputs = [*self.outputs, output][-MAX_NIGHTS:]
        kept = np.asarray(rows, dtype=np.float32).reshape(-1, N_FEATURES)[-MAX_NIGHT_EPOCHS:]
        self.rows = [*self.rows, kept][-TUNE_NIGHTS:]
        if tune:
            self.tuned = self._tune()
        self._publish()
        return True

    def _tune(self) -> MlpModel | None:
        """The stage network tuned on the kept nights.

        ``None`` before :data:`MIN_NIGHTS`, and while no input's correction exceeds
        :data:`INPUT_TUNE_ZONE` (:meth:`input_shift_size`): a radar and body whose inputs look
        like the training nights' are left to the network as trained. The network's mean output
        is not the guard: it also moves when a sleeper's stage mix differs from the
        population's (label shift), where entropy minimisation has nothing to correct and only
        sharpens the network's own mistakes; a sensor's shift shows in the inputs.
        """
        target = self.reference.output_mean
        if target is None or len(self.rows) < MIN_NIGHTS:
            return None
        if self.input_shift_size() <= INPUT_TUNE_ZONE:
            return None
        model = self.model
        shift = self._input_shift(model.meta, self.correction())
        x: list[NDArray[np.float32]] = []
        for night in self.rows:
            encoder = ContextEncoder(model.meta, shift)
            x.extend(encoder.push(row) for row in night.astype(np.float64))
        return tune(model, np.stack(x), target)

    def input_shift_size(self) -> float:
        """How far the user's inputs are from the training nights' (0: not beyond the dead zone).

        The largest correction of an input beyond its dead zone, in the training nights'
        between-night standard deviations of its level or of its log spread.
        """
        corr = self.correction()
        if corr is None:
            return 0.0
        ref = self.reference
        adapted = np.asarray(ref.adapt, dtype=bool)
        if not np.any(adapted):
            return 0.0
        level = np.abs(corr[0][adapted]) / np.maximum(ref.median_sd[adapted], 1e-12)
        scale = np.abs(corr[1][adapted]) / np.maximum(ref.log_spread_sd[adapted], 1e-12)
        return float(max(np.max(level), np.max(scale)))

    def correction(self) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
        """Level difference (model-input units) and log scale factor taken away, per input."""
        return self._correction(MIN_NIGHTS)

    def output_weight(self) -> NDArray[np.float64] | None:
        """The weight of each stage's probability (``None``: none learned, or all 1)."""
        ref = self.reference
        outputs = self.outputs[-self.nights :] if self.nights else []
        if ref.output_mean is None or ref.log_output_sd is None or len(outputs) < MIN_NIGHTS:
            return None
        user = np.exp(np.mean(np.log(np.maximum(np.stack(outputs), 1e-6)), axis=0))
        g = _soft(np.log(ref.output_mean / user), OUTPUT_DEAD_ZONE * ref.log_output_sd)
        if not np.any(g):
            return None
        weight: NDArray[np.float64] = np.exp(g)
        return weight

    def _correction(
        self, min_nights: int
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
        if self.nights < min_nights:
            return None
        ref = self.reference
        level = np.median(np.stack(self.medians), axis=0)
        spread = np.median(np.stack(self.spreads), axis=0)
        d = _soft(level - ref.median, DEAD_ZONE * ref.median_sd)
        g = _soft(
            np.log(np.maximum(ref.spread, SPREAD_FLOOR) / np.maximum(spread, SPREAD_FLOOR)),
            DEAD_ZONE * ref.log_spread_sd,
        )
        g = np.clip(g, -np.log(MAX_GAIN), np.log(MAX_GAIN))
        d = np.where(ref.adapt, d, 0.0)
        g = np.where(ref.adapt, g, 0.0)
        return d, g

    def shift(self, meta: ModelMeta) -> UserCorrection | None:
        """The correction of ``meta``'s standardised inputs (``None``: none).

        None before :data:`MIN_NIGHTS` nights, or when there is nothing to correct.

        An input ``u`` becomes ``c + (u - c - d) * r`` (``c`` the reference level, ``d`` the
        level difference, ``r`` the scale factor), which in standardised units is
        ``(z - offset) * gain`` with ``gain = r`` and ``offset = z_c + d / scale - z_c / r``.
        """
        shift = self._input_shift(meta, self.correction())
        weight = self.output_weight()
        if weight is None and self.tuned is None:
            return shift
        if shift is None:
            shift = UserCorrection(np.zeros(N_FEATURES), np.ones(N_FEATURES))
        # A tuned network of another model version is left out by the stager that uses it.
        return replace(shift, output_weight=weight, model=self.tuned)

    def _input_shift(
        self,
        meta: ModelMeta,
        corr: tuple[NDArray[np.float64], NDArray[np.float64]] | None,
    ) -> UserCorrection | None:
        if corr is None:
            return None
        d, g = corr
        if not np.any(d) and not np.any(g):
            return None
        r = np.exp(g)
        zc = (self.reference.median - meta.mean) / meta.scale
        return UserCorrection(offset=zc + d / meta.scale - zc / r, gain=r)

    def as_dict(self) -> dict[str, Any]:
        """What is stored (JSON types): the last complete state (:meth:`_publish`)."""
        medians, spreads, outputs, rows, tuned = self._published
        return {
            "model": self._fingerprint,
            "medians": [np.round(m, 6).tolist() for m in medians],
            "spreads": [np.round(s, 6).tolist() for s in spreads],
            "outputs": [np.round(o, 6).tolist() for o in outputs],
            "rows": [_encode(r) for r in rows],
            "tuned": None
            if tuned is None
            else {
                "version": tuned.meta.version,
                "model": self._fingerprint,
                "weights": [_encode(w) for w in tuned.weights],
                "biases": [_encode(b) for b in tuned.biases],
            },
        }

    def load(self, data: dict[str, Any] | None) -> None:
        """Carry on from :meth:`as_dict` (``None`` or malformed: nothing learned).

        What was learned with another stage network (its :func:`fingerprint` under
        ``model``, or none: saved before 1.4.0, whose breathing features were timed to whole
        samples) is dropped: its inputs and outputs were another network's, and the
        adaptation starts afresh.
        """
        self.reset()
        if not data:
            return
        medians = [np.asarray(m, dtype=np.float64) for m in data.get("medians", [])]
        spreads = [np.asarray(s, dtype=np.float64) for s in data.get("spreads", [])]
        outputs = [np.asarray(o, dtype=np.float64) for o in data.get("outputs", [])]
        if len(medians) != len(spreads) or any(
            a.shape != (N_FEATURES,) for a in (*medians, *spreads)
        ):
            raise ValueError("stage adaptation of another feature set")
        if any(o.shape != (4,) for o in outputs):
            raise ValueError("stage adaptation of another number of stages")
        rows = [_decode(r).reshape(-1, N_FEATURES) for r in data.get("rows", [])]
        if data.get("model") != self._fingerprint:
            return
        tuned = _decode_model(self.model, self._fingerprint, data.get("tuned"))
        self.medians, self.spreads = medians[-MAX_NIGHTS:], spreads[-MAX_NIGHTS:]
        self.outputs = outputs[-MAX_NIGHTS:]
        self.rows, self.tuned = rows[-TUNE_NIGHTS:], tuned
        self._publish()

    def reset(self) -> None:
        """Forget everything learned."""
        self.medians, self.spreads, self.outputs = [], [], []
        self.rows, self.tuned = [], None
        self._publish()

    def tuning_state(self) -> str:
        """Why the network is or is not tuned.

        ``tuned``; ``too_few_nights`` (fewer than :data:`MIN_NIGHTS` kept); or ``no_shift``
        (the user's inputs are within :data:`INPUT_TUNE_ZONE` of the training nights', so it
        stays as trained).
        """
        if self.tuned is not None:
            return "tuned"
        if len(self.rows) < MIN_NIGHTS or self.reference.output_mean is None:
            return "too_few_nights"
        return "no_shift"

    def diagnostics(self) -> dict[str, Any]:
        """Nights learned from and the correction in use, per input."""
        corr = self.correction()
        weight = self.output_weight()
        out: dict[str, Any] = {
            "nights": self.nights,
            "active": corr is not None,
            "network_tuned_on_nights": len(self.rows) if self.tuned is not None else 0,
            "network_tuning": self.tuning_state(),
            "input_shift": round(self.input_shift_size(), 3),
            "input_shift_to_tune": INPUT_TUNE_ZONE,
        }
        if weight is not None:
            out["stage_weights"] = {
                stage: round(float(w), 4)
                for stage, w in zip(("wake", "light", "deep", "rem"), weight, strict=True)
            }
        if corr is not None:
            d, g = corr
            out["inputs"] = {
                name: {
                    "level_offset": round(float(d[i]), 4),
                    "scale": round(float(np.exp(g[i])), 4),
                }
                for i, name in enumerate(FEATURE_NAMES)
            }
        return out


def _encode(a: NDArray[Any]) -> str:
    """A float32 array as base64 of its little-endian bytes (compact in a JSON store)."""
    return base64.b64encode(np.asarray(a, dtype="<f4").tobytes()).decode("ascii")


def _decode(text: str) -> NDArray[np.float32]:
    """:func:`_encode` undone; ``ValueError`` if it is not such an array."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (TypeError, ValueError) as err:
        raise ValueError("stage adaptation: malformed array") from err
    if len(raw) % 4:
        raise ValueError("stage adaptation: malformed array")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def fingerprint(model: MlpModel) -> str:
    """A short digest of a network's version and weights (which network a tuning is from)."""
    digest = hashlib.sha256(model.meta.version.encode())
    for array in (*model.weights, *model.biases):
        digest.update(np.asarray(array, dtype="<f4").tobytes())
    return digest.hexdigest()[:16]


def _decode_model(model: MlpModel, print_: str, data: dict[str, Any] | None) -> MlpModel | None:
    """The tuned network kept by :meth:`StageAdaptation.as_dict`.

    ``None``: none, or one tuned from another stage network than ``model`` (whose
    :func:`fingerprint` is ``print_``), which is tuned again after the next night.
    """
    if not data or data.get("version") != model.meta.version:
        return None
    if data.get("model", print_) != print_:
        return None
    weights = [_decode(w) for w in data["weights"]]
    biases = [_decode(b) for b in data["biases"]]
    if len(weights) != len(model.weights) or len(biases) != len(model.biases):
        return None
    if any(w.size != s.size for w, s in zip(weights, model.weights, strict=True)) or any(
        b.size != s.size for b, s in zip(biases, model.biases, strict=True)
    ):
        return None
    return replace(
        model,
        weights=tuple(w.reshape(s.shape) for w, s in zip(weights, model.weights, strict=True)),
        biases=tuple(b.reshape(s.shape) for b, s in zip(biases, model.biases, strict=True)),
    )
