"""Nightly metrics in Home Assistant's long-term statistics, with a real recorder."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import get_metadata, statistics_during_period
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.radar_sleep.statistics import (
    NIGHT_STATISTICS,
    ROOM_STATISTICS,
    async_add_night_statistics,
    night_start,
    statistic_id,
)

from .fixed import NIGHT


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before Home Assistant (and custom integrations)."""


async def rows_around(
    hass: HomeAssistant, start: datetime, ids: set[str], types: set[str]
) -> dict[str, Any]:
    """The hourly statistics rows of ``ids`` from a day before ``start`` to a day after."""
    return await hass.async_add_executor_job(
        statistics_during_period,
        hass,
        start - timedelta(days=1),
        start + timedelta(days=1),
        ids,
        "hour",
        None,
        types,
    )


async def test_each_night_is_one_statistics_row_per_metric(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
) -> None:
    mock_config_entry.add_to_hass(hass)
    summary = NIGHT
    async_add_night_statistics(hass, mock_config_entry, summary)
    async_add_night_statistics(hass, mock_config_entry, summary)  # written again: replaced
    await async_wait_recording_done(hass)
    ids = {statistic_id(mock_config_entry, s.key) for s in NIGHT_STATISTICS}
    start = night_start(summary)
    rows = await rows_around(hass, start, ids, {"mean"})
    assert set(rows) == ids
    assert summary.metrics is not None
    tst = rows[statistic_id(mock_config_entry, "total_sleep_time")]
    assert len(tst) == 1
    assert tst[0]["start"] == start.timestamp()
    assert tst[0]["mean"] == pytest.approx(summary.metrics.tst_min)
    se = rows[statistic_id(mock_config_entry, "sleep_efficiency")]
    assert se[0]["mean"] == pytest.approx(summary.metrics.se_pct)


async def test_durations_are_the_whole_minutes_the_sensors_show(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A night of half minutes (30-s epochs) is written as the sensors show it.

    Time in bed 411.5, onset latency 12.5 and WASO 19.5 round half up to 412, 13 and 20;
    light 241.5, deep 24 and REM 104.5 share total sleep 370: floors 241 + 24 + 104 = 369, and
    the minute left goes to the first of the two largest remainders (light): 242, 24, 104.
    """
    mock_config_entry.add_to_hass(hass)
    assert NIGHT.metrics is not None
    metrics = replace(
        NIGHT.metrics,
        tib_min=411.5,
        tst_min=370.0,
        sol_min=12.5,
        waso_min=19.5,
        light_min=241.5,
        deep_min=24.0,
        rem_min=104.5,
    )
    summary = replace(NIGHT, metrics=metrics)
    async_add_night_statistics(hass, mock_config_entry, summary)
    await async_wait_recording_done(hass)
    expected = {
        "time_in_bed": 412,
        "total_sleep_time": 370,
        "sleep_onset_latency": 13,
        "wake_after_sleep_onset": 20,
        "light_sleep": 242,
        "deep_sleep": 24,
        "rem_sleep": 104,
    }
    ids = {statistic_id(mock_config_entry, key): key for key in expected}
    rows = await rows_around(hass, night_start(summary), set(ids), {"mean"})
    assert {ids[i]: row[0]["mean"] for i, row in rows.items()} == expected


ROOM_TEMPERATURE_AND_LIGHT: dict[str, float] = {
    "room_temperature_c": 19.4,
    "room_temperature_min_c": 18.0,
    "room_temperature_max_c": 21.5,
    "room_illuminance_lx": 0.8,
    "room_illuminance_min_lx": 0.0,
    "room_illuminance_max_lx": 4.0,
}
"""A night's bedroom temperature and light (mean, min, max) while asleep."""


async def test_the_room_while_asleep_is_one_row_per_quantity(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
) -> None:
    mock_config_entry.add_to_hass(hass)
    # Also for devices that cannot stage sleep; no humidity sensor.
    summary = replace(NIGHT, metrics=None, **ROOM_TEMPERATURE_AND_LIGHT)
    async_add_night_statistics(hass, mock_config_entry, summary)
    await async_wait_recording_done(hass)
    ids = {statistic_id(mock_config_entry, s.key) for s in ROOM_STATISTICS}
    start = night_start(summary)
    rows = await rows_around(hass, start, ids, {"mean", "min", "max"})
    assert set(rows) == {
        statistic_id(mock_config_entry, "room_temperature"),
        statistic_id(mock_config_entry, "room_light"),
    }  # no humidity recorded: no row
    [temperature] = rows[statistic_id(mock_config_entry, "room_temperature")]
    assert (temperature["mean"], temperature["min"], temperature["max"]) == pytest.approx(
        (19.4, 18.0, 21.5)
    )
    [light] = rows[statistic_id(mock_config_entry, "room_light")]
    assert (light["mean"], light["min"], light["max"]) == pytest.approx((0.8, 0.0, 4.0))


async def test_unit_classes_are_those_of_home_assistants_sensors(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Each statistic carries the unit class the recorder gives a sensor of its unit.

    Minutes are a duration, °C a temperature, % and a plain count unitless; lux has no class.
    """
    mock_config_entry.add_to_hass(hass)
    summary = replace(
        NIGHT,
        room_humidity_pct=45.0,
        room_humidity_min_pct=40.0,
        room_humidity_max_pct=50.0,
        **ROOM_TEMPERATURE_AND_LIGHT,
    )
    async_add_night_statistics(hass, mock_config_entry, summary)
    await async_wait_recording_done(hass)
    metadata = await hass.async_add_executor_job(get_metadata, hass)
    classes = {
        meta["statistic_id"]: (meta["unit_of_measurement"], meta["unit_class"])
        for _, meta in metadata.values()
    }
    expected = {
        "time_in_bed": ("min", "duration"),
        "total_sleep_time": ("min", "duration"),
        "sleep_efficiency": ("%", "unitless"),
        "sleep_onset_latency": ("min", "duration"),
        "wake_after_sleep_onset": ("min", "duration"),
        "light_sleep": ("min", "duration"),
        "deep_sleep": ("min", "duration"),
        "rem_sleep": ("min", "duration"),
        "awakenings": (None, "unitless"),
        "room_temperature": ("°C", "temperature"),
        "room_humidity": ("%", "unitless"),
        "room_light": ("lx", None),
    }
    assert classes == {statistic_id(mock_config_entry, k): v for k, v in expected.items()}
