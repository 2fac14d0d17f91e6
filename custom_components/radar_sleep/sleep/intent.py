"""Sleep intent: when the user starts trying to sleep, and when they finally get up.

The intent model (:class:`.staging.network.IntentModel`, or the baseline
:func:`.staging.baseline.intent_score`) scores each epoch of the session from
breathing, movement and distance. Its scores are noisy: a still moment of reading scores high,
a restless minute of trying to sleep scores low. The onset of sleep intent ("lights off") is
therefore found as a change point of the score sequence rather than by a threshold: the
scores since the session began are segmented into runs of constant mean by penalised
least-squares change-point detection, solved exactly with PELT (Killick R, Fearnhead P,
Eckley IA, Optimal detection of changepoints with a linear computational cost, *J Am Stat
Assoc* 107(500):1590-1598, 2012), with a penalty proportional to the noise variance and the
log of the length (a BIC-type penalty; the noise variance is estimated robustly from first
differences, Fryzlewicz P, Wild binary segmentation, *Ann Stat* 42(6):2243-2281, 2014), and a
minimum segment length. Adjacent high-mean segments are merged; intent is on while the last
segment is high, and its onset is the start of that segment. Before sleep the segmentation is
redone every epoch (a return to reading withdraws intent; a later settling moves the onset);
once the user has fallen asleep the onset is frozen: the settling that led to sleep. The final
awakening (intent off after sleep) is ``off_epochs_after_sleep`` consecutive low-scoring wake
epochs, dated to the first of them. ``penalty``, ``min_size`` and ``high`` were chosen on
training nights (seeds from 10000) by ``python -m training.fit.intent``;
``python -m training.evaluate intent`` measures the onset error on held-out nights.
"""

from __future__ import annotations

from dataclasses import dataclass
import itertools
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..contracts import Stage

PENALTY = 4.0
"""Penalty per change point, in units of ``noise variance x log(n)``."""
MIN_SIZE = 4
"""Shortest segment (epochs): a dip of a minute does not split a settling."""
HIGH = 0.6
"""Segment mean above which a segment is "trying to sleep"."""
SLEEP_CONFIRM = 10
"""With a taught onset offset, epochs of sleep in a row that end the wait before trying: a
stage model that takes lying still and awake for sleep does so in short runs."""


def pelt(y: ArrayLike, penalty: float, min_size: int = 1) -> list[int]:
    """Change points of a piecewise-constant mean by PELT with the least-squares cost.

    Minimises ``sum_k cost(segment_k) + penalty * (number of segments - 1)`` exactly, where
    the cost of a segment is its residual sum of squares around its mean, over segmentations
    whose segments have at least ``min_size`` points (Killick et al. 2012, algorithm 2).
    Returns the sorted start indices of every segment but the first (empty: no change).
    """
    x = np.asarray(y, dtype=np.float64)
    n = int(x.size)
    if n < 2 * min_size:
        return []
    s1 = np.concatenate(([0.0], np.cumsum(x)))
    s2 = np.concatenate(([0.0], np.cumsum(x * x)))

    def cost(a: np.ndarray[Any, np.dtype[np.int64]], b: int) -> np.ndarray[Any, Any]:
        length = b - a
        seg = s1[b] - s1[a]
        out: np.ndarray[Any, Any] = (s2[b] - s2[a]) - seg * seg / length
        return out

    best = np.full(n + 1, math.inf)
    best[0] = -penalty
    last = np.zeros(n + 1, dtype=np.int64)
    candidates = np.zeros(0, dtype=np.int64)
    beaten: dict[int, np.ndarray[Any, np.dtype[np.int64]]] = {}
    for t in range(min_size, n + 1):
        # A segmentation may end a segment at t - min_size (now long enough to be a start).
        new = t - min_size
        if new == 0 or (new >= min_size and math.isfinite(best[new])):
            candidates = np.append(candidates, new)
            # Pruning: a start beaten at ``new`` can never be optimal once ``new`` is a start
            # itself (the cost is additive). With a minimum segment size that holds only
            # from here on, so the pruning waits until now (the minimum-segment-length
            # variant of Killick et al. 2012, as in Killick & Eckley's changepoint package).
            if (gone := beaten.pop(new, None)) is not None:
                candidates = candidates[~np.isin(candidates, gone)]
        else:
            beaten.pop(new, None)
        if candidates.size == 0:
            continue
        totals = best[candidates] + cost(candidates, t)
        k = int(np.argmin(totals))
        best[t] = totals[k] + penalty
        last[t] = candidates[k]
        if t >= min_size and (worse := totals > best[t]).any():
            beaten[t] = candidates[worse]
    points: list[int] = []
    t = n
    while t > 0:
        t = int(last[t])
        if t > 0:
            points.append(t)
    return sorted(points)


def noise_variance(y: ArrayLike) -> float:
    """Robust noise variance of a piecewise-constant signal: MAD of first differences."""
    x = np.asarray(y, dtype=np.float64)
    if x.size < 3:
        return 0.0
    d = np.diff(x)
    sigma = float(np.median(np.abs(d - np.median(d)))) / (0.6745 * math.sqrt(2.0))
    return sigma * sigma


def intent_segments(
    scores: ArrayLike, penalty: float = PENALTY, min_size: int = MIN_SIZE, high: float = HIGH
) -> list[tuple[int, int, float]]:
    """Segments ``(start, end, mean)`` of the scores, adjacent high segments merged."""
    x = np.asarray(scores, dtype=np.float64)
    n = int(x.size)
    if n == 0:
        return []
    var = max(noise_variance(x), 1e-3)
    points = pelt(x, penalty * var * math.log(max(n, 2)), min_size)
    bounds = [0, *points, n]
    segments: list[tuple[int, int, float]] = []
    for a, b in itertools.pairwise(bounds):
        mean = float(np.mean(x[a:b]))
        if segments and segments[-1][2] >= high and mean >= high:
            pa, _, _ = segments[-1]
            segments[-1] = (pa, b, float(np.mean(x[pa:b])))
        else:
            segments.append((a, b, mean))
    return segments


@dataclass(slots=True)
class IntentState:
    """Intent after one epoch."""

    trying: bool
    onset_index: int | None
    reason: str


class IntentTracker:
    """Turns per-epoch intent scores into the ``trying_to_sleep`` flag and its onset."""

    def __init__(
        self,
        penalty: float = PENALTY,
        min_size: int = MIN_SIZE,
        high: float = HIGH,
        off_epochs_after_sleep: int = 20,
        onset_offset: int = 0,
    ) -> None:
        """Start with no intent.

        ``onset_offset``: epochs added to the onset the change points find, learned from what
        this user taught (:mod:`.teach`): positive for someone who lies awake a while before
        trying to sleep. The onset never moves before the session or past sleep; with a
        positive offset, sleep means :data:`SLEEP_CONFIRM` epochs of it in a row.
        """
        self.penalty = penalty
        self.min_size = min_size
        self.high = high
        self.off_after = off_epochs_after_sleep
        self.onset_offset = onset_offset
        self.reset()

    def reset(self) -> None:
        """Start a new night."""
        self.trying = False
        self.onset_index: int | None = None
        self.detected_index: int | None = None
        """The onset the change points found, before :attr:`onset_offset`."""
        self.slept = False
        self._first: int | None = None
        """Epoch index of ``_scores[0]``."""
        self._scores: list[float] = []
        self._low_run = 0
        self._sleep_run: int | None = None
        """First epoch of the current run of sleep epochs (before sleep)."""

    def dump_state(self) -> dict[str, Any]:
        """What a restart needs to carry on (JSON-serialisable)."""
        return {
            "trying": self.trying,
            "onset_index": self.onset_index,
            "detected_index": self.detected_index,
            "slept": self.slept,
            "first": self._first,
            "scores": list(self._scores),
            "low_run": self._low_run,
            "sleep_run": self._sleep_run,
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state`."""
        self.trying = bool(state["trying"])
        self.onset_index = state["onset_index"]
        self.detected_index = state.get("detected_index", self.onset_index)
        self.slept = bool(state["slept"])
        self._first = state["first"]
        self._scores = [float(v) for v in state["scores"]]
        self._low_run = int(state["low_run"])
        self._sleep_run = state.get("sleep_run")

    def step(self, index: int, score: float, stage: Stage) -> IntentState:
        """Fold in one epoch."""
        if self.slept:
            return self._after_sleep(score, stage)
        if self._first is None:
            self._first = index
        # Epochs missing from the stream (no frames) count as not trying.
        self._scores.extend([0.0] * max(0, index - self._first - len(self._scores)))
        self._scores.append(score)
        if stage is Stage.WAKE:
            self._sleep_run = None
        elif self._sleep_run is None:
            self._sleep_run = index
        segments = intent_segments(self._scores, self.penalty, self.min_size, self.high)
        start, end, mean = segments[-1]
        if mean >= self.high and end - start >= 2:
            detected = self._first + start
            onset = max(detected + self.onset_offset, self._first)
            asleep = stage is not Stage.WAKE
            slept_from = index
            if self.onset_offset > 0:
                run = self._sleep_run
                asleep = run is not None and index - run + 1 >= SLEEP_CONFIRM
                slept_from = index if run is None else run
            if index < onset and not asleep:
                # Settled, but this user lies awake this long before trying (taught).
                self.trying, self.onset_index, self.detected_index = False, None, None
                return IntentState(
                    False,
                    None,
                    f"still for {(index - detected + 1) / 2:g} min; you usually lie awake "
                    f"{self.onset_offset / 2:g} min before trying to sleep (taught)",
                )
            onset = min(onset, slept_from if asleep else index)
            self.trying, self.onset_index, self.detected_index = True, onset, detected
            if asleep:
                self.slept = True  # the settling that led to sleep: the onset is frozen
                self._low_run = 0
                return IntentState(True, self.onset_index, "asleep after settling down")
            minutes = (end - start) / 2
            taught = (
                ""
                if self.onset_offset == 0
                else (f"; onset moved {self.onset_offset / 2:+g} min as you taught")
            )
            return IntentState(
                True,
                self.onset_index,
                f"settled for {minutes:g} min (intent score {mean:.2f} since lights off){taught}",
            )
        was = self.trying
        self.trying, self.onset_index, self.detected_index = False, None, None
        if was:
            return IntentState(False, None, f"active again before sleep (score {mean:.2f})")
        return IntentState(False, None, f"not trying to sleep (score {mean:.2f})")

    def _after_sleep(self, score: float, stage: Stage) -> IntentState:
        if not self.trying:
            return IntentState(False, self.onset_index, "up for the day")
        low = score < self.high and stage is Stage.WAKE
        self._low_run = self._low_run + 1 if low else 0
        if self._low_run >= self.off_after:
            self.trying = False
            return IntentState(False, self.onset_index, "awake and active: up for the day")
        return IntentState(True, self.onset_index, "trying to sleep")
