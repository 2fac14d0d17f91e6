"""The smart alarm of one tracker in Home Assistant: timers, listeners, lights and speakers.

The alarm rings at the set time on the chosen days, or earlier inside the *smart window*
before it when the policy (``alarm_core/policy.py``, :class:`SmartAlarmPolicy`) finds light
sleep or a wakeable moment in the epochs it is handed. Whatever the radar, the pipeline or the
policy do, the alarm's own timer rings at the set time: reason ``deadline`` when sleep data was
flowing, ``failsafe`` when it was not or when the alarm rings late (``alarm_core/state.py``).
When it rings is worked out in ``alarm_core/schedule.py`` (daylight-saving changes included).

Its clock is the tracker's (``clock.py``): Home Assistant's for a radar, so that the failsafe
rings at the set time on Home Assistant's clock; for the simulated bedroom (or a replay)
played at another speed, the simulated night's. Then the set time, the window, the snooze
and the epochs are all times of the simulated night, the timers go where those times fall on
Home Assistant's clock, and every epoch also does what has fallen due.

The alarm subscribes to the coordinator (every epoch, and the source's health) and never calls
it. Everything is saved in the tracker's store (``store.py``): settings, the alarm in
progress, the policy's state while the window is open, which alarm has rung (so that a restart
never rings it twice) and which day is skipped.

It learns from how the user wakes up (``alarm_core/learning.py``): the ring, the snoozes, the
dismissal and the first epoch out of bed after the ring are handed to the learning, whose
patience factor the policy uses from the next window on. What it learned is kept in a store of
its own (``alarm_learning.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.event import async_track_point_in_utc_time, async_track_time_interval
from homeassistant.util import dt as dt_util

from .alarm_core.learning import AlarmLearning, Lesson
from .alarm_core.policy import AlarmDecision, AlarmPolicyParams, SmartAlarmPolicy, TriggerReason
from .alarm_core.schedule import (
    WEEKDAYS,
    ring_timed_out,
    sunrise_start,
    window_start as window_opening,
)
from .alarm_core.state import (
    EARLY_REASONS,
    SNOOZE_OVER,
    SOUNDING,
    WAITING,
    AlarmEvent,
    AlarmPhase,
    AlarmSettings,
    AlarmState,
    Due,
    SourceHealth,
    deadline_reason,
    failsafe_problem,
    iso,
)
from .alarm_learning import AlarmLearningStore
from .clock import TrackerClock
from .const import ALARM_WATCHDOG_SECONDS, DOMAIN, LOGGER
from .contracts import SleepUpdate
from .coordinator import RadarSleepCoordinator
from .entity import RadarSleepEntity
from .store import RadarSleepStore
from .wakeup import WakeUp

type EventListener = Callable[[AlarmEvent, dict[str, Any]], None]


@dataclass(slots=True)
class _Health:
    """What the alarm knows of the sleep data, for the failsafe."""

    last_epoch_at: datetime | None = None
    """When the last epoch was handed over (on the tracker's clock)."""
    errors_at_window: int = 0
    policy_error: str | None = None
    light_sleep: bool = False
    light_sleep_announced: bool = False
    """``light_sleep_detected`` fired in this window (once per window)."""
    last_decision: AlarmDecision | None = None


class AlarmController:
    """The smart alarm of one tracker (one per config entry).

    It follows the coordinator as a :class:`~.coordinator.SleepListener`
    (:meth:`async_on_epoch`, :meth:`async_on_health`) and saves through the store.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        store: RadarSleepStore,
        params: AlarmPolicyParams,
        clock: TrackerClock | None = None,
        *,
        learning_store: AlarmLearningStore | None = None,
    ) -> None:
        """Restore the settings and the alarm in progress; :meth:`async_start` runs it.

        ``params`` are the policy's (``alarm_core.policy.default_params``, read from its file
        in the executor by the caller). ``clock`` is the tracker's (the coordinator's): the
        alarm's now, set time, window and snooze are on it, and its timers go where its
        instants fall on Home Assistant's clock (the same clock but for a simulated or
        replayed night played at another speed). ``learning_store`` holds what the alarm
        learned about the user (loaded by the caller; nothing learned without it).
        """
        self.hass = hass
        self.entry = entry
        self._store = store
        self.clock = clock or TrackerClock()
        stored = store.alarm
        self.wakeup = WakeUp(hass, self.entry, now=self.clock.now)
        self.policy = SmartAlarmPolicy(params)
        self.learning_store = learning_store or AlarmLearningStore(hass, entry)
        self._apply_learning()
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
        self._source = SourceHealth()
        """The sleep data source's health, as the coordinator last published it."""
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
        now = self.clock.now()
        # A simulated night carried on from its last saved frame set the clock back a little
        # (at most to the end of the last night): what the alarm did since stays done.
        if self.clock.scaled and not self.clock.carried_on and self.state.ahead_of(now):
            LOGGER.info(
                "%s: the simulated nights started over; the alarm is armed again",
                self.entry.title,
            )
            self.state = AlarmState()
            self._policy_state = None
        state = self.state
        if not self.settings.enabled:
            state.phase = AlarmPhase.OFF
        elif state.phase in WAITING:
            if state.needs_arming():
                self._arm(now)
            elif state.phase is AlarmPhase.WINDOW:
                self._resume_window(now)
        elif state.phase is AlarmPhase.RINGING:
            # It rang before the restart and nobody stopped it: it carries on ringing (lights
            # and speakers), without a second ``triggered`` event, unless it has timed out.
            rang_at = state.rang_at
            if rang_at is None or not ring_timed_out(now, rang_at):
                self.wakeup.async_ring()
        elif state.phase is AlarmPhase.OFF:
            self._arm(now)
        self._reconcile(now)
        # The entities were added with the saved alarm: show what was armed here at once.
        self._changed()

    @callback
    def async_shutdown(self) -> None:
        """Stop every timer (entry unload); the state stays as it is for the next start."""
        for unsub in (self._timer, self._watchdog):
            if unsub is not None:
                unsub()
        self._timer = self._watchdog = None
        self.wakeup.async_cancel()

    def as_dict(self) -> dict[str, Any]:
        """What the store saves.

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
            "next_alarm": iso(self.next_alarm),
            "window_start": iso(self.window_start),
            "sunrise_start": iso(self._sunrise_start()),
            "health": {
                "last_epoch_at": iso(health.last_epoch_at),
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
                "failsafe_problem": self._failsafe_problem(self.clock.now())
                if self.state.phase is AlarmPhase.WINDOW
                else None,
            },
            "policy": {
                "fitted": self.policy.params.fitted,
                "state": policy_state,
                "patience": self.policy.patience,
            },
            "learning": {
                **self.learning.summary(),
                "state": self.learning.to_dict(),
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
        self.entry.async_create_task(self.hass, self._store.async_save(), f"{DOMAIN} save alarm")

    @callback
    def _fire(self, event: AlarmEvent, attributes: dict[str, Any]) -> None:
        LOGGER.debug("%s: alarm %s %s", self.entry.title, event, attributes)
        for listener in list(self._event_listeners):
            listener(event, attributes)

    # Learning ---------------------------------------------------------------------------------

    @property
    def learning(self) -> AlarmLearning:
        """What the alarm learned about the user (``alarm_core/learning.py``)."""
        return self.learning_store.learning

    @callback
    def _apply_learning(self) -> None:
        """The policy uses the learned patience (from the next decision on)."""
        learning = self.learning
        self.policy.set_patience(learning.factor, learning.because())

    @callback
    def _learn_from(self, event: Callable[[], Lesson | None]) -> None:
        """Hand a morning's event to the learning; whatever it does, the alarm goes on."""
        try:
            lesson = event()
        except Exception:  # the learning may never break the alarm
            LOGGER.exception("%s: the alarm's learning failed", self.entry.title)
            return
        self._learn(lesson)

    @callback
    def _learn_epoch(self, update: SleepUpdate) -> None:
        """An epoch after the ring: the first one out of bed may finish the morning."""
        pending = self.learning.pending
        if pending is None:
            return
        left = pending.left_bed_at
        try:
            lesson = self.learning.on_epoch(update.time.timestamp(), in_bed=update.in_bed)
        except Exception:  # the learning may never break the alarm
            LOGGER.exception("%s: the alarm's learning failed", self.entry.title)
            return
        if self.learning.pending is not pending or pending.left_bed_at != left:
            self._learn(lesson)

    @callback
    def _learn(self, lesson: Lesson | None) -> None:
        """Save the learning's progress; a finished morning is logged and shown."""
        self.learning_store.async_delay_save()
        if lesson is None:
            return
        LOGGER.info(
            "%s: the alarm learned from this morning (%s): patience %.2f",
            self.entry.title,
            lesson.explanation,
            self.learning.factor,
        )
        for update in list(self._listeners):
            update()

    @callback
    def async_reset_learning(self) -> None:
        """Forget what was learned: the shipped policy from the next decision on."""
        self.learning_store.learning = AlarmLearning()
        self._apply_learning()
        for update in list(self._listeners):
            update()

    # What the entities show -------------------------------------------------------------------

    @property
    def next_alarm(self) -> datetime | None:
        """When the alarm rings next (the snooze's end while snoozed); ``None``: disabled."""
        state = self.state
        if not self.settings.enabled:
            return None
        if state.phase in WAITING:
            return state.deadline
        if state.phase is AlarmPhase.SNOOZED:
            return state.snooze_until
        return self._next_deadline(self.clock.now())

    @property
    def window_start(self) -> datetime | None:
        """When the smart window of the next alarm opens."""
        if self.state.phase in WAITING:
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
        unskip: bool = False,
    ) -> None:
        """Change settings; the next alarm is worked out again.

        A skipped alarm (:meth:`async_skip_next`) rings again when the alarm is turned on from
        off, or with ``unskip`` (setting the alarm, which says when to be woken).
        """
        settings = self.settings
        if (unskip or (enabled and not settings.enabled)) and self.state.skip_through:
            self.state.skip_through = None
            self._fire(AlarmEvent.UNSKIPPED, {})
        if at is not None:
            settings.time = at.replace(second=0, microsecond=0, tzinfo=None)
        if window_minutes is not None:
            settings.window_minutes = window_minutes
        if sunrise_minutes is not None:
            settings.sunrise_minutes = sunrise_minutes
        if days is not None:
            chosen = set(days)
            settings.days = tuple(d for d in WEEKDAYS if d in chosen)
        now = self.clock.now()
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
        if state.phase in SOUNDING:
            if (deadline := state.deadline) is not None:
                now = self.clock.now()
                self._learn_from(
                    lambda: self.learning.on_dismiss(
                        deadline.timestamp(), now.timestamp(), by="disabled", before_ring=False
                    )
                )
            self._fire(AlarmEvent.DISMISSED, {"alarm_time": iso(state.deadline), "by": "disabled"})
            self.wakeup.async_stop()
        else:
            self.wakeup.async_cancel()
        state.disarm()
        self.policy.reset()
        self._schedule(self.clock.now())

    @callback
    def _rearm(self, now: datetime) -> None:
        """Settings changed while waiting: keep an open window if the alarm is the same."""
        state = self.state
        deadline = self._next_deadline(now)
        if state.phase is AlarmPhase.WINDOW and deadline == state.deadline and deadline:
            state.window_start = window_opening(deadline, self.settings.window_minutes)
            return
        if state.phase is AlarmPhase.WINDOW:
            self.wakeup.async_cancel()
        self._arm(now)

    # Actions ----------------------------------------------------------------------------------

    @callback
    def async_snooze(self, minutes: float) -> None:
        """Silence the ringing alarm for ``minutes``; then it rings again."""
        state = self.state
        if state.phase not in SOUNDING:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_ringing",
                translation_placeholders={"name": self.entry.title},
            )
        now = self.clock.now()
        ringing = state.phase is AlarmPhase.RINGING
        state.snooze(now + timedelta(minutes=minutes))
        if ringing:  # snoozing it again while snoozed changes its length: the same snooze
            self._learn_from(self.learning.on_snooze)
        self._fire(AlarmEvent.SNOOZED, {"minutes": minutes, "until": iso(state.snooze_until)})
        self.wakeup.async_pause()
        self._schedule(now)
        self._changed()

    @callback
    def async_dismiss(self) -> None:
        """Stop the alarm (ringing, snoozed, or early inside its window); re-arm."""
        state = self.state
        if state.phase not in (*SOUNDING, AlarmPhase.WINDOW):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="nothing_to_dismiss",
                translation_placeholders={"name": self.entry.title},
            )
        self._dismiss("user")

    @callback
    def _dismiss(self, by: str) -> None:
        state = self.state
        now = self.clock.now()
        if (deadline := state.deadline) is not None:
            before_ring = state.phase is AlarmPhase.WINDOW
            self._learn_from(
                lambda: self.learning.on_dismiss(
                    deadline.timestamp(), now.timestamp(), by=by, before_ring=before_ring
                )
            )
        state.give_up()
        self._fire(AlarmEvent.DISMISSED, {"alarm_time": iso(state.deadline), "by": by})
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
        now = self.clock.now()
        if state.phase in WAITING and state.deadline:
            skipped: datetime | None = state.deadline
        else:
            skipped = self._next_deadline(now)
        if skipped is None:
            return
        state.skip_through = dt_util.as_local(skipped).date()
        self._fire(AlarmEvent.SKIPPED, {"alarm_time": iso(skipped)})
        if state.phase in WAITING:
            self.wakeup.async_cancel()
            self._arm(now)
        self._reconcile(now)
        self._changed()

    @callback
    def async_unskip(self) -> bool:
        """Undo :meth:`async_skip_next`: the skipped alarm rings; whether one was skipped."""
        if self.state.skip_through is None:
            return False
        self.async_set(unskip=True)
        return True

    # Subscribed to the coordinator -----------------------------------------------------------

    @callback
    def async_on_health(self, health: SourceHealth) -> None:
        """The source's health changed (standby, delivering, errors)."""
        self._source = health

    @callback
    def async_on_epoch(self, update: SleepUpdate) -> None:
        """One completed epoch (in the loop; the policy is cheap)."""
        health = self._health
        health.last_epoch_at = now = self.clock.now()
        if self.clock.scaled:
            # The tracker's clock is re-anchored on every epoch: what falls due on it is
            # done here, before the epoch is judged, and the timer is set again.
            self._reconcile(now)
        if self.learning.pending is not None:
            self._learn_epoch(update)
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
        if decision.light_sleep and not health.light_sleep_announced:
            health.light_sleep_announced = True
            self._fire(AlarmEvent.LIGHT_SLEEP_DETECTED, {"explanation": decision.explanation})
        health.light_sleep = decision.light_sleep
        if decision.trigger and decision.reason is not None:
            self._trigger(decision.reason, decision.explanation, self.clock.now())

    # The state machine (alarm_core/state.py) on the tracker's clock, with HA's timers -------

    def _next_deadline(self, now: datetime) -> datetime | None:
        return self.state.next_deadline(self.settings, now, dt_util.get_default_time_zone())

    @callback
    def _arm(self, now: datetime) -> None:
        """Wait for the next alarm (or switch off if there is none)."""
        self.policy.reset()
        self._health = _Health(last_epoch_at=self._health.last_epoch_at)
        self.state.arm(self.settings, now, dt_util.get_default_time_zone())

    @callback
    def _open_window(self, now: datetime) -> None:
        state = self.state
        assert state.deadline is not None
        assert state.window_start is not None
        start = max(state.window_start, now)
        state.phase = AlarmPhase.WINDOW
        self._health.errors_at_window = self._source.source_errors
        self._start_policy_window(start, state.deadline)
        self._fire(
            AlarmEvent.WINDOW_OPENED,
            {"alarm_time": iso(state.deadline), "window_start": iso(start)},
        )
        self._changed()

    @callback
    def _resume_window(self, now: datetime) -> None:
        """After a restart inside the window: the policy carries on (no new event)."""
        state = self.state
        assert state.deadline is not None
        assert state.window_start is not None
        self._health.errors_at_window = self._source.source_errors
        saved, self._policy_state = self._policy_state, None
        if now >= state.deadline:
            return  # past the set time: ``_reconcile`` rings at once
        try:
            if saved is None:
                raise ValueError("no saved policy state")
            self._apply_learning()
            self.policy.load_state(saved)
        except (KeyError, ValueError, TypeError) as err:
            LOGGER.info("%s: the alarm window starts over (%s)", self.entry.title, err)
            self._start_policy_window(max(state.window_start, now), state.deadline)

    @callback
    def _start_policy_window(self, start: datetime, deadline: datetime) -> None:
        """Open the policy's window; if it cannot, the alarm still rings at the set time."""
        try:
            self._apply_learning()
            self.policy.start_window(start.timestamp(), deadline.timestamp())
        except Exception as err:  # the alarm rings at the set time regardless
            LOGGER.exception("%s: the smart alarm policy could not start", self.entry.title)
            self._health.policy_error = repr(err)

    def _failsafe_problem(self, now: datetime) -> str | None:
        """Why the smart part could not work, or ``None`` if sleep data was flowing."""
        health = self._health
        return failsafe_problem(
            self._source,
            last_epoch_at=health.last_epoch_at,
            errors_at_window=health.errors_at_window,
            policy_error=health.policy_error,
            now=now,
        )

    @callback
    def _trigger(self, reason: TriggerReason, explanation: str, now: datetime) -> None:
        state = self.state
        if state.phase not in WAITING:
            return
        if reason is TriggerReason.DEADLINE:
            explanation += self.policy.learning_note(now.timestamp())
        state.ring(reason, now, explanation)
        if (deadline := state.deadline) is not None:
            self._learn_from(
                lambda: self.learning.on_ring(
                    deadline.timestamp(), now.timestamp(), early=reason in EARLY_REASONS
                )
            )
        self.policy.reset()
        LOGGER.info("%s: alarm rings (%s): %s", self.entry.title, reason, explanation)
        self._fire(
            AlarmEvent.TRIGGERED,
            {
                "reason": reason.value,
                "explanation": explanation,
                "alarm_time": iso(state.deadline),
            },
        )
        self.wakeup.async_ring()
        self._schedule(now)
        self._changed()

    @callback
    def _ring_again(self, now: datetime) -> None:
        """The snooze is over: a ring again, not a new decision (reason ``snooze_over``)."""
        state = self.state
        state.ring_again(now)
        explanation = "the snooze is over"
        if (first := state.woke_at) is not None:
            explanation += (
                f"; it first rang at {dt_util.as_local(first):%H:%M} ({state.reason or 'unknown'})"
            )
        self._fire(
            AlarmEvent.TRIGGERED,
            {"reason": SNOOZE_OVER, "explanation": explanation, "alarm_time": iso(state.deadline)},
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
        due = state.due(now)
        if due is Due.TIME_OUT:
            self._dismiss("timeout")
            return
        if due is Due.RING_AGAIN:
            self._ring_again(now)
        elif due is Due.GIVE_UP:
            assert state.deadline is not None
            LOGGER.warning(
                "%s: the alarm of %s could not ring (Home Assistant was not running)",
                self.entry.title,
                dt_util.as_local(state.deadline),
            )
            state.give_up()
            self._arm(now)
            self._changed()
            self._reconcile(now)
            return
        elif due is Due.RING:
            assert state.deadline is not None
            problem = self._failsafe_problem(now)
            self._trigger(
                *deadline_reason(state.deadline, now, problem, self._health.last_decision), now
            )
            return
        elif due is Due.OPEN_WINDOW:
            self._open_window(now)
        if state.phase in WAITING and state.deadline:
            start = self._sunrise_start()
            if start is not None and now >= start and self.wakeup.sunrise_progress is None:
                self.wakeup.async_start_sunrise(start, self.settings.sunrise_minutes)
        self._schedule(now)

    def _sunrise_start(self) -> datetime | None:
        return sunrise_start(
            self.state.window_start,
            self.settings.sunrise_minutes,
            self.wakeup.options.sunrise_lead_minutes,
            bool(self.wakeup.options.lights),
        )

    @callback
    def _schedule(self, now: datetime) -> None:
        """One timer, at the next instant something is due."""
        if self._timer is not None:
            self._timer()
            self._timer = None
        if not self.settings.enabled:
            return
        start = self._sunrise_start()
        pending_sunrise = start if self.wakeup.sunrise_progress is None else None
        future = [d for d in self.state.next_due(pending_sunrise) if d > now]
        if future:
            self._timer = async_track_point_in_utc_time(
                self.hass, self._async_due, self.clock.to_wall(min(future))
            )

    @callback
    def _async_due(self, now: datetime) -> None:
        self._timer = None
        self._reconcile(self.clock.now())

    @callback
    def _async_tick(self, _now: datetime) -> None:
        self._reconcile(self.clock.now())


class RadarSleepAlarmEntity(RadarSleepEntity):
    """An entity of the alarm, updated by the alarm rather than by every radar update.

    Always available: the alarm works without the radar.
    """

    def __init__(
        self,
        coordinator: RadarSleepCoordinator,
        alarm: AlarmController,
        description: EntityDescription,
    ) -> None:
        """Attach to the tracker's device and its alarm."""
        super().__init__(coordinator, description)
        self.alarm = alarm

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
