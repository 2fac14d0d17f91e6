"""The smart alarm's policy: in the window before the set time, when to wake the user.

Each completed epoch of the window goes to :meth:`SmartAlarmPolicy.observe`, which answers
with an :class:`AlarmDecision`. The policy wakes the user at a *good moment*:

* **light sleep**: the epoch's stage is light (AASM N1/N2) with probability at least
  ``light_probability``, and, when the update carries the stage network's own probabilities
  (before the sequence step that smooths them over the night), with a light probability of
  at least ``network_light_probability`` there too, for at least ``min_light_epochs`` epochs
  in a row (the filtered probability carries the night's history, the network's own reacts
  at once when light sleep ends); waking from light
  rather than deep sleep (N3) limits sleep inertia (Tassi P, Muzet A, Sleep inertia, *Sleep
  Med Rev* 4(4):341-353, 2000);
* a **wakeable event**: body movement over ``movement_threshold`` (the fraction of the last
  90 s with movement), or an abrupt change of the breathing rate relative to the median of the
  recent epochs of the window (``breathing_change``; the test is relative, so the rate's scale
  does not matter): both mark arousals and stage transitions;

and **as late as possible**. At a good moment the *latest-moment model* compares waking now
with waiting for a later moment before the set time. It is a semi-Markov chain over the stage
model's own output (classes ``wake``, ``light`` (confident), ``deep``, ``rem``,
``weak_light``; the probability of keeping a class depends on the class and on how long it has
lasted, bucketed; the class entered on leaving is drawn per class), with the probability that
the user is truly in light sleep when woken from each class and run length (``success``), and
with ``sleep_value``, what one more minute of sleep is worth in that probability. Backward
induction over the epochs left (optimal stopping; Ferguson TS, *Optimal Stopping and
Applications*, UCLA, 2008, ch. 1-3) gives the expected value of waiting, knowing that later
moments will be judged the same way and that without one the alarm rings at the set time,
whatever the stage then; the policy wakes now when that is not better than waking now.
(A simpler rule, "wait while another light epoch before the set time is likely", waits again
at every light epoch and so compounds its small risks: on simulated nights it ended at the set
time far more often than its threshold promised.)

The chain, the success table and the event success rates are counted from the stage model's
output on simulated training nights, and the thresholds chosen there, by
``python -m training.fit.alarm`` (``alarm_params.json``); ``training.evaluate.alarm`` measures the
policy on held-out nights.

**Learned patience.** :meth:`SmartAlarmPolicy.set_patience` multiplies ``sleep_value`` by a
per-user factor learned from how the user wakes up (:mod:`.learning`): above 1 the policy waits
for later moments, below 1 it takes earlier ones. The shipped parameters stay the reference:
the policy follows what they would have decided too, so that an explanation can say when the
learned factor changed the moment ("12 min later than it would have rung without what it
learned, because ...").

The policy never triggers before the window opens, at or after the set time (the alarm's own
timer rings then), or while the user is not in bed, whatever the factor. Its state is JSON
(:meth:`SmartAlarmPolicy.dump_state`) so that a restart inside the window carries on.

Home-Assistant-free: it only reads the :class:`~..contracts.SleepUpdate` contract.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from itertools import pairwise
import json
import math
from pathlib import Path
from typing import Any

from ..contracts import EPOCH_SECONDS, SleepUpdate, Stage
from .spoken import clock_minutes_before

PARAMS_FILE = Path(__file__).with_name("alarm_params.json")
STATE_KIND = "radar_sleep.smart_alarm_policy"
STATE_VERSION = 1

CLASSES = ("wake", "light", "deep", "rem", "weak_light")
"""Output classes of the stage model as the latest-moment model sees them: ``light`` is a
confident light epoch (filtered probability at least ``light_probability`` and, where the
update carries them, the network's own light probability at least
``network_light_probability``), ``weak_light`` one the stage model calls light with less
confidence."""
WAKE, LIGHT, DEEP, REM, WEAK_LIGHT = range(len(CLASSES))
_MATRICES = ("stay", "switch", "success")


class TriggerReason(StrEnum):
    """Why the alarm rang."""

    LIGHT_SLEEP = "light_sleep"
    WAKEABLE_EVENT = "wakeable_event"
    DEADLINE = "deadline"
    """The set time was reached (rung by the alarm's timer, not by the policy)."""
    FAILSAFE = "failsafe"
    """The set time was reached without sleep data (rung by the alarm's timer)."""


def optional_number(value: object, name: str) -> float | None:
    """A stored number read back (``None`` stays ``None``).

    A value that is not a number raises ``TypeError``, a non-finite one ``ValueError``.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite")
    return float(value)


@dataclass(frozen=True, slots=True)
class AlarmDecision:
    """The policy's decision for one epoch."""

    trigger: bool
    reason: TriggerReason | None
    """Why it triggers (``None`` when it does not)."""
    explanation: str
    """One short sentence for people."""
    light_sleep: bool
    """This epoch is light sleep (whether or not the policy triggers): the stage model calls
    it light sure enough (the thresholds), or less sure but taken as the moment to wake."""


def _uniform_switch() -> tuple[tuple[float, ...], ...]:
    n = len(CLASSES)
    return tuple(tuple(0.0 if j == i else 1.0 / (n - 1) for j in range(n)) for i in range(n))


_EDGES = (1, 2, 4, 8, 16)


@dataclass(frozen=True, slots=True)
class AlarmPolicyParams:
    """Thresholds and the latest-moment model (JSON via :meth:`to_dict`)."""

    light_probability: float = 0.6
    """Minimum probability of the light stage for a light-sleep epoch."""
    network_light_probability: float = 0.0
    """Minimum light probability in the stage network's own output (before its sequence
    step) too, when the update carries it (0: not required)."""
    min_light_epochs: int = 1
    """Consecutive light epochs (counted from the window's opening) before light sleep
    triggers; at most the last run-length edge."""
    wake_in_weak_light: bool = False
    """A light reading below the thresholds (class ``weak_light``) is a good moment too,
    judged by its own success rate: taken only when the latest-moment model expects nothing
    better before the set time (typically near it, when no sure light moment came)."""
    movement_threshold: float = 0.35
    """Movement fraction (0..1) over which an epoch is a wakeable event."""
    breathing_change: float = 0.25
    """Relative breathing-rate change versus the recent median that is a wakeable event."""
    breathing_epochs: int = 10
    """Epochs of the recent window the breathing median is taken over."""
    breathing_min_epochs: int = 4
    """Epochs needed in the recent window before the breathing test applies."""
    sleep_value: float = 0.005
    """What one more minute of sleep is worth, in probability of waking in light sleep."""
    movement_success: float = 0.6
    """P(light sleep when woken at a movement event)."""
    breathing_success: float = 0.5
    """P(light sleep when woken at a breathing-change event)."""
    run_edges: tuple[int, ...] = _EDGES
    """Lower edges (epochs) of the run-length buckets of the latest-moment model."""
    stay: tuple[tuple[float, ...], ...] = tuple((0.9,) * len(_EDGES) for _ in CLASSES)
    """P(next epoch in the same class | class, run-length bucket), classes x buckets."""
    switch: tuple[tuple[float, ...], ...] = field(default_factory=_uniform_switch)
    """P(class entered | class left), classes x classes, rows sum to 1 (zero diagonal)."""
    success: tuple[tuple[float, ...], ...] = tuple(
        (p,) * len(_EDGES) for p in (0.3, 0.9, 0.1, 0.1, 0.6)
    )
    """P(truly light sleep at waking | class, run-length bucket), classes x buckets."""
    fitted: str = ""
    """Where the values come from (written by ``python -m training.fit.alarm``)."""

    def __post_init__(self) -> None:
        """Check the shapes and ranges, so that bad parameters fail when loaded."""
        n, edges = len(CLASSES), self.run_edges
        if not edges or edges[0] != 1 or any(b <= a for a, b in pairwise(edges)):
            raise ValueError(f"run_edges must start at 1 and increase: {edges}")
        if not 1 <= self.min_light_epochs <= edges[-1]:
            raise ValueError(f"min_light_epochs must be within 1..{edges[-1]}")
        for name, width in (("stay", len(edges)), ("switch", n), ("success", len(edges))):
            matrix = getattr(self, name)
            if len(matrix) != n or any(len(row) != width for row in matrix):
                raise ValueError(f"{name} must be {n} x {width}")
            if any(not 0.0 <= v <= 1.0 for row in matrix for v in row):
                raise ValueError(f"{name} holds probabilities within 0..1")
        for name in (
            "light_probability",
            "network_light_probability",
            "movement_threshold",
            "movement_success",
            "breathing_success",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within 0..1")
        if self.breathing_change <= 0 or self.sleep_value < 0:
            raise ValueError("breathing_change must be > 0 and sleep_value >= 0")
        if self.breathing_min_epochs < 1 or self.breathing_epochs < self.breathing_min_epochs:
            raise ValueError("need 1 <= breathing_min_epochs <= breathing_epochs")

    def to_dict(self) -> dict[str, Any]:
        """JSON types (tuples become lists)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _MATRICES:
                value = [list(row) for row in value]
            elif f.name == "run_edges":
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AlarmPolicyParams:
        """Read what :meth:`to_dict` wrote; missing keys keep their defaults.

        Raises ``TypeError`` for anything but an object, ``ValueError`` for unknown keys,
        wrong types or out-of-range values.
        """
        if not isinstance(data, dict):
            raise TypeError("alarm policy parameters must be a JSON object")
        known = {f.name for f in fields(cls)}
        if unknown := sorted(set(data) - known):
            raise ValueError(f"unknown alarm policy parameters: {', '.join(unknown)}")
        kwargs: dict[str, Any] = {}
        try:
            for name, value in data.items():
                if name in _MATRICES:
                    kwargs[name] = tuple(tuple(float(p) for p in row) for row in value)
                elif name == "run_edges":
                    kwargs[name] = tuple(int(e) for e in value)
                elif name in ("breathing_epochs", "breathing_min_epochs", "min_light_epochs"):
                    kwargs[name] = int(value)
                elif name == "wake_in_weak_light":
                    if not isinstance(value, bool):
                        raise TypeError(f"{name} must be true or false")
                    kwargs[name] = value
                elif name == "fitted":
                    kwargs[name] = str(value)
                else:
                    kwargs[name] = float(value)
        except (TypeError, ValueError) as err:
            raise ValueError(f"bad alarm policy parameters: {err}") from err
        return cls(**kwargs)


@cache
def default_params(path: Path = PARAMS_FILE) -> AlarmPolicyParams:
    """The shipped parameters (``alarm_params.json``), or the built-in defaults without it."""
    if not path.exists():
        return AlarmPolicyParams()
    return AlarmPolicyParams.from_dict(json.loads(path.read_text(encoding="utf-8")))


def classify(
    update: SleepUpdate, light_probability: float, network_light_probability: float = 0.0
) -> int | None:
    """The latest-moment model's class of an epoch (index into :data:`CLASSES`).

    A light epoch is confident (``light``) when its light probability is at least
    ``light_probability`` and, if the update carries the network's own probabilities, theirs
    at least ``network_light_probability``.
    """
    if update.stage is None:
        return None
    if update.stage is Stage.LIGHT:
        p = update.stage_probabilities[Stage.LIGHT] if update.stage_probabilities else 1.0
        network = update.network_probabilities
        sure = p >= light_probability and (
            network is None or network[Stage.LIGHT] >= network_light_probability
        )
        return LIGHT if sure else WEAK_LIGHT
    return {Stage.WAKE: WAKE, Stage.DEEP: DEEP, Stage.REM: REM}[update.stage]


class LatestMomentModel:
    """Optimal stopping over the semi-Markov chain of the stage model's output.

    The state is (class, run length); run lengths beyond the last bucket edge are capped
    there. With ``m`` decision epochs still to come after this one:

    * :meth:`wait_value` is the expected value of not waking now,
      ``C_m(s) = b + sum_s' P(s -> s') W_{m-1}(s')``, with ``W_k(s) = max(q(s), C_k(s))``
      where waking is allowed (a confirmed light moment; with ``wake_in_weak_light`` a
      less sure light reading too), ``C_k(s)`` elsewhere, and at the
      end the ring at the set time, ``C_0(s) = b + sum_s' P(s -> s') q(s')``; ``q`` is the
      success table and ``b`` the worth of one more epoch of sleep;
    * :meth:`p_light_within` is the probability of at least one confirmed light moment among
      them (first passage, Kemeny JG, Snell JL, *Finite Markov Chains*, 1960, ch. 3), for the
      explanations.

    Tables are built once per ``m`` and cached: ``O(states * classes)`` per epoch left.
    """

    def __init__(self, params: AlarmPolicyParams) -> None:
        """Build the chain from ``params``."""
        self.params = params
        cap = self.max_run = params.run_edges[-1]
        k = len(CLASSES)
        buckets = [self.bucket(r) for r in range(1, cap + 1)]
        self._stay = [[params.stay[c][b] for b in buckets] for c in range(k)]
        self._q = [[params.success[c][b] for b in buckets] for c in range(k)]
        need = params.min_light_epochs
        self._can_wake = [[c == LIGHT and r + 1 >= need for r in range(cap)] for c in range(k)]
        weak = params.wake_in_weak_light
        self._stop = [
            [self._can_wake[c][r] or (weak and c == WEAK_LIGHT) for r in range(cap)]
            for c in range(k)
        ]
        self._bonus = params.sleep_value * EPOCH_SECONDS / 60
        self._wait: list[list[list[float]]] = [self._expect(self._q)]
        self._hit: list[list[list[float]]] = [[[0.0] * cap for _ in range(k)]]

    def bucket(self, run: int) -> int:
        """Index of the run-length bucket of ``run`` epochs (>= 1)."""
        k = 0
        for j, edge in enumerate(self.params.run_edges):
            if run >= edge:
                k = j
        return k

    def _expect(self, value: list[list[float]], bonus: bool = True) -> list[list[float]]:
        """``E[value(next state) | state]`` (plus the epoch's sleep bonus) for every state."""
        k, cap = len(CLASSES), self.max_run
        add = self._bonus if bonus else 0.0
        out = []
        for c in range(k):
            row = self.params.switch[c]
            enter = sum(row[d] * value[d][0] for d in range(k) if d != c)
            here, stay = value[c], self._stay[c]
            out.append(
                [
                    add + stay[r] * here[min(r + 1, cap - 1)] + (1.0 - stay[r]) * enter
                    for r in range(cap)
                ]
            )
        return out

    def _state(self, cls: int, run: int) -> tuple[int, int]:
        return cls, min(max(run, 1), self.max_run) - 1

    def success(self, cls: int, run: int) -> float:
        """P(truly light sleep when woken now)."""
        c, r = self._state(cls, run)
        return self._q[c][r]

    def wait_value(self, cls: int, run: int, m: int) -> float:
        """Expected value of waiting with ``m`` decision epochs to come (see the class)."""
        while len(self._wait) <= m:
            prev = self._wait[-1]
            best = [
                [
                    max(self._q[c][r], prev[c][r]) if self._stop[c][r] else prev[c][r]
                    for r in range(self.max_run)
                ]
                for c in range(len(CLASSES))
            ]
            self._wait.append(self._expect(best))
        c, r = self._state(cls, run)
        return self._wait[max(m, 0)][c][r]

    def p_light_within(self, cls: int, run: int, n: int) -> float:
        """P(a confirmed light moment in the next ``n`` epochs | now ``cls`` for ``run``)."""
        if n <= 0:
            return 0.0
        while len(self._hit) <= n:
            prev = self._hit[-1]
            hit = [
                [1.0 if self._can_wake[c][r] else prev[c][r] for r in range(self.max_run)]
                for c in range(len(CLASSES))
            ]
            self._hit.append(self._expect(hit, bonus=False))
        c, r = self._state(cls, run)
        return min(1.0, max(0.0, self._hit[n][c][r]))


@dataclass(frozen=True, slots=True)
class Observation:
    """What the policy made of the last epoch (for fitting and diagnostics)."""

    cls: int | None
    """Class of :data:`CLASSES`, ``None`` out of bed or without stages."""
    run: int
    """Epochs in that class so far (counted from the window's opening)."""
    movement: bool
    breathing: float | None
    """Relative breathing-rate change when over the threshold."""


def _clock(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M UTC")


class SmartAlarmPolicy:
    """When to wake the user inside the window (see the module docstring)."""

    def __init__(self, params: AlarmPolicyParams | None = None) -> None:
        """Use ``params`` or the shipped ones."""
        self.params = params or default_params()
        self.model = LatestMomentModel(self.params)
        """The latest-moment model of the shipped parameters (the reference)."""
        self.patience = 1.0
        """The learned factor on ``sleep_value`` (:meth:`set_patience`)."""
        self.because = ""
        """Why the factor is what it is, in words (for the explanations)."""
        self._learned: LatestMomentModel | None = None
        self._reference_trigger: float | None = None
        self.window_start: float | None = None
        self.deadline: float | None = None
        self.last_observation: Observation | None = None
        self._rates: deque[float] = deque(maxlen=self.params.breathing_epochs)
        self._run_class: int | None = None
        self._run = 0
        self._last_epoch: int | None = None
        self._last_t: float | None = None

    # -- life cycle -------------------------------------------------------------------------

    def set_patience(self, factor: float, because: str = "") -> None:
        """Use ``sleep_value * factor`` from now on (1: the shipped policy).

        ``because`` says why, for the explanations. Raises ``ValueError`` unless ``factor``
        is a positive finite number.
        """
        if not (math.isfinite(factor) and factor > 0):
            raise ValueError(f"the patience factor must be positive: {factor}")
        self.because = because
        if factor == self.patience:
            return
        self.patience = float(factor)
        self._learned = (
            None
            if factor == 1.0
            else LatestMomentModel(
                replace(self.params, sleep_value=self.params.sleep_value * factor)
            )
        )

    def start_window(self, window_start: float, deadline: float) -> None:
        """Open the window ``window_start`` .. ``deadline`` (POSIX seconds) with a fresh state."""
        if not (math.isfinite(window_start) and math.isfinite(deadline)):
            raise ValueError("the window's times must be finite")
        if deadline <= window_start:
            raise ValueError("the deadline must be after the window start")
        self.reset()
        self.window_start = float(window_start)
        self.deadline = float(deadline)

    def reset(self) -> None:
        """Forget the window and everything observed."""
        self.window_start = self.deadline = None
        self.last_observation = None
        self._reference_trigger = None
        self._rates.clear()
        self._run_class = None
        self._run = 0
        self._last_epoch = None
        self._last_t = None

    # -- per epoch --------------------------------------------------------------------------

    def observe(self, update: SleepUpdate) -> AlarmDecision:
        """Decide on one completed epoch (cached tables: O(1) per epoch, no I/O)."""
        p = self.params
        if self.window_start is None or self.deadline is None:
            return AlarmDecision(False, None, "the smart window is not open", False)
        ts = update.time.timestamp()
        repeat = (
            update.epoch_index is not None
            and update.epoch_index == self._last_epoch
            and ts == self._last_t
        )
        breathing = self._breathing_change(update.breathing_rate_bpm, remember=not repeat)
        cls = (
            classify(update, p.light_probability, p.network_light_probability)
            if update.in_bed
            else None
        )
        if not repeat:
            self._track_run(cls, update.epoch_index)
            self._last_epoch, self._last_t = update.epoch_index, ts
        run = max(self._run, 1)
        movement = update.movement if update.movement is not None else 0.0
        moved = update.in_bed and movement >= p.movement_threshold
        if not update.in_bed:
            breathing = None
        self.last_observation = Observation(cls, self._run, moved, breathing)
        light = cls == LIGHT
        if ts < self.window_start:
            return AlarmDecision(False, None, "the smart window has not opened yet", light)
        if ts >= self.deadline:
            return AlarmDecision(
                False, None, "the set time is reached: the alarm's timer rings", light
            )
        if not update.in_bed:
            return AlarmDecision(False, None, "not in bed: waiting for the set time", False)

        stage = self._stage_text(update)
        confirmed = light and run >= p.min_light_epochs
        weak = cls == WEAK_LIGHT and p.wake_in_weak_light
        if not confirmed and not weak and not moved and breathing is None:
            if light:
                text = f"{stage} for {run} of the {p.min_light_epochs} epochs that confirm it"
            elif cls == WEAK_LIGHT:
                need = f"p >= {p.light_probability:g}"
                if update.network_probabilities is not None and p.network_light_probability:
                    need += f", {p.network_light_probability:g} before the sequence step"
                text = f"{stage}: not sure enough ({need}), waiting"
            else:
                text = f"{stage}: waiting for light sleep"
            return AlarmDecision(False, None, text, light)

        # Epochs still to be decided on after this one (the last one completes before the
        # set time; without a trigger the alarm's timer rings at the set time).
        m = max(0, math.ceil((self.deadline - ts) / EPOCH_SECONDS - 1e-9) - 1)
        left = f"{clock_minutes_before(ts, self.deadline)} min before the set time"
        weak_moment = False
        if cls is None:  # no stages from this device: nothing better to wait for
            now, wait, reference, later = 1.0, 0.0, 0.0, 0.0
        else:
            reference = self.model.wait_value(cls, run, m)
            wait = reference if self._learned is None else self._learned.wait_value(cls, run, m)
            later = self.model.p_light_within(cls, run, m)
            if confirmed:
                now = self.model.success(cls, run)
            else:
                now = p.movement_success if moved else p.breathing_success
                if weak and (
                    not (moved or breathing is not None) or self.model.success(cls, run) >= now
                ):
                    now, weak_moment = self.model.success(cls, run), True
        if confirmed:
            what, reason = stage, TriggerReason.LIGHT_SLEEP
        elif weak_moment:
            what, reason = f"{stage}, less sure", TriggerReason.LIGHT_SLEEP
        else:
            event = (
                f"movement {movement:.0%}"
                if moved
                else f"breathing rate changed by {breathing:.0%} from the recent median"
            )
            what, reason = f"{event} in {stage}", TriggerReason.WAKEABLE_EVENT
        reference_now = now >= reference
        note = ""
        if self._learned is not None:
            if now >= wait and not reference_now:
                note = f"; earlier than it would have rung without what it learned{self._why()}"
            elif now < wait and reference_now:
                note = f"; without what it learned it would ring now{self._why()}"
        if reference_now and self._reference_trigger is None:
            self._reference_trigger = ts
        if now >= wait:
            if self._learned is not None and not note:
                note = self.learning_note(ts)
            return AlarmDecision(
                True,
                reason,
                f"{what}, {left}: waking now ({now:.0%} of such moments are light sleep); "
                f"waiting for a later one is not expected to do better{note}",
                # A less sure light reading taken as the moment rings for light sleep: the
                # alarm's light-sleep attribute says so too.
                light or weak_moment,
            )
        return AlarmDecision(
            False,
            None,
            f"{what}, {left}: waiting for a later light-sleep moment before the set time "
            f"(p={later:.2f}) to sleep longer{note}",
            light,
        )

    def _why(self) -> str:
        return f", because {self.because}" if self.because else ""

    def learning_note(self, ts: float) -> str:
        """How the learned patience moved a ring at ``ts`` later ("" if it did not).

        For the explanation of a trigger, or of the set time's ring, after the shipped policy
        would already have rung.
        """
        ref = self._reference_trigger
        if self._learned is None or ref is None or ts - ref < EPOCH_SECONDS / 2:
            return ""
        return (
            f"; {round((ts - ref) / 60)} min later than it would have rung without what it "
            f"learned{self._why()}"
        )

    def _track_run(self, cls: int | None, index: int | None) -> None:
        contiguous = index is None or self._last_epoch is None or index == self._last_epoch + 1
        if cls is None:
            self._run_class, self._run = None, 0
        elif cls == self._run_class and contiguous:
            self._run += 1
        else:
            self._run_class, self._run = cls, 1

    def _breathing_change(self, rate: float | None, *, remember: bool) -> float | None:
        """The relative change of ``rate`` from the recent median if over the threshold."""
        if rate is None or not math.isfinite(rate) or rate <= 0:
            return None
        recent = sorted(self._rates)
        if remember:
            self._rates.append(float(rate))
        if len(recent) < self.params.breathing_min_epochs:
            return None
        mid = len(recent) // 2
        median = recent[mid] if len(recent) % 2 else 0.5 * (recent[mid - 1] + recent[mid])
        change = abs(rate - median) / median
        return change if change >= self.params.breathing_change else None

    @staticmethod
    def _stage_text(update: SleepUpdate) -> str:
        if update.stage is None:
            return "no stage"
        if update.stage_probabilities is None:
            return f"{update.stage.label} sleep" if update.stage else "awake"
        prob = update.stage_probabilities[update.stage]
        name = "awake" if update.stage is Stage.WAKE else f"{update.stage.label} sleep"
        return f"{name} (p={prob:.2f})"

    # -- persistence ------------------------------------------------------------------------

    def dump_state(self) -> dict[str, Any]:
        """The window and what was observed in it, as JSON types."""
        return {
            "kind": STATE_KIND,
            "version": STATE_VERSION,
            "window_start": self.window_start,
            "deadline": self.deadline,
            "rates": list(self._rates),
            "run_class": None if self._run_class is None else CLASSES[self._run_class],
            "run": self._run,
            "last_epoch": self._last_epoch,
            "last_t": self._last_t,
            "reference_trigger": self._reference_trigger,
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state`.

        Raises ``ValueError`` (and keeps a fresh state) for anything else: another kind or
        version, missing or mistyped fields.
        """
        try:
            self._load(state)
        except (KeyError, TypeError, ValueError) as err:
            self.reset()
            raise ValueError(f"not a smart alarm policy state: {err}") from err

    def _load(self, state: dict[str, Any]) -> None:
        if not isinstance(state, dict):
            raise TypeError(f"expected an object, got {type(state).__name__}")
        if state.get("kind") != STATE_KIND or state.get("version") != STATE_VERSION:
            raise ValueError(f"kind/version {state.get('kind')!r}/{state.get('version')!r}")

        def number(name: str) -> float | None:
            return optional_number(state[name], name)

        window_start, deadline = number("window_start"), number("deadline")
        if (window_start is None) != (deadline is None):
            raise ValueError("window_start and deadline go together")
        if window_start is not None and deadline is not None and deadline <= window_start:
            raise ValueError("the deadline must be after the window start")
        rates = state["rates"]
        if not isinstance(rates, list) or not all(
            isinstance(r, int | float) and not isinstance(r, bool) and r > 0 for r in rates
        ):
            raise TypeError("rates must be a list of positive numbers")
        run_class = state["run_class"]
        if run_class is not None and run_class not in CLASSES:
            raise ValueError(f"unknown class {run_class!r}")
        run = state["run"]
        last_epoch = state["last_epoch"]
        if not isinstance(run, int) or isinstance(run, bool) or run < 0:
            raise TypeError("run must be a non-negative integer")
        if last_epoch is not None and (
            not isinstance(last_epoch, int) or isinstance(last_epoch, bool)
        ):
            raise TypeError("last_epoch must be an integer")
        last_t = number("last_t")
        reference_trigger = number("reference_trigger") if "reference_trigger" in state else None
        self.reset()
        self._reference_trigger = reference_trigger
        self.window_start, self.deadline = window_start, deadline
        self._rates.extend(float(r) for r in rates[-self.params.breathing_epochs :])
        self._run_class = None if run_class is None else CLASSES.index(run_class)
        self._run = run
        self._last_epoch = last_epoch
        self._last_t = last_t
