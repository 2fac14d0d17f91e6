"""Events: the night's moments and the smart alarm's life (as ``sleep_as_android`` reports)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alarm import RadarSleepAlarmEntity
from .alarm_core.state import AlarmEvent
from .entity import RadarSleepEntity
from .runtime import RadarSleepConfigEntry
from .sleep.events import SleepEvent, SleepEventType

PARALLEL_UPDATES = 0

ALARM = EventEntityDescription(
    key="alarm", translation_key="alarm", event_types=[e.value for e in AlarmEvent]
)

SLEEP = EventEntityDescription(
    key="sleep", translation_key="sleep", event_types=[e.value for e in SleepEventType]
)

HUNCH_OUTCOMES = ["suggested", "acted", "accepted", "dismissed", "muted", "automatic", "expired"]
"""What became of a hunch (:mod:`.hunches`)."""
HUNCH = EventEntityDescription(key="hunch", translation_key="hunch", event_types=HUNCH_OUTCOMES)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RadarSleepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the night's and the alarm's event entities."""
    runtime = entry.runtime_data
    async_add_entities(
        [
            RadarSleepEventEntity(runtime.coordinator, SLEEP),
            RadarSleepAlarmEventEntity(runtime.coordinator, runtime.alarm, ALARM),
            RadarSleepHunchEventEntity(runtime.coordinator, HUNCH),
        ]
    )


class RadarSleepEventEntity(RadarSleepEntity, EventEntity):
    """The night's moments as events (:mod:`.sleep.events`), each once, in order.

    Attributes ``time`` (when it happened, which may be before it could be known) and
    ``reason`` (the pipeline's reason behind it).
    """

    async def async_added_to_hass(self) -> None:
        """Follow the night's events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_add_event_listener(self._handle_sleep_event))

    @callback
    def _handle_sleep_event(self, event: SleepEvent) -> None:
        self._trigger_event(
            event.type.value, {"time": event.time.isoformat(), "reason": event.reason}
        )
        self.async_write_ha_state()


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


class RadarSleepHunchEventEntity(RadarSleepEntity, EventEntity):
    """Bedtime hunches as events (:data:`HUNCH_OUTCOMES`: suggested, acted, accepted...).

    Attributes ``hunch`` (the entity id looked at, ``alarm``, or ``automatic_<kind>`` for an
    offer), ``kind``, ``reason`` (what was seen and when, in words) and ``message`` (the
    question or what was done). See docs/hunches.md.
    """

    async def async_added_to_hass(self) -> None:
        """Follow the hunches."""
        await super().async_added_to_hass()
        hunches = self.coordinator.config_entry.runtime_data.hunches
        self.async_on_remove(hunches.async_add_listener(self._handle_hunch))

    @callback
    def _handle_hunch(self, outcome: str, attributes: dict[str, Any]) -> None:
        self._trigger_event(outcome, attributes)
        self.async_write_ha_state()
