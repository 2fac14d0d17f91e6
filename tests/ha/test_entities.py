"""Every platform's entities on fixed inputs (a hand-written update, stored nights and alarm).

One snapshot per platform: retraining a model or retuning the pipeline changes none of them,
only a change of what the entities show does.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.radar_sleep.const import DOMAIN

from .fixed import NOW, async_setup_fixed


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform",
    [
        Platform.BINARY_SENSOR,
        Platform.EVENT,
        Platform.NUMBER,
        Platform.SENSOR,
        Platform.SWITCH,
        Platform.TIME,
    ],
)
async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    freezer.move_to(NOW)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [platform])
    if platform is Platform.EVENT:  # one event of the alarm's life: the next alarm is skipped
        await hass.services.async_call(
            DOMAIN, "skip_next", {"config_entry_id": mock_config_entry.entry_id}, blocking=True
        )
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)
