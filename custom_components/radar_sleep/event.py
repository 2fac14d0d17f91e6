"""Event: the life of the smart alarm, as ``sleep_as_android`` reports its alarm clock."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alarm import RadarSleepAlarmEntity
from .alarm_core.state import AlarmEvent
from .runtime import RadarSleepConfigEntry

PARALLEL_UPDATES = 0

ALARM = EventEntityDescription(
    key="alarm", translation_key="alarm", event_types=[e.value for e in AlarmEvent]
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RadarSleepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the alarm's event entity."""
    runtime = entry.runtime_data
    async_add_entities([RadarSleepAlarmEventEntity(runtime.coordinator, runtime.alarm, ALARM)])


class RadarSleepAlarmEventEntity(RadarSleepAlarmEntity, EventEntity):
    """The alarm's life as events.

    ``window_opened``, ``light_sleep_detected``, ``triggered`` (with ``reason`` and
    ``explanation``), ``snoozed``, ``dismissed``, ``skipped``.
    """

    _unrecorded_attributes = frozenset({"explanation"})

    async def async_added_to_hass(self) -> None:
        """Follow the alarm's events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.alarm.async_add_event_listener(self._handle_alarm_event))

    @callback
    def _handle_alarm_update(self) -> None:
        """Settings changes are not events."""

    @callback
    def _handle_alarm_event(self, event: AlarmEvent, attributes: dict[str, Any]) -> None:
        self._trigger_event(event.value, attributes)
        self.async_write_ha_state()
