"""Base entity of Radar Sleep."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_SOURCE, DOMAIN
from .coordinator import RadarSleepCoordinator

_MODELS = {"simulator": "Simulated bedroom"}


class RadarSleepEntity(CoordinatorEntity[RadarSleepCoordinator]):
    """An entity of one tracker (one device per config entry)."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: RadarSleepCoordinator, description: EntityDescription) -> None:
        """Attach to the tracker's device."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        source = entry.data[CONF_SOURCE]
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Radar Sleep",
            model=_MODELS.get(source, source),
        )
