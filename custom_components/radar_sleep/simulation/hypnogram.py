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
   beta prior centred on the pooled value), see :func:`fit_hypnogram_model`.

A REM *episode* (period) is a run of REM bouts separated by less than 15 min of other stages,
the criterion of Feinberg and Floyd [2]_; the same definition is used by
:func:`architecture_stats`.

The sleep period time (SPT, first to last sleep epoch) is log-normal; its parameters are fitted
to the same nights. Parameters are fitted by ``scripts/fit_hypnogram_model.py`` to the 39
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
import itertools
import json
import math
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..contracts import EPOCH_SECONDS, Stage

__all__ = [
    "AasmStage",
    "HypnogramModel",
    "architecture_stats",
    "draw_spt_epochs",
    "fit_hypnogram_model",
    "fit_reference_model",
    "load_default_model",
    "load_hypnogram_csv",
    "load_source_nights",
    "main_sleep_period",
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
_LABEL_TO_CODE: Final = {**{label: i for i, label in enumerate(STAGE_LABELS)}, "?": UNSCORED}
_EPOCH_MIN: Final = EPOCH_SECONDS / 60.0
_FOUR_CLASS: Final = np.array(
    [Stage.WAKE, Stage.LIGHT, Stage.LIGHT, Stage.DEEP, Stage.REM], dtype=np.int8
)

PARAMS_FILE: Final = Path(__file__).with_name("hypnogram_params.json")
REFERENCE_SOURCE: Final = "sleep-edf-sc"
"""The data set's source that the shipped parameters are fitted to."""
FORMAT_VERSION: Final = 1

# Fitting choices (see the module docstring). Time bins: hourly from sleep onset, 6 h+ last.
TIME_BIN_EDGES_MIN: Final = (60.0, 120.0, 180.0, 240.0, 300.0, 360.0)
REM_GAP_EDGES_MIN: Final = (5.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0, 120.0)
DURATION_CLASS_EDGES: Final = (1, 2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 64, 91, 128, 181, 256)
"""Duration classes in epochs: class k holds ``edges[k] <= d < edges[k + 1]``."""
N_REM_LEVELS: Final = 4
"""REM-entry probabilities are kept apart for 0, 1, 2 and 3+ REM episodes begun so far."""
_PSEUDO_TRANSITION: Final = 10.0
_PSEUDO_REM_ENTRY: Final = 5.0
_PSEUDO_DURATION: Final = 20.0
SPT_CLIP_MIN: Final = (240.0, 660.0)
"""Drawn sleep period times are clipped to 4-11 h."""
_MAX_ATTEMPTS: Final = 50
_ROUND_DIGITS: Final = 6

# Architecture statistics.
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


# --------------------------------------------------------------------------------------------
# Loading and cropping real hypnograms
# --------------------------------------------------------------------------------------------


def load_hypnogram_csv(path: str | Path) -> IntArray:
    """Read a one-column hypnogram CSV (header ``stage``; W, N1, N2, N3, R or ?).

    Parameters
    ----------
    path : str or :py:class:`pathlib.Path`
        The CSV file, one row per 30-s epoch.

    Returns
    -------
    codes : :py:class:`numpy.ndarray` of int8
        AASM codes (:class:`AasmStage`); ``?`` is -1.

    Raises
    ------
    ValueError
        On an unknown label or a missing ``stage`` header.

    """
    lines = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if not lines or lines[0] != "stage":
        raise ValueError(f"{path}: expected a 'stage' header")
    try:
        return np.array([_LABEL_TO_CODE[label] for label in lines[1:]], dtype=np.int8)
    except KeyError as err:
        raise ValueError(f"{path}: unknown stage label {err.args[0]!r}") from err


def main_sleep_period(
    codes: npt.ArrayLike,
    *,
    first_sleep_epoch: int | None = None,
    last_sleep_epoch: int | None = None,
    max_wake_gap_min: float = 60.0,
) -> IntArray:
    """Crop a hypnogram to its main sleep period (first to last sleep epoch, both included).

    Parameters
    ----------
    codes : array_like of int
        AASM codes (-1 for unscored epochs).
    first_sleep_epoch, last_sleep_epoch : int, optional
        The period's bounds when known (for example from the data set's ``summary.json``);
        both or neither must be given.
    max_wake_gap_min : float
        Without explicit bounds, sleep epochs separated by more than this many minutes of
        non-sleep are split into separate sleep blocks and the block with the most sleep
        epochs is kept, which excludes daytime naps from 24-h recordings.

    Returns
    -------
    period : :py:class:`numpy.ndarray` of int8
        The cropped codes; empty if there is no sleep.

    """
    arr = np.asarray(codes, dtype=np.int8)
    if (first_sleep_epoch is None) != (last_sleep_epoch is None):
        raise ValueError("give both first_sleep_epoch and last_sleep_epoch, or neither")
    if first_sleep_epoch is not None and last_sleep_epoch is not None:
        return arr[first_sleep_epoch : last_sleep_epoch + 1].copy()
    sleep_idx = np.flatnonzero(arr > AasmStage.W)
    if sleep_idx.size == 0:
        return arr[:0].copy()
    max_gap = max_wake_gap_min / _EPOCH_MIN
    splits = np.flatnonzero(np.diff(sleep_idx) - 1 > max_gap) + 1
    blocks = np.split(sleep_idx, splits)
    best = max(blocks, key=len)
    return arr[int(best[0]) : int(best[-1]) + 1].copy()


def load_source_nights(data_dir: str | Path, source: str) -> dict[str, IntArray]:
    """Load the main sleep periods of every night of one source of the hypnogram data set.

    The data set is ``<data_dir>/<source>/<night>.csv`` plus ``<data_dir>/summary.json``;
    each night is cropped to the ``first_sleep_epoch``/``last_sleep_epoch`` the summary gives
    (or with :func:`main_sleep_period`'s own rule if the summary lacks them).

    Returns
    -------
    nights : dict
        Night name -> cropped AASM codes, in name order.

    """
    root = Path(data_dir)
    summary_path = root / "summary.json"
    summary: dict[str, Any] = {}
    if summary_path.is_file():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    per_night: dict[str, Any] = summary.get("nights", {}).get(source, {})
    nights: dict[str, IntArray] = {}
    for path in sorted((root / source).glob("*.csv")):
        if path.name.endswith(".events.csv"):
            continue
        codes = load_hypnogram_csv(path)
        info = per_night.get(path.stem, {})
        first, last = info.get("first_sleep_epoch"), info.get("last_sleep_epoch")
        if first is not None and last is not None:
            nights[path.stem] = main_sleep_period(
                codes, first_sleep_epoch=int(first), last_sleep_epoch=int(last)
            )
        else:
            nights[path.stem] = main_sleep_period(codes)
    return nights


# --------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------


def _bouts(codes: IntArray) -> tuple[IntArray, npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Run-length encode: (stage, start epoch, length) of every bout."""
    if codes.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return codes[:0], empty, empty
    change = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate(([0], change)).astype(np.intp)
    ends = np.concatenate((change, [codes.size])).astype(np.intp)
    return codes[starts], starts, ends - starts


def _bin(edges: Sequence[float], value: float) -> int:
    return int(np.searchsorted(np.asarray(edges), value, side="right"))


def _shrink(counts: FloatArray, prior: FloatArray, strength: float) -> FloatArray:
    """Posterior mean of a multinomial with a Dirichlet prior ``strength * prior`` (last axis)."""
    total = counts.sum(axis=-1, keepdims=True)
    out: FloatArray = (counts + strength * prior) / (total + strength)
    return out


def _normalise(counts: FloatArray) -> FloatArray:
    total = counts.sum(axis=-1, keepdims=True)
    out: FloatArray = np.divide(counts, total, out=np.zeros_like(counts), where=total > 0)
    return out


def fit_hypnogram_model(nights: Sequence[npt.ArrayLike], *, source: str = "") -> HypnogramModel:
    """Fit the semi-Markov sleep-period model to expert-scored sleep periods.

    Parameters
    ----------
    nights : sequence of array_like of int
        AASM codes of each night, each cropped to its main sleep period (see
        :func:`main_sleep_period`). Bouts of unscored epochs (-1) and the transitions into
        or out of them are ignored.
    source : str
        Free-text description stored in the model.

    Returns
    -------
    model : :class:`HypnogramModel`

    Notes
    -----
    Every estimate is a ratio of counts, shrunk towards a pooled estimate by a conjugate
    prior (posterior mean) so that sparse cells fall back on better-supported ones:

    * transition rows per hourly bin towards the all-night row of the same stage (Dirichlet,
      10 pseudo-bouts);
    * duration histograms per hourly bin, and the post-REM histograms, towards the
      all-night histogram of the same stage; REM histograms per episode number towards the
      histogram of all opening (or all resuming) REM bouts (Dirichlet, 20 pseudo-bouts);
    * REM-entry probabilities (beta, 5 pseudo-bouts): before the first REM bout, each
      time-since-onset cell towards the stage's pre-REM rate; after it, each
      (episode count, stage, gap) cell towards the same (stage, gap) cell pooled over episode
      counts, itself shrunk towards the stage's post-REM rate.

    With 500-900 bouts per hourly bin this only matters for rare cells (REM bouts in the first
    hour, N3 bouts after 6 h, late gaps before the first REM bout).

    """
    n_t = len(TIME_BIN_EDGES_MIN) + 1
    n_g = len(REM_GAP_EDGES_MIN) + 1
    class_edges = np.asarray(DURATION_CLASS_EDGES)
    n_d = class_edges.size - 1
    init = np.zeros(N_STAGES)
    trans = np.zeros((n_t, N_STAGES, N_STAGES))
    rem_hits = np.zeros((N_REM_LEVELS, N_STAGES, n_g))
    rem_tries = np.zeros((N_REM_LEVELS, N_STAGES, n_g))
    durations = np.zeros((n_t, N_STAGES, n_d))
    rem_durations = np.zeros((N_REM_LEVELS - 1, 2, n_d))
    post_rem_durations = np.zeros((N_STAGES, n_d))
    spt_min: list[float] = []
    n_bouts = 0
    for night in nights:
        codes = np.asarray(night, dtype=np.int8)
        codes = _crop_to_sleep(codes)
        if codes.size == 0:
            continue
        spt_min.append(codes.size * _EPOCH_MIN)
        stages, starts, lengths = _bouts(codes)
        init[stages[0]] += 1
        level, last_rem_end = 0, 0
        for i, (stage, start, length) in enumerate(zip(stages, starts, lengths, strict=True)):
            if stage == UNSCORED:
                continue
            n_bouts += 1
            k = min(int(np.searchsorted(class_edges, length, side="right")) - 1, n_d - 1)
            end = int(start + length)
            if stage == AasmStage.R:
                opening = _opens_episode(level, int(start), last_rem_end)
                level = min(level + 1, N_REM_LEVELS - 1) if opening else level
                rem_durations[level - 1, 0 if opening else 1, k] += 1
                last_rem_end = end
            elif i > 0 and stages[i - 1] == AasmStage.R:
                post_rem_durations[stage, k] += 1
            else:
                durations[_bin(TIME_BIN_EDGES_MIN, start * _EPOCH_MIN), stage, k] += 1
            if i + 1 >= stages.size or stages[i + 1] == UNSCORED:
                continue
            nxt = int(stages[i + 1])
            if stage != AasmStage.R:
                g = _bin(REM_GAP_EDGES_MIN, (end - last_rem_end) * _EPOCH_MIN)
                rem_tries[level, stage, g] += 1
                if nxt == AasmStage.R:
                    rem_hits[level, stage, g] += 1
                    continue
            trans[_bin(TIME_BIN_EDGES_MIN, end * _EPOCH_MIN), stage, nxt] += 1
    if len(spt_min) < 2:
        raise ValueError("need at least two nights with sleep")

    trans_probs = _shrink(trans, _normalise(trans.sum(axis=0))[None], _PSEUDO_TRANSITION)
    # Hierarchical shrinkage. Before the first REM bout: (stage, gap) cell <- stage rate.
    # After: (level, stage, gap) cell <- (stage, gap) cell over those levels <- stage rate.
    stage_rate = rem_hits[1:].sum(axis=(0, 2)) / np.maximum(rem_tries[1:].sum(axis=(0, 2)), 1.0)
    after_hits, after_tries = rem_hits[1:].sum(axis=0), rem_tries[1:].sum(axis=0)
    after_rate = (after_hits + _PSEUDO_REM_ENTRY * stage_rate[:, None]) / (
        after_tries + _PSEUDO_REM_ENTRY
    )
    first_rate = rem_hits[0].sum(axis=1) / np.maximum(rem_tries[0].sum(axis=1), 1.0)
    before_rate = (rem_hits[0] + _PSEUDO_REM_ENTRY * first_rate[:, None]) / (
        rem_tries[0] + _PSEUDO_REM_ENTRY
    )
    rem_entry = (rem_hits + _PSEUDO_REM_ENTRY * after_rate[None]) / (rem_tries + _PSEUDO_REM_ENTRY)
    rem_entry[0] = before_rate
    rem_entry[:, AasmStage.R, :] = 0.0
    dur_probs = _shrink(durations, _normalise(durations.sum(axis=0))[None], _PSEUDO_DURATION)
    post_rem_probs = _shrink(
        post_rem_durations, _normalise(durations.sum(axis=0)), _PSEUDO_DURATION
    )
    post_rem_probs[AasmStage.R] = 0.0
    rem_dur_probs = _shrink(
        rem_durations, _normalise(rem_durations.sum(axis=0))[None], _PSEUDO_DURATION
    )
    log_spt = np.log(np.asarray(spt_min))
    return HypnogramModel(
        time_bin_edges_min=TIME_BIN_EDGES_MIN,
        initial_stage_probs=_normalise(init),
        transition_probs=trans_probs,
        rem_gap_edges_min=REM_GAP_EDGES_MIN,
        rem_entry_probs=rem_entry,
        duration_class_edges=DURATION_CLASS_EDGES,
        duration_probs=dur_probs,
        rem_duration_probs=rem_dur_probs,
        post_rem_duration_probs=post_rem_probs,
        spt_log_mean=float(log_spt.mean()),
        spt_log_sd=float(log_spt.std(ddof=1)),
        source=source,
        n_nights=len(spt_min),
        n_bouts=n_bouts,
    )


def fit_reference_model(data_dir: str | Path) -> HypnogramModel:
    """Fit the shipped model: the Sleep-EDF-SC nights of the hypnogram data set.

    Parameters
    ----------
    data_dir : str or :py:class:`pathlib.Path`
        The data set's root (``<data_dir>/summary.json``, ``<data_dir>/sleep-edf-sc/*.csv``).
        Each night is cropped to the main sleep period that ``summary.json`` gives.

    Returns
    -------
    model : :class:`HypnogramModel`
        The model that ``hypnogram_params.json`` holds.

    """
    nights = load_source_nights(data_dir, REFERENCE_SOURCE)
    if not nights:
        raise ValueError(f"no {REFERENCE_SOURCE} nights under {data_dir}")
    source = (
        f"{REFERENCE_SOURCE}: {len(nights)} expert-scored nights of healthy adults aged 25-34 "
        "(Sleep-EDF Expanded, sleep cassette), main sleep period per summary.json"
    )
    return fit_hypnogram_model(list(nights.values()), source=source)


# --------------------------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------------------------


def _opens_episode(level: int, rem_start: int, last_rem_end: int) -> bool:
    """Whether a REM bout starting at epoch ``rem_start`` opens a new REM episode."""
    return level == 0 or (rem_start - last_rem_end) * _EPOCH_MIN >= REM_EPISODE_MERGE_MIN


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
    return round(min(max(minutes, lo), hi) / _EPOCH_MIN)


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
            opening = _opens_episode(level, t, last_rem_end)
            level = min(level + 1, n_levels - 1) if opening else level
            k = _draw(rem_dur_cdf[level - 1, 0 if opening else 1], rng.random())
        elif t > 0 and t == last_rem_end:
            k = _draw(post_rem_cdf[stage], rng.random())
        else:
            k = _draw(dur_cdf[_bin(m.time_bin_edges_min, t * _EPOCH_MIN), stage], rng.random())
        length = int(rng.integers(class_edges[k], class_edges[k + 1]))
        out[t : t + length] = stage
        if stage == AasmStage.R:
            last_rem_end = t + length
        t += length
        if t >= n:
            break
        if stage != AasmStage.R:
            g = _bin(m.rem_gap_edges_min, (t - last_rem_end) * _EPOCH_MIN)
            if rng.random() < m.rem_entry_probs[level, stage, g]:
                stage = AasmStage.R
                continue
        row = trans_cdf[_bin(m.time_bin_edges_min, t * _EPOCH_MIN), stage]
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


# --------------------------------------------------------------------------------------------
# Architecture statistics
# --------------------------------------------------------------------------------------------


def _crop_to_sleep(codes: IntArray) -> IntArray:
    sleep_idx = np.flatnonzero(codes > AasmStage.W)
    if sleep_idx.size == 0:
        return codes[:0]
    return codes[int(sleep_idx[0]) : int(sleep_idx[-1]) + 1]


def _rem_episodes(codes: IntArray) -> list[tuple[int, int, int]]:
    """REM episodes as (onset epoch, end epoch exclusive, number of R epochs)."""
    rem_idx = np.flatnonzero(codes == AasmStage.R)
    if rem_idx.size == 0:
        return []
    merge = REM_EPISODE_MERGE_MIN / _EPOCH_MIN
    splits = np.flatnonzero(np.diff(rem_idx) - 1 >= merge) + 1
    return [(int(b[0]), int(b[-1]) + 1, int(b.size)) for b in np.split(rem_idx, splits)]


def _median(values: Sequence[float]) -> float:
    return float(np.median(values)) if values else math.nan


def architecture_stats(hypnograms: Sequence[npt.ArrayLike]) -> dict[str, float]:
    """Sleep-architecture figures pooled over nights, for real and simulated hypnograms alike.

    Parameters
    ----------
    hypnograms : sequence of array_like of int
        AASM codes (-1 unscored). Each night is cropped to its first..last sleep epoch; crop
        real 24-h recordings with :func:`main_sleep_period` first so that naps are excluded.

    Returns
    -------
    stats : dict
        ``n_nights``
            Nights with at least one sleep epoch.
        ``pct_n1``, ``pct_n2``, ``pct_n3``, ``pct_r``
            Stage % of total sleep time, pooled over all epochs of all nights (as in the data
            README and in [1]_).
        ``tst_median_min``, ``spt_median_min``, ``waso_median_min``
            Medians over nights of total sleep time, sleep period time (first to last sleep
            epoch) and wake after sleep onset (W epochs inside the sleep period).
        ``sleep_efficiency_pct``
            Pooled TST / SPT.
        ``awakenings_per_night``
            Mean number of runs of W inside the sleep period (any length).
        ``rem_latency_median_min``
            Median over nights (with REM) of the time from the first sleep epoch to the first
            R epoch.
        ``rem_episodes_per_night``
            Mean number of REM episodes per night. An episode is a run of R epochs in which
            consecutive R epochs are separated by less than 15 min of other epochs
            (Feinberg and Floyd's criterion [2]_); a single R epoch counts.
        ``cycle_median_min``
            Median over all consecutive pairs of REM episodes (pooled over nights) of the time
            from one episode's onset to the next one's: the NREM-REM cycle length.
        ``rem_episode_first_median_min``, ``rem_episode_last_median_min``
            Median number of R minutes in the first and in the last REM episode of nights with
            at least two episodes (REM periods lengthen across the night [2]_).
        ``n3_first_third_pct``, ``n3_last_third_pct``, ``rem_first_third_pct``,
        ``rem_last_third_pct``
            N3 and R % of the sleep epochs in the first and last third of the sleep period,
            pooled over nights.
        ``trans_<A>_<B>``
            Epoch-to-epoch transition probability from stage A to stage B (W, N1, N2, N3, R),
            self transitions included, pooled over consecutive scored epoch pairs inside the
            sleep periods; rows sum to 1.

        NaN where a figure is undefined (e.g. no REM at all).

    """
    n_nights = 0
    stage_counts = np.zeros(N_STAGES)
    trans = np.zeros((N_STAGES, N_STAGES))
    tst, spt, waso, awakenings, latency = [], [], [], [], []
    episodes_per_night: list[int] = []
    cycles: list[float] = []
    first_ep: list[float] = []
    last_ep: list[float] = []
    thirds = np.zeros((2, N_STAGES))
    for night in hypnograms:
        codes = _crop_to_sleep(np.asarray(night, dtype=np.int8))
        if codes.size == 0:
            continue
        n_nights += 1
        valid = codes >= 0
        counts = np.bincount(codes[valid], minlength=N_STAGES).astype(np.float64)
        stage_counts += counts
        n_sleep = float(counts[1:].sum())
        tst.append(n_sleep * _EPOCH_MIN)
        spt.append(codes.size * _EPOCH_MIN)
        waso.append(float(counts[AasmStage.W]) * _EPOCH_MIN)
        wake = (codes == AasmStage.W).astype(np.int8)
        awakenings.append(float(np.count_nonzero(np.diff(wake) == 1)))
        pair = valid[:-1] & valid[1:]
        np.add.at(trans, (codes[:-1][pair], codes[1:][pair]), 1.0)
        rem_idx = np.flatnonzero(codes == AasmStage.R)
        if rem_idx.size:
            latency.append(float(rem_idx[0]) * _EPOCH_MIN)
        eps = _rem_episodes(codes)
        episodes_per_night.append(len(eps))
        cycles.extend((b[0] - a[0]) * _EPOCH_MIN for a, b in itertools.pairwise(eps))
        if len(eps) >= 2:
            first_ep.append(eps[0][2] * _EPOCH_MIN)
            last_ep.append(eps[-1][2] * _EPOCH_MIN)
        third = codes.size / 3.0
        for row, part in enumerate((codes[: round(third)], codes[round(2 * third) :])):
            thirds[row] += np.bincount(part[part >= 0], minlength=N_STAGES)

    total_sleep = stage_counts[1:].sum()
    pct = 100.0 * stage_counts / total_sleep if total_sleep > 0 else np.full(N_STAGES, np.nan)
    sleep_in_thirds = thirds[:, 1:].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        third_pct = 100.0 * thirds / sleep_in_thirds[:, None]
        trans_p = trans / trans.sum(axis=1, keepdims=True)
    stats: dict[str, float] = {
        "n_nights": float(n_nights),
        "pct_n1": float(pct[AasmStage.N1]),
        "pct_n2": float(pct[AasmStage.N2]),
        "pct_n3": float(pct[AasmStage.N3]),
        "pct_r": float(pct[AasmStage.R]),
        "tst_median_min": _median(tst),
        "spt_median_min": _median(spt),
        "waso_median_min": _median(waso),
        "sleep_efficiency_pct": (
            100.0 * float(total_sleep) / (sum(spt) / _EPOCH_MIN) if spt else math.nan
        ),
        "awakenings_per_night": float(np.mean(awakenings)) if awakenings else math.nan,
        "rem_latency_median_min": _median(latency),
        "rem_episodes_per_night": (
            float(np.mean(episodes_per_night)) if episodes_per_night else math.nan
        ),
        "cycle_median_min": _median(cycles),
        "rem_episode_first_median_min": _median(first_ep),
        "rem_episode_last_median_min": _median(last_ep),
        "n3_first_third_pct": float(third_pct[0, AasmStage.N3]),
        "n3_last_third_pct": float(third_pct[1, AasmStage.N3]),
        "rem_first_third_pct": float(third_pct[0, AasmStage.R]),
        "rem_last_third_pct": float(third_pct[1, AasmStage.R]),
    }
    for a, name_a in enumerate(STAGE_LABELS):
        for b, name_b in enumerate(STAGE_LABELS):
            stats[f"trans_{name_a}_{name_b}"] = float(trans_p[a, b])
    return stats
