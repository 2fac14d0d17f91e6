"""A stage-transition model of a night's main sleep period, fitted to expert-scored hypnograms.

The simulator needs realistic hypnograms: sleep that starts in light sleep, slow-wave sleep
(N3) concentrated in the first third of the night, REM sleep in ~90-min NREM-REM cycles with
REM periods that get longer towards the morning, and brief awakenings [1]_ [2]_. A plain
epoch-level Markov chain reproduces the stage percentages but not the cycles: its dwell times
are geometric and it has no memory of when the last REM period ended. This module therefore
uses a semi-Markov (bout-level) process whose parameters depend on the time since sleep onset
and on the time since the last REM bout, in the spirit of [3]_ [4]_ [5]_:

1. A *bout* is a run of identical 30-s epochs. The first bout's stage is drawn from the
   fitted sleep-onset distribution (N1 in every Sleep-EDF night).
2. A W, N1, N2 or N3 bout's duration is drawn from the empirical distribution of bout
   durations of that stage in the hourly time bin (since sleep onset: 0-1, 1-2, ..., 5-6,
   6+ h) in which the bout starts; a bout that directly follows a REM bout has its own
   all-night table (an N2 bout after REM, which often opens the next cycle, has a median of
   8.5 epochs against 4 otherwise). A REM bout's duration is drawn by REM episode number
   (1st, 2nd, 3rd+) and by whether the bout opens an episode or resumes one after a brief
   interruption (opening bouts average 15 min, resuming bouts 6 min; the first episode's
   opening bout is shorter than the second's). REM *bouts* do not lengthen with clock time
   in these data; REM *periods* do [2]_, through this dependence and through more frequent
   resumption later in the night (item 3).

   Durations are binned in log-spaced classes (1, 2, 3, 4-5, 6-7, 8-10, 11-15, ... epochs)
   and drawn uniformly within a class. An empirical, log-binned distribution is used rather
   than a parametric one because sleep bout durations are neither exponential nor
   log-normal: wake bouts are heavy-tailed [4]_ [6]_ and N1/N3 bouts are a mixture of
   one-epoch "flickers" (40-50 % of the bouts in Sleep-EDF) and consolidated bouts of tens of
   minutes. Log-spaced classes keep the one-epoch mass exact, smooth the sparse long tail and
   need 15 numbers per histogram instead of one per observed length.
3. At the end of a non-REM bout, the next bout is REM with a probability that depends on the
   current stage, on the number of REM episodes begun so far (0, 1, 2, 3+) and on the time
   since the end of the last REM bout (or since sleep onset, before the first REM bout), in
   bins 0-5, 5-15, 15-30, 30-45, 45-60, 60-75, 75-90, 90-120 and 120+ min. In the Sleep-EDF
   nights this probability is high right after a REM bout (a REM period interrupted by a
   brief awakening resumes), nearly zero 15-45 min after it (REM refractoriness) and rises
   again after about 45 min: this table is what produces the ~90-min cycle. Otherwise (and
   always after a REM bout) the next stage is drawn from the bout-to-bout transition matrix
   of the current hourly time bin, with no self transitions; the time dependence of that
   matrix (N2 -> N3 falls from 0.67 in the first hours to 0.16 after 6 h) and of the N3
   bout durations is what concentrates N3 in the first third of the night.
4. Each hourly bin holds 500-900 bouts of the 39 Sleep-EDF nights (4256 bouts in all); sparse
   cells are shrunk towards the pooled estimate with a small pseudo-count (a Dirichlet or
   beta prior centred on the pooled value), see
   :func:`training.fit.hypnogram.fit_hypnogram_model`.

A REM *episode* (period) is a run of REM bouts separated by less than 15 min of other stages,
the criterion of Feinberg and Floyd [2]_; the same definition is used by
:func:`training.fit.hypnogram.architecture_stats`.

The sleep period time (SPT, first to last sleep epoch) is log-normal; its parameters are fitted
to the same nights. Parameters are fitted by :mod:`training.fit.hypnogram` to the 39
Sleep-EDF sleep-cassette nights of healthy young adults [7]_ and shipped as
``hypnogram_params.json`` next to this module.

References
----------
.. [1] Carskadon MA, Dement WC. Normal human sleep: an overview. In: Kryger MH, Roth T,
       Dement WC (eds), *Principles and Practice of Sleep Medicine*, 5th ed., 2011, pp 16-26.
.. [2] Feinberg I, Floyd TC. Systematic trends across the night in human sleep cycles.
       *Psychophysiology* 16(3):283-291, 1979.
.. [3] Swihart BJ, Caffo B, Bandeen-Roche K, Punjabi NM. Characterizing sleep structure using
       the hypnogram. *J Clin Sleep Med* 4(4):349-355, 2008.
.. [4] Kishi A, Struzik ZR, Natelson BH, Togo F, Yamamoto Y. Dynamics of sleep stage
       transitions in healthy humans and patients with chronic fatigue syndrome. *Am J Physiol
       Regul Integr Comp Physiol* 294:R1980-R1987, 2008.
.. [5] Yetton BD, McDevitt EA, Cellini N, Shelton C, Mednick SC. Quantifying sleep
       architecture dynamics and individual differences using big data and Bayesian
       networks. *PLoS One* 13(4):e0194604, 2018.
.. [6] Lo CC, Amaral LAN, Havlin S, Ivanov PCh, Penzel T, Peter JH, Stanley HE. Dynamics of
       sleep-wake transitions during sleep. *Europhys Lett* 57(5):625-631, 2002.
.. [7] Kemp B, Zwinderman AH, Tuk B, Kamphuisen HAC, Oberye JJL. Analysis of a
       sleep-dependent neuronal feedback loop: the slow-wave microcontinuity of the EEG.
       *IEEE Trans Biomed Eng* 47(9):1185-1194, 2000.
.. [8] Iber C, Ancoli-Israel S, Chesson AL, Quan SF. *The AASM Manual for the Scoring of Sleep
       and Associated Events.* American Academy of Sleep Medicine, 2007.

"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
import functools
import json
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..contracts import EPOCH_SECONDS, Stage

__all__ = [
    "AasmStage",
    "HypnogramModel",
    "bin_index",
    "draw_spt_epochs",
    "load_default_model",
    "opens_episode",
    "sample_sleep_period",
    "to_four_class",
]

IntArray = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]


class AasmStage(IntEnum):
    """AASM sleep stage as an integer code [8]_ (R&K S3 + S4 are N3)."""

    W = 0
    N1 = 1
    N2 = 2
    N3 = 3
    R = 4


N_STAGES: Final = 5
UNSCORED: Final = -1
"""Code of an unscored, artefact or movement-time epoch (``?`` in the CSV files)."""
STAGE_LABELS: Final = ("W", "N1", "N2", "N3", "R")
EPOCH_MIN: Final = EPOCH_SECONDS / 60.0
_FOUR_CLASS: Final = np.array(
    [Stage.WAKE, Stage.LIGHT, Stage.LIGHT, Stage.DEEP, Stage.REM], dtype=np.int8
)

PARAMS_FILE: Final = Path(__file__).with_name("hypnogram_params.json")
REFERENCE_SOURCE: Final = "sleep-edf-sc"
"""The data set's source that the shipped parameters are fitted to."""
FORMAT_VERSION: Final = 1

SPT_CLIP_MIN: Final = (240.0, 660.0)
"""Drawn sleep period times are clipped to 4-11 h."""
_MAX_ATTEMPTS: Final = 50
_ROUND_DIGITS: Final = 6

REM_EPISODE_MERGE_MIN: Final = 15.0
"""REM bouts separated by less than this much non-REM form one REM episode [2]_."""


def to_four_class(codes: npt.ArrayLike) -> IntArray:
    """Map AASM codes to the four-class :class:`~..contracts.Stage` values.

    Parameters
    ----------
    codes : array_like of int
        AASM codes (:class:`AasmStage`, 0..4).

    Returns
    -------
    stages : :py:class:`numpy.ndarray` of int8
        ``Stage`` values: W -> WAKE, N1 and N2 -> LIGHT, N3 -> DEEP, R -> REM.

    Raises
    ------
    ValueError
        If a code is outside 0..4 (for example an unscored epoch, -1).

    """
    arr = np.asarray(codes)
    if arr.size and (arr.min() < 0 or arr.max() >= N_STAGES):
        raise ValueError("AASM codes must be in 0..4")
    return _FOUR_CLASS[arr.astype(np.intp)]


def _rounded(x: float) -> float:
    return round(float(x), _ROUND_DIGITS)


def _rounded_list(a: FloatArray) -> list[Any]:
    """Nested lists of rounded floats (JSON-ready)."""
    out: list[Any] = np.round(np.asarray(a, dtype=np.float64), _ROUND_DIGITS).tolist()
    return out


@dataclass(frozen=True, eq=False)
class HypnogramModel:
    """Fitted parameters of the semi-Markov sleep-period model (see the module docstring).

    Arrays are read-only. Probabilities are stored rounded and renormalised when sampling.
    """

    time_bin_edges_min: tuple[float, ...]
    """Upper edges of the time-since-sleep-onset bins (min); the last bin is open."""
    initial_stage_probs: FloatArray
    """``(5,)`` probability of the first bout's stage (W is 0)."""
    transition_probs: FloatArray
    """``(n_time_bins, 5, 5)`` next-stage probabilities per time bin and current stage, given
    that the next bout is not REM (the REM column is zero, the diagonal is zero). The REM
    row is the full next-stage distribution after a REM bout."""
    rem_gap_edges_min: tuple[float, ...]
    """Upper edges of the time-since-last-REM bins (min); the last bin is open."""
    rem_entry_probs: FloatArray
    """``(n_rem_levels, 5, n_gap_bins)`` probability that the next bout is REM, by the number
    of REM episodes begun so far (0, 1, ..., capped), current stage and time since the last
    REM bout ended (or since sleep onset, before the first). The REM row is zero."""
    duration_class_edges: tuple[int, ...]
    """Bout-duration classes in epochs: class k is ``edges[k] <= d < edges[k + 1]``."""
    duration_probs: FloatArray
    """``(n_time_bins, 5, n_classes)`` bout-duration class probabilities per time bin (of the
    bout's start) and stage. The REM row is zero: REM bouts use ``rem_duration_probs``."""
    rem_duration_probs: FloatArray
    """``(n_rem_levels - 1, 2, n_classes)`` REM bout-duration class probabilities by REM
    episode (1st, 2nd, ..., capped) and by [bout opening an episode / bout resuming one]."""
    post_rem_duration_probs: FloatArray
    """``(5, n_classes)`` duration class probabilities of a bout that directly follows a REM
    bout (all night); its REM row is zero."""
    spt_log_mean: float
    """Mean of ln(SPT in minutes)."""
    spt_log_sd: float
    """Standard deviation of ln(SPT in minutes)."""
    spt_clip_min: tuple[float, float] = SPT_CLIP_MIN
    """Drawn SPTs are clipped to this range (min)."""
    source: str = ""
    """What the model was fitted on."""
    n_nights: int = 0
    n_bouts: int = 0

    def __post_init__(self) -> None:
        """Validate shapes and freeze the arrays."""
        n_t = len(self.time_bin_edges_min) + 1
        n_g = len(self.rem_gap_edges_min) + 1
        n_d = len(self.duration_class_edges) - 1
        expected = {
            "initial_stage_probs": (N_STAGES,),
            "transition_probs": (n_t, N_STAGES, N_STAGES),
            "rem_entry_probs": (len(self.rem_entry_probs), N_STAGES, n_g),
            "duration_probs": (n_t, N_STAGES, n_d),
            "rem_duration_probs": (len(self.rem_entry_probs) - 1, 2, n_d),
            "post_rem_duration_probs": (N_STAGES, n_d),
        }
        for name, shape in expected.items():
            arr = np.array(getattr(self, name), dtype=np.float64)
            if arr.shape != shape:
                raise ValueError(f"{name} has shape {arr.shape}, expected {shape}")
            if not np.all(np.isfinite(arr)) or arr.min() < 0:
                raise ValueError(f"{name} must hold finite non-negative probabilities")
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        if self.initial_stage_probs[AasmStage.W] != 0:
            raise ValueError("a sleep period cannot start with wake")

    @property
    def n_time_bins(self) -> int:
        """Number of time-since-sleep-onset bins."""
        return len(self.time_bin_edges_min) + 1

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as a JSON-serialisable dict (floats rounded to 6 decimals)."""
        return {
            "format_version": FORMAT_VERSION,
            "epoch_seconds": EPOCH_SECONDS,
            "stages": list(STAGE_LABELS),
            "source": self.source,
            "n_nights": self.n_nights,
            "n_bouts": self.n_bouts,
            "time_bin_edges_min": [_rounded(x) for x in self.time_bin_edges_min],
            "initial_stage_probs": _rounded_list(self.initial_stage_probs),
            "transition_probs": _rounded_list(self.transition_probs),
            "rem_gap_edges_min": [_rounded(x) for x in self.rem_gap_edges_min],
            "rem_entry_probs": _rounded_list(self.rem_entry_probs),
            "duration_class_edges": [int(x) for x in self.duration_class_edges],
            "duration_probs": _rounded_list(self.duration_probs),
            "rem_duration_probs": _rounded_list(self.rem_duration_probs),
            "post_rem_duration_probs": _rounded_list(self.post_rem_duration_probs),
            "spt_log_mean": _rounded(self.spt_log_mean),
            "spt_log_sd": _rounded(self.spt_log_sd),
            "spt_clip_min": [_rounded(x) for x in self.spt_clip_min],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HypnogramModel:
        """Build a model from :meth:`to_dict` output.

        Raises
        ------
        ValueError
            On an unknown format version, another epoch length or inconsistent shapes.

        """
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported hypnogram model format {data.get('format_version')}")
        if data.get("epoch_seconds") != EPOCH_SECONDS:
            raise ValueError("the model was fitted for another epoch length")
        clip = [float(x) for x in data["spt_clip_min"]]
        return cls(
            time_bin_edges_min=tuple(float(x) for x in data["time_bin_edges_min"]),
            initial_stage_probs=np.asarray(data["initial_stage_probs"], dtype=np.float64),
            transition_probs=np.asarray(data["transition_probs"], dtype=np.float64),
            rem_gap_edges_min=tuple(float(x) for x in data["rem_gap_edges_min"]),
            rem_entry_probs=np.asarray(data["rem_entry_probs"], dtype=np.float64),
            duration_class_edges=tuple(int(x) for x in data["duration_class_edges"]),
            duration_probs=np.asarray(data["duration_probs"], dtype=np.float64),
            rem_duration_probs=np.asarray(data["rem_duration_probs"], dtype=np.float64),
            post_rem_duration_probs=np.asarray(data["post_rem_duration_probs"], dtype=np.float64),
            spt_log_mean=float(data["spt_log_mean"]),
            spt_log_sd=float(data["spt_log_sd"]),
            spt_clip_min=(clip[0], clip[1]),
            source=str(data.get("source", "")),
            n_nights=int(data.get("n_nights", 0)),
            n_bouts=int(data.get("n_bouts", 0)),
        )

    def to_json(self) -> str:
        """Serialise deterministically: sorted keys, one per line, rounded floats."""
        data = self.to_dict()
        lines = [
            f"{json.dumps(key)}: {json.dumps(data[key], separators=(',', ':'))}"
            for key in sorted(data)
        ]
        return "{\n  " + ",\n  ".join(lines) + "\n}\n"


@functools.cache
def load_default_model() -> HypnogramModel:
    """Load (once) the model shipped in ``hypnogram_params.json`` next to this module."""
    return HypnogramModel.from_dict(json.loads(PARAMS_FILE.read_text(encoding="utf-8")))


def bin_index(edges: Sequence[float], value: float) -> int:
    """Index of the bin of ``value`` among bins bounded by ``edges`` (the last one open)."""
    return int(np.searchsorted(np.asarray(edges), value, side="right"))


# --------------------------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------------------------


def opens_episode(level: int, rem_start: int, last_rem_end: int) -> bool:
    """Whether a REM bout starting at epoch ``rem_start`` opens a new REM episode."""
    return level == 0 or (rem_start - last_rem_end) * EPOCH_MIN >= REM_EPISODE_MERGE_MIN


def _cdf(p: FloatArray) -> FloatArray:
    c = np.cumsum(p, axis=-1)
    out: FloatArray = c / np.where(c[..., -1:] > 0, c[..., -1:], 1.0)
    return out


def _draw(cdf: FloatArray, u: float) -> int:
    return min(int(np.searchsorted(cdf, u, side="right")), cdf.size - 1)


def draw_spt_epochs(rng: np.random.Generator, model: HypnogramModel | None = None) -> int:
    """Draw a sleep period time (epochs) from the model's log-normal, clipped to 4-11 h."""
    m = model or load_default_model()
    minutes = float(np.exp(rng.normal(m.spt_log_mean, m.spt_log_sd)))
    lo, hi = m.spt_clip_min
    return round(min(max(minutes, lo), hi) / EPOCH_MIN)


def _sample_once(rng: np.random.Generator, m: HypnogramModel, n: int) -> IntArray:
    init_cdf = _cdf(m.initial_stage_probs)
    trans_cdf = _cdf(m.transition_probs)
    dur_cdf = _cdf(m.duration_probs)
    rem_dur_cdf = _cdf(m.rem_duration_probs)
    post_rem_cdf = _cdf(m.post_rem_duration_probs)
    class_edges = m.duration_class_edges
    out = np.empty(n, dtype=np.int8)
    stage = _draw(init_cdf, rng.random())
    t, level, last_rem_end = 0, 0, 0
    n_levels = m.rem_entry_probs.shape[0]
    while t < n:
        if stage == AasmStage.R:
            opening = opens_episode(level, t, last_rem_end)
            level = min(level + 1, n_levels - 1) if opening else level
            k = _draw(rem_dur_cdf[level - 1, 0 if opening else 1], rng.random())
        elif t > 0 and t == last_rem_end:
            k = _draw(post_rem_cdf[stage], rng.random())
        else:
            k = _draw(dur_cdf[bin_index(m.time_bin_edges_min, t * EPOCH_MIN), stage], rng.random())
        length = int(rng.integers(class_edges[k], class_edges[k + 1]))
        out[t : t + length] = stage
        if stage == AasmStage.R:
            last_rem_end = t + length
        t += length
        if t >= n:
            break
        if stage != AasmStage.R:
            g = bin_index(m.rem_gap_edges_min, (t - last_rem_end) * EPOCH_MIN)
            if rng.random() < m.rem_entry_probs[level, stage, g]:
                stage = AasmStage.R
                continue
        row = trans_cdf[bin_index(m.time_bin_edges_min, t * EPOCH_MIN), stage]
        stage = _draw(row, rng.random())
    return out


def sample_sleep_period(
    rng: np.random.Generator,
    model: HypnogramModel | None = None,
    *,
    spt_epochs: int | None = None,
) -> IntArray:
    """Simulate one night's main sleep period, one AASM code per 30-s epoch.

    Parameters
    ----------
    rng : :py:class:`numpy.random.Generator`
        Source of randomness; the output is a deterministic function of its state.
    model : :class:`HypnogramModel`, optional
        Defaults to :func:`load_default_model`.
    spt_epochs : int, optional
        Length of the sleep period in epochs; drawn from the model's log-normal SPT
        distribution (clipped to 4-11 h) when omitted.

    Returns
    -------
    codes : :py:class:`numpy.ndarray` of int8
        AASM codes 0..4 that start and end with a sleep epoch; wake inside is WASO. The
        caller adds sleep latency before and the final awakening after.

    Notes
    -----
    The bout process runs from sleep onset and is cut at ``spt_epochs``. A night whose
    last epoch would be wake is redrawn (rejection sampling, i.e. conditioning on the
    period ending in sleep, which holds by definition of the SPT); after 50 failed draws
    the trailing wake is replaced by the preceding sleep stage.

    """
    m = model or load_default_model()
    n = draw_spt_epochs(rng, m) if spt_epochs is None else int(spt_epochs)
    if n < 1:
        raise ValueError("spt_epochs must be positive")
    codes = _sample_once(rng, m, n)
    for _ in range(_MAX_ATTEMPTS - 1):
        if codes[-1] != AasmStage.W:
            return codes
        codes = _sample_once(rng, m, n)
    last = int(np.flatnonzero(codes != AasmStage.W)[-1])  # the first epoch is sleep
    codes[last + 1 :] = codes[last]
    return codes
