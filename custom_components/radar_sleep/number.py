"""Numbers: the smart window and the sunrise length of the alarm."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alarm import AlarmController, RadarSleepAlarmEntity
from .alarm_core.state import AlarmSettings
from .const import MAX_SUNRISE_MINUTES, MAX_WINDOW_MINUTES
from .runtime import RadarSleepConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class RadarSleepNumberDescription(NumberEntityDescription):
    """A setting of the alarm, in minutes."""

    value_fn: Callable[[AlarmSettings], int]
    set_fn: Callable[[AlarmController, int], None]


NUMBERS: tuple[RadarSleepNumberDescription, ...] = (
    RadarSleepNumberDescription(
        key="alarm_window",
        translation_key="alarm_window",
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        native_min_value=0,
        native_max_value=MAX_WINDOW_MINUTES,
        native_step=1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda s: s.window_minutes,
        set_fn=lambda alarm, v: alarm.async_set(window_minutes=v),
    ),
    RadarSleepNumberDescription(
        key="sunrise_length",
        translation_key="sunrise_length",
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        native_min_value=0,
        native_max_value=MAX_SUNRISE_MINUTES,
        native_step=1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda s: s.sunrise_minutes,
        set_fn=lambda alarm, v: alarm.async_set(sunrise_minutes=v),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RadarSleepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the alarm's window and sunrise length."""
    runtime = entry.runtime_data
    async_add_entities(
        RadarSleepAlarmNumber(runtime.coordinator, runtime.alarm, d) for d in NUMBERS
    )


class RadarSleepAlarmNumber(RadarSleepAlarmEntity, NumberEntity):
    """A setting of the alarm in minutes."""

    entity_description: RadarSleepNumberDescription

    @property
    def native_value(self) -> int:
        """Current setting."""
        return self.entity_description.value_fn(self.alarm.settings)

    async def async_set_native_value(self, value: float) -> None:
        """Change the setting."""
        self.entity_description.set_fn(self.alarm, round(value))
