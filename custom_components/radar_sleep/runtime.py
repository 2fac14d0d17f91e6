"""What a loaded tracker is made of: its coordinator, its smart alarm and its store.

They are created together when the entry is set up (:func:`async_create_runtime`) and held
as the entry's typed runtime data. The wiring runs one way: the coordinator publishes, the
alarm and the statistics subscribe, and the coordinator and the alarm save through the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .alarm import AlarmController
from .alarm_core.policy import AlarmPolicyParams, default_params
from .const import LOGGER
from .coordinator import RadarSleepCoordinator
from .sources import build_source
from .statistics import async_add_night_statistics
from .store import RadarSleepStore


@dataclass(frozen=True, kw_only=True, slots=True)
class RuntimeData:
    """A loaded tracker."""

    coordinator: RadarSleepCoordinator
    """The frame source, the sleep pipeline and what the entities show."""
    alarm: AlarmController
    """The smart alarm (follows the coordinator's epochs and source health)."""
    store: RadarSleepStore
    """Past nights, the night in progress, standby and the alarm, across restarts."""


type RadarSleepConfigEntry = ConfigEntry[RuntimeData]


def _alarm_params() -> AlarmPolicyParams:
    """The smart alarm policy's fitted parameters (executor: reads a file)."""
    try:
        return default_params()
    except (OSError, TypeError, ValueError) as err:  # the alarm works on the defaults
        LOGGER.error("The smart alarm's parameters could not be read (%s): using defaults", err)
        return AlarmPolicyParams()


async def async_create_runtime(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> RuntimeData:
    """Restore the tracker from its store and wire its parts (nothing runs yet).

    The coordinator's source and the alarm's timers start with :func:`async_start_runtime`;
    everything is stopped and saved when the entry unloads.
    """
    store = RadarSleepStore(hass, entry)
    coordinator = RadarSleepCoordinator(hass, entry, build_source(hass, entry), store)
    await store.async_load()
    await coordinator.async_load()
    params = await hass.async_add_executor_job(_alarm_params)
    alarm = AlarmController(hass, entry, store, params)
    store.dump_alarm = alarm.as_dict
    entry.async_on_unload(coordinator.async_shutdown_timers)
    entry.async_on_unload(store.async_save)
    entry.async_on_unload(alarm.async_shutdown)
    entry.async_on_unload(coordinator.async_add_sleep_listener(alarm))
    entry.async_on_unload(
        coordinator.async_add_night_listener(partial(async_add_night_statistics, hass, entry))
    )
    return RuntimeData(coordinator=coordinator, alarm=alarm, store=store)


def async_start_runtime(runtime: RuntimeData) -> None:
    """Start the alarm's timers and the coordinator's source (after the platforms are set up)."""
    runtime.alarm.async_start()
    runtime.coordinator.async_start()
