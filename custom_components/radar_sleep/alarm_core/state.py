"""The alarm's settings, its state machine and the failsafe's reasoning.

The alarm's life: ``off`` (disabled, or no day chosen) → ``armed`` (waiting for the next
alarm) → ``window`` (the smart window before the set time is open; every epoch goes to the
policy) → ``ringing`` → ``snoozed`` ↔ ``ringing`` → dismissed (by the user, by disabling it,
or after ``RING_TIMEOUT_SECONDS``) → ``armed`` for the next one. The alarm rings at the set
time at the latest whatever the radar does: reason ``deadline`` when sleep data was flowing,
``failsafe`` when it was not (:func:`failsafe_problem`) or when it rings late.

Everything here is plain data and arithmetic; the Home Assistant adapter (``alarm.py``) owns
the timers, the listeners, the wake-up light and speakers and the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum, StrEnum, auto
from typing import Any, Final

from .policy import AlarmDecision, TriggerReason
from .schedule import (
    FAILSAFE_STALE_SECONDS,
    WEEKDAYS,
    is_late,
    is_missed,
    next_alarm,
    ring_ends,
    ring_timed_out,
    seconds_late,
    window_start,
)

DEFAULT_ALARM_TIME: Final = time(7, 0)
DEFAULT_WINDOW_MINUTES: Final = 30
"""The smart window: the alarm may ring this long before the set time, in light sleep."""
DEFAULT_SUNRISE_MINUTES: Final = 30
"""How long the wake-up light takes from dim and warm to bright and cool."""


class AlarmPhase(StrEnum):
    """Where the alarm is in its life."""

    OFF = "off"
    """Disabled."""
    ARMED = "armed"
    """Waiting for the next alarm's window."""
    WINDOW = "window"
    """The smart window is open: every epoch goes to the policy."""
    RINGING = "ringing"
    SNOOZED = "snoozed"


WAITING: Final = (AlarmPhase.ARMED, AlarmPhase.WINDOW)
"""The phases of an alarm that has not rung yet."""
SOUNDING: Final = (AlarmPhase.RINGING, AlarmPhase.SNOOZED)
"""The phases of an alarm that rang and was not stopped."""
EARLY_REASONS: Final = (TriggerReason.LIGHT_SLEEP, TriggerReason.WAKEABLE_EVENT)
"""Reasons of a ring the policy chose before the set time."""
SNOOZE_OVER: Final = "snooze_over"
"""The reason of a ring again when a snooze is over (the alarm had decided to wake before)."""


class AlarmEvent(StrEnum):
    """Event types of the alarm's life."""

    WINDOW_OPENED = "window_opened"
    LIGHT_SLEEP_DETECTED = "light_sleep_detected"
    TRIGGERED = "triggered"
    SNOOZED = "snoozed"
    DISMISSED = "dismissed"
    SKIPPED = "skipped"
    UNSKIPPED = "unskipped"


def _dt(value: Any) -> datetime | None:
    """An ISO datetime from storage; ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def iso(value: datetime | date | None) -> str | None:
    """ISO text of an instant or a date (``None`` stays ``None``)."""
    return value.isoformat() if value is not None else None


@dataclass(slots=True)
class AlarmSettings:
    """What the user set."""

    time: time = DEFAULT_ALARM_TIME
    enabled: bool = False
    window_minutes: int = DEFAULT_WINDOW_MINUTES
    sunrise_minutes: int = DEFAULT_SUNRISE_MINUTES
    days: tuple[str, ...] = WEEKDAYS

    def as_dict(self) -> dict[str, Any]:
        """JSON for the store."""
        return {
            "time": self.time.isoformat(),
            "enabled": self.enabled,
            "window_minutes": self.window_minutes,
            "sunrise_minutes": self.sunrise_minutes,
            "days": list(self.days),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AlarmSettings:
        """Read what :meth:`as_dict` wrote."""
        days = tuple(d for d in data.get("days", WEEKDAYS) if d in WEEKDAYS)
        return cls(
            time=time.fromisoformat(data["time"]) if "time" in data else DEFAULT_ALARM_TIME,
            enabled=bool(data.get("enabled", False)),
            window_minutes=int(data.get("window_minutes", DEFAULT_WINDOW_MINUTES)),
            sunrise_minutes=int(data.get("sunrise_minutes", DEFAULT_SUNRISE_MINUTES)),
            days=days or WEEKDAYS,
        )


@dataclass(slots=True)
class AlarmState:
    """The alarm in progress (all instants UTC)."""

    phase: AlarmPhase = AlarmPhase.OFF
    deadline: datetime | None = None
    """The set time of the current alarm."""
    window_start: datetime | None = None
    triggered_for: datetime | None = None
    """The set time of the last alarm that rang (or was dismissed early): never again."""
    rang_at: datetime | None = None
    """When it last rang: its first ring, or the end of its last snooze (for the timeout)."""
    first_rang_at: datetime | None = None
    """When it first rang for its set time: when it decided to wake, for ``reason``."""
    snooze_until: datetime | None = None
    skip_through: date | None = None
    """Local date up to which alarms are skipped (``skip_next``)."""
    reason: str | None = None
    """Why it first rang for its set time (a ring again after a snooze keeps it)."""
    explanation: str | None = None
    """The explanation of that first ring."""

    def as_dict(self) -> dict[str, Any]:
        """JSON for the store."""
        return {
            "phase": self.phase.value,
            "deadline": iso(self.deadline),
            "window_start": iso(self.window_start),
            "triggered_for": iso(self.triggered_for),
            "rang_at": iso(self.rang_at),
            "first_rang_at": iso(self.first_rang_at),
            "snooze_until": iso(self.snooze_until),
            "skip_through": iso(self.skip_through),
            "reason": self.reason,
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AlarmState:
        """Read what :meth:`as_dict` wrote (or an older version, without the first ring).

        Saved before the first ring was kept, ``rang_at`` is the only ring known: the first
        one unless the alarm had rung again after a snooze, which nothing saved tells (it is
        then the end of the last snooze, and is taken for the first ring).
        """
        skip = data.get("skip_through")
        explanation = data.get("explanation")
        return cls(
            phase=AlarmPhase(data.get("phase", AlarmPhase.OFF)),
            deadline=_dt(data.get("deadline")),
            window_start=_dt(data.get("window_start")),
            triggered_for=_dt(data.get("triggered_for")),
            rang_at=_dt(data.get("rang_at")),
            first_rang_at=_dt(data.get("first_rang_at")),
            snooze_until=_dt(data.get("snooze_until")),
            skip_through=date.fromisoformat(skip) if isinstance(skip, str) else None,
            reason=data.get("reason"),
            explanation=explanation if isinstance(explanation, str) else None,
        )

    @property
    def woke_at(self) -> datetime | None:
        """When it first rang for its set time (the ring ``reason`` is about)."""
        return self.first_rang_at or self.rang_at

    # Transitions ------------------------------------------------------------------------------

    def next_deadline(self, settings: AlarmSettings, now: datetime, tz: tzinfo) -> datetime | None:
        """The next alarm after ``now`` that has not rung and is not skipped."""
        after = now
        if (done := self.triggered_for) is not None and done > after:
            after = done
        return next_alarm(after, settings.time, settings.days, tz, skip_through=self.skip_through)

    def arm(self, settings: AlarmSettings, now: datetime, tz: tzinfo) -> None:
        """Wait for the next alarm, or switch off if there is none."""
        deadline = self.next_deadline(settings, now, tz)
        self.snooze_until = None
        if deadline is None:
            self.phase = AlarmPhase.OFF
            self.deadline = self.window_start = None
            return
        self.phase = AlarmPhase.ARMED
        self.deadline = deadline
        self.window_start = window_start(deadline, settings.window_minutes)
        if self.skip_through is not None and self.skip_through < now.astimezone(tz).date():
            self.skip_through = None  # the skipped day is over

    def disarm(self) -> None:
        """Disabled: nothing is waiting or ringing."""
        self.phase = AlarmPhase.OFF
        self.deadline = self.window_start = self.snooze_until = None

    def ahead_of(self, now: datetime) -> bool:
        """Whether the state is from after ``now``: its clock went back.

        Only a simulated night played faster than real time does that (it starts over after
        a restart between two nights): the alarm rang, or is waiting for, a morning that
        comes later than the next possible one (at most 8 days ahead: a week, skipped day
        included).
        """
        later = [
            t
            for t in (self.triggered_for, self.rang_at, self.first_rang_at, self.snooze_until)
            if t
        ]
        if any(t > now for t in later):
            return True
        return self.deadline is not None and self.deadline > now + timedelta(days=8)

    def needs_arming(self) -> bool:
        """After a restart: whether the saved waiting alarm is gone (it rang, or none)."""
        return self.deadline is None or (
            self.triggered_for is not None and self.deadline <= self.triggered_for
        )

    def ring(self, reason: TriggerReason, now: datetime, explanation: str | None = None) -> None:
        """The alarm rings (its set time is never rung again): it decided to wake, and why."""
        self.phase = AlarmPhase.RINGING
        self.triggered_for = self.deadline
        self.rang_at = self.first_rang_at = now
        self.reason = reason.value
        self.explanation = explanation

    def snooze(self, until: datetime) -> None:
        """Silenced until ``until``."""
        self.phase = AlarmPhase.SNOOZED
        self.snooze_until = until

    def ring_again(self, now: datetime) -> None:
        """The snooze is over: it rings again (its first ring, and why, stay as they were).

        A state saved by a version that did not keep the first ring (``first_rang_at`` is
        ``None``) keeps the ring it knew: the first one after a single snooze.
        """
        self.phase = AlarmPhase.RINGING
        if self.first_rang_at is None:
            self.first_rang_at = self.rang_at
        self.rang_at = now
        self.snooze_until = None

    def give_up(self) -> None:
        """The current alarm will not ring (dismissed, or missed past its grace period)."""
        self.triggered_for = self.deadline

    def due(self, now: datetime) -> Due:
        """What is due at ``now`` for an enabled alarm that is not ``off``."""
        if self.phase is AlarmPhase.RINGING:
            if self.rang_at and ring_timed_out(now, self.rang_at):
                return Due.TIME_OUT
        elif self.phase is AlarmPhase.SNOOZED:
            if self.snooze_until is not None and now >= self.snooze_until:
                return Due.RING_AGAIN
        elif self.phase in WAITING and self.deadline:
            if now >= self.deadline:
                return Due.GIVE_UP if is_missed(now, self.deadline) else Due.RING
            if self.phase is AlarmPhase.ARMED and self.window_start and now >= self.window_start:
                return Due.OPEN_WINDOW
        return Due.NOTHING

    def next_due(self, sunrise: datetime | None) -> list[datetime]:
        """The instants at which something becomes due (``sunrise``: a pending sunrise)."""
        due: list[datetime] = []
        if self.phase in WAITING and self.deadline:
            due.append(self.deadline)
            if self.phase is AlarmPhase.ARMED and self.window_start:
                due.append(self.window_start)
            if sunrise is not None:
                due.append(sunrise)
        elif self.phase is AlarmPhase.SNOOZED and self.snooze_until:
            due.append(self.snooze_until)
        elif self.phase is AlarmPhase.RINGING and self.rang_at:
            due.append(ring_ends(self.rang_at))
        return due


class Due(Enum):
    """What :meth:`AlarmState.due` finds to do."""

    NOTHING = auto()
    TIME_OUT = auto()
    """Rang long enough: dismissed by timeout."""
    RING_AGAIN = auto()
    """The snooze is over."""
    GIVE_UP = auto()
    """Past the set time beyond the grace period: this alarm is given up."""
    RING = auto()
    """The set time is reached."""
    OPEN_WINDOW = auto()
    """The smart window opens."""


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """What the alarm knows of the sleep data's source (published by the coordinator)."""

    standby: bool = False
    """Sensing is switched off."""
    delivering: bool = True
    """The source is delivering frames (not failing, not disconnected)."""
    source_errors: int = 0
    """How many times the source failed so far."""
    last_error: str | None = None


def failsafe_problem(
    health: SourceHealth,
    *,
    last_epoch_at: datetime | None,
    errors_at_window: int,
    policy_error: str | None,
    now: datetime,
) -> str | None:
    """Why the smart part could not work at ``now``, or ``None`` if sleep data was flowing.

    ``last_epoch_at`` is when the last epoch arrived, ``errors_at_window`` the source's error
    count when the window opened.
    """
    if health.standby:
        return "standby: Radar Sleep was not sensing"
    if not health.delivering:
        error = health.last_error or "no frames"
        return f"the radar source is not delivering ({error})"
    if policy_error is not None:
        return f"the smart alarm policy failed ({policy_error})"
    if last_epoch_at is None or (now - last_epoch_at).total_seconds() > FAILSAFE_STALE_SECONDS:
        return f"no sleep data in the last {FAILSAFE_STALE_SECONDS // 60} minutes"
    if health.source_errors > errors_at_window:
        return f"the radar pipeline failed during the window ({health.last_error})"
    return None


def deadline_reason(
    deadline: datetime, now: datetime, problem: str | None, decision: AlarmDecision | None
) -> tuple[TriggerReason, str]:
    """Why the alarm rings at its set time: late or no data (``failsafe``), or ``deadline``.

    ``problem`` is :func:`failsafe_problem` at ``now``; ``decision`` the policy's last one.
    """
    if is_late(now, deadline):
        late = seconds_late(now, deadline)
        return (
            TriggerReason.FAILSAFE,
            f"rang {round(late / 60)} min after the set time: Home Assistant was not "
            "running at the set time or the clock jumped",
        )
    if problem:
        return TriggerReason.FAILSAFE, f"set time reached; {problem}"
    detail = decision.explanation if decision is not None else "no light sleep in the window"
    return TriggerReason.DEADLINE, f"set time reached; {detail}"
