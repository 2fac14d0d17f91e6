"""Privacy: diagnostics hide where the radar is, sleep data can be deleted, and the guard
that shows nothing leaves the house works (the whole night it watches is in ``test_night.py``).

Every test here runs with Home Assistant's recorder (the nights' long-term statistics are
sleep data too).
"""

from __future__ import annotations

import json
import socket
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import list_statistic_ids
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.json import json_dumps
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
import pytest_socket

from custom_components.radar_sleep.const import (
    CONF_FAMILY,
    CONF_PORT,
    CONF_RADAR_POSITION,
    CONF_SIDE,
    CONF_SOURCE,
    DOMAIN,
)
from custom_components.radar_sleep.diagnostics import async_get_config_entry_diagnostics
from custom_components.radar_sleep.statistics import NIGHT_STATISTICS, async_add_night_statistics

from .fixed import NIGHT, NOW, async_setup_fixed
from .test_standby import SleeperSource


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before Home Assistant (and custom integrations)."""


@pytest.mark.filterwarnings("ignore:A test tried to use socket.socket.connect")
def test_the_guard_sees_and_blocks_an_outbound_connection(
    outbound: list[tuple[str, Any]],
) -> None:
    """What the whole night of ``test_night.py`` is checked with works: an attempt to reach
    another machine is recorded and refused."""
    with pytest.raises(pytest_socket.SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1
    assert outbound == [("name look-up", ("192.0.2.1",)), ("connect", ("192.0.2.1", 80))]


async def test_diagnostics_hide_the_port_and_host_and_hold_no_waveform(
    hass: HomeAssistant,
) -> None:
    url = "socket://radar-bridge.home.lan:6638"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Bedroom",
        unique_id=f"serial_{url}",
        data={
            CONF_SOURCE: "serial",
            CONF_SIDE: "left",
            CONF_RADAR_POSITION: "left_table",
            CONF_FAMILY: "mr60bha2",
            CONF_PORT: url,
        },
    )
    source = SleeperSource(seconds=95.0)  # three epochs and the breathing of a fourth
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=source):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await source.sent.wait()
        await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    # The open epoch holds 5 s of breathing: 50 samples that must not be downloaded.
    assert coordinator.stats.frames == 950
    assert coordinator.pipeline._epoch is not None
    assert len(coordinator.pipeline._epoch.respiration) == 50
    coordinator._connection_changed(
        False, "[Errno -2] Name or service not known: radar-bridge.home.lan"
    )
    await hass.async_block_till_done()

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    text = json_dumps(diagnostics)
    assert "radar-bridge" not in text
    assert "6638" not in text
    assert diagnostics["entry"]["data"][CONF_PORT] == "**REDACTED**"
    assert diagnostics["entry"]["data"][CONF_FAMILY] == "mr60bha2"
    assert diagnostics["stats"]["last_error"] == (
        "[Errno -2] Name or service not known: **REDACTED**"
    )

    def longest_numbers(value: Any) -> int:
        """The longest list of numbers anywhere in ``value``."""
        if isinstance(value, dict):
            return max((longest_numbers(v) for v in value.values()), default=0)
        if isinstance(value, list):
            numbers = sum(isinstance(v, (int, float)) for v in value)
            return max([numbers, *(longest_numbers(v) for v in value)])
        return 0

    # At most the stage probabilities (wake, light, deep, REM): no signal.
    assert longest_numbers(json.loads(text)) <= 4
    assert await hass.config_entries.async_unload(entry.entry_id)


async def _statistic_ids(hass: HomeAssistant) -> set[str]:
    await async_wait_recording_done(hass)
    found = await hass.async_add_executor_job(list_statistic_ids, hass)
    return {s["statistic_id"] for s in found if s["source"] == DOMAIN}


async def test_removing_the_tracker_deletes_its_nights_and_statistics(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(NOW)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    async_add_night_statistics(hass, mock_config_entry, NIGHT)
    assert len(await _statistic_ids(hass)) == len(NIGHT_STATISTICS)
    assert len(hass_storage[key]["data"]["nights"]) == 3

    assert await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
    assert await _statistic_ids(hass) == set()


async def test_forget_data_deletes_the_nights_and_keeps_the_alarm(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(NOW)
    await async_setup_fixed(
        hass, mock_config_entry, hass_storage, [Platform.SENSOR, Platform.IMAGE]
    )
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    async_add_night_statistics(hass, mock_config_entry, NIGHT)
    assert len(await _statistic_ids(hass)) == len(NIGHT_STATISTICS)
    tst = hass.states.get("sensor.bedroom_last_night_total_sleep_time")
    assert float(tst.state) == pytest.approx(16 / 60)  # the stored night's 16 min, in hours
    assert hass.states.get("image.bedroom_last_night_hypnogram").attributes["night"] == (
        "2026-11-22"
    )

    await hass.services.async_call(
        DOMAIN, "forget_data", {"config_entry_id": mock_config_entry.entry_id}, blocking=True
    )
    await hass.async_block_till_done()
    stored = hass_storage[key]["data"]
    assert stored["nights"] == []
    assert stored["in_progress"] is None
    assert stored["alarm"]["settings"]["time"] == "06:30:00", "the settings are kept"
    assert mock_config_entry.runtime_data.store.nights == []
    assert hass.states.get("sensor.bedroom_last_night_total_sleep_time").state == "unknown"
    assert "night" not in hass.states.get("image.bedroom_last_night_hypnogram").attributes
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-11-24T05:30:00+00:00"
    assert await _statistic_ids(hass) == set()
    assert mock_config_entry.state is ConfigEntryState.LOADED

    # A tracker that is not loaded: a translated error.
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "forget_data", {"config_entry_id": mock_config_entry.entry_id}, blocking=True
        )
    assert err.value.translation_domain == "homeassistant"
