"""The activity log (logbook) of a fixed short night, with Home Assistant's recorder and logbook.

The night is the hand-made one of ``tests/sleep/test_events.py`` (20 epochs), played through
the coordinator; every count below is worked out by hand from its rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from ..sleep.test_events import EXPECTED, NIGHT, T0
from .test_sleep_events import EpochSource, async_play, fixed_night


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before Home Assistant (and custom integrations)."""


@pytest.fixture
def fixed_pipeline(freezer: FrozenDateTimeFactory) -> Generator[None]:
    """Play the fixed night of ``test_sleep_events``."""
    with fixed_night(freezer):
        yield


async def logbook_rows(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    freezer: FrozenDateTimeFactory,
    config: dict[str, Any],
) -> list[tuple[str, str]]:
    """The night's logbook entries as (entity, state or event type), in order."""
    hass.config.components.add("frontend")  # the logbook's panel; no user interface here
    assert await async_setup_component(hass, "logbook", {"logbook": config})
    entry.add_to_hass(hass)
    await async_play(hass, entry, EpochSource(len(NIGHT) + 1, freezer))
    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": T0.isoformat(),
            "end_time": (T0 + timedelta(hours=1)).isoformat(),
        }
    )
    msg = await client.receive_json()
    assert msg["success"]
    return [
        (row["entity_id"], row.get("attributes", {}).get("event_type") or row["state"])
        for row in msg["result"]
        if row.get("entity_id")
    ]


STAGE = "sensor.bedroom_sleep_stage"
SLEEP = "event.bedroom_sleep"
OTHERS = {
    # Presence and In bed: on at epochs 1 and 3, off at 12, on at 13, off at 18.
    "binary_sensor.bedroom_presence": ["on", "off", "on", "off"],
    "binary_sensor.bedroom_in_bed": ["on", "off", "on", "off"],
    "binary_sensor.bedroom_trying_to_sleep": ["on", "off"],  # epochs 5 and 16
}


def of(rows: list[tuple[str, str]], entity_id: str) -> list[str]:
    return [state for entity, state in rows if entity == entity_id]


@pytest.mark.usefixtures("fixed_pipeline")
async def test_without_settings_the_stage_changes_fill_the_log(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    rows = await logbook_rows(hass, mock_config_entry, hass_ws_client, freezer, {})
    # Each change of the shown stage (epochs 3, 6, 7, 8, 9, 10, 11, 14, 15, 17, 18, 19).
    assert of(rows, STAGE) == [
        *("wake", "light", "deep", "wake", "light", "rem"),
        *("wake", "light", "wake", "light", "wake", "unknown"),
    ]
    assert of(rows, SLEEP) == [kind.value for kind, _ in EXPECTED]
    assert Counter(entity for entity, _ in rows) == {
        STAGE: 12,
        SLEEP: 13,
        **{entity: len(states) for entity, states in OTHERS.items()},
    }


@pytest.mark.usefixtures("fixed_pipeline")
async def test_with_the_stage_sensor_excluded_the_log_tells_the_night(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    config = {"exclude": {"entities": [STAGE]}}  # the setting docs/entities.md gives
    rows = await logbook_rows(hass, mock_config_entry, hass_ws_client, freezer, config)
    assert of(rows, STAGE) == []
    assert of(rows, SLEEP) == [kind.value for kind, _ in EXPECTED]
    for entity, states in OTHERS.items():
        assert of(rows, entity) == states, entity
    assert len(rows) == 13 + 4 + 4 + 2
