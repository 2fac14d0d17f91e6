"""The bedroom's sensors with real Home Assistant: template sensors (fed by input helpers)
chosen in the config and options flows, followed live by the tracker's Room sensors, recorded
through a simulated night with a restart, and shown as Last night room sensors, in the
``get_night`` response and in the hypnogram picture."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
import io
import math
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import numpy as np
from PIL import Image
import pytest
from syrupy.assertion import SnapshotAssertion

from custom_components.radar_sleep.const import (
    CONF_HUMIDITY_ENTITY,
    CONF_ILLUMINANCE_ENTITY,
    CONF_PARTNER,
    CONF_PET,
    CONF_RADAR_POSITION,
    CONF_ROOM,
    CONF_SEED,
    CONF_SIDE,
    CONF_SOURCE,
    CONF_TEMPERATURE_ENTITY,
    DOMAIN,
)
from custom_components.radar_sleep.contracts import EPOCH_SECONDS, Stage, VitalsFrame
from custom_components.radar_sleep.coordinator import RadarSleepData
from custom_components.radar_sleep.hypnogram_image import render_hypnogram
from custom_components.radar_sleep.simulation.bedroom import SimulatorConfig
from custom_components.radar_sleep.simulation.source import SimulatorSource
from custom_components.radar_sleep.sleep.room import RoomQuantity
from custom_components.radar_sleep.sleep.serialize import summary_to_dict

from ..conftest import SimulatedNight
from .conftest import tracker_entry
from .fixed import NIGHT, NOW, async_respond, async_setup_fixed

TEMPERATURE = "sensor.bedroom_thermometer"
HUMIDITY = "sensor.bedroom_hygrometer"
LIGHT = "sensor.bedroom_light_meter"
ROOM = {
    CONF_TEMPERATURE_ENTITY: TEMPERATURE,
    CONF_HUMIDITY_ENTITY: HUMIDITY,
    CONF_ILLUMINANCE_ENTITY: LIGHT,
}
OURS = {
    "temperature": "sensor.bedroom_room_temperature",
    "humidity": "sensor.bedroom_room_humidity",
    "light": "sensor.bedroom_room_light",
}
LAST = {
    "temperature": "sensor.bedroom_last_night_room_temperature",
    "humidity": "sensor.bedroom_last_night_room_humidity",
    "light": "sensor.bedroom_last_night_room_light",
}


def _template(name: str, helper: str, unit: str, device_class: str, ok: str) -> dict[str, Any]:
    return {
        "name": name,
        "unique_id": name.lower().replace(" ", "_"),
        "state": f"{{{{ states('input_number.{helper}') }}}}",
        "availability": f"{{{{ is_state('input_boolean.{ok}', 'on') }}}}",
        "unit_of_measurement": unit,
        "device_class": device_class,
        "state_class": "measurement",
    }


async def async_setup_room(hass: HomeAssistant) -> None:
    """A thermometer shown in °F, a hygrometer and a light meter: template sensors fed by
    helpers.

    ``input_number.room_f``/``room_rh``/``room_lx`` set their readings; the
    ``input_boolean.thermometer_ok``/``hygrometer_ok``/``light_meter_ok`` their availability.
    """

    def number(initial: float, low: float, high: float) -> dict[str, Any]:
        return {"min": low, "max": high, "step": 0.1, "initial": initial, "mode": "box"}

    assert await async_setup_component(
        hass,
        "input_number",
        {
            "input_number": {
                "room_f": number(68.0, -40, 140),
                "room_rh": number(45.0, 0, 100),
                "room_lx": number(0.5, 0, 10000),
            }
        },
    )
    assert await async_setup_component(
        hass,
        "input_boolean",
        {
            "input_boolean": {
                ok: {"initial": True}
                for ok in ("thermometer_ok", "hygrometer_ok", "light_meter_ok")
            }
        },
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "sensor": [
                        _template(
                            "Bedroom thermometer", "room_f", "°F", "temperature", "thermometer_ok"
                        ),
                        _template(
                            "Bedroom hygrometer", "room_rh", "%", "humidity", "hygrometer_ok"
                        ),
                        _template(
                            "Bedroom light meter", "room_lx", "lx", "illuminance", "light_meter_ok"
                        ),
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    # Shown in °F whatever the unit system (as a user may choose on the sensor's settings).
    er.async_get(hass).async_update_entity_options(
        TEMPERATURE, "sensor", {"unit_of_measurement": "°F"}
    )
    await hass.async_block_till_done()
    thermometer = hass.states.get(TEMPERATURE)
    assert thermometer.state == "68.0"
    assert thermometer.attributes["unit_of_measurement"] == "°F"


async def async_set(hass: HomeAssistant, helper: str, value: float | bool) -> None:
    """Set an input helper and wait until the template sensor fed by it follows."""
    if isinstance(value, bool):
        service = "turn_on" if value else "turn_off"
        await hass.services.async_call(
            "input_boolean", service, {"entity_id": f"input_boolean.{helper}"}, blocking=True
        )
    else:
        await hass.services.async_call(
            "input_number",
            "set_value",
            {"entity_id": f"input_number.{helper}", "value": value},
            blocking=True,
        )
    await hass.async_block_till_done()


# -- config and options flows -------------------------------------------------------------------


@pytest.mark.usefixtures("silent_source")
async def test_config_flow_with_and_without_room_sensors(hass: HomeAssistant) -> None:
    await async_setup_room(hass)
    for seed, room, options in (
        (11, {CONF_TEMPERATURE_ENTITY: TEMPERATURE, CONF_ILLUMINANCE_ENTITY: LIGHT}, None),
        (12, {}, {}),
        (13, None, {}),
    ):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        assert result["type"] is FlowResultType.FORM
        assert CONF_ROOM in result["data_schema"].schema
        user: dict[str, Any] = {
            CONF_NAME: f"Bed {seed}",
            CONF_SOURCE: "simulator",
            CONF_SIDE: "left",
            CONF_RADAR_POSITION: "left_table",
        }
        if room is not None:
            user[CONF_ROOM] = room
        result = await hass.config_entries.flow.async_configure(result["flow_id"], user)
        assert result["step_id"] == "simulator"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_SEED: seed, CONF_PARTNER: False, CONF_PET: False}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert CONF_ROOM not in result["data"]
        assert result["options"] == ({CONF_ROOM: room} if options is None else options)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.bed_11_room_temperature").state == "20.0"
    assert hass.states.get("sensor.bed_11_room_light").state == "0.5"
    assert hass.states.get("sensor.bed_11_room_humidity") is None
    assert hass.states.get("sensor.bed_12_room_temperature") is None


@pytest.mark.usefixtures("silent_source")
async def test_options_flow_chooses_and_clears_room_sensors(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    await async_setup_room(hass)
    entry = tracker_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(OURS["temperature"]) is None
    # The tracker's device is now in the Bedroom area, and Home Assistant names the entities
    # a device gains later after its area too (the area, device and entity parts).
    ours = {k: v.replace("sensor.bedroom_", "sensor.bedroom_bedroom_") for k, v in OURS.items()}
    last = {k: v.replace("sensor.bedroom_", "sensor.bedroom_bedroom_") for k, v in LAST.items()}

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert CONF_ROOM in result["data_schema"].schema
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_ROOM: {CONF_TEMPERATURE_ENTITY: TEMPERATURE, CONF_HUMIDITY_ENTITY: HUMIDITY}},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_ROOM] == {
        CONF_TEMPERATURE_ENTITY: TEMPERATURE,
        CONF_HUMIDITY_ENTITY: HUMIDITY,
    }
    assert hass.states.get(ours["temperature"]).state == "20.0"
    assert hass.states.get(ours["humidity"]).state == "45.0"
    assert hass.states.get(ours["light"]) is None
    assert entity_registry.async_get(last["humidity"]) is not None

    # The form suggests the chosen sensors; emptying the temperature removes its entities.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    room_schema = result["data_schema"].schema[CONF_ROOM].schema.schema
    suggested = {
        str(key): key.description["suggested_value"]
        for key in room_schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {CONF_TEMPERATURE_ENTITY: TEMPERATURE, CONF_HUMIDITY_ENTITY: HUMIDITY}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ROOM: {CONF_HUMIDITY_ENTITY: HUMIDITY}}
    )
    await hass.async_block_till_done()
    assert entry.options[CONF_ROOM] == {CONF_HUMIDITY_ENTITY: HUMIDITY}
    assert hass.states.get(ours["temperature"]) is None
    assert entity_registry.async_get(ours["temperature"]) is None
    assert entity_registry.async_get(last["temperature"]) is None
    assert hass.states.get(ours["humidity"]).state == "45.0"


# -- the Room sensors follow their sources ------------------------------------------------------


@pytest.mark.usefixtures("silent_source")
async def test_room_sensors_follow_their_sources_in_the_trackers_units(
    hass: HomeAssistant,
) -> None:
    await async_setup_room(hass)
    entry = tracker_entry({CONF_ROOM: ROOM})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    temperature = hass.states.get(OURS["temperature"])
    assert temperature.state == "20.0"  # 68 °F
    assert temperature.attributes["unit_of_measurement"] == "°C"
    assert temperature.attributes["device_class"] == "temperature"
    assert temperature.attributes["source"] == TEMPERATURE
    assert hass.states.get(OURS["humidity"]).attributes["unit_of_measurement"] == "%"
    assert hass.states.get(OURS["light"]).attributes["unit_of_measurement"] == "lx"

    await async_set(hass, "room_f", 77.0)  # 25 °C
    assert float(hass.states.get(OURS["temperature"]).state) == pytest.approx(25.0)
    await async_set(hass, "room_lx", 12.5)
    assert hass.states.get(OURS["light"]).state == "12.5"

    await async_set(hass, "thermometer_ok", False)
    assert hass.states.get(TEMPERATURE).state == STATE_UNAVAILABLE
    assert hass.states.get(OURS["temperature"]).state == STATE_UNAVAILABLE
    assert hass.states.get(OURS["humidity"]).state == "45.0"
    assert entry.runtime_data.coordinator.room_entities  # read each epoch
    await async_set(hass, "thermometer_ok", True)
    assert float(hass.states.get(OURS["temperature"]).state) == pytest.approx(25.0)


@pytest.mark.usefixtures("silent_source")
async def test_room_sensors_follow_a_renamed_source(hass: HomeAssistant) -> None:
    """The user changes the hygrometer's entity id: the options and the Room humidity follow."""
    await async_setup_room(hass)
    entry = tracker_entry({CONF_ROOM: ROOM})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    renamed = "sensor.bedside_hygrometer"
    er.async_get(hass).async_update_entity(HUMIDITY, new_entity_id=renamed)
    await hass.async_block_till_done()
    assert entry.options[CONF_ROOM] == {**ROOM, CONF_HUMIDITY_ENTITY: renamed}
    humidity = hass.states.get(OURS["humidity"])
    assert humidity.state == "45.0"
    assert humidity.attributes["source"] == renamed
    await async_set(hass, "room_rh", 52.0)
    assert hass.states.get(OURS["humidity"]).state == "52.0"
    assert float(hass.states.get(OURS["temperature"]).state) == pytest.approx(20.0)
    assert entry.runtime_data.coordinator.room_entities[RoomQuantity.HUMIDITY] == renamed


@pytest.mark.usefixtures("silent_source")
async def test_room_temperature_in_fahrenheit_for_us_customary_units(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    hass.config.units = US_CUSTOMARY_SYSTEM
    await async_setup_room(hass)
    entry = tracker_entry({CONF_ROOM: ROOM})
    await async_setup_fixed(hass, entry, hass_storage, [Platform.SENSOR])
    state = hass.states.get(OURS["temperature"])
    assert state.attributes["unit_of_measurement"] == "°F"
    assert float(state.state) == pytest.approx(68.0)

    night = replace(
        NIGHT,
        room_temperature_c=20.0,
        room_temperature_min_c=15.0,
        room_temperature_max_c=30.0,
    )
    coordinator = entry.runtime_data.coordinator
    coordinator.async_set_updated_data(RadarSleepData(coordinator.data.update, night))
    await hass.async_block_till_done()
    last = hass.states.get(LAST["temperature"])
    assert last.attributes["unit_of_measurement"] == "°F"
    assert float(last.state) == pytest.approx(68.0)
    assert last.attributes["minimum"] == 59.0
    assert last.attributes["maximum"] == 86.0
    assert last.attributes["range_low"] == pytest.approx(62.6)  # 17 °C
    assert last.attributes["range_high"] == pytest.approx(82.4)  # 28 °C
    assert last.attributes["verdict"] == "in_range"
    assert hass.states.get(LAST["humidity"]).state == "unknown"  # nothing recorded


# -- a night with the room changing, interrupted by a restart ----------------------------------

START = datetime(2026, 11, 20, 21, 30, tzinfo=dt_util.UTC)


def _mid_epoch(t: float) -> float:
    """The middle of the epoch around ``t``: a change there shows from that epoch on."""
    return math.floor(t / EPOCH_SECONDS) * EPOCH_SECONDS + EPOCH_SECONDS / 2


class RoomPlay:
    """The simulated night, changing the room's helpers at fixed source times.

    With ``stop_t`` it delivers nothing from then on (Home Assistant is about to stop).
    """

    def __init__(
        self,
        hass: HomeAssistant,
        changes: list[tuple[float, str, float | bool]],
        stop_t: float | None = None,
    ) -> None:
        self.hass = hass
        self.source = SimulatorSource(SimulatorConfig(seed=7, partner=True), speed=0, nights=1)
        self.changes = changes
        self.stop_t = stop_t
        self.halted = asyncio.Event()

    def resume_at(self, t: float) -> None:
        self.source.resume_at(t)

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        async for frame in self.source.frames():
            if self.stop_t is not None and frame.t >= self.stop_t:
                break
            while self.changes and frame.t >= self.changes[0][0]:
                _, helper, value = self.changes.pop(0)
                await async_set(self.hass, helper, value)
            yield frame
        self.halted.set()
        if self.stop_t is not None:
            await asyncio.Event().wait()


async def test_night_records_the_room_while_asleep_across_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulated_night: SimulatedNight,
) -> None:
    """18 °C then 22 °C, 40 % then a 30-min gap then 60 %, 80 lx then 0.5 lx in bed then
    2.5 lx; Home Assistant restarts between the humidity's return and the last changes."""
    await async_setup_room(hass)
    truth = simulated_night.sim.truth
    onset = truth.sleep_onset_s
    bedtime, gap_start = _mid_epoch(truth.bed_enter_s), _mid_epoch(onset + 3600)
    gap_end, change = _mid_epoch(onset + 5400), _mid_epoch(onset + 3 * 3600)
    changes: list[tuple[float, str, float | bool]] = [
        (bedtime, "room_lx", 0.5),
        (gap_start, "hygrometer_ok", False),
        (gap_end, "room_rh", 60.0),
        (gap_end, "hygrometer_ok", True),
        (change, "room_f", 71.6),  # 22 °C
        (change, "room_lx", 2.5),
    ]
    await async_set(hass, "room_f", 64.4)  # 18 °C
    await async_set(hass, "room_rh", 40.0)
    await async_set(hass, "room_lx", 80.0)
    entry = tracker_entry({CONF_ROOM: ROOM})
    freezer.move_to(START)
    stop_t = onset + 2.5 * 3600 + 17.3
    first = RoomPlay(hass, changes, stop_t)
    with (
        patch("custom_components.radar_sleep.runtime.build_source", return_value=first),
        patch("custom_components.radar_sleep.coordinator.SAVE_INTERVAL_SECONDS", 0.0),
    ):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await asyncio.wait_for(first.halted.wait(), 120)
        await hass.async_block_till_done()
    assert len(changes) == 2, "the restart comes before the last changes"
    assert entry.runtime_data.coordinator.data.last_night is None
    assert await hass.config_entries.async_unload(entry.entry_id)  # Home Assistant stops

    freezer.tick(timedelta(minutes=3))  # and starts again: the night carries on
    second = RoomPlay(hass, changes)
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=second):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await asyncio.wait_for(second.halted.wait(), 120)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert not changes
    night = entry.runtime_data.coordinator.data.last_night
    assert night is not None

    # Expected from the night's hypnogram and the fixed changes above: epoch k holds the
    # readings of its end, so a change in the middle of epoch k shows from epoch k on.
    first_epoch = round((night.hypnogram_start - START).total_seconds() / EPOCH_SECONDS)
    asleep = [first_epoch + k for k, s in enumerate(night.hypnogram) if s is not Stage.WAKE]
    late = sum(1 for i in asleep if i >= change // EPOCH_SECONDS)
    early = len(asleep) - late
    dry = sum(1 for i in asleep if i < gap_start // EPOCH_SECONDS)
    humid = sum(1 for i in asleep if i >= gap_end // EPOCH_SECONDS)
    assert early > 0
    assert late > 0
    assert dry + humid < len(asleep), "the gap fell in sleep"
    assert night.room_temperature_c == round((18.0 * early + 22.0 * late) / len(asleep), 1)
    assert (night.room_temperature_min_c, night.room_temperature_max_c) == (18.0, 22.0)
    # 40 % was only read before the restart: the readings of the night survived it.
    assert night.room_humidity_pct == round((40.0 * dry + 60.0 * humid) / (dry + humid), 1)
    assert (night.room_humidity_min_pct, night.room_humidity_max_pct) == (40.0, 60.0)
    assert night.room_illuminance_lx == round((0.5 * early + 2.5 * late) / len(asleep), 1)
    assert (night.room_illuminance_min_lx, night.room_illuminance_max_lx) == (0.5, 2.5)
    assert night.room_illuminance_onset_lx == 0.5

    temperature = hass.states.get(LAST["temperature"])
    assert float(temperature.state) == night.room_temperature_c
    assert temperature.attributes["minimum"] == 18.0
    assert temperature.attributes["maximum"] == 22.0
    assert temperature.attributes["verdict"] == "in_range"
    assert temperature.attributes["night"] == night.night.isoformat()
    light = hass.states.get(LAST["light"])
    assert light.attributes["at_sleep_onset"] == 0.5
    assert light.attributes["verdict"] == "in_range"  # below 3 lx
    assert light.attributes["range_low"] is None
    assert light.attributes["range_high"] == 3.0
    assert hass.states.get(LAST["humidity"]).attributes["verdict"] == "in_range"

    answer = await async_respond(hass, entry, "get_night")
    assert answer["room_temperature_c"] == night.room_temperature_c
    assert answer["room_humidity_min_pct"] == 40.0
    assert answer["room_illuminance_onset_lx"] == 0.5
    assert answer["room_verdicts"] == {
        "temperature": "in_range",
        "humidity": "in_range",
        "light": "in_range",
    }


# -- the picture ---------------------------------------------------------------------------------


def _inked(png: bytes, box: tuple[int, int, int, int]) -> int:
    """How many pixels of ``box`` are not the white background."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1080, 720)
    region = np.asarray(image.crop(box))
    return int((region != 255).any(axis=2).sum())


def test_hypnogram_shows_the_room_beside_the_title_only_when_recorded() -> None:
    tz = ZoneInfo("Europe/Berlin")
    box = (700, 30, 1045, 66)  # right of the title, above the headline
    plain = render_hypnogram(NIGHT, tz)
    assert plain is not None
    assert _inked(plain, box) == 0
    roomy = replace(NIGHT, room_temperature_c=19.2, room_humidity_pct=45.0, room_illuminance_lx=0.4)
    png = render_hypnogram(roomy, tz)
    assert png is not None
    assert _inked(png, box) > 200
    # Only the light recorded: a shorter line, still drawn.
    only_light = render_hypnogram(replace(NIGHT, room_illuminance_lx=0.4), tz)
    assert only_light is not None
    assert 0 < _inked(only_light, box) < _inked(png, box)


@pytest.mark.usefixtures("silent_source")
async def test_room_entities_snapshot(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The six room entities on fixed inputs: the helpers' initial readings and a night."""
    freezer.move_to(NOW)
    await async_setup_room(hass)
    entry = tracker_entry({CONF_ROOM: ROOM})
    await async_setup_fixed(hass, entry, hass_storage, [Platform.SENSOR])
    coordinator = entry.runtime_data.coordinator
    night = replace(
        NIGHT,
        room_temperature_c=24.5,
        room_temperature_min_c=23.0,
        room_temperature_max_c=29.5,
        room_humidity_pct=38.0,
        room_humidity_min_pct=35.0,
        room_humidity_max_pct=41.0,
        room_illuminance_lx=6.2,
        room_illuminance_min_lx=0.5,
        room_illuminance_max_lx=40.0,
        room_illuminance_onset_lx=40.0,
    )
    coordinator.async_set_updated_data(RadarSleepData(coordinator.data.update, night))
    await hass.async_block_till_done()
    for entity_id in (*OURS.values(), *LAST.values()):
        registered = entity_registry.async_get(entity_id)
        assert registered == snapshot(name=f"{entity_id}-entry")
        assert hass.states.get(entity_id) == snapshot(name=f"{entity_id}-state")


@pytest.mark.usefixtures("silent_source")
async def test_nights_stored_before_the_room_was_recorded_still_load(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    await async_setup_room(hass)
    entry = tracker_entry({CONF_ROOM: ROOM})
    old = summary_to_dict(NIGHT)
    for key in [k for k in old if k.startswith("room_")]:
        del old[key]
    hass_storage[f"{DOMAIN}.{entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}",
        "data": {"nights": [old], "in_progress": None, "standby": False, "alarm": None},
    }
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.store.nights == [NIGHT]
    total = hass.states.get("sensor.bedroom_last_night_total_sleep_time")
    assert total.attributes["unit_of_measurement"] == "h"
    assert round(float(total.state) * 60, 6) == 16
    last = hass.states.get(LAST["temperature"])
    assert last.state == "unknown"
    assert "verdict" not in last.attributes
    assert hass.states.get(OURS["temperature"]).state == "20.0"
