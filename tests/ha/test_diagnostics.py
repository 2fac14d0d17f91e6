"""Diagnostics of a tracker: what the alarm and the pipeline decided and why.

The diagnostics function is called directly: the HTTP route is Home Assistant's, and its test
client's access token is issued at real time, which ``freezer`` puts in the future.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_dumps
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.contracts import TargetVitals, VitalsFrame
from custom_components.radar_sleep.diagnostics import async_get_config_entry_diagnostics
from custom_components.radar_sleep.sleep.serialize import summary_from_dict

from .fixed import NIGHT, NOW, UPDATE, async_setup_fixed


async def test_diagnostics(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """On fixed inputs (a hand-written update, stored nights and alarm): what the download holds.

    That the counters and the night follow a real night is checked in ``test_night.py``.
    """
    freezer.move_to(NOW)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])
    diagnostics = await async_get_config_entry_diagnostics(hass, mock_config_entry)
    json_dumps(diagnostics)  # what the download serialises must serialise
    assert summary_from_dict(diagnostics["last_night"]) == NIGHT
    assert diagnostics["update"]["reasons"] == UPDATE.reasons
    assert diagnostics["alarm"]["state"]["phase"] == "armed"
    # Which fit the alarm policy's parameters come from: named, but not pinned here.
    assert diagnostics["alarm"]["policy"]["fitted"]
    assert diagnostics == snapshot(exclude=props("fitted"))


async def test_diagnostics_say_where_the_radar_sees_the_user(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The target followed in the last frame: distance, angle, movement, quality."""
    freezer.move_to(NOW)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])
    diagnostics = await async_get_config_entry_diagnostics(hass, mock_config_entry)
    assert diagnostics["pipeline"]["last_frame"] == {"targets": 0, "followed": None}
    target = TargetVitals(
        target_id=1,
        distance_m=0.33012,
        angle_deg=-16.04,
        respiration_mm=(0.1,),
        respiration_rate_hz=12.94,
        movement=0.2,
        signal_quality=0.55,
    )
    mock_config_entry.runtime_data.coordinator.pipeline.push(VitalsFrame(t=1.0, targets=(target,)))
    diagnostics = await async_get_config_entry_diagnostics(hass, mock_config_entry)
    assert diagnostics["pipeline"]["last_frame"] == {
        "targets": 1,
        "followed": {
            "distance_m": 0.33,
            "angle_deg": -16.0,
            "movement": 0.2,
            "signal_quality": 0.55,
        },
    }


@pytest.mark.usefixtures("silent_source")
async def test_diagnostics_of_an_alarm_in_its_window(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Inside the window the diagnostics say what the alarm waits for, and why it would ring
    without the smart part (here: the radar has sent nothing)."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(datetime(2026, 11, 23, 20, 0, tzinfo=dt_util.UTC))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "set_alarm",
        {"config_entry_id": mock_config_entry.entry_id, "time": "07:00", "window": 20},
        blocking=True,
    )
    freezer.move_to(datetime(2026, 11, 24, 5, 45, tzinfo=dt_util.UTC))  # 06:45 in Berlin
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    alarm = (await async_get_config_entry_diagnostics(hass, mock_config_entry))["alarm"]
    json_dumps(alarm)
    assert alarm["state"]["phase"] == "window"
    assert alarm["next_alarm"] == "2026-11-24T06:00:00+00:00"
    assert alarm["window_start"] == "2026-11-24T05:40:00+00:00"
    assert alarm["settings"]["window_minutes"] == 20
    assert (
        alarm["policy"]["state"]["deadline"]
        == datetime(2026, 11, 24, 6, 0, tzinfo=dt_util.UTC).timestamp()
    )
    assert alarm["health"]["failsafe_problem"] == "no sleep data in the last 5 minutes"
