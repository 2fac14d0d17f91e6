"""The bedroom's own sensors, chosen in the options: read and converted for the tracker.

Any Home Assistant sensor of the temperature, humidity or illuminance device class can be
chosen. The tracker reads them in its own units (°C, %, lx): a temperature in °F or K is
converted; a reading that is unavailable, unknown, not a number or in a unit that cannot be
converted counts as no reading (a gap in the night's record, never a guessed value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import math
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    ATTR_UNIT_OF_MEASUREMENT,
    LIGHT_LUX,
    PERCENTAGE,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    UnitOfTemperature,
)
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, State, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_entity_registry_updated_event
from homeassistant.util.unit_conversion import TemperatureConverter

from .const import CONF_HUMIDITY_ENTITY, CONF_ILLUMINANCE_ENTITY, CONF_ROOM, CONF_TEMPERATURE_ENTITY
from .sleep.room import RoomQuantity, RoomSample


@dataclass(frozen=True, slots=True)
class RoomSensorKind:
    """One quantity of the room: the option naming its sensor, its device class and unit."""

    quantity: RoomQuantity
    option: str
    device_class: SensorDeviceClass
    unit: str


ROOM_SENSOR_KINDS = (
    RoomSensorKind(
        RoomQuantity.TEMPERATURE,
        CONF_TEMPERATURE_ENTITY,
        SensorDeviceClass.TEMPERATURE,
        UnitOfTemperature.CELSIUS,
    ),
    RoomSensorKind(
        RoomQuantity.HUMIDITY, CONF_HUMIDITY_ENTITY, SensorDeviceClass.HUMIDITY, PERCENTAGE
    ),
    RoomSensorKind(
        RoomQuantity.LIGHT, CONF_ILLUMINANCE_ENTITY, SensorDeviceClass.ILLUMINANCE, LIGHT_LUX
    ),
)
_ACCEPTED_UNITS: dict[RoomQuantity, frozenset[str | None]] = {
    RoomQuantity.TEMPERATURE: frozenset(TemperatureConverter.VALID_UNITS),
    RoomQuantity.HUMIDITY: frozenset({PERCENTAGE, None}),
    RoomQuantity.LIGHT: frozenset({LIGHT_LUX, None}),
}


def room_entities(options: Mapping[str, Any]) -> dict[RoomQuantity, str]:
    """The chosen sensor of each quantity (options section ``room``); unchosen ones absent."""
    room: Mapping[str, Any] = options.get(CONF_ROOM) or {}
    return {kind.quantity: room[kind.option] for kind in ROOM_SENSOR_KINDS if room.get(kind.option)}


def room_value(quantity: RoomQuantity, state: State | None) -> float | None:
    """A sensor's state in the tracker's unit for ``quantity``, or ``None`` for no reading."""
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return None
    try:
        value = float(state.state)
    except ValueError:
        return None
    unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)
    if not math.isfinite(value) or unit not in _ACCEPTED_UNITS[quantity]:
        return None
    if quantity is RoomQuantity.TEMPERATURE:
        return TemperatureConverter.convert(value, unit, UnitOfTemperature.CELSIUS)
    return value


def read_room(hass: HomeAssistant, entities: Mapping[RoomQuantity, str]) -> RoomSample | None:
    """What the chosen sensors read now (``None`` when no sensor is chosen)."""
    if not entities:
        return None
    values = {q: room_value(q, hass.states.get(e)) for q, e in entities.items()}
    return RoomSample(
        temperature_c=values.get(RoomQuantity.TEMPERATURE),
        humidity_pct=values.get(RoomQuantity.HUMIDITY),
        illuminance_lx=values.get(RoomQuantity.LIGHT),
    )


@callback
def async_follow_renamed_room_entities(hass: HomeAssistant, entry: ConfigEntry) -> CALLBACK_TYPE:
    """Keep the room's options on their sensors when the user changes one's entity id.

    As Home Assistant's helpers that wrap another entity do (``helper_integration``): the
    options get the new entity id (the options flow shows it) and the tracker is reloaded,
    so that its room sensors and the night's record follow the renamed sensor. Returns the
    remover.
    """

    @callback
    def renamed(event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        data = event.data
        if data["action"] != "update" or "old_entity_id" not in data:
            return
        room = dict(entry.options.get(CONF_ROOM) or {})
        room.update(
            {key: data["entity_id"] for key, v in room.items() if v == data["old_entity_id"]}
        )
        hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_ROOM: room})
        hass.config_entries.async_schedule_reload(entry.entry_id)

    chosen = list(room_entities(entry.options).values())
    return async_track_entity_registry_updated_event(hass, chosen, renamed)
