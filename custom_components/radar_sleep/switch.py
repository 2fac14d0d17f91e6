"""Switches: the smart alarm on or off, and standby.

Standby really stops sensing (the radar is closed, buffered data dropped).
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alarm import RadarSleepAlarmEntity
from .entity import RadarSleepEntity
from .runtime import RadarSleepConfigEntry

PARALLEL_UPDATES = 1

STANDBY = SwitchEntityDescription(
    key="standby", translation_key="standby", entity_category=EntityCategory.CONFIG
)
ALARM = SwitchEntityDescription(key="alarm_enabled", translation_key="alarm_enabled")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RadarSleepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the tracker's alarm and standby switches."""
    runtime = entry.runtime_data
    async_add_entities(
        [
            RadarSleepAlarmSwitch(runtime.coordinator, runtime.alarm, ALARM),
            RadarSleepStandbySwitch(runtime.coordinator, STANDBY),
        ]
    )


class RadarSleepAlarmSwitch(RadarSleepAlarmEntity, SwitchEntity):
    """On: the smart alarm rings on its days; off: it does not (and stops if ringing).

    Its attributes show what the alarm learned about when its user likes to be woken.
    """

    _unrecorded_attributes = frozenset({"learned_because", "last_lesson"})

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The learned patience, from how many mornings, and why."""
        return self.alarm.learning.summary()

    @property
    def is_on(self) -> bool:
        """Whether the alarm is enabled."""
        return self.alarm.settings.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Enable the alarm."""
        self.alarm.async_set(enabled=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Disable the alarm."""
        self.alarm.async_set(enabled=False)


class RadarSleepStandbySwitch(RadarSleepEntity, SwitchEntity):
    """On: no sensing at all; off: the radar is read and the night is tracked."""

    @property
    def available(self) -> bool:
        """Standby can be switched whether or not the radar is delivering frames."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether the tracker is in standby."""
        return self.coordinator.standby

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Stop sensing: close the source and forget the night in progress."""
        await self.coordinator.async_set_standby(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Start sensing again."""
        await self.coordinator.async_set_standby(False)
