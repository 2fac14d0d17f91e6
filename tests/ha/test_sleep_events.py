"""The Sleep event entity with real Home Assistant: a fixed night's epochs through the coordinator.

The pipeline's epoch step is replaced by the hand-made updates of ``tests/sleep/test_events.py``
(one per epoch, the source sending one frame per epoch), so that the events and their times are
the hand-worked ones whatever the models do.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Generator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.sleep.epoch import EpochInput
from custom_components.radar_sleep.sleep.pipeline import EpochResult, SleepPipeline
from custom_components.radar_sleep.sleep.room import RoomSample

from ..sleep.test_events import END, EXPECTED, NIGHT, T0, update

ENTITY = "event.bedroom_sleep"


class EpochSource:
    """One frame per epoch, from epoch ``first`` up to (not including) ``stop``; resumable.

    With ``clock``, Home Assistant's clock moves on a second with each frame (so that each
    epoch's state changes have their own time; a second, not 30, to stay inside the loop's
    timeouts).
    """

    def __init__(self, stop: int, clock: FrozenDateTimeFactory | None = None) -> None:
        self.first = 0
        self.stop = stop
        self.clock = clock
        self.done = asyncio.Event()

    def resume_at(self, t: float) -> None:
        self.first = int(t // 30)

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        for k in range(self.first, self.stop):
            if self.clock is not None:
                self.clock.move_to(T0 + timedelta(seconds=k))
            yield VitalsFrame(t=30.0 * k + 1.0, targets=())
        self.done.set()
        await asyncio.Event().wait()  # the radar stays quiet until Home Assistant stops


def fixed_epoch(epoch: EpochInput, room: RoomSample | None = None) -> EpochResult:
    """The hand-made update of ``epoch`` (and the night's summary on the last one)."""
    del room  # the fixed night has no room sensors
    state, trying, stage = NIGHT[epoch.index]
    summary = END if epoch.index == len(NIGHT) - 1 else None
    return EpochResult(update(epoch.index, state, trying, stage), None, None, summary)  # type: ignore[arg-type]


@contextmanager
def fixed_night(freezer: FrozenDateTimeFactory) -> Iterator[None]:
    """Epochs give the fixed night; the pipeline starts at the night's origin."""
    freezer.move_to(T0)
    with (
        patch.object(SleepPipeline, "process_epoch", side_effect=fixed_epoch),
        patch("custom_components.radar_sleep.coordinator.SAVE_INTERVAL_SECONDS", 1e9),
    ):
        yield


@pytest.fixture
def fixed_pipeline(freezer: FrozenDateTimeFactory) -> Generator[None]:
    """Play the fixed night."""
    with fixed_night(freezer):
        yield


def record_events(hass: HomeAssistant) -> list[tuple[str, str, str]]:
    """Every event of the Sleep entity as (type, time of day, reason), in order.

    The state an event entity restores when it is added again (after ``unavailable``, or
    none) is its last event, not a new one.
    """
    seen: list[tuple[str, str, str]] = []

    @callback
    def changed(event: Event[Any]) -> None:
        new, old = event.data["new_state"], event.data["old_state"]
        if (
            event.data["entity_id"] == ENTITY
            and old is not None
            and old.state != STATE_UNAVAILABLE
            and new is not None
            and "time" in new.attributes
        ):
            seen.append(
                (
                    new.attributes["event_type"],
                    new.attributes["time"][11:19],
                    new.attributes["reason"],
                )
            )

    hass.bus.async_listen(EVENT_STATE_CHANGED, changed)
    return seen


async def async_play(hass: HomeAssistant, entry: MockConfigEntry, source: EpochSource) -> None:
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=source):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await asyncio.wait_for(source.done.wait(), 60)
        await hass.async_block_till_done()


EXPECTED_CLOCK = [(kind.value, time) for kind, time in EXPECTED]


@pytest.mark.usefixtures("fixed_pipeline")
async def test_a_fixed_night_fires_its_events_in_order(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    seen = record_events(hass)
    mock_config_entry.add_to_hass(hass)
    await async_play(hass, mock_config_entry, EpochSource(len(NIGHT) + 1))
    assert [(kind, time) for kind, time, _ in seen] == EXPECTED_CLOCK
    assert seen[0][2] == "session 3"
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.attributes["event_type"] == "session_ended"
    assert state.attributes["time"] == "2026-11-20T22:09:00+00:00"
    assert state.attributes["event_types"] == [
        "session_started",
        "trying_to_sleep",
        "fell_asleep",
        "awake",
        "back_asleep",
        "final_wake",
        "out_of_bed",
        "back_in_bed",
        "session_ended",
    ]


@pytest.mark.parametrize("cut", [4, 9, 13, 17])
@pytest.mark.usefixtures("fixed_pipeline")
async def test_a_restart_mid_night_neither_replays_nor_loses_events(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, cut: int
) -> None:
    seen = record_events(hass)
    mock_config_entry.add_to_hass(hass)
    await async_play(hass, mock_config_entry, EpochSource(cut + 1))  # epochs 0 .. cut - 1
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    # Home Assistant starts again; the simulated night carries on from the saved snapshot
    # (taken at the last epoch with events), replaying the epochs after it.
    resumed = EpochSource(len(NIGHT) + 1)
    await async_play(hass, mock_config_entry, resumed)
    assert resumed.first > 0
    assert [(kind, time) for kind, time, _ in seen] == EXPECTED_CLOCK


@pytest.mark.usefixtures("fixed_pipeline")
async def test_a_tracker_added_again_starts_without_the_deleted_ones_events(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    await async_play(hass, mock_config_entry, EpochSource(len(NIGHT) + 1))
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.attributes["event_type"] == "session_ended"
    assert await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    # The same tracker added again (same name, so the same entity ids), nothing played yet.
    again = MockConfigEntry(
        domain=mock_config_entry.domain,
        title=mock_config_entry.title,
        data=dict(mock_config_entry.data),
        options=dict(mock_config_entry.options),
    )
    again.add_to_hass(hass)
    quiet = EpochSource(0)
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=quiet):
        assert await hass.config_entries.async_setup(again.entry_id)
        await hass.async_block_till_done()
    for entity_id in (ENTITY, "event.bedroom_alarm"):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == "unknown", entity_id
        assert state.attributes["event_type"] is None
