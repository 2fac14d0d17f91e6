"""Last night's hypnogram as an image entity (drawn in the executor when a night ends)."""

from __future__ import annotations

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .contracts import NightSummary
from .coordinator import RadarSleepCoordinator
from .entity import RadarSleepEntity
from .hypnogram_image import render_hypnogram
from .runtime import RadarSleepConfigEntry

PARALLEL_UPDATES = 0

HYPNOGRAM = ImageEntityDescription(
    key="last_night_hypnogram", translation_key="last_night_hypnogram"
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RadarSleepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the tracker's hypnogram picture."""
    async_add_entities([RadarSleepHypnogramImage(hass, entry.runtime_data.coordinator)])


class RadarSleepHypnogramImage(RadarSleepEntity, ImageEntity):
    """The last finished night: stages over clock time, markers, legend, headline numbers.

    The state is when the picture last changed (the end of the night it shows); unknown
    before the first night and for devices that cannot stage sleep.
    """

    _attr_content_type = "image/png"

    def __init__(self, hass: HomeAssistant, coordinator: RadarSleepCoordinator) -> None:
        """Show the coordinator's last night."""
        RadarSleepEntity.__init__(self, coordinator, HYPNOGRAM)
        ImageEntity.__init__(self, hass)
        self._night: NightSummary | None = None
        self._png: bytes | None = None
        self._follow(coordinator.data.last_night)

    @callback
    def _follow(self, night: NightSummary | None) -> None:
        """Point the picture at ``night`` (drawn on the next request)."""
        if night is self._night:
            return
        self._night, self._png = night, None
        drawable = night is not None and bool(night.hypnogram)
        self._attr_image_last_updated = night.session_end if drawable and night else None

    @callback
    def _handle_coordinator_update(self) -> None:
        """A finished night replaces the picture."""
        self._follow(self.coordinator.data.last_night)
        super()._handle_coordinator_update()

    async def async_image(self) -> bytes | None:
        """The PNG of the night shown (drawn once per night, in the executor)."""
        night = self._night
        if night is None or not night.hypnogram:
            return None
        if self._png is None:
            self._png = await self.hass.async_add_executor_job(
                render_hypnogram,
                night,
                dt_util.get_default_time_zone(),
                self.hass.config.units.temperature_unit,
            )
        return self._png
