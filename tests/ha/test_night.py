"""A whole simulated night played through Home Assistant: the wiring from source to entities,
the night kept across a restart, and no connection leaving the machine with every feature on
(the alarm, the bedroom's sensors, the recorder's statistics, the picture, the night's action,
diagnostics).

The expected values come from the sleep layer's own ``sleep_metrics`` of the night's
hypnogram, not from the entities' code; what the entities look like is snapshotted per
platform on fixed inputs (``test_entities.py``), so retraining a model changes no snapshot.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.image import async_get_image
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import list_statistic_ids
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.radar_sleep.alarm_core.state import AlarmPhase
from custom_components.radar_sleep.const import (
    CONF_HUMIDITY_ENTITY,
    CONF_ROOM,
    CONF_TEMPERATURE_ENTITY,
    DOMAIN,
)
from custom_components.radar_sleep.contracts import Stage
from custom_components.radar_sleep.diagnostics import async_get_config_entry_diagnostics
from custom_components.radar_sleep.simulation.source import SimulatorSource
from custom_components.radar_sleep.sleep.metrics import sleep_metrics, whole_minutes
from custom_components.radar_sleep.sleep.serialize import summary_from_dict

from .conftest import SilentSource, tracker_entry
from .fixed import async_respond

START = datetime(2026, 11, 20, 21, 30, tzinfo=dt_util.UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before Home Assistant (and custom integrations)."""


@pytest.fixture
async def played_night(
    hass: HomeAssistant,
    one_night_source: list[SimulatorSource],
    freezer: FrozenDateTimeFactory,
    outbound: list[tuple[str, Any]],
) -> MockConfigEntry:
    """Set up the tracker at 21:30 with the bedroom's sensors and the alarm, and play one
    night to its end; every attempt to reach another machine is recorded (and blocked)."""
    freezer.move_to(START)
    hass.states.async_set("sensor.bedroom_temperature", "19.5", {"unit_of_measurement": "°C"})
    hass.states.async_set("sensor.bedroom_humidity", "45", {"unit_of_measurement": "%"})
    entry = tracker_entry(
        {
            CONF_ROOM: {
                CONF_TEMPERATURE_ENTITY: "sensor.bedroom_temperature",
                CONF_HUMIDITY_ENTITY: "sensor.bedroom_humidity",
            }
        }
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.services.async_call(
        DOMAIN,
        "set_alarm",
        {"config_entry_id": entry.entry_id, "time": "07:00", "window": 30},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    return entry


async def test_night_ends_in_last_night_sensors(
    hass: HomeAssistant,
    played_night: MockConfigEntry,
    one_night_source: list[SimulatorSource],
    outbound: list[tuple[str, Any]],
) -> None:
    coordinator = played_night.runtime_data.coordinator
    night = coordinator.data.last_night
    assert night is not None, "the simulated night produced no summary"
    truth = one_night_source[0].truths[0]
    # The session spans the user's time in bed (within the 5-min start delay and a minute).
    assert abs((night.session_start - START).total_seconds() - truth.bed_enter_s) <= 90
    assert abs((night.session_end - START).total_seconds() - truth.bed_exit_s) <= 90
    assert night.night.isoformat() == "2026-11-20"

    expected = sleep_metrics(night.hypnogram)
    # Durations are whole minutes whose parts add up (shown in hours or minutes).
    whole = whole_minutes(expected)
    states = {
        "total_sleep_time": whole.tst,
        "time_in_bed": whole.tib,
        "sleep_efficiency": expected.se_pct,
        "sleep_onset_latency": whole.sol,
        "wake_after_sleep_onset": whole.waso,
        "light_sleep": whole.light,
        "deep_sleep": whole.deep,
        "rem_sleep": whole.rem,
    }
    for key, value in states.items():
        state = hass.states.get(f"sensor.bedroom_last_night_{key}")
        assert state is not None, key
        assert value is not None
        hours = state.attributes.get("unit_of_measurement") == "h"
        shown = float(state.state) * (60 if hours else 1)
        assert shown == pytest.approx(value, abs=0.05), key
        assert state.attributes["night"] == "2026-11-20"
    assert int(hass.states.get("sensor.bedroom_last_night_awakenings").state) == (
        expected.awakenings
    )
    # The stage sensor went through sleep stages during the night.
    stages_seen = set(night.hypnogram)
    assert Stage.WAKE in stages_seen
    assert stages_seen & {Stage.LIGHT, Stage.DEEP, Stage.REM}
    # After the night the user has left: nobody on their side, no session.
    assert hass.states.get("binary_sensor.bedroom_in_bed").state == "off"
    assert hass.states.get("sensor.bedroom_sleep_stage").state == "unknown"
    # The diagnostics tell the same night and count every frame of it.
    diagnostics = await async_get_config_entry_diagnostics(hass, played_night)
    assert summary_from_dict(diagnostics["last_night"]) == night
    assert diagnostics["stats"]["sessions"] == 1
    assert diagnostics["stats"]["frames"] == truth.n_epochs * 300
    assert diagnostics["update"]["reasons"]["session"]
    assert night.room_temperature_c == 19.5

    # The night's action, its picture and the statistics: still nothing leaves the machine.
    answer = await async_respond(hass, played_night, "get_night", show_picture=True)
    assert answer["night"] == "2026-11-20"
    image = await async_get_image(hass, "image.bedroom_last_night_hypnogram")
    assert image.content.startswith(b"\x89PNG")
    stats = await hass.async_add_executor_job(list_statistic_ids, hass)
    assert DOMAIN in {s["source"] for s in stats}, "the night's statistics were recorded"
    assert played_night.runtime_data.alarm.state.phase is AlarmPhase.ARMED
    assert outbound == []

    # Home Assistant restarts with a source that sends nothing: last night comes from storage.
    before = hass.states.get("sensor.bedroom_last_night_total_sleep_time").state
    assert await hass.config_entries.async_unload(played_night.entry_id)
    await hass.async_block_till_done()
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=SilentSource()):
        assert await hass.config_entries.async_setup(played_night.entry_id)
        await hass.async_block_till_done()
    assert played_night.runtime_data.coordinator.data.last_night == night
    assert hass.states.get("sensor.bedroom_last_night_total_sleep_time").state == before
