"""Time: when the smart alarm rings at the latest (the set time)."""

from __future__ import annotations

from datetime import time

from homeassistant.components.time import TimeEntity, TimeEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alarm import RadarSleepAlarmEntity
from .runtime import RadarSleepConfigEntry

PARALLEL_UPDATES = 0

ALARM_TIME = TimeEntityDescription(key="alarm_time", translation_key="alarm_time")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RadarSleepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the tracker's alarm time."""
    runtime = entry.runtime_data
    async_add_entities([RadarSleepAlarmTime(runtime.coordinator, runtime.alarm, ALARM_TIME)])


class RadarSleepAlarmTime(RadarSleepAlarmEntity, TimeEntity):
    """The set time, in Home Assistant's time zone; the alarm rings at it at the latest."""

    @property
    def native_value(self) -> time:
        """The set time."""
        return self.alarm.settings.time

    async def async_set_value(self, value: time) -> None:
        """Set the time (the next alarm is worked out again)."""
        self.alarm.async_set(at=value)
