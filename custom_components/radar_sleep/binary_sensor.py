"""Binary sensors: presence, in bed, trying to sleep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .contracts import REASON_INTENT, REASON_PRESENCE, REASON_SESSION, SleepUpdate
from .entity import RadarSleepEntity
from .runtime import RadarSleepConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class RadarSleepBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor computed from the live update."""

    value_fn: Callable[[SleepUpdate], bool]
    reason_key: str


BINARY_SENSORS: tuple[RadarSleepBinarySensorDescription, ...] = (
    RadarSleepBinarySensorDescription(
        key="presence",
        translation_key="presence",
        device_class=BinarySensorDeviceClass.OCCUPANCY,
        value_fn=lambda u: u.present,
        reason_key=REASON_PRESENCE,
    ),
    RadarSleepBinarySensorDescription(
        key="in_bed",
        translation_key="in_bed",
        device_class=BinarySensorDeviceClass.OCCUPANCY,
        value_fn=lambda u: u.in_bed,
        reason_key=REASON_SESSION,
    ),
    RadarSleepBinarySensorDescription(
        key="trying_to_sleep",
        translation_key="trying_to_sleep",
        value_fn=lambda u: u.trying_to_sleep,
        reason_key=REASON_INTENT,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RadarSleepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the tracker's binary sensors."""
    async_add_entities(
        RadarSleepBinarySensor(entry.runtime_data.coordinator, description)
        for description in BINARY_SENSORS
    )


class RadarSleepBinarySensor(RadarSleepEntity, BinarySensorEntity):
    """A live binary sensor."""

    entity_description: RadarSleepBinarySensorDescription
    _unrecorded_attributes = frozenset({"reason"})

    @property
    def is_on(self) -> bool:
        """Current value."""
        return self.entity_description.value_fn(self.coordinator.data.update)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Why the pipeline decided so."""
        reason = self.coordinator.data.update.reasons.get(self.entity_description.reason_key)
        return {"reason": reason} if reason else {}
