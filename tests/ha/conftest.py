"""Fixtures for tests against a real Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.radar_sleep.const import (
    CONF_PARTNER,
    CONF_PET,
    CONF_RADAR_POSITION,
    CONF_SEED,
    CONF_SIDE,
    CONF_SOURCE,
    CONF_SPEED,
    DOMAIN,
)
from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.radar.simulator import SimulatorConfig
from custom_components.radar_sleep.radar.sources import SimulatorSource


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/radar_sleep."""


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """A simulator tracker playing as fast as possible."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Bedroom",
        entry_id="01JRADARS1EEPTESTENTRY0001",
        unique_id="simulator_7",
        data={
            CONF_SOURCE: "simulator",
            CONF_SIDE: "left",
            CONF_RADAR_POSITION: "left_table",
            CONF_SEED: 7,
            CONF_PARTNER: True,
            CONF_PET: False,
        },
        options={CONF_SPEED: 0},
    )


class SilentSource:
    """A source that delivers no frames (a radar that has not sent anything yet)."""

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        return
        yield  # pragma: no cover - makes this an async generator


@pytest.fixture
def silent_source() -> Generator[None]:
    """Replace the entry's source by one that sends nothing."""
    with patch(
        "custom_components.radar_sleep.coordinator.build_source", return_value=SilentSource()
    ):
        yield


@pytest.fixture
def one_night_source() -> Generator[list[SimulatorSource]]:
    """Play exactly one simulated night, as fast as possible; yields the sources built."""
    built: list[SimulatorSource] = []

    def build(hass: object, entry: MockConfigEntry) -> SimulatorSource:
        source = SimulatorSource(
            SimulatorConfig(
                seed=int(entry.data[CONF_SEED]),
                user_side=entry.data[CONF_SIDE],
                radar_position=entry.data[CONF_RADAR_POSITION],
                partner=entry.data[CONF_PARTNER],
                pet=entry.data[CONF_PET],
            ),
            speed=0,
            nights=1,
        )
        built.append(source)
        return source

    with patch("custom_components.radar_sleep.coordinator.build_source", side_effect=build):
        yield built
