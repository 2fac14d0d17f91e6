"""Home Assistant entry points of Radar Sleep (re-exported by the package)."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_IMPORT
from homeassistant.const import CONF_NAME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import probatio

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
from .runtime import RadarSleepConfigEntry, async_create_runtime, async_start_runtime
from .services import async_setup_services

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
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
    """Register the actions; import YAML-defined trackers (development and demo setups)."""
    async_setup_services(hass)
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
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_start_runtime(runtime)
    LOGGER.info("%s: Radar Sleep set up on the %s source", entry.title, entry.data[CONF_SOURCE])
    return True


async def async_unload_entry(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> bool:
    """Unload a tracker; its source task is cancelled with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
