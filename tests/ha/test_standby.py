"""Standby really stops sensing: the source is closed, buffered data dropped, and it persists."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from unittest.mock import patch

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.contracts import TargetVitals, VitalsFrame

STANDBY = "switch.bedroom_standby"


class SleeperSource:
    """Someone lying still on the user's side for ``seconds``, then the radar waits."""

    def __init__(self, seconds: float = 400.0) -> None:
        self.seconds = seconds
        self.opened = 0
        self.open = False
        self.sent = asyncio.Event()

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        self.opened += 1
        self.open = True
        try:
            for k in range(round(self.seconds * 10)):
                target = TargetVitals(
                    target_id=1,
                    distance_m=0.6,
                    angle_deg=-10.0,
                    respiration_mm=(2.0 * ((k % 40) / 40 - 0.5),),
                    respiration_rate_hz=10.0,
                    movement=0.0,
                    signal_quality=0.9,
                )
                yield VitalsFrame(t=k / 10, targets=(target,))
                if k % 100 == 0:
                    await asyncio.sleep(0)
            self.sent.set()
            await asyncio.Event().wait()  # a radar that has nothing more to say
        finally:
            self.open = False


async def test_standby_stops_sensing_and_survives_a_restart(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    source = SleeperSource()
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=source):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await asyncio.wait_for(source.sent.wait(), 30)
        await hass.async_block_till_done()
        coordinator = mock_config_entry.runtime_data.coordinator
        assert source.open
        assert hass.states.get("binary_sensor.bedroom_presence").state == "on"
        assert hass.states.get("binary_sensor.bedroom_in_bed").state == "on"
        assert coordinator.pipeline.records
        assert hass.states.get(STANDBY).state == "off"

        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: STANDBY}, blocking=True
        )
        await hass.async_block_till_done()
        assert not source.open, "standby must close the radar"
        assert coordinator.pipeline.flush() is None, "the open epoch's breathing is dropped"
        assert coordinator.pipeline.records == []
        assert coordinator.pipeline.session.state == "idle"
        assert hass.states.get(STANDBY).state == "on"
        presence = hass.states.get("binary_sensor.bedroom_presence")
        assert presence.state == "off"
        assert presence.attributes["reason"] == "standby"
        assert hass.states.get("binary_sensor.bedroom_in_bed").state == "off"
        stored = hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"]["data"]
        assert stored["standby"] is True
        assert stored["in_progress"] is None

        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        assert hass.states.get(STANDBY).state == "on"
        assert source.opened == 1, "still in standby after the restart: the radar stays closed"
        for entity_id in (
            "binary_sensor.bedroom_presence",
            "binary_sensor.bedroom_in_bed",
            "binary_sensor.bedroom_trying_to_sleep",
            "sensor.bedroom_sleep_stage",
        ):
            state = hass.states.get(entity_id)
            assert state.attributes.get("reason") == "standby", entity_id

        source.sent.clear()
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: STANDBY}, blocking=True
        )
        await asyncio.wait_for(source.sent.wait(), 30)
        await hass.async_block_till_done()
        assert source.opened == 2
        assert source.open
        assert hass.states.get(STANDBY).state == "off"
        assert hass.states.get("binary_sensor.bedroom_presence").state == "on"
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
        assert not source.open
