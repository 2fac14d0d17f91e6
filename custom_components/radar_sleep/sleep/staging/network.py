"""The trained stage and intent networks: feed-forward models over a causal context window.

A model file (``model_files/<name>.npz``) holds the weights of a small multilayer perceptron
and, in ``meta``, everything needed to build its input from the epoch features of
:mod:`..features` (one feature implementation for training and runtime):

* each epoch's feature vector goes through :func:`.protocol.model_inputs`, is standardised with
  the training set's mean and scale, and missing features become 0 with a 1 in a mask column;
* with ``night_prior`` > 0 (per-night normalisation, the user's own baseline), each
  standardised value is then taken relative to the night's running mean of that feature,
  shrunk towards the training mean as if ``night_prior`` epochs at it came first: early in
  the night the input is close to the population-standardised value, later it is the
  deviation from this night's (this sensor's, this sleeper's) own level;
* with ``night_rank`` (per-night quantile normalisation), the features it names are instead
  replaced by their causal percentile rank among the night's values so far (histogram
  equalisation within the night, :class:`RunningRank`), shrunk towards their rank in the
  training nights' distribution by ``night_prior`` pseudo-epochs: invariant to any monotone
  distortion of a feature that is constant over a night (a sensor's gain, a sleeper's
  breathing regularity), as quantile normalisation removes a batch's distortion of
  microarray intensities (Bolstad et al. 2003, *Bioinformatics* 19:185-193) and histogram
  standardisation a scanner's of MRI intensities (Nyul & Udupa 1999, *Magn Reson Med*
  42:1072-1081);
* the input row of epoch *t* is the rows of epochs ``t - context .. t + lookahead`` (missing
  epochs, before the night or out of bed, are all-masked), the running mean of each feature
  over the last ``long_context`` epochs (the night's own recent baseline), and the hours since
  the stage model was reset (the time of night that shapes sleep architecture).

The *lookahead* is fixed per model: with lookahead ``L`` the stage of epoch *t* is known when
epoch ``t + L`` has completed, i.e. ``30 * L`` seconds late (0 by default: causal).

The same weights run through onnxruntime when it is importable (``model_files/<name>.onnx``,
exported from the same weights by ``training/export.py``) and through :func:`numpy_forward`
everywhere else (Home Assistant OS is musl-based and onnxruntime has no musl wheels).
``tests/sleep/staging/test_network.py`` keeps the two within 1e-5 on probabilities.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
import io
import json
import math
from pathlib import Path
from typing import Any, Literal, Protocol
import zipfile

import numpy as np
from numpy.typing import NDArray

from ..features import FEATURE_NAMES
from .protocol import model_inputs
from .sequence import ForwardFilter, SequenceParams, load_sequence_params

MODEL_DIR = Path(__file__).with_name("model_files")
N_FEATURES = len(FEATURE_NAMES)
_MIN_NIGHT_VARIANCE = 0.04
"""Floor of the night's running variance (standardised units) when scaling by it."""
MAX_HOURS = 10.0
"""Time of night is capped here (longer nights look like their tenth hour)."""
RANK_MAX_EPOCHS = 1440
"""A feature's night rank is among its last 1440 values at most (12 hours of epochs)."""
RANK_DECIMALS = 6
"""Values are ranked rounded to this many decimals (ties exact, state restored exactly)."""
RANK_QUANTILES = 101
"""Quantiles (0, 1, ..., 100 %) of the training distribution held for each ranked feature."""
_UNIFORM_SD = math.sqrt(12.0)
"""A rank u in [0, 1] enters the network as (u - 0.5) * sqrt(12): mean 0, variance 1."""

Backend = Literal["auto", "numpy", "onnxruntime"]


@dataclass(frozen=True, slots=True)
class UserCorrection:
    """A per-user correction of a stage model's inputs and outputs.

    Its standardised inputs become ``(z - offset) * gain``, the network that stages them is
    ``model`` when given (the stage network tuned to the user's nights,
    :mod:`..learning.tuning`), and its output probabilities are multiplied by
    ``output_weight`` (and normalised) before the sequence step.

    Learned from the user's past nights (:mod:`..learning.adaptation`); the identity
    (offset 0, gain 1, no model, weight 1) changes nothing.
    """

    offset: NDArray[np.float64]
    gain: NDArray[np.float64]
    output_weight: NDArray[np.float64] | None = None
    model: MlpModel | None = None


@dataclass(frozen=True, slots=True)
class ModelMeta:
    """How a model's input is built, and where it came from."""

    name: str
    version: str
    kind: Literal["stage", "intent"]
    feature_names: tuple[str, ...]
    context: int
    """Past epochs in the input window."""
    lookahead: int
    """Future epochs in the input window (the model's fixed latency in epochs)."""
    long_context: int
    """Epochs of the running feature means."""
    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    training: dict[str, Any]
    """Provenance: data, seeds, hyperparameters, validation figures."""
    night_prior: int = 0
    """Per-night normalisation: pseudo-epochs of the prior on the night's baseline (0: off)."""
    night_scale: bool = False
    """Per-night scaling too: each standardised value is divided by the night's running
    standard deviation of that feature, shrunk towards 1 by the same ``night_prior``
    pseudo-epochs (needs ``night_prior`` > 0)."""
    night_rank: tuple[str, ...] = ()
    """Features whose input is the night's running percentile rank of them
    (:class:`RunningRank`, shrunk towards ``rank_prior`` by ``night_prior`` pseudo-epochs)
    instead of their deviation from the night's running mean (empty: none)."""
    rank_prior: NDArray[np.float64] | None = None
    """For each feature of ``night_rank``, the quantiles 0, 1/100, ..., 1 of its
    standardised values over the training nights (``len(night_rank)`` x
    :data:`RANK_QUANTILES`)."""

    @property
    def input_size(self) -> int:
        """Length of one input row."""
        return 2 * N_FEATURES * (self.context + 1 + self.lookahead) + N_FEATURES + 1

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelMeta:
        """Build from the JSON layout; raises ``ValueError`` for another feature set."""
        names = tuple(data["feature_names"])
        if names != FEATURE_NAMES:
            raise ValueError(f"model {data.get('name')} is for features {names}")
        kind = data["kind"]
        if kind not in ("stage", "intent"):
            raise ValueError(f"unknown model kind {kind!r}")
        return cls(
            name=str(data["name"]),
            version=str(data["version"]),
            kind=kind,
            feature_names=names,
            context=int(data["context"]),
            lookahead=int(data["lookahead"]),
            long_context=int(data["long_context"]),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            training=dict(data.get("training", {})),
            night_prior=int(data.get("night_prior", 0)),
            night_scale=bool(data.get("night_scale", False)),
            **_rank_fields(data),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON layout."""
        return (
            {
                "name": self.name,
                "version": self.version,
                "kind": self.kind,
                "feature_names": list(self.feature_names),
                "context": self.context,
                "lookahead": self.lookahead,
                "long_context": self.long_context,
                "mean": [float(v) for v in self.mean],
                "scale": [float(v) for v in self.scale],
                "training": self.training,
                "night_prior": self.night_prior,
            }
            | ({"night_scale": True} if self.night_scale else {})
            | self._rank_dict()
        )

    def _rank_dict(self) -> dict[str, Any]:
        if not self.night_rank or self.rank_prior is None:
            return {}
        return {
            "night_rank": list(self.night_rank),
            "rank_prior": [[float(v) for v in q] for q in self.rank_prior],
        }


def _rank_fields(data: dict[str, Any]) -> dict[str, Any]:
    """``night_rank`` and ``rank_prior`` of a model's JSON layout (none in older files)."""
    ranked = tuple(str(n) for n in data.get("night_rank", ()))
    if not ranked:
        return {}
    unknown = set(ranked) - set(FEATURE_NAMES)
    prior = np.asarray(data.get("rank_prior", ()), dtype=np.float64)
    if unknown or prior.shape != (len(ranked), RANK_QUANTILES):
        raise ValueError(f"model {data.get('name')}: malformed night ranks")
    if np.any(np.diff(prior, axis=1) < 0):
        raise ValueError(f"model {data.get('name')}: rank quantiles not increasing")
    return {"night_rank": ranked, "rank_prior": prior}


def quantile_rank(quantiles: Sequence[float], value: float) -> float:
    """The rank (0..1) of ``value`` in a distribution given by its evenly spaced quantiles.

    ``quantiles[k]`` is the ``k / (len - 1)`` quantile. Linear between quantiles; a value
    equal to several of them (a tie, e.g. no movement) takes the middle of their ranks.
    """
    lo, hi = bisect_left(quantiles, value), bisect_right(quantiles, value)
    last = len(quantiles) - 1
    if lo < hi:
        return (lo + hi - 1) / (2 * last)
    if lo == 0:
        return 0.0
    if lo > last:
        return 1.0
    below, above = quantiles[lo - 1], quantiles[lo]
    return (lo - 1 + (value - below) / (above - below)) / last


class RunningRank:
    """The causal percentile rank of one feature within the night so far.

    Each value pushed gets its mid-rank among the night's values up to and including it
    (the fraction below it plus half the fraction equal to it: histogram equalisation,
    Gonzalez & Woods, *Digital Image Processing*, ch. 3), shrunk towards its rank in the
    training distribution (:func:`quantile_rank`) as if ``prior_weight`` epochs of it came
    first. The night's values are kept sorted (``bisect``), the last
    :data:`RANK_MAX_EPOCHS` at most.
    """

    def __init__(self, quantiles: Sequence[float], prior_weight: int) -> None:
        """Rank against the night and ``quantiles`` (evenly spaced, increasing)."""
        self.quantiles = [float(q) for q in quantiles]
        self.prior_weight = prior_weight
        self._order: deque[float] = deque()
        self._sorted: list[float] = []

    def reset(self) -> None:
        """A new night: no values."""
        self._order.clear()
        self._sorted.clear()

    def push(self, value: float) -> float:
        """Add ``value``; its shrunk rank in [0, 1]."""
        value = round(value, RANK_DECIMALS)
        if len(self._order) >= RANK_MAX_EPOCHS:
            del self._sorted[bisect_left(self._sorted, self._order.popleft())]
        self._order.append(value)
        insort(self._sorted, value)
        n = len(self._sorted)
        night = (bisect_left(self._sorted, value) + bisect_right(self._sorted, value)) / 2
        prior = self.prior_weight * quantile_rank(self.quantiles, value)
        return (night + prior) / (n + self.prior_weight)

    def values(self) -> list[float]:
        """The night's values, oldest first (the state)."""
        return list(self._order)

    def load(self, values: Iterable[float]) -> None:
        """Carry on from :meth:`values`."""
        self.reset()
        for v in values:
            value = round(float(v), RANK_DECIMALS)
            self._order.append(value)
            insort(self._sorted, value)
        while len(self._order) > RANK_MAX_EPOCHS:
            del self._sorted[bisect_left(self._sorted, self._order.popleft())]


@dataclass(frozen=True, slots=True)
class MlpModel:
    """A multilayer perceptron: ReLU hidden layers, softmax (or sigmoid) output."""

    meta: ModelMeta
    weights: tuple[NDArray[np.float32], ...]
    """Per layer, inputs x outputs."""
    biases: tuple[NDArray[np.float32], ...]

    @property
    def output(self) -> Literal["softmax", "sigmoid"]:
        """Softmax over the stages, or one sigmoid probability for intent."""
        return "softmax" if self.meta.kind == "stage" else "sigmoid"

    def save(self, path: Path) -> None:
        """Write the ``.npz`` file: arrays and a JSON string, no pickles, no timestamps.

        Written member by member with a fixed date, so the same weights give the same bytes.
        """
        arrays: dict[str, NDArray[Any]] = {"meta": np.array(json.dumps(self.meta.to_dict()))}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            arrays[f"w{i}"] = np.asarray(w, dtype=np.float32)
            arrays[f"b{i}"] = np.asarray(b, dtype=np.float32)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for key, value in arrays.items():
                buf = io.BytesIO()
                np.lib.format.write_array(buf, value, allow_pickle=False)  # type: ignore[no-untyped-call]
                info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, buf.getvalue())


def load_model(path: Path) -> MlpModel:
    """Read a model file written by :meth:`MlpModel.save`; ``ValueError`` if malformed."""
    with np.load(path, allow_pickle=False) as data:
        try:
            meta = ModelMeta.from_dict(json.loads(str(data["meta"])))
            n = sum(1 for k in data.files if k.startswith("w"))
            weights = tuple(np.asarray(data[f"w{i}"], dtype=np.float32) for i in range(n))
            biases = tuple(np.asarray(data[f"b{i}"], dtype=np.float32) for i in range(n))
        except (KeyError, json.JSONDecodeError) as err:
            raise ValueError(f"{path.name} is not a model file: {err}") from err
    if not weights or weights[0].shape[0] != meta.input_size:
        raise ValueError(f"{path.name}: first layer does not take {meta.input_size} inputs")
    return MlpModel(meta, weights, biases)


@cache
def shipped_model(name: str) -> MlpModel:
    """A model shipped in ``model_files/``."""
    return load_model(MODEL_DIR / f"{name}.npz")


def numpy_forward(model: MlpModel, x: NDArray[np.float32]) -> NDArray[np.float32]:
    """Probabilities for input rows ``x`` (n x input_size), in float32 as onnxruntime does."""
    h = np.asarray(x, dtype=np.float32)
    last = len(model.weights) - 1
    for i, (w, b) in enumerate(zip(model.weights, model.biases, strict=True)):
        h = h @ w + b
        if i < last:
            np.maximum(h, 0.0, out=h)
    if model.output == "sigmoid":
        sig: NDArray[np.float32] = (1.0 / (1.0 + np.exp(-np.clip(h, -30.0, 30.0)))).astype(
            np.float32
        )
        return sig
    e: NDArray[np.float32] = np.exp(h - h.max(axis=1, keepdims=True))
    out: NDArray[np.float32] = e / e.sum(axis=1, keepdims=True)
    return out


class InputAdaptation(Protocol):
    """What was learned about a user's inputs (:class:`..learning.StageAdaptation`)."""

    def shift(self, meta: ModelMeta) -> UserCorrection | None:
        """The correction of ``meta``'s standardised inputs (``None``: none)."""


class Runner(Protocol):
    """Runs a model's forward pass on input rows."""

    name: str

    def run(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        """Probabilities for rows ``x``."""


class NumpyRunner:
    """The numpy forward pass (always available)."""

    name = "numpy"

    def __init__(self, model: MlpModel) -> None:
        """Run ``model``."""
        self.model = model

    def run(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        """Probabilities for rows ``x``."""
        return numpy_forward(self.model, x)


class OnnxRunner:
    """onnxruntime on the model's ``.onnx`` export (CPU, one thread: one row per epoch)."""

    name = "onnxruntime"

    def __init__(self, onnx_path: Path) -> None:
        """Load the ONNX graph; ``ImportError`` without onnxruntime."""
        import onnxruntime as ort  # type: ignore[import-untyped]  # noqa: PLC0415

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name

    def run(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        """Probabilities for rows ``x``."""
        out = self._session.run(None, {self._input: np.asarray(x, dtype=np.float32)})[0]
        return np.asarray(out, dtype=np.float32)


def onnxruntime_available() -> bool:
    """Whether onnxruntime can be imported here."""
    try:
        import onnxruntime  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def make_runner(model: MlpModel, onnx_path: Path | None, backend: Backend = "auto") -> Runner:
    """Use onnxruntime when asked for or available (``auto``) and the export exists, else numpy."""
    if backend == "numpy" or onnx_path is None or not onnx_path.exists():
        if backend == "onnxruntime":
            raise FileNotFoundError(f"no ONNX export next to model {model.meta.name}")
        return NumpyRunner(model)
    if backend == "auto" and not onnxruntime_available():
        return NumpyRunner(model)
    return OnnxRunner(onnx_path)


class ContextEncoder:
    """Builds a model's input rows epoch by epoch (see the module docstring)."""

    def __init__(self, meta: ModelMeta, shift: UserCorrection | None = None) -> None:
        """Encode for ``meta``'s window; ``shift`` corrects the standardised inputs."""
        self.meta = meta
        self.shift = shift
        self._width = meta.context + 1 + meta.lookahead
        self._rows: deque[NDArray[np.float64]] = deque(maxlen=self._width)
        self._long: deque[NDArray[np.float64]] = deque(maxlen=max(1, meta.long_context))
        self._stamps: deque[float] = deque(maxlen=self._width)
        self._elapsed = 0
        self._night_sum = np.zeros(N_FEATURES)
        self._night_sumsq = np.zeros(N_FEATURES)
        self._night_count = np.zeros(N_FEATURES)
        self._ranked = [FEATURE_NAMES.index(n) for n in meta.night_rank]
        prior = meta.rank_prior if meta.rank_prior is not None else np.zeros((0, 2))
        self._ranks = [RunningRank(q, meta.night_prior) for q in prior[: len(self._ranked)]]
        self.reset()

    def reset(self) -> None:
        """A new night: empty window, time of night 0."""
        self._rows.clear()
        self._long.clear()
        self._stamps.clear()
        empty = self._missing_row()
        for _ in range(self._width):
            self._rows.append(empty)
            self._stamps.append(math.nan)
        self._elapsed = 0
        self._night_sum = np.zeros(N_FEATURES)
        self._night_sumsq = np.zeros(N_FEATURES)
        self._night_count = np.zeros(N_FEATURES)
        for rank in self._ranks:
            rank.reset()

    def _missing_row(self) -> NDArray[np.float64]:
        row = np.zeros(2 * N_FEATURES)
        row[N_FEATURES:] = 1.0
        return row

    def encode_epoch(self, x: NDArray[np.float64] | None) -> NDArray[np.float64]:
        """One epoch's standardised values and missing mask (``None``: no data)."""
        if x is None:
            return self._missing_row()
        z = (model_inputs(x) - self.meta.mean) / self.meta.scale
        if self.shift is not None:
            z = (z - self.shift.offset) * self.shift.gain
        missing = np.isnan(z)
        z = np.where(missing, 0.0, z)
        raw = z.copy()
        if self.meta.night_prior > 0:
            self._night_sum += z
            self._night_count += ~missing
            weight = self._night_count + self.meta.night_prior
            baseline = self._night_sum / weight
            if self.meta.night_scale:
                self._night_sumsq += z * z
                second = (self._night_sumsq + self.meta.night_prior) / weight
                spread = np.sqrt(np.maximum(second - baseline * baseline, _MIN_NIGHT_VARIANCE))
                z = np.where(missing, 0.0, (z - baseline) / spread)
            else:
                z = np.where(missing, 0.0, z - baseline)
        for j, rank in zip(self._ranked, self._ranks, strict=True):
            if not missing[j]:
                z[j] = (rank.push(float(raw[j])) - 0.5) * _UNIFORM_SD
        return np.concatenate([z, missing.astype(np.float64)])

    def push(self, x: NDArray[np.float64] | None) -> NDArray[np.float32]:
        """Add one epoch (``None``: out of bed) and return the row for the window's centre.

        The centre is the epoch ``lookahead`` epochs back; its time of night is the one it
        had when it completed.
        """
        row = self.encode_epoch(x)
        self._rows.append(row)
        if x is not None:
            self._long.append(row)
        self._stamps.append(min(self._elapsed * 30.0 / 3600.0, MAX_HOURS))
        self._elapsed += 1
        return self.current()

    def pad(self) -> NDArray[np.float32]:
        """Advance the window by an epoch that has no data yet (end of the night)."""
        self._rows.append(self._missing_row())
        self._stamps.append(math.nan)
        return self.current()

    def current(self) -> NDArray[np.float32]:
        """The input row for the window's centre epoch."""
        if self._long:
            long = np.mean(np.stack(self._long)[:, :N_FEATURES], axis=0)
        else:
            long = np.zeros(N_FEATURES)
        hours = self._stamps[self.meta.context]
        row: NDArray[np.float32] = np.concatenate(
            [np.concatenate(self._rows), long, [0.0 if math.isnan(hours) else hours]]
        ).astype(np.float32)
        return row

    def dump_state(self) -> dict[str, Any]:
        """The window, JSON types."""
        return (
            {
                "rows": [r.tolist() for r in self._rows],
                "long": [r.tolist() for r in self._long],
                "stamps": [None if math.isnan(s) else s for s in self._stamps],
                "elapsed": self._elapsed,
                "night_sum": self._night_sum.tolist(),
                "night_count": self._night_count.tolist(),
            }
            | ({"night_sumsq": self._night_sumsq.tolist()} if self.meta.night_scale else {})
            | ({"night_values": [rank.values() for rank in self._ranks]} if self._ranks else {})
        )

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state`; ``ValueError`` for another window size."""
        rows = [np.asarray(r, dtype=np.float64) for r in state["rows"]]
        if len(rows) != self._width or any(r.shape != (2 * N_FEATURES,) for r in rows):
            raise ValueError("stage-model context of another size")
        self.reset()
        self._rows.extend(rows)
        self._long.extend(np.asarray(r, dtype=np.float64) for r in state["long"])
        self._stamps.extend(math.nan if s is None else float(s) for s in state["stamps"])
        self._elapsed = int(state["elapsed"])
        self._night_sum = np.asarray(state.get("night_sum", [0.0] * N_FEATURES), dtype=np.float64)
        self._night_count = np.asarray(
            state.get("night_count", [0.0] * N_FEATURES), dtype=np.float64
        )
        self._night_sumsq = np.asarray(
            state.get("night_sumsq", [0.0] * N_FEATURES), dtype=np.float64
        )
        shapes = {a.shape for a in (self._night_sum, self._night_count, self._night_sumsq)}
        if shapes != {(N_FEATURES,)}:
            raise ValueError("night baseline of another size")
        if self._ranks:
            values = state.get("night_values", [[] for _ in self._ranks])
            if len(values) != len(self._ranks):
                raise ValueError("night ranks of another size")
            for rank, kept in zip(self._ranks, values, strict=True):
                rank.load(kept)


class EngineStager:
    """A trained stage model behind :class:`.models.StageModel`.

    :meth:`step` returns the probabilities of the epoch ``lookahead`` epochs before the one
    just pushed (``None`` while the window fills); :meth:`skip` records an epoch without data
    (out of bed) without forgetting the night; :meth:`drain` finishes the last epochs at the
    end of a night.

    With a sequence step (:mod:`.sequence`: the shipped model runs with the shipped one,
    ``model_files/stage_sequence.json``) the probabilities returned are the forward filter's
    over the network's; an epoch without data lets time pass in the filter (the
    probabilities :meth:`skip` returns are the network's: with lookahead 0 they are unused).
    :attr:`network_probabilities` keeps the network's own probabilities behind the last
    :meth:`step`'s (the smart alarm reads both).
    """

    def __init__(
        self,
        model: MlpModel | None = None,
        backend: Backend = "auto",
        sequence: SequenceParams | Literal["shipped"] | None = "shipped",
        adaptation: InputAdaptation | None = None,
    ) -> None:
        """Run ``model`` (default: the shipped stage model) on ``backend``.

        ``sequence``: the forward filter's parameters; ``"shipped"`` (the default) is the
        shipped filter with the shipped model and none with another model; ``None``: none.
        ``adaptation``: what was learned from the user's past nights (none: the model as
        trained).
        """
        self.model = model or shipped_model("stage")
        if self.model.meta.kind != "stage":
            raise ValueError(f"{self.model.meta.name} is not a stage model")
        if sequence == "shipped":
            sequence = load_sequence_params() if model is None else None
        self.sequence = None if sequence is None else ForwardFilter(sequence)
        onnx = MODEL_DIR / f"{self.model.meta.name}.onnx" if model is None else None
        self._trained_runner = make_runner(self.model, onnx, backend)
        self.runner = self._trained_runner
        self.lookahead = self.model.meta.lookahead
        self.encoder = ContextEncoder(self.model.meta)
        self._pending = 0
        """Pushed epochs whose probabilities are not out yet (at most ``lookahead``)."""
        self.network_probabilities: NDArray[np.float64] | None = None
        """The network's own probabilities behind the last :meth:`step`'s output, before
        the sequence step (``None`` without a sequence step or output)."""
        self.adapt(adaptation)

    def adapt(self, adaptation: InputAdaptation | None) -> None:
        """Use what was learned from the user's past nights from now on (``None``: nothing).

        Called at set-up and when a night has ended, so a night is staged with one
        adaptation throughout.
        """
        correction = None if adaptation is None else adaptation.shift(self.model.meta)
        self.encoder.shift = correction
        self._weight = None if correction is None else correction.output_weight
        tuned = None if correction is None else correction.model
        if tuned is not None and tuned.meta.version != self.model.meta.version:
            tuned = None  # tuned from another model: the model as trained
        self.runner = self._trained_runner if tuned is None else NumpyRunner(tuned)

    def _weigh(self, probs: NDArray[np.float64]) -> NDArray[np.float64]:
        """The network's probabilities under the user's output weight, if any."""
        if self._weight is None:
            return probs
        weighted: NDArray[np.float64] = probs * self._weight
        return weighted / float(weighted.sum())

    @property
    def backend(self) -> str:
        """``numpy`` or ``onnxruntime``."""
        return self.runner.name

    def reset(self) -> None:
        """Start a new night."""
        self.encoder.reset()
        self._pending = 0
        self.network_probabilities = None
        if self.sequence is not None:
            self.sequence.reset()

    def step(self, x: NDArray[np.float64]) -> NDArray[np.float64] | None:
        """Fold in one epoch's features; probabilities of the epoch ``lookahead`` back."""
        probs = self._advance(self.encoder.push(x))
        if probs is None or self.sequence is None:
            self.network_probabilities = None
            return probs
        self.network_probabilities = probs
        return self.sequence.step(probs)

    def skip(self) -> NDArray[np.float64] | None:
        """An epoch without data (user out of bed); returns as :meth:`step`."""
        self.network_probabilities = None
        if self.sequence is not None:
            self.sequence.skip()
        return self._advance(self.encoder.push(None))

    def _advance(self, row: NDArray[np.float32]) -> NDArray[np.float64] | None:
        if self._pending < self.lookahead:
            self._pending += 1
            return None
        probs: NDArray[np.float64] = self.runner.run(row[None, :])[0].astype(np.float64)
        return self._weigh(probs)

    def drain(self) -> list[NDArray[np.float64]]:
        """Probabilities of the epochs still waiting for their lookahead, oldest first."""
        out = [
            self._weigh(self.runner.run(self.encoder.pad()[None, :])[0].astype(np.float64))
            for _ in range(self._pending)
        ]
        self._pending = 0
        if self.sequence is not None:
            out = [self.sequence.step(p) for p in out]
        return out

    def dump_state(self) -> dict[str, Any]:
        """The context window and the pending count."""
        state = {
            "model": self.model.meta.version,
            **self.encoder.dump_state(),
            "pending": self._pending,
        }
        if self.sequence is not None:
            state["sequence"] = self.sequence.dump_state()
        return state

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state`; a state of another model starts a fresh night."""
        if state.get("model") != self.model.meta.version:
            self.reset()
            return
        self.encoder.load_state(state)
        self._pending = int(state.get("pending", 0))
        if self.sequence is not None:
            if "sequence" in state or not state.get("elapsed"):
                self.sequence.load_state(state.get("sequence"))
            else:  # saved mid-night before the sequence step existed: no belief to carry on,
                # and the bedtime start (mostly wake) would score the next epoch awake
                self.sequence.load_state([0.25, 0.25, 0.25, 0.25])


class IntentModel:
    """The trained sleep-intent score over a causal context window (0..1 per epoch)."""

    def __init__(self, model: MlpModel | None = None, backend: Backend = "auto") -> None:
        """Run ``model`` (default: the shipped intent model) on ``backend``."""
        self.model = model or shipped_model("intent")
        if self.model.meta.kind != "intent" or self.model.meta.lookahead != 0:
            raise ValueError(f"{self.model.meta.name} is not a causal intent model")
        onnx = MODEL_DIR / f"{self.model.meta.name}.onnx" if model is None else None
        self.runner = make_runner(self.model, onnx, backend)
        self.encoder = ContextEncoder(self.model.meta)

    def reset(self) -> None:
        """Start a new night."""
        self.encoder.reset()

    def score(self, x: NDArray[np.float64] | None) -> float:
        """Score the epoch just completed (``None``: out of bed)."""
        return float(self.runner.run(self.encoder.push(x)[None, :])[0, 0])

    def dump_state(self) -> dict[str, Any]:
        """The context window."""
        return {"model": self.model.meta.version, **self.encoder.dump_state()}

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state` (another model's state starts fresh)."""
        if state.get("model") != self.model.meta.version:
            self.reset()
            return
        self.encoder.load_state(state)
