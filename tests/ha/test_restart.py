"""Restarts: the night in progress, the history of nights and their long-term statistics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.radar_sleep.const import CONF_HISTORY_NIGHTS, DOMAIN
from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.simulation.bedroom import SimulatorConfig
from custom_components.radar_sleep.simulation.source import SimulatorSource
from custom_components.radar_sleep.sleep.serialize import summary_from_dict, summary_to_dict
from custom_components.radar_sleep.statistics import (
    async_add_night_statistics,
)

from ..conftest import SimulatedNight
from .fixed import NIGHT

START = datetime(2026, 11, 20, 21, 30, tzinfo=dt_util.UTC)


class HaltingSource:
    """The simulated night up to ``stop_t``, then nothing (Home Assistant is about to stop)."""

    def __init__(self, source: SimulatorSource, stop_t: float) -> None:
        self.source = source
        self.stop_t = stop_t
        self.halted = asyncio.Event()

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        async for frame in self.source.frames():
            if frame.t >= self.stop_t:
                break
            yield frame
        self.halted.set()
        await asyncio.Event().wait()


async def test_restart_in_the_middle_of_the_night_still_ends_in_the_full_night(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    one_night_source: list[SimulatorSource],
    freezer: FrozenDateTimeFactory,
    simulated_night: SimulatedNight,
) -> None:
    freezer.move_to(START)
    config = SimulatorConfig(seed=int(mock_config_entry.data["seed"]), partner=True)
    truth = simulated_night.sim.truth
    stop_t = truth.sleep_onset_s + 2 * 3600 + 17.3  # deep in the night, mid-epoch
    halting = HaltingSource(SimulatorSource(config, speed=0, nights=1), stop_t)
    with (
        patch("custom_components.radar_sleep.runtime.build_source", return_value=halting),
        patch("custom_components.radar_sleep.coordinator.SAVE_INTERVAL_SECONDS", 0.0),
    ):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await asyncio.wait_for(halting.halted.wait(), 120)
        await hass.async_block_till_done()
    first = mock_config_entry.runtime_data.coordinator
    assert first.data.last_night is None
    assert first.data.update.in_bed
    saved_epochs = len(first.pipeline.records)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)  # HA stops

    freezer.tick(timedelta(minutes=3))  # and starts again: the simulator carries on
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    coordinator = mock_config_entry.runtime_data.coordinator
    assert coordinator.pipeline.origin == START
    [resumed] = one_night_source
    assert resumed.start_t == pytest.approx(stop_t // 30 * 30)
    night = coordinator.data.last_night
    assert night is not None, "the night was lost in the restart"

    # The same night played through without a restart, by the same pipeline configuration
    # (simulated and run once per test session).
    reference = simulated_night.pipeline
    assert simulated_night.sim.config == config
    assert (reference.config, reference.origin) == (coordinator.pipeline.config, START)
    assert saved_epochs > 0
    assert night == reference.summaries[0]


@pytest.mark.usefixtures("silent_source")
async def test_history_keeps_the_configured_number_of_nights(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    template = NIGHT
    stored = [
        summary_to_dict(replace(template, night=date(2026, 11, day))) for day in (10, 11, 12, 13)
    ]
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{mock_config_entry.entry_id}",
        "data": {"nights": [*stored, {"night": "not a night"}], "in_progress": None},
    }
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**mock_config_entry.options, CONF_HISTORY_NIGHTS: 2}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = mock_config_entry.runtime_data.coordinator
    assert [n.night.day for n in mock_config_entry.runtime_data.store.nights] == [12, 13]
    assert coordinator.data.last_night == summary_from_dict(stored[-1])
    assert "ignoring an unreadable stored night" in caplog.text


async def test_no_recorder_no_statistics(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
) -> None:
    summary = NIGHT
    with patch("custom_components.radar_sleep.statistics.async_add_external_statistics") as add:
        async_add_night_statistics(hass, mock_config_entry, summary)
    add.assert_not_called()
