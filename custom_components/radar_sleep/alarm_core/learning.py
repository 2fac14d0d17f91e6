"""What the smart alarm learns from how the user wakes up: a per-user patience.

The policy (:mod:`.policy`) trades the chance of waking the user in light sleep against the
extra sleep of waiting for a later moment; ``sleep_value`` is what one more minute of sleep is
worth. People differ: some snooze whenever they are woken early, others get up at once from
light sleep whenever it comes. The alarm learns one number per user, the **patience**
``kappa``: the policy uses ``sleep_value * exp(kappa)`` (the *patience factor*). A larger
factor makes it wait for later moments (rings closer to the set time); a smaller one makes it
take the first good moment of the window. It never moves the set time: the policy never
triggers at or after it, whatever the factor (the alarm's own timer rings then).

**Feedback.** Each morning gives at most one signal ``y``, from what the user did
(:func:`morning_signal`):

* ``snoozed_early``, ``y = +1``: the alarm rang before the set time and was snoozed: woken too
  early, wait longer;
* ``dismissed_before_ring``, ``y = -1``: the alarm was dismissed inside its window before it
  rang (the user woke by themselves): it could have rung earlier;
* ``up_at_once``, ``y = -1/2``: it rang before the set time and the user was out of bed within
  ``UP_AT_ONCE_MINUTES`` without snoozing: waking early costs this user nothing, try a little
  earlier;
* ``slow_at_set_time``, ``y = -1/2``: it rang at the set time and the user snoozed or took more
  than ``SLOW_MINUTES`` to leave the bed: waiting for a later moment did not pay.

When the user leaves the bed comes from the tracker's presence (the first epoch after the ring
that is not in bed). A morning dismissed by the timeout or by switching the alarm off, or
without a ring, gives no signal.

**The update** is projected online gradient descent (Zinkevich M, Online convex programming
and generalized infinitesimal gradient ascent, *ICML* 2003) on the linear loss
``-y * kappa``, i.e. ``kappa <- clip(kappa + STEP * y, -BOUND, BOUND)``: a stochastic
approximation (Robbins H, Monro S, A stochastic approximation method, *Ann Math Stat*
22(3):400-407, 1951) of the patience at which the user's "too early" and "too late" signals
balance. The step is constant so that it follows a user whose habits change; the bound keeps
the factor within ``exp(-BOUND) .. exp(BOUND)``. One morning changes the factor by at most
``exp(STEP)`` (x1.65).

Home-Assistant-free: plain data with a JSON form (:meth:`AlarmLearning.to_dict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
import math
from typing import Any, Final

from .policy import optional_number
from .spoken import clock_minutes_before

STATE_KIND: Final = "radar_sleep.alarm_learning"
STATE_VERSION: Final = 1

STEP: Final = 0.5
"""Learning rate (natural-log units of the patience factor) per unit of signal."""
BOUND: Final = 3.0
"""``|kappa|`` at most this: the factor stays within 0.05 .. 20."""
UP_AT_ONCE_MINUTES: Final = 2.0
"""Out of bed within this long after an early ring: it cost the user nothing."""
SLOW_MINUTES: Final = 10.0
"""Out of bed later than this after the set time rang: a hard wake-up."""
LEFT_BED_WAIT_MINUTES: Final = 60.0
"""After the dismissal, how long to wait for the bed to empty before judging without it."""
HISTORY: Final = 14
"""Mornings kept (what was learned from each, for the attributes and diagnostics)."""


class Signal(StrEnum):
    """What a morning said about the moment the alarm chose."""

    SNOOZED_EARLY = "snoozed_early"
    DISMISSED_BEFORE_RING = "dismissed_before_ring"
    UP_AT_ONCE = "up_at_once"
    SLOW_AT_SET_TIME = "slow_at_set_time"
    NONE = "none"


SIGNAL_VALUE: Final = {
    Signal.SNOOZED_EARLY: 1.0,
    Signal.DISMISSED_BEFORE_RING: -1.0,
    Signal.UP_AT_ONCE: -0.5,
    Signal.SLOW_AT_SET_TIME: -0.5,
    Signal.NONE: 0.0,
}
"""``y`` of each signal: + rings later, - rings earlier."""

_BECAUSE: Final = {
    Signal.SNOOZED_EARLY: "you snoozed when it woke you early",
    Signal.DISMISSED_BEFORE_RING: "you were up before it rang",
    Signal.UP_AT_ONCE: "you got up at once when it woke you early",
    Signal.SLOW_AT_SET_TIME: "you were slow to get up when it rang at the set time",
}


@dataclass(slots=True)
class Morning:
    """One alarm's morning as it happens (POSIX seconds on the alarm's clock)."""

    deadline: float
    """The set time."""
    rang_at: float | None = None
    """The first ring (``None``: dismissed before it rang)."""
    early: bool = False
    """The policy rang it before the set time (not the set time's timer)."""
    snoozes: int = 0
    dismissed_at: float | None = None
    dismissed_before_ring: bool = False
    left_bed_at: float | None = None
    """The first epoch after the ring that was not in bed."""

    def to_dict(self) -> dict[str, Any]:
        """JSON types."""
        return {
            "deadline": self.deadline,
            "rang_at": self.rang_at,
            "early": self.early,
            "snoozes": self.snoozes,
            "dismissed_at": self.dismissed_at,
            "dismissed_before_ring": self.dismissed_before_ring,
            "left_bed_at": self.left_bed_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Morning:
        """Read :meth:`to_dict`'s output (``ValueError``/``TypeError`` for anything else)."""

        def number(name: str) -> float | None:
            return optional_number(data.get(name), name)

        deadline = number("deadline")
        if deadline is None:
            raise ValueError("a morning needs its set time")
        snoozes = data.get("snoozes", 0)
        if not isinstance(snoozes, int) or isinstance(snoozes, bool) or snoozes < 0:
            raise TypeError("snoozes must be a non-negative integer")
        return cls(
            deadline=deadline,
            rang_at=number("rang_at"),
            early=bool(data.get("early", False)),
            snoozes=snoozes,
            dismissed_at=number("dismissed_at"),
            dismissed_before_ring=bool(data.get("dismissed_before_ring", False)),
            left_bed_at=number("left_bed_at"),
        )


@dataclass(frozen=True, slots=True)
class Lesson:
    """What one morning taught."""

    deadline: float
    signal: Signal
    value: float
    """``y`` (see the module docstring)."""
    offset_min: float | None
    """Minutes before the set time it rang, or the user was up (dismissed before it rang)."""
    get_up_min: float | None
    """Minutes from the first ring to out of bed (``None``: not seen)."""
    snoozes: int
    kappa: float
    """The patience after this morning."""
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """JSON types."""
        return {
            "alarm_time": datetime.fromtimestamp(self.deadline, UTC).isoformat(),
            "deadline": self.deadline,
            "signal": self.signal.value,
            "value": self.value,
            "offset_min": self.offset_min,
            "get_up_min": self.get_up_min,
            "snoozes": self.snoozes,
            "kappa": self.kappa,
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lesson:
        """Read :meth:`to_dict`'s output."""

        def optional(name: str) -> float | None:
            value = data.get(name)
            return None if value is None else float(value)

        return cls(
            deadline=float(data["deadline"]),
            signal=Signal(data["signal"]),
            value=float(data["value"]),
            offset_min=optional("offset_min"),
            get_up_min=optional("get_up_min"),
            snoozes=int(data.get("snoozes", 0)),
            kappa=float(data["kappa"]),
            explanation=str(data.get("explanation", "")),
        )


def _minutes(a: float, b: float) -> float:
    return round((b - a) / 60.0, 1)


def morning_signal(morning: Morning) -> tuple[Signal, float | None, float | None]:
    """The signal of a finished morning, the offset and the minutes to get up.

    The offset is how many minutes before the set time the alarm rang (or the user was up
    when dismissing before it rang); the minutes to get up run from the first ring to the
    first epoch out of bed.
    """
    if morning.dismissed_before_ring:
        up = morning.dismissed_at
        offset = None if up is None else max(0.0, _minutes(up, morning.deadline))
        return Signal.DISMISSED_BEFORE_RING, offset, None
    if morning.rang_at is None:
        return Signal.NONE, None, None
    offset = max(0.0, _minutes(morning.rang_at, morning.deadline))
    get_up = (
        None
        if morning.left_bed_at is None
        else max(0.0, _minutes(morning.rang_at, morning.left_bed_at))
    )
    if morning.early:
        if morning.snoozes > 0:
            return Signal.SNOOZED_EARLY, offset, get_up
        if get_up is not None and get_up <= UP_AT_ONCE_MINUTES:
            return Signal.UP_AT_ONCE, offset, get_up
        return Signal.NONE, offset, get_up
    if morning.snoozes > 0 or (get_up is not None and get_up > SLOW_MINUTES):
        return Signal.SLOW_AT_SET_TIME, offset, get_up
    return Signal.NONE, offset, get_up


def update_kappa(kappa: float, value: float) -> float:
    """One projected gradient step: ``clip(kappa + STEP * value, -BOUND, BOUND)``."""
    return min(BOUND, max(-BOUND, kappa + STEP * value))


def _said_offset(morning: Morning) -> int | None:
    """The offset as the lesson says it, in whole minutes.

    Between the clock minutes of the ring (or of the dismissal before it) and the set time,
    as the alarm's own explanation counts them (``spoken.clock_minutes_before``).
    """
    moment = morning.dismissed_at if morning.dismissed_before_ring else morning.rang_at
    return None if moment is None else clock_minutes_before(moment, morning.deadline)


def _explain(signal: Signal, offset: float | None, get_up: float | None, snoozes: int) -> str:
    times = "once" if snoozes == 1 else f"{snoozes} times"
    if signal is Signal.SNOOZED_EARLY:
        return (
            f"you snoozed {times} when woken {offset:.0f} min before the set time: "
            "the alarm now waits longer for a later moment"
        )
    if signal is Signal.DISMISSED_BEFORE_RING:
        return (
            f"you were up {offset:.0f} min before the set time, before the alarm rang: "
            "it now takes earlier moments"
        )
    if signal is Signal.UP_AT_ONCE:
        return (
            f"you were out of bed {get_up:.0f} min after being woken {offset:.0f} min early: "
            "the alarm now takes early moments a little more readily"
        )
    if signal is Signal.SLOW_AT_SET_TIME:
        how = f"you snoozed {times}" if snoozes else f"you took {get_up:.0f} min to get up"
        return f"it rang at the set time and {how}: it now waits less for a later moment"
    return "nothing to learn from this morning"


@dataclass(slots=True)
class AlarmLearning:
    """The learned patience, the morning in progress and what recent mornings taught."""

    kappa: float = 0.0
    mornings: int = 0
    """Mornings that gave a signal (since the last reset)."""
    history: list[Lesson] = field(default_factory=list)
    """The last ``HISTORY`` mornings with a signal, oldest first."""
    pending: Morning | None = None

    @property
    def factor(self) -> float:
        """The patience factor: the policy's ``sleep_value`` is multiplied by it."""
        return math.exp(self.kappa)

    def because(self) -> str:
        """Why the patience is where it is, in words (the recent signals that pushed it)."""
        if self.kappa == 0.0 or not self.history:
            return "nothing learned yet"
        direction = 1.0 if self.kappa > 0 else -1.0
        counts: dict[Signal, int] = {}
        for lesson in self.history:
            if lesson.value * direction > 0:
                counts[lesson.signal] = counts.get(lesson.signal, 0) + 1
        if not counts:
            return "of earlier mornings"
        parts = [
            f"{_BECAUSE[s]} ({n} of the last {len(self.history)} mornings)"
            for s, n in sorted(counts.items(), key=lambda kv: -kv[1])
        ]
        return " and ".join(parts)

    # The morning's events ----------------------------------------------------------------

    def on_ring(self, deadline: float, now: float, *, early: bool) -> None:
        """The alarm rang (a ring after a snooze belongs to the same morning)."""
        if self.pending is not None and self.pending.deadline == deadline:
            return
        self.pending = Morning(deadline=deadline, rang_at=now, early=early)

    def on_snooze(self) -> None:
        """The ringing alarm was snoozed."""
        if self.pending is not None:
            self.pending.snoozes += 1

    def on_dismiss(
        self, deadline: float, now: float, *, by: str, before_ring: bool
    ) -> Lesson | None:
        """The alarm was dismissed (``by``: ``user``, ``timeout`` or ``disabled``).

        Dismissed by the user before it rang: the morning is finished now. After a ring, it
        finishes when the bed empties (:meth:`on_epoch`), at once if it already has.
        """
        if before_ring:
            if by != "user":
                return None
            self.pending = Morning(deadline=deadline, dismissed_at=now, dismissed_before_ring=True)
            return self._finish()
        morning = self.pending
        if morning is None or morning.deadline != deadline:
            return None
        if by != "user" and morning.left_bed_at is None:
            self.pending = None  # nobody there, or switched off: nothing to learn
            return None
        morning.dismissed_at = now
        return self._finish() if morning.left_bed_at is not None else None

    def on_epoch(self, now: float, *, in_bed: bool) -> Lesson | None:
        """An epoch of the tracker: the first one out of bed after the ring is noted."""
        morning = self.pending
        if morning is None or morning.rang_at is None or now < morning.rang_at:
            return None
        if not in_bed and morning.left_bed_at is None:
            morning.left_bed_at = now
        if morning.dismissed_at is None:
            return None
        waited = (now - morning.dismissed_at) / 60.0
        if morning.left_bed_at is not None or waited >= LEFT_BED_WAIT_MINUTES:
            return self._finish()
        return None

    def _finish(self) -> Lesson | None:
        morning, self.pending = self.pending, None
        if morning is None:
            return None
        signal, offset, get_up = morning_signal(morning)
        if signal is Signal.NONE:
            return None
        value = SIGNAL_VALUE[signal]
        self.kappa = update_kappa(self.kappa, value)
        self.mornings += 1
        lesson = Lesson(
            deadline=morning.deadline,
            signal=signal,
            value=value,
            offset_min=offset,
            get_up_min=get_up,
            snoozes=morning.snoozes,
            kappa=self.kappa,
            explanation=_explain(signal, _said_offset(morning), get_up, morning.snoozes),
        )
        self.history = [*self.history, lesson][-HISTORY:]
        return lesson

    # Persistence -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON types."""
        return {
            "kind": STATE_KIND,
            "version": STATE_VERSION,
            "kappa": self.kappa,
            "mornings": self.mornings,
            "history": [lesson.to_dict() for lesson in self.history],
            "pending": None if self.pending is None else self.pending.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> AlarmLearning:
        """Read :meth:`to_dict`'s output; ``ValueError`` for anything else."""
        try:
            if not isinstance(data, dict):
                raise TypeError(f"expected an object, got {type(data).__name__}")
            if data.get("kind") != STATE_KIND or data.get("version") != STATE_VERSION:
                raise ValueError(f"kind/version {data.get('kind')!r}/{data.get('version')!r}")
            kappa = float(data["kappa"])
            if not math.isfinite(kappa):
                raise ValueError("kappa must be finite")
            pending = data.get("pending")
            return cls(
                kappa=min(BOUND, max(-BOUND, kappa)),
                mornings=int(data.get("mornings", 0)),
                history=[Lesson.from_dict(h) for h in data.get("history") or []][-HISTORY:],
                pending=None if pending is None else Morning.from_dict(pending),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"not a smart alarm learning state: {err}") from err

    def summary(self) -> dict[str, Any]:
        """What was learned, for the entity's attributes."""
        last = self.history[-1] if self.history else None
        return {
            "learned_patience": round(self.factor, 3),
            "learned_mornings": self.mornings,
            "learned_because": self.because(),
            "last_lesson": None if last is None else last.explanation,
        }
