"""What is learned from the user's nights: kept across restarts, shown, reset by an action."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
import threading
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import numpy as np
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.radar_sleep.const import CONF_PRESENCE_THRESHOLD, DOMAIN, SAVE_DELAY_SECONDS
from custom_components.radar_sleep.diagnostics import async_get_config_entry_diagnostics
from custom_components.radar_sleep.sleep.features import FEATURE_NAMES
from custom_components.radar_sleep.sleep.learning.adaptation import StageAdaptation, fingerprint
from custom_components.radar_sleep.sleep.learning.calibration import NightObservation
from custom_components.radar_sleep.sleep.staging import network
from custom_components.radar_sleep.sleep.staging.network import MlpModel, load_model, shipped_model

from .conftest import tracker_entry
from .fixed import NIGHT, NOW, async_setup_fixed

NIGHT_FIGURES = {
    "breathing_rate_bpm": 14.0,
    "breathing_spread_bpm": 2.0,
    "movement_still": 0.05,
    "empty_confidence": 0.1,
    "occupied_confidence": 0.7,
}
"""One learned night: asleep at 14 breaths/min, an empty bed's presence confidence up to
0.1 and an occupied one's from 0.7."""
SIX = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]


def keys(entry: MockConfigEntry) -> tuple[str, str]:
    """The two stores of what is learned."""
    return (
        f"{DOMAIN}.{entry.entry_id}.calibration",
        f"{DOMAIN}.{entry.entry_id}.stage_adaptation",
    )


def store_learning(entry: MockConfigEntry, hass_storage: dict[str, Any]) -> None:
    """Three learned nights of calibration and of stage adaptation."""
    calibration, adaptation = keys(entry)
    hass_storage[calibration] = {
        "version": 1,
        "key": calibration,
        "data": {"nights": [NIGHT_FIGURES] * 3},
    }
    hass_storage[adaptation] = {
        "version": 1,
        "key": adaptation,
        "data": {
            "model": fingerprint(shipped_model("stage")),
            "medians": [SIX] * 3,
            "spreads": [SIX] * 3,
        },
    }


async def diagnostics(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """The learning part of the entry's diagnostics."""
    learning: dict[str, Any] = (await async_get_config_entry_diagnostics(hass, entry))["learning"]
    return learning


async def restart(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Unload and set the entry up again, as a restart of Home Assistant does."""
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


async def reset(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> None:
    """Call ``radar_sleep.reset_learning``."""
    await hass.services.async_call(
        DOMAIN, "reset_learning", {"config_entry_id": entry.entry_id, **data}, blocking=True
    )


@pytest.fixture
async def learned_tracker(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    silent_source: None,
) -> None:
    """The fixed tracker set up at ``NOW`` with three nights' calibration and adaptation stored."""
    freezer.move_to(NOW)
    store_learning(mock_config_entry, hass_storage)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])


@pytest.mark.usefixtures("learned_tracker")
async def test_learning_survives_restarts_and_is_reset_part_by_part(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    learned = await diagnostics(hass, mock_config_entry)
    calibration = learned["calibration"]
    assert calibration["nights"] == 3
    assert calibration["breathing_rate_bpm"] == 14.0
    # Half way between the empty bed's 0.1 and the occupied bed's 0.7, and in use: the
    # presence option was left at its default.
    assert calibration["presence_threshold"] == 0.4
    assert calibration["presence_threshold_in_use"] == 0.4
    # The fixed nights' lights off: 21:35, 21:45 and 21:55 UTC, 22:45 in Berlin.
    assert calibration["usual_bedtime"] == "22:45"
    assert learned["stage_adaptation"]["nights"] == 3
    assert learned["stage_adaptation"]["active"]
    # Shown with the usual bedtime too.
    usual = hass.states.get("sensor.bedroom_usual_bedtime")
    assert usual is not None
    assert usual.attributes["breathing_baseline_bpm"] == 14.0

    await restart(hass, mock_config_entry)
    assert await diagnostics(hass, mock_config_entry) == learned

    await reset(hass, mock_config_entry, what=["calibration"])
    calibration_key, adaptation_key = keys(mock_config_entry)
    assert hass_storage[calibration_key]["data"] == {"nights": []}
    after = await diagnostics(hass, mock_config_entry)
    assert after["calibration"]["nights"] == 0
    assert after["calibration"]["presence_threshold_in_use"] == 0.5
    assert after["stage_adaptation"] == learned["stage_adaptation"]
    # The sensor shows it at once: no breathing baseline left.
    usual = hass.states.get("sensor.bedroom_usual_bedtime")
    assert usual is not None
    assert usual.attributes["breathing_baseline_bpm"] is None

    await restart(hass, mock_config_entry)
    assert (await diagnostics(hass, mock_config_entry))["calibration"]["nights"] == 0

    await reset(hass, mock_config_entry)  # nothing chosen: everything
    assert hass_storage[adaptation_key]["data"] == {
        "model": fingerprint(shipped_model("stage")),
        "medians": [],
        "spreads": [],
        "outputs": [],
        "rows": [],
        "tuned": None,
    }
    assert (await diagnostics(hass, mock_config_entry))["stage_adaptation"] == {
        "nights": 0,
        "active": False,
        "network_tuned_on_nights": 0,
        "network_tuning": "too_few_nights",
        "input_shift": 0.0,
        "input_shift_to_tune": 0.81,
    }


@pytest.mark.usefixtures("learned_tracker")
async def test_forget_data_leaves_nothing_on_the_usual_bedtime(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The nights and the calibration are gone from the sensor as soon as the action returns."""
    usual = hass.states.get("sensor.bedroom_usual_bedtime")
    assert usual is not None
    assert usual.attributes["breathing_baseline_bpm"] == 14.0
    assert usual.attributes["nights"] == 3

    await hass.services.async_call(
        DOMAIN, "forget_data", {"config_entry_id": mock_config_entry.entry_id}, blocking=True
    )
    usual = hass.states.get("sensor.bedroom_usual_bedtime")
    assert usual is not None
    assert usual.state == "unknown"
    assert usual.attributes["nights"] == 0
    assert usual.attributes["time"] is None
    assert usual.attributes["wake_time"] is None
    assert usual.attributes["sleep_need_min"] is None
    assert usual.attributes["breathing_baseline_bpm"] is None


@pytest.mark.usefixtures("silent_source")
async def test_a_set_presence_threshold_is_not_replaced_by_the_learned_one(
    hass: HomeAssistant, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(NOW)
    entry = tracker_entry({CONF_PRESENCE_THRESHOLD: 0.6})
    store_learning(entry, hass_storage)
    await async_setup_fixed(hass, entry, hass_storage, [Platform.SENSOR])
    calibration = (await diagnostics(hass, entry))["calibration"]
    assert calibration["presence_threshold"] == 0.4
    assert calibration["presence_threshold_in_use"] == 0.6


@pytest.mark.usefixtures("silent_source")
async def test_a_night_learned_from_is_written(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(NOW)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])
    runtime = mock_config_entry.runtime_data
    # The pipeline learns in the executor when the night ends; here a night of 60 epochs of
    # each kind, all at 14 breaths/min, an empty bed at 0 and an occupied one at 0.9.
    runtime.learning.learning.calibration.add_night(
        NightObservation([14.0] * 60, [0.01] * 60, [0.9] * 60, [0.0] * 60)
    )
    runtime.learning.async_night_ended(NIGHT)
    calibration_key, _ = keys(mock_config_entry)
    assert calibration_key not in hass_storage
    freezer.tick(timedelta(seconds=SAVE_DELAY_SECONDS + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    stored = hass_storage[calibration_key]["data"]["nights"]
    assert stored == [
        {
            "breathing_rate_bpm": 14.0,
            "breathing_spread_bpm": 0.0,
            "movement_still": 0.01,
            "empty_confidence": 0.0,
            "occupied_confidence": 0.9,
        }
    ]


@pytest.mark.usefixtures("learned_tracker")
async def test_an_unknown_part_is_refused(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    with pytest.raises(ServiceValidationError):
        await reset(hass, mock_config_entry, what=["everything"])
    assert (await diagnostics(hass, mock_config_entry))["calibration"]["nights"] == 3


@pytest.mark.usefixtures("learned_tracker")
async def test_removing_the_tracker_removes_what_was_learned(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    assert await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert not set(keys(mock_config_entry)) & set(hass_storage)


@pytest.mark.usefixtures("learned_tracker")
async def test_a_reset_waits_for_the_epoch_being_processed(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Epochs run in the executor: what was learned is not changed under one."""
    coordinator = mock_config_entry.runtime_data.coordinator
    calibration = mock_config_entry.runtime_data.learning.learning.calibration
    in_flight: asyncio.Future[None] = hass.loop.create_future()
    coordinator._epoch_job = in_flight
    task = hass.async_create_task(reset(hass, mock_config_entry, what=["calibration"]))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert len(calibration.nights) == 3, "reset while an epoch is processed"
    in_flight.set_result(None)
    await task
    assert calibration.nights == []


@pytest.mark.usefixtures("silent_source")
async def test_the_tuned_stage_network_is_used_after_a_restart_and_reset(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A store with a network tuned on three nights stages with it until it is reset (and
    reading it at start-up reads no file in the event loop)."""
    rng = np.random.default_rng(3)
    adaptation = StageAdaptation()
    for _ in range(3):
        night = rng.normal(0.0, 0.3, size=(150, len(FEATURE_NAMES)))
        night[:, :4] = rng.uniform(0.01, 0.9, size=(150, 4))
        assert adaptation.add_night(night)
    assert adaptation.tuned is not None
    key = keys(mock_config_entry)[1]
    hass_storage[key] = {"version": 1, "key": key, "data": adaptation.as_dict()}
    freezer.move_to(NOW)
    shipped_model.cache_clear()  # as at start-up: the network is read from its file again
    threads: list[threading.Thread] = []

    def reading(path: Path) -> MlpModel:
        threads.append(threading.current_thread())
        return load_model(path)

    with patch(f"{network.__name__}.load_model", reading):
        await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])
    assert threads
    assert threading.main_thread() not in threads  # never in the event loop

    stager = mock_config_entry.runtime_data.coordinator.pipeline.stager
    assert (await diagnostics(hass, mock_config_entry))["stage_adaptation"][
        "network_tuned_on_nights"
    ] == 3
    assert stager.runner.model.weights[0].tobytes() == adaptation.tuned.weights[0].tobytes()

    await reset(hass, mock_config_entry, what=["stage_model"])
    assert stager.runner.model is shipped_model("stage")
    assert hass_storage[key]["data"]["tuned"] is None
