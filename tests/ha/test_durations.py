"""Last night's durations: whole minutes whose parts add up, shown in hours and minutes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.coordinator import RadarSleepData

from .fixed import NIGHT, NOW, UPDATE, async_setup_fixed

# Rounded one by one, light, deep and REM would be 238 + 30 + 100 = 368 minutes of 367.
METRICS = replace(
    NIGHT.metrics,
    tib_min=412.4,
    tst_min=367.0,
    light_min=237.6,
    deep_min=29.9,
    rem_min=99.5,
    sol_min=12.5,
    waso_min=31.5,
)


def _minutes(hass: HomeAssistant, key: str) -> tuple[float, str]:
    state = hass.states.get(f"sensor.bedroom_last_night_{key}")
    assert state is not None, key
    unit = state.attributes["unit_of_measurement"]
    value = float(state.state) * (60 if unit == "h" else 1)
    return round(value, 6), unit


async def test_durations_are_whole_minutes_that_add_up_in_hours(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(NOW)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])
    coordinator = mock_config_entry.runtime_data.coordinator
    night = replace(NIGHT, metrics=METRICS)
    coordinator.async_set_updated_data(RadarSleepData(UPDATE, night))
    await hass.async_block_till_done()

    # Largest remainders: light 237.6 and deep 29.9 get the two minutes the floors
    # (237 + 29 + 99 = 365) leave of 367; REM's .5 is the smallest remainder.
    assert _minutes(hass, "total_sleep_time") == (367, "h")
    assert _minutes(hass, "light_sleep") == (238, "h")
    assert _minutes(hass, "deep_sleep") == (30, "h")
    assert _minutes(hass, "rem_sleep") == (99, "h")
    assert _minutes(hass, "time_in_bed") == (412, "h")
    # Onset latency and wake after sleep onset stay in minutes, rounded half up.
    assert _minutes(hass, "sleep_onset_latency") == (13, "min")
    assert _minutes(hass, "wake_after_sleep_onset") == (32, "min")


async def test_existing_duration_sensor_keeps_its_unit(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Hours are suggested to new sensors only: one made by an earlier version stays in
    minutes (its long-term statistics are in minutes), until its user picks another unit."""
    freezer.move_to(NOW)
    mock_config_entry.add_to_hass(hass)
    entity_registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{mock_config_entry.entry_id}_total_sleep_time",
        config_entry=mock_config_entry,
        suggested_object_id="bedroom_last_night_total_sleep_time",
    )
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])
    coordinator = mock_config_entry.runtime_data.coordinator
    coordinator.async_set_updated_data(RadarSleepData(UPDATE, replace(NIGHT, metrics=METRICS)))
    await hass.async_block_till_done()
    assert _minutes(hass, "total_sleep_time") == (367, "min")
    assert _minutes(hass, "light_sleep") == (238, "h")
