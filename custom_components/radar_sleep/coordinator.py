"""Wires a frame source to the sleep pipeline and the entities (push, no polling).

The coordinator runs the entry's frame source in a background task, pushes each frame
through the sleep pipeline (each closed epoch in the executor) and publishes the updates. Who
needs more than the entities' data subscribes: the smart alarm to every epoch and to the
source's health (:meth:`RadarSleepCoordinator.async_add_sleep_listener`), the statistics to
every finished night (:meth:`RadarSleepCoordinator.async_add_night_listener`), the sleep
event entity to the night's moments (:meth:`RadarSleepCoordinator.async_add_event_listener`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field, replace
from functools import partial
import math
import time
from typing import TYPE_CHECKING, Any, Protocol, override

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .alarm_core.state import SourceHealth
from .clock import TrackerClock, scene_origin
from .const import (
    CONF_PORT,
    DOMAIN,
    LOGGER,
    RETRY_SECONDS,
    SAVE_INTERVAL_SECONDS,
    UNAVAILABLE_REPAIR_SECONDS,
)
from .contracts import REASON_KEYS, NightSummary, SleepUpdate
from .room_sensors import read_room, room_entities
from .sleep import EpochResult, SleepPipeline
from .sleep.epoch import EpochInput
from .sleep.events import SleepEvent, SleepEventTracker
from .sleep.learning import UserLearning
from .sleep.room import RoomSample
from .sleep.teach import learn
from .sources import (
    ConnectionSource,
    FrameSource,
    PacedSource,
    ResumableSource,
    pipeline_config,
    source_kind,
)
from .store import RadarSleepStore

if TYPE_CHECKING:
    from .runtime import RadarSleepConfigEntry


SLEEP_EVENTS_KEY = "sleep_events"
"""Key of the sleep event tracker's state in the saved night in progress."""


class SleepListener(Protocol):
    """What follows the sleep data beyond the entities (the smart alarm)."""

    def async_on_health(self, health: SourceHealth) -> None:
        """The source's health changed (called at once with the current health)."""

    def async_on_epoch(self, update: SleepUpdate) -> None:
        """One epoch was completed (after the entities were updated)."""


@dataclass(slots=True)
class RadarSleepData:
    """What the entities show."""

    update: SleepUpdate
    last_night: NightSummary | None = None


@dataclass(slots=True)
class RadarSleepStats:
    """Counters for diagnostics."""

    frames: int = 0
    epochs: int = 0
    sessions: int = 0
    source_errors: int = 0
    last_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class RadarSleepCoordinator(DataUpdateCoordinator[RadarSleepData]):
    """Runs the source in a background task and pushes pipeline updates to entities.

    Per frame only :meth:`SleepPipeline.push` runs in the event loop; each closed epoch is
    processed in the executor. Frame time drives every decision.
    """

    config_entry: RadarSleepConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: RadarSleepConfigEntry,
        source: FrameSource,
        store: RadarSleepStore,
        learning: UserLearning | None = None,
    ) -> None:
        """Set up around ``source``; it starts with :meth:`async_start`.

        ``learning``: what is learned from the user's nights, fed by the pipeline.
        """
        super().__init__(hass, LOGGER, config_entry=entry, name=entry.title, always_update=False)
        self.source = source
        if isinstance(self.source, ConnectionSource):
            self.source.on_connection = self._connection_changed
        self._store = store
        self._learning = learning
        self.clock = TrackerClock(source.speed if isinstance(source, PacedSource) else 1.0)
        """The time of the night being processed (Home Assistant's but for a source played
        faster or slower than real time); the smart alarm runs on it."""
        self._repair_timer: CALLBACK_TYPE | None = None
        self.pipeline: SleepPipeline
        self.stats = RadarSleepStats()
        self._t_offset = 0.0
        """Added to frame times after a restart, so that a live device's clock carries on the
        saved night's."""
        self._state_at = -math.inf
        self._task: asyncio.Task[None] | None = None
        self._epoch_job: asyncio.Future[Any] | None = None
        """The epoch being processed in the executor, if any."""
        self._sleep_listeners: list[SleepListener] = []
        self._night_listeners: list[Callable[[NightSummary], None]] = []
        self._event_listeners: list[Callable[[SleepEvent], None]] = []
        self.sleep_events = SleepEventTracker()
        """Turns the epochs into the night's moments (saved with the night in progress)."""
        self._health: SourceHealth | None = None
        self.room_entities = room_entities(entry.options)
        """The bedroom's sensors chosen in the options (read at the end of every epoch)."""

    @override
    async def _async_update_data(self) -> RadarSleepData:
        """Nothing to poll: data arrives from the source."""
        return self.data

    @property
    def standby(self) -> bool:
        """Whether sensing is switched off (saved, so it survives restarts)."""
        return self._store.standby

    async def async_load(self) -> None:
        """Build the pipeline (executor) and carry on the stored night in progress."""
        origin = dt_util.utcnow()
        starts_at = source_kind(self.config_entry.data).scene_starts_at
        if self.clock.scaled and starts_at is not None:
            origin = scene_origin(origin, starts_at, dt_util.get_default_time_zone())
        self.pipeline = await self.hass.async_add_executor_job(
            partial(
                SleepPipeline,
                pipeline_config(self.config_entry),
                origin=origin,
                learning=self._learning,
            )
        )
        store = self._store
        self.pipeline.set_teaching(learn(store.nights))
        if self.standby:
            # Started in standby: the live entities say so, as when it was switched on.
            self.pipeline.last_update = self.pipeline.idle_update(
                0.0, dict.fromkeys(REASON_KEYS, "standby")
            )
        elif (state := store.in_progress) and self._resumable():
            await self._async_restore(state)
        self.clock.anchor(self.pipeline.time_of(self.pipeline.last_t or 0.0))
        self.data = RadarSleepData(
            update=self.pipeline.last_update,
            last_night=store.nights[-1] if store.nights else None,
        )

    def _resumable(self) -> bool:
        """Whether the source can carry on a saved night (a capture replay starts over)."""
        return source_kind(self.config_entry.data).resumable

    async def _async_restore(self, state: dict[str, Any]) -> None:
        """Carry on the saved night: restore the pipeline and line the source's time up."""
        try:
            await self.hass.async_add_executor_job(self.pipeline.restore, state)
        except (KeyError, ValueError, TypeError, IndexError) as err:
            LOGGER.warning("%s: the saved night could not be restored (%s)", self.name, err)
            return
        try:
            self.sleep_events.load_state(state[SLEEP_EVENTS_KEY])
        except KeyError, ValueError, TypeError:
            self.sleep_events.prime(self.pipeline.last_update)
        last_t = self.pipeline.last_t or 0.0
        self.clock.carried_on = True
        if isinstance(self.source, ResumableSource):
            # The simulated night carries on at the start of the epoch that was open.
            self.source.resume_at(last_t)
        else:
            # Live devices count time from their start: map it onto the saved night's clock.
            self._t_offset = max((dt_util.utcnow() - self.pipeline.origin).total_seconds(), last_t)
        LOGGER.info(
            "%s: carrying on the night in progress (%d epochs saved)",
            self.name,
            len(self.pipeline.records),
        )

    # Subscribers ------------------------------------------------------------------------------

    @callback
    def async_add_sleep_listener(self, listener: SleepListener) -> CALLBACK_TYPE:
        """Hand ``listener`` every epoch and every change of the source's health.

        It gets the current health at once. Returns the remover.
        """
        self._sleep_listeners.append(listener)
        listener.async_on_health(self._current_health())
        return lambda: self._sleep_listeners.remove(listener)

    @callback
    def async_add_night_listener(self, listener: Callable[[NightSummary], None]) -> CALLBACK_TYPE:
        """Hand ``listener`` every finished night, after its write. Returns the remover.

        Also when the write failed: the store keeps the night until it is written.
        """
        self._night_listeners.append(listener)
        return lambda: self._night_listeners.remove(listener)

    @callback
    def async_add_event_listener(self, listener: Callable[[SleepEvent], None]) -> CALLBACK_TYPE:
        """Hand ``listener`` each moment of the night, once, in order. Returns the remover."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    def _current_health(self) -> SourceHealth:
        return SourceHealth(
            standby=self.standby,
            delivering=self.last_update_success,
            source_errors=self.stats.source_errors,
            last_error=self.stats.last_error,
        )

    @callback
    @override
    def async_update_listeners(self) -> None:
        """Update the entities; first tell the subscribers if the source's health changed.

        Every change of ``last_update_success`` (here and in ``DataUpdateCoordinator``) and of
        the error counters is followed by this call.
        """
        self._health_changed()
        super().async_update_listeners()

    @callback
    def _health_changed(self) -> None:
        """Tell the subscribers when standby, delivery or the error counters changed."""
        health = self._current_health()
        if health == self._health:
            return
        self._health = health
        for listener in list(self._sleep_listeners):
            listener.async_on_health(health)

    # The source -------------------------------------------------------------------------------

    def async_start(self) -> None:
        """Start consuming frames in a background task bound to the entry (not in standby)."""
        if self.standby or self._task is not None:
            return
        self._task = self.config_entry.async_create_background_task(
            self.hass, self._async_run(), f"{DOMAIN} source {self.config_entry.title}"
        )

    async def async_set_standby(self, standby: bool) -> None:
        """Standby on: close the source, drop buffered frames and the night in progress.

        Nothing is read from the radar while in standby (a serial port is closed); the
        choice is saved, so standby survives restarts. Off: sensing starts again.
        """
        if standby == self.standby:
            return
        self._store.standby = standby
        self._health_changed()
        if standby:
            await self._async_stop_source()
            self._clear_repair()
            self._drop_night("standby", self.data.last_night)
            LOGGER.info("%s: standby, sensing stopped", self.name)
        else:
            LOGGER.info("%s: sensing again", self.name)
            if self.clock.scaled and isinstance(self.source, ResumableSource):
                # A simulated night played at a speed went on meanwhile, on the tracker's
                # clock (which the alarm follows): it carries on at that clock's time.
                elapsed = (self.clock.now() - self.pipeline.origin).total_seconds()
                self.source.resume_at(max(elapsed, self.pipeline.last_t or 0.0))
            self.async_start()
            self.async_update_listeners()
        await self._store.async_save()

    async def async_forget(self) -> None:
        """Delete the sleep data: the stored nights and the night in progress.

        The source is stopped while the night in progress is dropped (an epoch being
        processed finishes first) and started again unless in standby; the alarm's settings
        and standby are kept. The nights' long-term statistics are cleared by the caller.
        """
        running = self._task is not None
        await self._async_stop_source()
        self._store.forget_nights()
        self._drop_night("standby" if self.standby else "data deleted", None)
        await self._store.async_save()
        LOGGER.info("%s: sleep data deleted", self.name)
        if running:
            self.async_start()

    async def async_between_epochs(self, change: Callable[[], None]) -> None:
        """Run ``change`` on the pipeline's state when no epoch is being processed.

        Epochs run in the executor; a change from the event loop (a reset of what was
        learned) waits for the epoch in flight, then runs before the next one can start.
        """
        while (job := self._epoch_job) is not None and not job.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(job)  # another epoch may start before this resumes
        change()

    async def _async_stop_source(self) -> None:
        """Stop consuming the source; wait for an epoch in the executor to finish."""
        if (task := self._task) is not None:
            self._task = None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if (job := self._epoch_job) is not None and not job.done():
            with contextlib.suppress(Exception):
                await job  # the pipeline and the sleep events are reset next
        last_t = self.pipeline.last_t
        if isinstance(self.source, ResumableSource) and last_t is not None:
            self.source.resume_at(last_t)

    def _drop_night(self, reason: str, last_night: NightSummary | None) -> None:
        """Forget the night in progress (source stopped) and show an idle tracker."""
        self.pipeline.reset()
        self.sleep_events.reset()
        self._store.snapshot = None
        update = self.pipeline.idle_update(
            self.pipeline.last_update.t, dict.fromkeys(REASON_KEYS, reason)
        )
        self.pipeline.last_update = update
        data = RadarSleepData(update, last_night)
        if self.last_update_success or self.standby:
            self.async_set_updated_data(data)  # available (standby is a state, not a fault)
        else:
            self.data = data  # a lost radar stays unavailable
            self.async_update_listeners()

    async def _async_run(self) -> None:
        """Consume the source forever, restarting it after a failure."""
        while True:
            try:
                await self._async_consume()
            except asyncio.CancelledError:
                raise
            except Exception as err:
                self.stats.source_errors += 1
                self.stats.last_error = repr(err)
                if self.last_update_success:
                    LOGGER.error("Radar source failed, retrying in %ss: %s", RETRY_SECONDS, err)
                self.last_update_success = False
                self.async_update_listeners()
                await asyncio.sleep(RETRY_SECONDS)
            else:
                # Only a finite source ends: a capture replay, at the end of its file.
                LOGGER.info(
                    "%s: the capture has been replayed to its end (%d frames); the entities "
                    "keep its last state until the tracker is reloaded, which plays it again",
                    self.config_entry.title,
                    self.stats.frames,
                )
                return

    async def _async_consume(self) -> None:
        pipeline = self.pipeline
        anchored = False
        async for raw in self.source.frames():
            frame = replace(raw, t=raw.t + self._t_offset) if self._t_offset else raw
            self.stats.frames += 1
            result = pipeline.push(frame)
            if not anchored or result.epoch is not None:
                # The tracker's clock follows the frames: at the first and once per epoch.
                self.clock.anchor(pipeline.time_of(frame.t))
                anchored = True
            if result.epoch is not None:
                room = read_room(self.hass, self.room_entities)
                job = self.hass.async_add_executor_job(self._process_epoch, result.epoch, room)
                self._epoch_job = job
                job.add_done_callback(_retrieve)
                # Shielded: a cancelled source task leaves the epoch to finish in its thread,
                # and standby waits for it before resetting what the thread works on.
                try:
                    epoch, events, state = await asyncio.shield(job)
                except Exception as err:
                    self._epoch_failed(result.epoch.index, err)
                    continue
                self.stats.epochs += 1
                if state is not None:
                    self._store.snapshot = state
                    self._store.async_delay_save()
                if epoch.summary is not None:
                    self.stats.sessions += 1
                    await self._async_night_ended(epoch.summary)
                self._publish(epoch.update)
                for listener in list(self._sleep_listeners):
                    listener.async_on_epoch(epoch.update)
                for event in events:
                    for event_listener in list(self._event_listeners):
                        event_listener(event)
            elif result.update is not None:
                self._publish(result.update)

    def _epoch_failed(self, index: int, err: Exception) -> None:
        """An epoch could not be processed: it is left out of the night (a gap in its summary).

        The entities are unavailable until an epoch goes through again; the source is not
        restarted (the next frames are already the next epoch's).
        """
        self.stats.source_errors += 1
        self.stats.last_error = repr(err)
        if self.last_update_success:
            LOGGER.error(
                "%s: epoch %d could not be processed and is left out of the night: %r",
                self.name,
                index,
                err,
                exc_info=err,
            )
        self.last_update_success = False
        self.async_update_listeners()

    def _process_epoch(
        self, epoch: EpochInput, room: RoomSample | None = None
    ) -> tuple[EpochResult, list[SleepEvent], dict[str, Any] | None]:
        """Executor: one epoch with the room's readings, its events, and a due snapshot.

        An epoch with events is always snapshotted, so that a restart carries on after the
        last announced event (never announcing it twice).
        """
        result = self.pipeline.process_epoch(epoch, room)
        events = self.sleep_events.step(result.update, result.summary)
        now = time.monotonic()
        if result.summary is None and not events and now - self._state_at < SAVE_INTERVAL_SECONDS:
            return result, events, None
        self._state_at = now
        state = self.pipeline.snapshot()
        state[SLEEP_EVENTS_KEY] = self.sleep_events.dump_state()
        return result, events, state

    def _publish(self, update: SleepUpdate) -> None:
        if not self.last_update_success:
            LOGGER.info("%s: the radar is delivering frames again", self.config_entry.title)
            self._clear_repair()
        self.async_set_updated_data(RadarSleepData(update, self.data.last_night))

    @callback
    def _connection_changed(self, connected: bool, error: str | None) -> None:
        """A serial device came or went: availability, a log line each way, repairs."""
        if connected:
            return  # the next frame publishes and logs the return
        if self.last_update_success:
            LOGGER.warning(
                "%s: lost the radar (%s); the night's session is kept and reconnection continues",
                self.config_entry.title,
                error,
            )
        self.last_update_success = False
        self.stats.last_error = error
        self.async_update_listeners()
        if self._repair_timer is None:
            self._repair_timer = async_call_later(
                self.hass, UNAVAILABLE_REPAIR_SECONDS, self._raise_repair
            )

    @callback
    def _raise_repair(self, _now: object) -> None:
        self._repair_timer = None
        if self.last_update_success:
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"device_unavailable_{self.config_entry.entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="device_unavailable",
            translation_placeholders={
                "name": self.config_entry.title,
                "port": str(self.config_entry.data.get(CONF_PORT, "")),
                "minutes": str(UNAVAILABLE_REPAIR_SECONDS // 60),
            },
        )

    @callback
    def _clear_repair(self) -> None:
        if self._repair_timer is not None:
            self._repair_timer()
            self._repair_timer = None
        ir.async_delete_issue(self.hass, DOMAIN, f"device_unavailable_{self.config_entry.entry_id}")

    @callback
    def async_shutdown_timers(self) -> None:
        """Cancel the repair timer (entry unload)."""
        if self._repair_timer is not None:
            self._repair_timer()
            self._repair_timer = None

    @callback
    def async_night_changed(self, summary: NightSummary) -> None:
        """A stored night changed (taught): the last night's entities show the new one."""
        last = self.data.last_night
        if last is not None and (last.night, last.session_start) == (
            summary.night,
            summary.session_start,
        ):
            self.async_set_updated_data(RadarSleepData(self.data.update, summary))

    async def _async_night_ended(self, summary: NightSummary) -> None:
        self._store.add_night(summary)
        self.data = RadarSleepData(self.data.update, summary)
        await self._store.async_save()
        for listener in list(self._night_listeners):
            listener(summary)
        LOGGER.debug("Night of %s ended: %s", summary.night, summary.metrics)


def _retrieve(job: asyncio.Future[Any]) -> None:
    """Mark an epoch job's failure as seen.

    It is handled where the job is awaited; an abandoned job (its source task was cancelled
    meanwhile) needs no report.
    """
    if not job.cancelled():
        job.exception()
