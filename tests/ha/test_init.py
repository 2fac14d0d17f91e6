"""Setting up, unloading and reloading a tracker; YAML import for development setups."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.radar_sleep.const import DOMAIN


@pytest.mark.usefixtures("silent_source")
async def test_setup_unload_reload(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get("binary_sensor.bedroom_presence").state == STATE_OFF
    assert hass.states.get("sensor.bedroom_sleep_stage").state == STATE_UNKNOWN

    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("binary_sensor.bedroom_presence").state == "unavailable"


@pytest.mark.usefixtures("silent_source")
async def test_yaml_import_creates_one_entry(hass: HomeAssistant) -> None:
    config = {DOMAIN: [{"name": "Dev bedroom", "seed": 5, "speed": 60}]}
    assert await async_setup_component(hass, DOMAIN, config)
    await hass.async_block_till_done()
    entries = hass.config_entries.async_entries(DOMAIN)
    assert len(entries) == 1
    assert entries[0].state is ConfigEntryState.LOADED
    assert entries[0].options == {"speed": 60.0}
    assert hass.states.get("sensor.dev_bedroom_sleep_stage") is not None


async def test_bad_yaml_is_rejected(hass: HomeAssistant) -> None:
    config = {DOMAIN: [{"name": "Bad", "side": "middle"}]}
    assert not await async_setup_component(hass, DOMAIN, config)
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_failing_source_makes_entities_unavailable(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    class BrokenSource:
        async def frames(self):  # type: ignore[no-untyped-def]
            raise OSError("device unplugged")
            yield  # pragma: no cover

    from unittest.mock import patch

    with patch("custom_components.radar_sleep.runtime.build_source", return_value=BrokenSource()):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    coordinator = mock_config_entry.runtime_data.coordinator
    assert coordinator.stats.source_errors == 1
    assert "device unplugged" in (coordinator.stats.last_error or "")
    assert hass.states.get("sensor.bedroom_sleep_stage").state == "unavailable"
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


@pytest.mark.usefixtures("silent_source")
async def test_new_tracker_is_placed_in_the_bedroom(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    area_registry: ar.AreaRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Onboarding's "Bedroom" area; the entity ids keep the device's name only."""
    bedroom = area_registry.async_create("Bedroom")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, mock_config_entry.entry_id), mock_config_entry.entry_id
    )
    assert device is not None
    assert device.area_id == bedroom.id
    assert hass.states.get("sensor.bedroom_sleep_stage") is not None
    assert hass.states.get("switch.bedroom_alarm") is not None

    # Taken out of the area by the user: it stays out across a reload.
    device_registry.async_update_device(device.id, area_id=None)
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, mock_config_entry.entry_id), mock_config_entry.entry_id
    )
    assert device is not None
    assert device.area_id is None
    assert len(area_registry.async_list_areas()) == 1


@pytest.mark.usefixtures("silent_source")
async def test_bedroom_area_is_created_when_there_is_none(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    area_registry: ar.AreaRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, mock_config_entry.entry_id), mock_config_entry.entry_id
    )
    assert device is not None
    area = area_registry.async_get_area_by_name("Bedroom")
    assert area is not None
    assert device.area_id == area.id
