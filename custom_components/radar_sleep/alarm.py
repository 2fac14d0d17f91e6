"""The smart alarm of one tracker: when it rings, and that it always rings.

The alarm rings at the set time on the chosen days, or earlier inside the *smart window*
before it when the policy (``sleep/alarm.py``, :class:`SmartAlarmPolicy`) finds light sleep
or a wakeable moment in the epochs the coordinator hands over. Whatever the radar, the
pipeline or the policy do, the alarm's own timer rings at the set time: reason ``deadline``
when sleep data was flowing, ``failsafe`` when it was not (the source is disconnected or
failing, no epoch arrived in the last ``FAILSAFE_STALE_SECONDS``, the policy raised) or when
the alarm rings late (Home Assistant was not running at the set time, or the clock jumped).

Time is handled in Home Assistant's time zone with aware datetimes: the next alarm is the set
wall-clock time on the next chosen day, converted to UTC for that day's offset, so an alarm at
07:00 rings at 07:00 on both sides of a daylight-saving change. A set time that does not exist
that day (02:30 when the clocks go from 02:00 to 03:00) rings when the clock first shows a
later time (03:00); a time that happens twice (02:30 when the clocks go back) rings the first
time. Durations (the window, snooze) are elapsed time.

Everything is saved in the tracker's store with the night (``RadarSleepCoordinator``):
settings, the alarm in progress, the policy's state while the window is open, which alarm
has rung (so that a restart never rings it twice) and which day is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from homeassistant.const import WEEKDAYS
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.event import async_track_point_in_utc_time, async_track_time_interval
from homeassistant.util import dt as dt_util

from .const import (
    ALARM_WATCHDOG_SECONDS,
    DEFAULT_ALARM_TIME,
    DEFAULT_SUNRISE_MINUTES,
    DEFAULT_WINDOW_MINUTES,
    DOMAIN,
    FAILSAFE_STALE_SECONDS,
    LATE_SECONDS,
    LOGGER,
    MISSED_ALARM_GRACE_SECONDS,
    RING_TIMEOUT_SECONDS,
)
from .contracts import SleepUpdate
from .coordinator import RadarSleepCoordinator
from .entity import RadarSleepEntity
from .sleep.alarm import AlarmDecision, AlarmPolicyParams, SmartAlarmPolicy, TriggerReason
from .wakeup import WakeUp


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


class AlarmEvent(StrEnum):
    """Event types of the alarm's event entity."""

    WINDOW_OPENED = "window_opened"
    LIGHT_SLEEP_DETECTED = "light_sleep_detected"
    TRIGGERED = "triggered"
    SNOOZED = "snoozed"
    DISMISSED = "dismissed"
    SKIPPED = "skipped"


def local_instant(day: date, at: time, tz: tzinfo) -> datetime:
    """The UTC instant at which the wall clock of ``tz`` first shows ``at`` on ``day``.

    A time inside a daylight-saving gap rings when the gap ends (the first later time the
    clock shows); an ambiguous time (the clocks go back) is its first occurrence.
    """
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # In a gap: fold=1 maps with the offset after the change, i.e. to an earlier instant
    # whose wall time is before the gap; walk to the first minute the clock shows >= ``at``.
    candidate = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    while candidate < first and candidate.astimezone(tz).replace(tzinfo=None) < wall:
        candidate += timedelta(minutes=1)
    return candidate


def next_alarm(
    after: datetime,
    at: time,
    days: Iterable[str],
    tz: tzinfo,
    *,
    skip_through: date | None = None,
) -> datetime | None:
    """The first alarm strictly after ``after`` (UTC), on one of ``days`` (``mon`` … ``sun``).

    Days up to and including ``skip_through`` (a local date) are skipped.
    """
    weekdays = {WEEKDAYS.index(d) for d in days}
    if not weekdays:
        return None
    start = after.astimezone(tz).date()
    for offset in range(16):
        day = start + timedelta(days=offset)
        if day.weekday() not in weekdays or (skip_through is not None and day <= skip_through):
            continue
        instant = local_instant(day, at, tz)
        if instant > after:
            return instant
    return None


def _dt(value: Any) -> datetime | None:
    return dt_util.parse_datetime(value) if isinstance(value, str) else None


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(slots=True)
class AlarmSettings:
    """What the user set."""

    time: time = DEFAULT_ALARM_TIME
    enabled: bool = False
    window_minutes: int = DEFAULT_WINDOW_MINUTES
    sunrise_minutes: int = DEFAULT_SUNRISE_MINUTES
    days: tuple[str, ...] = tuple(WEEKDAYS)

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
            days=days or tuple(WEEKDAYS),
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
    snooze_until: datetime | None = None
    skip_through: date | None = None
    """Local date up to which alarms are skipped (``skip_next``)."""
    reason: str | None = None
    """Reason of the last trigger."""

    def as_dict(self) -> dict[str, Any]:
        """JSON for the store."""
        return {
            "phase": self.phase.value,
            "deadline": _iso(self.deadline),
            "window_start": _iso(self.window_start),
            "triggered_for": _iso(self.triggered_for),
            "rang_at": _iso(self.rang_at),
            "snooze_until": _iso(self.snooze_until),
            "skip_through": _iso(self.skip_through),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AlarmState:
        """Read what :meth:`as_dict` wrote."""
        skip = data.get("skip_through")
        return cls(
            phase=AlarmPhase(data.get("phase", AlarmPhase.OFF)),
            deadline=_dt(data.get("deadline")),
            window_start=_dt(data.get("window_start")),
            triggered_for=_dt(data.get("triggered_for")),
            rang_at=_dt(data.get("rang_at")),
            snooze_until=_dt(data.get("snooze_until")),
            skip_through=date.fromisoformat(skip) if isinstance(skip, str) else None,
            reason=data.get("reason"),
        )


type EventListener = Callable[[AlarmEvent, dict[str, Any]], None]


@dataclass(slots=True)
class _Health:
    """What the alarm knows of the sleep data, for the failsafe."""

    last_epoch_at: datetime | None = None
    """Wall-clock time the last epoch was handed over."""
    errors_at_window: int = 0
    policy_error: str | None = None
    light_sleep: bool = False
    last_decision: AlarmDecision | None = None


class AlarmController:
    """The smart alarm of one tracker (one per config entry, owned by the coordinator)."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: RadarSleepCoordinator,
        stored: dict[str, Any] | None,
        params: AlarmPolicyParams,
    ) -> None:
        """Restore the settings and the alarm in progress; :meth:`async_start` runs it.

        ``params`` are the policy's (``sleep.alarm.default_params``, read from its file in the
        executor by the caller).
        """
        self.hass = hass
        self.coordinator = coordinator
        self.entry = coordinator.config_entry
        self.wakeup = WakeUp(hass, self.entry)
        self.policy = SmartAlarmPolicy(params)
        self.settings = AlarmSettings()
        self.state = AlarmState()
        self._policy_state: dict[str, Any] | None = None
        if stored:
            try:
                self.settings = AlarmSettings.from_dict(stored.get("settings") or {})
                self.state = AlarmState.from_dict(stored.get("state") or {})
                self._policy_state = stored.get("policy")
                self.wakeup.saved_volumes = {
                    str(entity_id): float(level)
                    for entity_id, level in (stored.get("volumes") or {}).items()
                }
            except (AttributeError, KeyError, ValueError, TypeError) as err:
                LOGGER.warning("%s: the saved alarm could not be read (%s)", self.entry.title, err)
                self.settings, self.state = AlarmSettings(), AlarmState()
                self._policy_state, self.wakeup.saved_volumes = None, {}
        self._health = _Health()
        self._listeners: list[CALLBACK_TYPE] = []
        self._event_listeners: list[EventListener] = []
        self._timer: CALLBACK_TYPE | None = None
        self._watchdog: CALLBACK_TYPE | None = None

    # Life cycle -------------------------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Carry on the saved alarm (never ringing one twice) and start the timers."""
        self._watchdog = async_track_time_interval(
            self.hass,
            self._async_tick,
            timedelta(seconds=ALARM_WATCHDOG_SECONDS),
            name=f"{DOMAIN} alarm watchdog {self.entry.title}",
        )
        now = dt_util.utcnow()
        state = self.state
        if not self.settings.enabled:
            state.phase = AlarmPhase.OFF
        elif state.phase in (AlarmPhase.ARMED, AlarmPhase.WINDOW):
            if state.deadline is None or (
                state.triggered_for is not None and state.deadline <= state.triggered_for
            ):
                self._arm(now)
            elif state.phase is AlarmPhase.WINDOW:
                self._resume_window(now)
        elif state.phase is AlarmPhase.RINGING:
            # It rang before the restart and nobody stopped it: it carries on ringing (lights
            # and speakers), without a second ``triggered`` event, unless it has timed out.
            rang_at = state.rang_at
            if rang_at is None or (now - rang_at).total_seconds() < RING_TIMEOUT_SECONDS:
                self.wakeup.async_ring()
        elif state.phase is AlarmPhase.OFF:
            self._arm(now)
        self._reconcile(now)

    @callback
    def async_shutdown(self) -> None:
        """Stop every timer (entry unload); the state stays as it is for the next start."""
        for unsub in (self._timer, self._watchdog):
            if unsub is not None:
                unsub()
        self._timer = self._watchdog = None
        self.wakeup.async_cancel()

    def as_dict(self) -> dict[str, Any]:
        """What the coordinator saves.

        The settings, the alarm in progress, the policy's state and the speakers' volumes
        from before the alarm.
        """
        policy: dict[str, Any] | None = None
        if self.state.phase is AlarmPhase.WINDOW:
            try:
                policy = self.policy.dump_state()
            except Exception:  # a policy that cannot dump starts over
                LOGGER.exception("%s: the alarm policy could not be saved", self.entry.title)
        return {
            "settings": self.settings.as_dict(),
            "state": self.state.as_dict(),
            "policy": policy,
            "volumes": dict(self.wakeup.saved_volumes),
        }

    def diagnostics(self) -> dict[str, Any]:
        """What the alarm is doing and why (the diagnostics download)."""
        health = self._health
        decision = health.last_decision
        wakeup = self.wakeup
        policy_state: dict[str, Any] | None = None
        if self.state.phase is AlarmPhase.WINDOW:
            with suppress(Exception):
                policy_state = self.policy.dump_state()
        return {
            "settings": self.settings.as_dict(),
            "state": self.state.as_dict(),
            "next_alarm": _iso(self.next_alarm),
            "window_start": _iso(self.window_start),
            "sunrise_start": _iso(self._sunrise_start()),
            "health": {
                "last_epoch_at": _iso(health.last_epoch_at),
                "policy_error": health.policy_error,
                "source_errors_at_window": health.errors_at_window,
                "light_sleep": health.light_sleep,
                "last_decision": None
                if decision is None
                else {
                    "trigger": decision.trigger,
                    "reason": decision.reason.value if decision.reason else None,
                    "explanation": decision.explanation,
                    "light_sleep": decision.light_sleep,
                },
                "failsafe_problem": self._failsafe_problem(dt_util.utcnow())
                if self.state.phase is AlarmPhase.WINDOW
                else None,
            },
            "policy": {
                "fitted": self.policy.params.fitted,
                "state": policy_state,
            },
            "wake_up": {
                "lights": list(wakeup.options.lights),
                "media_players": list(wakeup.options.media_players),
                "has_sound": wakeup.options.has_sound,
                "sunrise_progress": wakeup.sunrise_progress,
                "sunrise_running": wakeup.sunrise_running,
            },
        }

    # Listeners --------------------------------------------------------------------------------

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update`` whenever settings or state change; returns the remover."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    @callback
    def async_add_event_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call ``listener`` with each event of the alarm's life; returns the remover."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    @callback
    def _changed(self) -> None:
        for update in list(self._listeners):
            update()
        self.entry.async_create_task(
            self.hass, self.coordinator.async_save_now(), f"{DOMAIN} save alarm"
        )

    @callback
    def _fire(self, event: AlarmEvent, attributes: dict[str, Any]) -> None:
        LOGGER.debug("%s: alarm %s %s", self.entry.title, event, attributes)
        for listener in list(self._event_listeners):
            listener(event, attributes)

    # What the entities show -------------------------------------------------------------------

    @property
    def next_alarm(self) -> datetime | None:
        """When the alarm rings next (the snooze's end while snoozed); ``None``: disabled."""
        state = self.state
        if not self.settings.enabled:
            return None
        if state.phase in (AlarmPhase.ARMED, AlarmPhase.WINDOW):
            return state.deadline
        if state.phase is AlarmPhase.SNOOZED:
            return state.snooze_until
        return self._next_deadline(dt_util.utcnow())

    @property
    def window_start(self) -> datetime | None:
        """When the smart window of the next alarm opens."""
        if self.state.phase in (AlarmPhase.ARMED, AlarmPhase.WINDOW):
            return self.state.window_start
        return None

    # Settings ---------------------------------------------------------------------------------

    @callback
    def async_set(
        self,
        *,
        at: time | None = None,
        enabled: bool | None = None,
        window_minutes: int | None = None,
        sunrise_minutes: int | None = None,
        days: Iterable[str] | None = None,
    ) -> None:
        """Change settings; the next alarm is worked out again."""
        settings = self.settings
        if at is not None:
            settings.time = at.replace(second=0, microsecond=0, tzinfo=None)
        if window_minutes is not None:
            settings.window_minutes = window_minutes
        if sunrise_minutes is not None:
            settings.sunrise_minutes = sunrise_minutes
        if days is not None:
            chosen = set(days)
            settings.days = tuple(d for d in WEEKDAYS if d in chosen)
        now = dt_util.utcnow()
        if enabled is not None and enabled != settings.enabled:
            settings.enabled = enabled
            if not enabled:
                self._disable()
                self._changed()
                return
        if settings.enabled and self.state.phase in (
            AlarmPhase.OFF,
            AlarmPhase.ARMED,
            AlarmPhase.WINDOW,
        ):
            self._rearm(now)
        self._reconcile(now)
        self._changed()

    @callback
    def _disable(self) -> None:
        state = self.state
        if state.phase in (AlarmPhase.RINGING, AlarmPhase.SNOOZED):
            self._fire(AlarmEvent.DISMISSED, {"alarm_time": _iso(state.deadline), "by": "disabled"})
            self.wakeup.async_stop()
        else:
            self.wakeup.async_cancel()
        state.phase = AlarmPhase.OFF
        state.deadline = state.window_start = state.snooze_until = None
        self.policy.reset()
        self._schedule(dt_util.utcnow())

    @callback
    def _rearm(self, now: datetime) -> None:
        """Settings changed while waiting: keep an open window if the alarm is the same."""
        state = self.state
        deadline = self._next_deadline(now)
        if state.phase is AlarmPhase.WINDOW and deadline == state.deadline and deadline:
            state.window_start = deadline - timedelta(minutes=self.settings.window_minutes)
            return
        if state.phase is AlarmPhase.WINDOW:
            self.wakeup.async_cancel()
        self._arm(now)

    # Actions ----------------------------------------------------------------------------------

    @callback
    def async_snooze(self, minutes: float) -> None:
        """Silence the ringing alarm for ``minutes``; then it rings again."""
        state = self.state
        if state.phase not in (AlarmPhase.RINGING, AlarmPhase.SNOOZED):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_ringing",
                translation_placeholders={"name": self.entry.title},
            )
        now = dt_util.utcnow()
        state.phase = AlarmPhase.SNOOZED
        state.snooze_until = now + timedelta(minutes=minutes)
        self._fire(AlarmEvent.SNOOZED, {"minutes": minutes, "until": _iso(state.snooze_until)})
        self.wakeup.async_pause()
        self._schedule(now)
        self._changed()

    @callback
    def async_dismiss(self) -> None:
        """Stop the alarm (ringing, snoozed, or early inside its window); re-arm."""
        state = self.state
        if state.phase not in (AlarmPhase.RINGING, AlarmPhase.SNOOZED, AlarmPhase.WINDOW):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="nothing_to_dismiss",
                translation_placeholders={"name": self.entry.title},
            )
        self._dismiss("user")

    @callback
    def _dismiss(self, by: str) -> None:
        state = self.state
        now = dt_util.utcnow()
        state.triggered_for = state.deadline
        self._fire(AlarmEvent.DISMISSED, {"alarm_time": _iso(state.deadline), "by": by})
        self.wakeup.async_stop()
        self._arm(now)
        self._reconcile(now)
        self._changed()

    @callback
    def async_skip_next(self) -> None:
        """Skip the next alarm that has not rung yet (its day; the alarm stays enabled)."""
        state = self.state
        if not self.settings.enabled:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="alarm_disabled",
                translation_placeholders={"name": self.entry.title},
            )
        now = dt_util.utcnow()
        if state.phase in (AlarmPhase.ARMED, AlarmPhase.WINDOW) and state.deadline:
            skipped: datetime | None = state.deadline
        else:
            skipped = self._next_deadline(now)
        if skipped is None:
            return
        state.skip_through = dt_util.as_local(skipped).date()
        self._fire(AlarmEvent.SKIPPED, {"alarm_time": _iso(skipped)})
        if state.phase in (AlarmPhase.ARMED, AlarmPhase.WINDOW):
            self.wakeup.async_cancel()
            self._arm(now)
        self._reconcile(now)
        self._changed()

    # From the coordinator ---------------------------------------------------------------------

    @callback
    def async_observe(self, update: SleepUpdate) -> None:
        """One completed epoch (in the loop; the policy is cheap)."""
        health = self._health
        health.last_epoch_at = dt_util.utcnow()
        if self.state.phase is not AlarmPhase.WINDOW:
            return
        try:
            decision = self.policy.observe(update)
        except Exception as err:  # the alarm rings at the set time regardless
            if health.policy_error is None:
                LOGGER.exception("%s: the smart alarm policy failed", self.entry.title)
            health.policy_error = repr(err)
            return
        health.last_decision = decision
        if decision.light_sleep and not health.light_sleep:
            self._fire(AlarmEvent.LIGHT_SLEEP_DETECTED, {"explanation": decision.explanation})
        health.light_sleep = decision.light_sleep
        if decision.trigger and decision.reason is not None:
            self._trigger(decision.reason, decision.explanation, dt_util.utcnow())

    # The state machine ------------------------------------------------------------------------

    def _next_deadline(self, now: datetime) -> datetime | None:
        after = now
        if (done := self.state.triggered_for) is not None and done > after:
            after = done
        return next_alarm(
            after,
            self.settings.time,
            self.settings.days,
            dt_util.get_default_time_zone(),
            skip_through=self.state.skip_through,
        )

    @callback
    def _arm(self, now: datetime) -> None:
        """Wait for the next alarm (or switch off if there is none)."""
        state = self.state
        deadline = self._next_deadline(now)
        self.policy.reset()
        self._health = _Health(last_epoch_at=self._health.last_epoch_at)
        state.snooze_until = None
        if deadline is None:
            state.phase = AlarmPhase.OFF
            state.deadline = state.window_start = None
            return
        state.phase = AlarmPhase.ARMED
        state.deadline = deadline
        state.window_start = deadline - timedelta(minutes=self.settings.window_minutes)
        if state.skip_through is not None and state.skip_through < dt_util.as_local(now).date():
            state.skip_through = None  # the skipped day is over

    @callback
    def _open_window(self, now: datetime) -> None:
        state = self.state
        assert state.deadline is not None
        assert state.window_start is not None
        start = max(state.window_start, now)
        state.phase = AlarmPhase.WINDOW
        self._health.errors_at_window = self.coordinator.stats.source_errors
        self._start_policy_window(start, state.deadline)
        self._fire(
            AlarmEvent.WINDOW_OPENED,
            {"alarm_time": _iso(state.deadline), "window_start": _iso(start)},
        )
        self._changed()

    @callback
    def _resume_window(self, now: datetime) -> None:
        """After a restart inside the window: the policy carries on (no new event)."""
        state = self.state
        assert state.deadline is not None
        assert state.window_start is not None
        self._health.errors_at_window = self.coordinator.stats.source_errors
        saved, self._policy_state = self._policy_state, None
        if now >= state.deadline:
            return  # past the set time: ``_reconcile`` rings at once
        try:
            if saved is None:
                raise ValueError("no saved policy state")
            self.policy.load_state(saved)
        except (KeyError, ValueError, TypeError) as err:
            LOGGER.info("%s: the alarm window starts over (%s)", self.entry.title, err)
            self._start_policy_window(max(state.window_start, now), state.deadline)

    @callback
    def _start_policy_window(self, start: datetime, deadline: datetime) -> None:
        """Open the policy's window; if it cannot, the alarm still rings at the set time."""
        try:
            self.policy.start_window(start.timestamp(), deadline.timestamp())
        except Exception as err:  # the alarm rings at the set time regardless
            LOGGER.exception("%s: the smart alarm policy could not start", self.entry.title)
            self._health.policy_error = repr(err)

    def _failsafe_problem(self, now: datetime) -> str | None:
        """Why the smart part could not work, or ``None`` if sleep data was flowing."""
        coordinator = self.coordinator
        health = self._health
        if coordinator.standby:
            return "standby: Radar Sleep was not sensing"
        if not coordinator.last_update_success:
            error = coordinator.stats.last_error or "no frames"
            return f"the radar source is not delivering ({error})"
        if health.policy_error is not None:
            return f"the smart alarm policy failed ({health.policy_error})"
        if (
            health.last_epoch_at is None
            or (now - health.last_epoch_at).total_seconds() > FAILSAFE_STALE_SECONDS
        ):
            return f"no sleep data in the last {FAILSAFE_STALE_SECONDS // 60} minutes"
        if coordinator.stats.source_errors > health.errors_at_window:
            return f"the radar pipeline failed during the window ({coordinator.stats.last_error})"
        return None

    def _deadline_reason(self, now: datetime) -> tuple[TriggerReason, str]:
        assert self.state.deadline is not None
        late = (now - self.state.deadline).total_seconds()
        if late > LATE_SECONDS:
            return (
                TriggerReason.FAILSAFE,
                f"rang {round(late / 60)} min after the set time: Home Assistant was not "
                "running at the set time or the clock jumped",
            )
        if problem := self._failsafe_problem(now):
            return TriggerReason.FAILSAFE, f"set time reached; {problem}"
        decision = self._health.last_decision
        detail = decision.explanation if decision is not None else "no light sleep in the window"
        return TriggerReason.DEADLINE, f"set time reached; {detail}"

    @callback
    def _trigger(self, reason: TriggerReason, explanation: str, now: datetime) -> None:
        state = self.state
        if state.phase not in (AlarmPhase.ARMED, AlarmPhase.WINDOW):
            return
        state.phase = AlarmPhase.RINGING
        state.triggered_for = state.deadline
        state.rang_at = now
        state.reason = reason.value
        self.policy.reset()
        LOGGER.info("%s: alarm rings (%s): %s", self.entry.title, reason, explanation)
        self._fire(
            AlarmEvent.TRIGGERED,
            {
                "reason": reason.value,
                "explanation": explanation,
                "alarm_time": _iso(state.deadline),
            },
        )
        self.wakeup.async_ring()
        self._schedule(now)
        self._changed()

    @callback
    def _ring_again(self, now: datetime) -> None:
        """The snooze is over."""
        state = self.state
        state.phase = AlarmPhase.RINGING
        state.rang_at = now
        state.snooze_until = None
        self._fire(
            AlarmEvent.TRIGGERED,
            {
                "reason": TriggerReason.DEADLINE.value,
                "explanation": "the snooze is over",
                "alarm_time": _iso(state.deadline),
            },
        )
        self.wakeup.async_ring()
        self._changed()

    @callback
    def _reconcile(self, now: datetime) -> None:
        """Do whatever is due at ``now``, then set the timer for the next thing due.

        Idempotent: timers, the watchdog and every change call it; comparing the wall clock
        with the state (rather than trusting that a timer fired) is what makes the alarm ring
        after a clock jump or a restart.
        """
        state = self.state
        if not self.settings.enabled:
            self._schedule(now)
            return
        if state.phase is AlarmPhase.OFF:
            self._arm(now)
        if state.phase is AlarmPhase.RINGING:
            if state.rang_at and (now - state.rang_at).total_seconds() >= RING_TIMEOUT_SECONDS:
                self._dismiss("timeout")
                return
        elif state.phase is AlarmPhase.SNOOZED:
            if state.snooze_until is not None and now >= state.snooze_until:
                self._ring_again(now)
        elif state.phase in (AlarmPhase.ARMED, AlarmPhase.WINDOW) and state.deadline:
            if now >= state.deadline:
                if (now - state.deadline).total_seconds() > MISSED_ALARM_GRACE_SECONDS:
                    LOGGER.warning(
                        "%s: the alarm of %s could not ring (Home Assistant was not running)",
                        self.entry.title,
                        dt_util.as_local(state.deadline),
                    )
                    state.triggered_for = state.deadline
                    self._arm(now)
                    self._changed()
                    self._reconcile(now)
                    return
                self._trigger(*self._deadline_reason(now), now)
                return
            if state.phase is AlarmPhase.ARMED and state.window_start and now >= state.window_start:
                self._open_window(now)
            start = self._sunrise_start()
            if start is not None and now >= start and self.wakeup.sunrise_progress is None:
                self.wakeup.async_start_sunrise(start, self.settings.sunrise_minutes)
        self._schedule(now)

    def _sunrise_start(self) -> datetime | None:
        state = self.state
        if state.window_start is None or not self.wakeup.options.lights:
            return None
        if self.settings.sunrise_minutes <= 0:
            return None
        return state.window_start - timedelta(minutes=self.wakeup.options.sunrise_lead_minutes)

    @callback
    def _schedule(self, now: datetime) -> None:
        """One timer, at the next instant something is due."""
        if self._timer is not None:
            self._timer()
            self._timer = None
        state = self.state
        if not self.settings.enabled:
            return
        due: list[datetime] = []
        if state.phase in (AlarmPhase.ARMED, AlarmPhase.WINDOW) and state.deadline:
            due.append(state.deadline)
            if state.phase is AlarmPhase.ARMED and state.window_start:
                due.append(state.window_start)
            start = self._sunrise_start()
            if start is not None and self.wakeup.sunrise_progress is None:
                due.append(start)
        elif state.phase is AlarmPhase.SNOOZED and state.snooze_until:
            due.append(state.snooze_until)
        elif state.phase is AlarmPhase.RINGING and state.rang_at:
            due.append(state.rang_at + timedelta(seconds=RING_TIMEOUT_SECONDS))
        future = [d for d in due if d > now]
        if future:
            self._timer = async_track_point_in_utc_time(self.hass, self._async_due, min(future))

    @callback
    def _async_due(self, now: datetime) -> None:
        self._timer = None
        self._reconcile(dt_util.utcnow())

    @callback
    def _async_tick(self, _now: datetime) -> None:
        self._reconcile(dt_util.utcnow())


class RadarSleepAlarmEntity(RadarSleepEntity):
    """An entity of the alarm, updated by the alarm rather than by every radar update.

    Always available: the alarm works without the radar.
    """

    def __init__(self, coordinator: RadarSleepCoordinator, description: EntityDescription) -> None:
        """Attach to the tracker's device and its alarm."""
        super().__init__(coordinator, description)
        assert coordinator.alarm is not None
        self.alarm: AlarmController = coordinator.alarm

    @property
    def available(self) -> bool:
        """The alarm rings whether or not the radar is delivering."""
        return True

    async def async_added_to_hass(self) -> None:
        """Follow the alarm."""
        await super().async_added_to_hass()
        self.async_on_remove(self.alarm.async_add_listener(self._handle_alarm_update))

    @callback
    def _handle_coordinator_update(self) -> None:
        """Radar updates do not change the alarm's entities."""

    @callback
    def _handle_alarm_update(self) -> None:
        self.async_write_ha_state()
