"""Base entity of Radar Sleep."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import RadarSleepCoordinator
from .sources import source_kind


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
