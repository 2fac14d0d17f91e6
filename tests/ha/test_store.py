"""The tracker's storage file: an existing user's file loads unchanged and is written back as is."""

from __future__ import annotations

import copy
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.sleep.serialize import summary_to_dict
from custom_components.radar_sleep.store import RadarSleepStore

from .fixed import ALARM, NIGHTS


async def test_a_stored_file_loads_and_is_written_back_unchanged(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    data = {
        "nights": [summary_to_dict(n) for n in NIGHTS],
        "in_progress": {"kind": "a pipeline snapshot"},
        "standby": True,
        "alarm": ALARM,
    }
    hass_storage[key] = {"version": 1, "key": key, "data": copy.deepcopy(data)}
    store = RadarSleepStore(hass, mock_config_entry)
    await store.async_load()
    assert store.nights == list(NIGHTS)
    assert store.standby
    assert store.alarm == ALARM
    assert store.in_progress == data["in_progress"]
    # What is written for the night in progress is the latest snapshot (here: the same).
    store.snapshot = data["in_progress"]
    await store.async_save()
    assert hass_storage[key]["version"] == 1
    assert hass_storage[key]["data"] == data


async def test_a_file_from_before_the_history_has_its_last_night(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    last = summary_to_dict(NIGHTS[-1])
    hass_storage[key] = {"version": 1, "key": key, "data": {"last_night": last}}
    store = RadarSleepStore(hass, mock_config_entry)
    await store.async_load()
    assert store.nights == [NIGHTS[-1]]
    assert not store.standby
    assert store.alarm is None
    store.dump_alarm = lambda: {"settings": {}}
    await store.async_save()
    assert hass_storage[key]["data"] == {
        "nights": [last],
        "in_progress": None,
        "standby": False,
        "alarm": {"settings": {}},
    }
