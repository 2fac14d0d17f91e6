"""The switch entities on fixed inputs (a hand-written update, stored nights and alarm)."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.radar_sleep.const import DOMAIN

from .fixed import NOW, async_setup_fixed


async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    freezer.move_to(NOW)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SWITCH])
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)
    assert mock_config_entry.domain == DOMAIN
