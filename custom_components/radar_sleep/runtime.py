"""Home Assistant entry points; what a loaded tracker is made of (coordinator, alarm, store).

They are created together when the entry is set up (:func:`async_create_runtime`) and held
as the entry's typed runtime data. The wiring runs one way: the coordinator publishes, the
alarm and the statistics subscribe, and the coordinator and the alarm save through the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.const import CONF_NAME, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    area_registry as ar,
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    restore_state,
)
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.typing import ConfigType
import probatio

from .alarm import AlarmController
from .alarm_core.policy import AlarmPolicyParams, default_params
from .alarm_learning import AlarmLearningStore, async_remove_alarm_learning
from .assist import async_setup_assist, async_setup_assist_entry
from .const import (
    CONF_PARTNER,
    CONF_PET,
    CONF_RADAR_POSITION,
    CONF_SEED,
    CONF_SIDE,
    CONF_SOURCE,
    CONF_SPEED,
    DOMAIN,
    LOGGER,
    RADAR_POSITIONS,
    SIDES,
    SOURCE_SIMULATOR,
)
from .coordinator import RadarSleepCoordinator
from .hunches import HunchController, async_remove_hunches
from .learning import LearningStore, async_remove_learning
from .room_sensors import async_follow_renamed_room_entities
from .services import async_setup_services
from .sleep.learning import UserLearning
from .sources import build_source
from .statistics import async_add_night_statistics, async_clear_night_statistics
from .store import RadarSleepStore, async_clear_unreadable, async_remove_store


@dataclass(frozen=True, kw_only=True, slots=True)
class RuntimeData:
    """A loaded tracker."""

    coordinator: RadarSleepCoordinator
    """The frame source, the sleep pipeline and what the entities show."""
    alarm: AlarmController
    """The smart alarm (follows the coordinator's epochs and source health)."""
    store: RadarSleepStore
    """Past nights, the night in progress, standby and the alarm, across restarts."""
    hunches: HunchController
    """Bedtime hunches: the chosen entities looked at, suggestions, answers and lessons."""
    learning: LearningStore
    """What is learned from the user's nights (calibration, stage adaptation)."""


type RadarSleepConfigEntry = ConfigEntry[RuntimeData]


DEFAULT_AREA = "Bedroom"
"""The tracker's area where Home Assistant has no translation of onboarding's bedroom."""


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
    learning = LearningStore(hass, entry, await hass.async_add_executor_job(UserLearning))
    await learning.async_load()
    coordinator = RadarSleepCoordinator(
        hass, entry, build_source(hass, entry), store, learning.learning
    )
    await store.async_load()
    await coordinator.async_load()
    params = await hass.async_add_executor_job(_alarm_params)
    alarm_learning = AlarmLearningStore(hass, entry)
    await alarm_learning.async_load()
    alarm = AlarmController(
        hass, entry, store, params, coordinator.clock, learning_store=alarm_learning
    )
    store.dump_alarm = alarm.as_dict
    entry.async_on_unload(coordinator.async_shutdown_timers)
    entry.async_on_unload(store.async_unload)
    entry.async_on_unload(learning.async_save)
    entry.async_on_unload(alarm_learning.async_save)
    entry.async_on_unload(alarm.async_shutdown)
    entry.async_on_unload(coordinator.async_add_sleep_listener(alarm))
    entry.async_on_unload(coordinator.async_add_night_listener(learning.async_night_ended))
    entry.async_on_unload(
        coordinator.async_add_night_listener(partial(async_add_night_statistics, hass, entry))
    )
    hunches = HunchController(hass, entry, alarm)
    await hunches.async_load()
    entry.async_on_unload(hunches.async_save)
    entry.async_on_unload(coordinator.async_add_event_listener(hunches.async_on_sleep_event))
    entry.async_on_unload(hunches.async_start())
    return RuntimeData(
        coordinator=coordinator, alarm=alarm, store=store, hunches=hunches, learning=learning
    )


def async_start_runtime(runtime: RuntimeData) -> None:
    """Start the alarm's timers and the coordinator's source (after the platforms are set up)."""
    runtime.alarm.async_start()
    runtime.coordinator.async_start()


PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]

# YAML exists only so that a development or demo instance (scripts/develop) comes up with the
# simulated bedroom already set up; it is imported once into a config entry.
_YAML_ITEM = probatio.Schema(
    {
        probatio.Required(CONF_NAME): cv.string,
        probatio.Optional(CONF_SOURCE, default=SOURCE_SIMULATOR): probatio.In([SOURCE_SIMULATOR]),
        probatio.Optional(CONF_SIDE, default="left"): probatio.In(SIDES),
        probatio.Optional(CONF_RADAR_POSITION, default="left_table"): probatio.In(RADAR_POSITIONS),
        probatio.Optional(CONF_SEED, default=1): cv.positive_int,
        probatio.Optional(CONF_PARTNER, default=True): cv.boolean,
        probatio.Optional(CONF_PET, default=False): cv.boolean,
        probatio.Optional(CONF_SPEED, default=1.0): probatio.All(
            probatio.Coerce(float), probatio.Range(min=0, max=3600)
        ),
    }
)
CONFIG_SCHEMA = probatio.Schema(
    {DOMAIN: probatio.All(cv.ensure_list, [_YAML_ITEM])}, extra=probatio.ALLOW_EXTRA
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and intents; import YAML trackers (development and demo setups)."""
    async_setup_services(hass)
    async_setup_assist(hass)
    items: list[dict[str, Any]] = config.get(DOMAIN, [])
    for item in items:
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_IMPORT}, data=dict(item)
            )
        )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> bool:
    """Set up a tracker: restore last night and the alarm, start the source, add entities."""
    entry.runtime_data = runtime = await async_create_runtime(hass, entry)
    devices = dr.async_get(hass)
    new_device = (
        devices.async_get_device_by_identifier((DOMAIN, entry.entry_id), entry.entry_id) is None
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(async_follow_renamed_room_entities(hass, entry))
    if new_device:
        await async_place_in_bedroom(hass, entry)
    async_setup_assist_entry(hass, entry)
    async_start_runtime(runtime)
    LOGGER.info("%s: Radar Sleep set up on the %s source", entry.title, entry.data[CONF_SOURCE])
    return True


async def async_place_in_bedroom(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
    """Put the tracker's new device in the bedroom area (onboarding's, or a new one).

    Done once the entities are registered, as a user would in the dialog that follows the
    setup, and not with ``DeviceInfo.suggested_area``: Home Assistant puts the area's name in
    the entity ids it generates for a device that has an area, and a tracker named after its
    room would get ``sensor.bedroom_bedroom_sleep_stage``. The area is the one onboarding
    created, in Home Assistant's language ("Bedroom" in English). A device the user has put in
    an area (or taken out of one) is never moved.
    """
    devices = dr.async_get(hass)
    device = devices.async_get_device_by_identifier((DOMAIN, entry.entry_id), entry.entry_id)
    if device is None or device.area_id is not None:
        return
    translations = await async_get_translations(hass, hass.config.language, "area", {"onboarding"})
    name = translations.get("component.onboarding.area.bedroom") or DEFAULT_AREA
    area = ar.async_get(hass).async_get_or_create(name)
    devices.async_update_device(device.id, area_id=area.id)


async def async_unload_entry(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> bool:
    """Unload a tracker; its source task is cancelled with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
    """The tracker is deleted: so are its nights, storage files, statistics and lessons."""
    await async_remove_store(hass, entry)
    await async_remove_alarm_learning(hass, entry)
    await async_remove_hunches(hass, entry.entry_id)
    await async_remove_learning(hass, entry.entry_id)
    await async_clear_unreadable(hass, entry.entry_id)
    async_clear_night_statistics(hass, entry)
    async_forget_last_states(hass, entry)


@callback
def async_forget_last_states(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
    """Drop the last states Home Assistant keeps of the deleted tracker's entities.

    Home Assistant keeps an entity's last state by entity id when the entity is removed, and
    hands it to the next entity added with that id: a tracker added again with the same name
    would show the deleted one's last sleep and alarm events as its own, and automations on
    them would run for an event that never happened to it.
    """
    last_states = restore_state.async_get(hass).last_states
    for registered in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        last_states.pop(registered.entity_id, None)


async def async_forget_data(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
    """Delete a loaded tracker's sleep data: its nights, the night in progress, statistics.

    With the copies of its files that could not be read, and their repairs.
    """
    await entry.runtime_data.coordinator.async_forget()
    await async_clear_unreadable(hass, entry.entry_id)
    async_clear_night_statistics(hass, entry)
