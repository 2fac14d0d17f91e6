"""Last night's hypnogram as an image entity (drawn in the executor when a night ends).

The ``get_night`` action can show an earlier stored night in the same picture
(:func:`async_show_night`) until the next night ends; the ``night`` attribute says which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, override

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .contracts import NightSummary
from .coordinator import RadarSleepCoordinator
from .entity import RadarSleepEntity
from .hypnogram_image import render_hypnogram

if TYPE_CHECKING:
    from .runtime import RadarSleepConfigEntry

PARALLEL_UPDATES = 0

HYPNOGRAM = ImageEntityDescription(
    key="last_night_hypnogram", translation_key="last_night_hypnogram"
)


def _signal_show_night(entry: ConfigEntry) -> str:
    return f"{DOMAIN}_show_night_{entry.entry_id}"


def _signal_night_taught(entry: ConfigEntry) -> str:
    return f"{DOMAIN}_night_taught_{entry.entry_id}"


@callback
def async_night_taught(hass: HomeAssistant, entry: ConfigEntry, night: NightSummary) -> None:
    """``night`` was taught about: the picture is drawn again if it shows that night."""
    async_dispatcher_send(hass, _signal_night_taught(entry), night)


@callback
def async_show_night(
    hass: HomeAssistant, entry: ConfigEntry, night: NightSummary
) -> dict[str, str] | None:
    """Show ``night`` in the tracker's hypnogram picture until the next night ends.

    Returns where the picture is (``entity_id``, and ``url``: the image proxy path, for an
    authenticated request or a notification), or ``None`` when the night has no stages to
    draw (the picture is then left as it is). Raises a translated error when the picture
    entity is disabled or removed.
    """
    if not night.hypnogram:
        return None
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id(
        Platform.IMAGE, DOMAIN, f"{entry.entry_id}_{HYPNOGRAM.key}"
    )
    registered = None if entity_id is None else registry.async_get(entity_id)
    if entity_id is None or registered is None or registered.disabled:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_picture_entity",
            translation_placeholders={"name": entry.title},
        )
    async_dispatcher_send(hass, _signal_show_night(entry), night)
    return {"entity_id": entity_id, "url": f"/api/image_proxy/{entity_id}"}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RadarSleepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the tracker's hypnogram picture."""
    async_add_entities([RadarSleepHypnogramImage(hass, entry.runtime_data.coordinator)])


class RadarSleepHypnogramImage(RadarSleepEntity, ImageEntity):
    """The last finished night: stages over clock time, markers, legend, headline numbers.

    The state is the end of the night it shows; unknown before the first night and for
    devices that cannot stage sleep. Attribute ``night``: the date of the night shown (last
    night, or an earlier one that ``get_night`` asked for, until the next night ends).
    """

    _attr_content_type = "image/png"

    def __init__(self, hass: HomeAssistant, coordinator: RadarSleepCoordinator) -> None:
        """Show the coordinator's last night."""
        RadarSleepEntity.__init__(self, coordinator, HYPNOGRAM)
        ImageEntity.__init__(self, hass)
        self._night: NightSummary | None = None
        self._png: bytes | None = None
        self._latest = coordinator.data.last_night
        self._pinned: NightSummary | None = None
        """An earlier night an action asked for, shown until the next night ends."""
        self._follow(self._latest)

    async def async_added_to_hass(self) -> None:
        """Also follow the ``get_night`` action's requests."""
        await super().async_added_to_hass()
        entry = self.coordinator.config_entry
        self.async_on_remove(
            async_dispatcher_connect(self.hass, _signal_show_night(entry), self._show)
        )
        self.async_on_remove(
            async_dispatcher_connect(self.hass, _signal_night_taught(entry), self._taught)
        )

    @callback
    def _show(self, night: NightSummary) -> None:
        """Show ``night`` (the last night again: follow the nights as they end)."""
        self._pinned = None if night == self._latest else night
        self._follow(night)
        self.async_write_ha_state()

    @callback
    def _taught(self, night: NightSummary) -> None:
        """An earlier night shown was taught about: show what was taught.

        Last night's own changes come with the coordinator's update.
        """
        pinned = self._pinned
        if pinned is None or (pinned.night, pinned.session_start) != (
            night.night,
            night.session_start,
        ):
            return
        self._pinned = night
        self._follow(night)
        self.async_write_ha_state()

    @callback
    def _follow(self, night: NightSummary | None) -> None:
        """Point the picture at ``night`` (drawn on the next request).

        The picture's time (the entity's state) is the end of the night, or when the user last
        taught about it if later: a new time is what makes a dashboard fetch the picture again.
        """
        if night is self._night:
            return
        self._night, self._png = night, None
        if night is None or not night.hypnogram:
            self._attr_image_last_updated = None
            return
        self._attr_image_last_updated = max(
            [night.session_end, *(label.taught_at for label in night.labels if label.taught_at)]
        )

    @property
    @override
    def entity_picture(self) -> str | None:
        """The picture's link; none before the first night with stages (nothing to show).

        Home Assistant's image view answers 500 for an image entity without an image, which
        the frontend shows as a broken picture; without a link it shows the icon.
        """
        night = self._night
        if night is None or not night.hypnogram:
            return None
        return super().entity_picture

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The date of the night shown."""
        night = self._night
        if night is None or not night.hypnogram:
            return None
        return {"night": night.night.isoformat()}

    @callback
    def _handle_coordinator_update(self) -> None:
        """A finished night replaces the picture (also an earlier one an action asked for)."""
        latest = self.coordinator.data.last_night
        if latest is not self._latest:
            self._latest, self._pinned = latest, None
        self._follow(self._pinned or latest)
        super()._handle_coordinator_update()

    async def async_image(self) -> bytes | None:
        """The PNG of the night shown (drawn once per night, in the executor)."""
        night = self._night
        if night is None or not night.hypnogram:
            return None
        if self._png is None:
            png = await self.hass.async_add_executor_job(
                render_hypnogram,
                night,
                dt_util.get_default_time_zone(),
                self.hass.config.units.temperature_unit,
            )
            if night is not self._night:  # another night came while it was drawn
                return png
            self._png = png
        return self._png
