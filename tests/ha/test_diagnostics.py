"""Diagnostics of a tracker after a simulated night.

The diagnostics function is called directly: the HTTP route is Home Assistant's, and its test
client's access token is issued at real time, which ``freezer`` puts in the future.
"""

from __future__ import annotations

from datetime import datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_dumps
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.radar_sleep.diagnostics import async_get_config_entry_diagnostics
from custom_components.radar_sleep.radar.sources import SimulatorSource
from custom_components.radar_sleep.sleep.serialize import summary_from_dict


async def test_diagnostics(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    one_night_source: list[SimulatorSource],
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    freezer.move_to(datetime(2026, 11, 20, 21, 30, tzinfo=dt_util.UTC))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    diagnostics = await async_get_config_entry_diagnostics(hass, mock_config_entry)
    json_dumps(diagnostics)  # what the download serialises must serialise
    night = mock_config_entry.runtime_data.data.last_night
    assert summary_from_dict(diagnostics["last_night"]) == night
    assert diagnostics["stats"]["sessions"] == 1
    assert diagnostics["stats"]["frames"] == one_night_source[0].truths[0].n_epochs * 300
    assert diagnostics["update"]["reasons"]["session"]
    assert diagnostics == snapshot
