"""Base entity of Radar Sleep."""

from __future__ import annotations

from typing import Final, override

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import RadarSleepCoordinator
from .sources import source_kind

STABLE_OBJECT_IDS: Final = {"alarm_enabled": "Alarm", "alarm_time": "Alarm time"}
"""Entity ids of entities whose names changed follow their first name (``switch.bedroom_alarm``,
``time.bedroom_alarm_time``), so that automations, blueprints and the docs work on every
install. Existing installs keep their ids anyway: the registry holds them."""


class RadarSleepEntity(CoordinatorEntity[RadarSleepCoordinator]):
    """An entity of one tracker (one device per config entry)."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: RadarSleepCoordinator, description: EntityDescription) -> None:
        """Attach to the tracker's device."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Radar Sleep",
            model=source_kind(entry.data).model,
        )

    @property
    @override
    def suggested_object_id(self) -> str | None:
        """The name the entity id is made of (see :data:`STABLE_OBJECT_IDS`)."""
        return STABLE_OBJECT_IDS.get(self.entity_description.key) or super().suggested_object_id
