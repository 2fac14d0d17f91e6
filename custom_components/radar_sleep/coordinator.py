"""Wires a frame source to the sleep pipeline and the entities (push, no polling)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass, field, replace
from functools import partial
import math
from pathlib import Path
import time
from typing import TYPE_CHECKING, Any, Protocol, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .const import (
    CONF_BREATH_ENTITY,
    CONF_CAPTURE_PATH,
    CONF_DISTANCE_ENTITY,
    CONF_FAMILY,
    CONF_HEART_ENTITY,
    CONF_HISTORY_NIGHTS,
    CONF_PARTNER,
    CONF_PET,
    CONF_PORT,
    CONF_PRESENCE_ENTITY,
    CONF_PRESENCE_THRESHOLD,
    CONF_RADAR_POSITION,
    CONF_SEED,
    CONF_SESSION_END_MINUTES,
    CONF_SIDE,
    CONF_SOURCE,
    CONF_SPEED,
    DEFAULT_HISTORY_NIGHTS,
    DEFAULT_PRESENCE_THRESHOLD,
    DEFAULT_SESSION_END_MINUTES,
    DEFAULT_SPEED,
    DOMAIN,
    LOGGER,
    RETRY_SECONDS,
    SAVE_DELAY_SECONDS,
    SAVE_INTERVAL_SECONDS,
    SOURCE_ENTITIES,
    SOURCE_FMCW,
    SOURCE_SERIAL,
    STORAGE_VERSION,
    UNAVAILABLE_REPAIR_SECONDS,
)
from .contracts import EPOCH_SECONDS, Capabilities, NightSummary, SleepUpdate, VitalsFrame
from .entities_source import CAPABILITIES as ENTITY_CAPABILITIES, EntitiesSource, EntityMap
from .history import async_add_night_statistics
from .radar.families import get_family
from .radar.serial_source import SerialSource
from .simulation.bedroom import SimulatorConfig
from .simulation.source import SIMULATOR_CAPABILITIES, SimulatorSource
from .sleep import EpochResult, PipelineConfig, SleepPipeline
from .sleep.epoch import EpochInput
from .sleep.serialize import summary_from_dict, summary_to_dict

if TYPE_CHECKING:
    from .alarm import AlarmController


class FrameSource(Protocol):
    """Anything that yields frames (see ``simulation/source.py``)."""

    def frames(self) -> AsyncIterator[VitalsFrame]:
        """Yield frames in time order."""


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


_REASON_KEYS = ("presence", "session", "user", "intent", "stage")

type RadarSleepConfigEntry = ConfigEntry[RadarSleepCoordinator]


def capabilities(entry: ConfigEntry) -> Capabilities:
    """What the entry's source can deliver."""
    if entry.data[CONF_SOURCE] == SOURCE_SERIAL:
        return get_family(entry.data[CONF_FAMILY]).capabilities
    if entry.data[CONF_SOURCE] == SOURCE_ENTITIES:
        return ENTITY_CAPABILITIES
    if entry.data[CONF_SOURCE] == SOURCE_FMCW:
        return get_family("fmcw").capabilities
    return SIMULATOR_CAPABILITIES


def pipeline_config(hass: HomeAssistant, entry: ConfigEntry) -> PipelineConfig:
    """The pipeline's settings from the entry's data and options."""
    return PipelineConfig(
        stages_available=capabilities(entry).can_stage_sleep,
        side=entry.data[CONF_SIDE],
        radar_position=entry.data[CONF_RADAR_POSITION],
        presence_threshold=float(
            entry.options.get(CONF_PRESENCE_THRESHOLD, DEFAULT_PRESENCE_THRESHOLD)
        ),
        session_end_minutes=float(
            entry.options.get(CONF_SESSION_END_MINUTES, DEFAULT_SESSION_END_MINUTES)
        ),
        time_zone=dt_util.get_default_time_zone(),
    )


def resolve_capture_path(config_dir: str, path: str) -> Path:
    """A capture path as given (absolute, or relative to Home Assistant's config folder)."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else Path(config_dir) / candidate


def build_source(hass: HomeAssistant, entry: ConfigEntry) -> FrameSource:
    """The entry's frame source."""
    if entry.data[CONF_SOURCE] == SOURCE_SERIAL:
        return SerialSource(entry.data[CONF_FAMILY], entry.data[CONF_PORT])
    if entry.data[CONF_SOURCE] == SOURCE_FMCW:
        from .radar.fmcw.replay import FmcwReplaySource  # noqa: PLC0415 - numpy DSP module

        path = resolve_capture_path(hass.config.config_dir, entry.data[CONF_CAPTURE_PATH])
        return FmcwReplaySource(path, speed=float(entry.options.get(CONF_SPEED, 1.0)))
    if entry.data[CONF_SOURCE] == SOURCE_ENTITIES:
        zone = pipeline_config(hass, entry).zone
        return EntitiesSource(
            hass,
            EntityMap(
                presence=entry.data[CONF_PRESENCE_ENTITY],
                breath_rate=entry.data.get(CONF_BREATH_ENTITY),
                heart_rate=entry.data.get(CONF_HEART_ENTITY),
                distance=entry.data.get(CONF_DISTANCE_ENTITY),
            ),
            user_distance_m=(zone.min_distance_m + zone.max_distance_m) / 2,
        )
    config = SimulatorConfig(
        seed=int(entry.data[CONF_SEED]),
        user_side=entry.data[CONF_SIDE],
        radar_position=entry.data[CONF_RADAR_POSITION],
        partner=bool(entry.data[CONF_PARTNER]),
        pet=bool(entry.data[CONF_PET]),
    )
    return SimulatorSource(config, speed=float(entry.options.get(CONF_SPEED, DEFAULT_SPEED)))


class RadarSleepCoordinator(DataUpdateCoordinator[RadarSleepData]):
    """Runs the source in a background task and pushes pipeline updates to entities.

    Per frame only :meth:`SleepPipeline.push` runs in the event loop; each closed epoch is
    processed in the executor. Frame time drives every decision.
    """

    config_entry: RadarSleepConfigEntry

    def __init__(self, hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
        """Set up the pipeline; the source starts with :meth:`async_start`."""
        super().__init__(hass, LOGGER, config_entry=entry, name=entry.title, always_update=False)
        self.source: FrameSource = build_source(hass, entry)
        if isinstance(self.source, SerialSource):
            self.source.on_connection = self._connection_changed
        self._repair_timer: CALLBACK_TYPE | None = None
        self.pipeline: SleepPipeline
        self.stats = RadarSleepStats()
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}"
        )
        self.nights: list[NightSummary] = []
        """Past nights, oldest first, at most the retention option's number."""
        self._t_offset = 0.0
        """Added to frame times after a restart, so that a live device's clock carries on the
        saved night's."""
        self._nights_data: list[dict[str, Any]] = []
        """``nights`` as stored (built once per night, not at every save in the loop)."""
        self._state: dict[str, Any] | None = None
        """The latest snapshot of the night in progress (what storage holds)."""
        self._state_at = -math.inf
        self.standby = False
        self._task: asyncio.Task[None] | None = None
        self.alarm: AlarmController | None = None
        """The smart alarm (set up by ``integration.py``): it gets every epoch's update, and
        its settings and state are saved with the night."""
        self.stored_alarm: dict[str, Any] | None = None
        """The alarm as storage held it at start-up."""

    @override
    async def _async_update_data(self) -> RadarSleepData:
        """Nothing to poll: data arrives from the source."""
        return self.data

    async def async_load(self) -> None:
        """Build the pipeline (executor), restore past nights and the night in progress."""
        self.pipeline = await self.hass.async_add_executor_job(
            partial(
                SleepPipeline,
                pipeline_config(self.hass, self.config_entry),
                origin=dt_util.utcnow(),
            )
        )
        stored = await self._store.async_load() or {}
        nights: list[NightSummary] = []
        for item in stored.get("nights") or (
            [stored["last_night"]] if stored.get("last_night") else []
        ):
            try:
                nights.append(summary_from_dict(item))
            except (KeyError, ValueError, TypeError) as err:
                LOGGER.warning("%s: ignoring an unreadable stored night: %s", self.name, err)
        self.nights = nights[-self._retention :]
        self._nights_data = [summary_to_dict(n) for n in self.nights]
        self.standby = bool(stored.get("standby", False))
        self.stored_alarm = stored.get("alarm")
        if (state := stored.get("in_progress")) and self._resumable() and not self.standby:
            await self._async_restore(state)
        self.data = RadarSleepData(
            update=self.pipeline.last_update, last_night=self.nights[-1] if self.nights else None
        )

    @property
    def _retention(self) -> int:
        return int(self.config_entry.options.get(CONF_HISTORY_NIGHTS, DEFAULT_HISTORY_NIGHTS))

    def _resumable(self) -> bool:
        """Whether the source can carry on a saved night (a capture replay starts over)."""
        return bool(self.config_entry.data[CONF_SOURCE] != SOURCE_FMCW)

    async def _async_restore(self, state: dict[str, Any]) -> None:
        """Carry on the saved night: restore the pipeline and line the source's time up."""
        try:
            await self.hass.async_add_executor_job(self.pipeline.restore, state)
        except (KeyError, ValueError, TypeError, IndexError) as err:
            LOGGER.warning("%s: the saved night could not be restored (%s)", self.name, err)
            return
        last_t = self.pipeline.last_t or 0.0
        if isinstance(self.source, SimulatorSource):
            # The simulated night carries on at the start of the epoch that was open.
            self.source.start_t = math.floor(last_t / EPOCH_SECONDS) * EPOCH_SECONDS
        else:
            # Live devices count time from their start: map it onto the saved night's clock.
            self._t_offset = max((dt_util.utcnow() - self.pipeline.origin).total_seconds(), last_t)
        LOGGER.info(
            "%s: carrying on the night in progress (%d epochs saved)",
            self.name,
            len(self.pipeline.records),
        )

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
        self.standby = standby
        if standby:
            if (task := self._task) is not None:
                self._task = None
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            last_t = self.pipeline.last_t
            if isinstance(self.source, SimulatorSource) and last_t is not None:
                self.source.start_t = math.floor(last_t / EPOCH_SECONDS) * EPOCH_SECONDS
            self.pipeline.reset()
            self._state = None
            self._clear_repair()
            update = self.pipeline.idle_update(
                self.pipeline.last_update.t, dict.fromkeys(_REASON_KEYS, "standby")
            )
            self.pipeline.last_update = update
            self.last_update_success = True
            self.async_set_updated_data(RadarSleepData(update, self.data.last_night))
            LOGGER.info("%s: standby, sensing stopped", self.name)
        else:
            LOGGER.info("%s: sensing again", self.name)
            self.async_start()
            self.async_update_listeners()
        await self._store.async_save(self._data_to_store())

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
                return

    async def _async_consume(self) -> None:
        pipeline = self.pipeline
        async for raw in self.source.frames():
            frame = replace(raw, t=raw.t + self._t_offset) if self._t_offset else raw
            self.stats.frames += 1
            result = pipeline.push(frame)
            if result.epoch is not None:
                epoch, state = await self.hass.async_add_executor_job(
                    self._process_epoch, result.epoch
                )
                self.stats.epochs += 1
                if state is not None:
                    self._state = state
                    self._store.async_delay_save(self._data_to_store, SAVE_DELAY_SECONDS)
                if epoch.summary is not None:
                    self.stats.sessions += 1
                    await self._async_night_ended(epoch.summary)
                self._publish(epoch.update)
                if self.alarm is not None:
                    self.alarm.async_observe(epoch.update)
            elif result.update is not None:
                self._publish(result.update)

    def _process_epoch(self, epoch: EpochInput) -> tuple[EpochResult, dict[str, Any] | None]:
        """Executor: one epoch, and a snapshot of the night when one is due."""
        result = self.pipeline.process_epoch(epoch)
        now = time.monotonic()
        if result.summary is None and now - self._state_at < SAVE_INTERVAL_SECONDS:
            return result, None
        self._state_at = now
        return result, self.pipeline.snapshot()

    def _data_to_store(self) -> dict[str, Any]:
        return {
            "nights": self._nights_data,
            "in_progress": self._state,
            "standby": self.standby,
            "alarm": self.alarm.as_dict() if self.alarm is not None else self.stored_alarm,
        }

    async def async_save_now(self) -> None:
        """Write everything now (entry unload, Home Assistant stopping)."""
        await self._store.async_save(self._data_to_store())

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

    async def _async_night_ended(self, summary: NightSummary) -> None:
        self.nights = [*self.nights, summary][-self._retention :]
        self._nights_data = [*self._nights_data, summary_to_dict(summary)][-self._retention :]
        self.data = RadarSleepData(self.data.update, summary)
        await self._store.async_save(self._data_to_store())
        async_add_night_statistics(self.hass, self.config_entry, summary)
        LOGGER.debug("Night of %s ended: %s", summary.night, summary.metrics)
