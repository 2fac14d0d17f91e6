"""Config, options, import and reconfigure flows: every branch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_IMPORT, SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, section
from homeassistant.helpers import config_validation as cv
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.radar_sleep.const import (
    CONF_CAPTURE_PATH,
    CONF_HISTORY_NIGHTS,
    CONF_HUMIDITY_ENTITY,
    CONF_HUNCHES,
    CONF_LIGHTS,
    CONF_PARTNER,
    CONF_PET,
    CONF_PORT,
    CONF_PRESENCE_THRESHOLD,
    CONF_RADAR_POSITION,
    CONF_ROOM,
    CONF_SEED,
    CONF_SESSION_END_MINUTES,
    CONF_SIDE,
    CONF_SLEEP_TEMPERATURE,
    CONF_SOURCE,
    CONF_SPEED,
    CONF_TEMPERATURE_ENTITY,
    CONF_TTS_ENTITY,
    CONF_VOLUME_START,
    CONF_WAKE_UP,
    DOMAIN,
)
from custom_components.radar_sleep.sources import SOURCE_KINDS

EN: dict[str, Any] = json.loads(
    (
        Path(__file__).resolve().parents[2] / "custom_components/radar_sleep/translations/en.json"
    ).read_text()
)


def suggested(result: FlowResult, field: str) -> object:
    """The value the form shows again in ``field`` (top-level fields)."""
    schema = result["data_schema"]
    assert schema is not None
    for key in schema.schema:
        if str(key) == field:
            return (key.description or {}).get("suggested_value")
    raise AssertionError(field)


def form_fields(schema: probatio.Schema) -> set[str]:
    """Every field of a form, those inside its sections included."""
    names: set[str] = set()
    for key, value in schema.schema.items():
        names.add(str(key))
        if isinstance(value, section):
            names |= form_fields(value.schema)
    return names


pytestmark = pytest.mark.usefixtures("silent_source")


async def test_user_flow_creates_simulator_entry(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Alex",
            CONF_SOURCE: "simulator",
            CONF_SIDE: "right",
            CONF_RADAR_POSITION: "right_table",
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "simulator"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SEED: 42, CONF_PARTNER: False, CONF_PET: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Alex"
    assert result["data"] == {
        CONF_SOURCE: "simulator",
        CONF_SIDE: "right",
        CONF_RADAR_POSITION: "right_table",
        CONF_SEED: 42,
        CONF_PARTNER: False,
        CONF_PET: True,
    }
    assert result["result"].unique_id == "simulator_42"


async def test_user_flow_aborts_on_same_seed(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Again",
            CONF_SOURCE: "simulator",
            CONF_SIDE: "left",
            CONF_RADAR_POSITION: "left_table",
        },
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_SEED: 7, CONF_PARTNER: True, CONF_PET: False},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "simulator_seed_in_use"
    assert result["description_placeholders"] == {"seed": "7"}
    message = EN["config"]["abort"][result["reason"]].format(**result["description_placeholders"])
    assert message == (
        "A simulated bedroom with seed 7 is already set up. Each seed is another simulated "
        "sleeper: choose another seed to add a second one."
    )


async def test_user_flow_refuses_a_name_already_in_use(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A second "Bedroom" (the form's default) would get entity ids ending in _2 and Assist
    could not tell the two apart: the form suggests "Bedroom 2" and refuses the name taken."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["data_schema"] is not None
    name = next(k for k in result["data_schema"].schema if k == CONF_NAME)
    assert name.default() == "Bedroom 2"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**GOOD_USER_STEP, CONF_NAME: " bedroom "}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "name_in_use"}
    assert "name_in_use" in EN["config"]["error"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**GOOD_USER_STEP, CONF_NAME: "Guest room"}
    )
    assert result["step_id"] == "simulator"


async def test_user_flow_rejects_unknown_source(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "X",
            CONF_SOURCE: "carrier_pigeon",
            CONF_SIDE: "left",
            CONF_RADAR_POSITION: "left_table",
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {CONF_SOURCE: "invalid_source"}
    assert suggested(result, CONF_SOURCE) == "carrier_pigeon"
    assert suggested(result, CONF_NAME) == "X"


async def test_import_flow_and_duplicate(hass: HomeAssistant) -> None:
    data = {
        CONF_NAME: "Dev bedroom",
        CONF_SOURCE: "simulator",
        CONF_SIDE: "left",
        CONF_RADAR_POSITION: "left_table",
        CONF_SEED: 3,
        CONF_PARTNER: True,
        CONF_PET: False,
        CONF_SPEED: 60.0,
    }
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_IMPORT}, data=data
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Dev bedroom"
    assert result["options"] == {CONF_SPEED: 60.0}
    assert CONF_SPEED not in result["data"]
    assert CONF_NAME not in result["data"]
    again = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_IMPORT}, data=data
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "simulator_seed_in_use"
    assert again["description_placeholders"] == {"seed": "3"}


async def test_options_flow(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_SESSION_END_MINUTES: 30,
            CONF_PRESENCE_THRESHOLD: 0.6,
            CONF_HISTORY_NIGHTS: 30,
            CONF_SPEED: 120,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert mock_config_entry.options == {
        CONF_SESSION_END_MINUTES: 30,
        CONF_PRESENCE_THRESHOLD: 0.6,
        CONF_HISTORY_NIGHTS: 30,
        CONF_SPEED: 120,
    }
    # The reload applied the options to the running pipeline.
    config = mock_config_entry.runtime_data.coordinator.pipeline.config
    assert config.session_end_minutes == 30
    assert config.presence_threshold == 0.6


async def test_options_flow_rejects_out_of_range(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_SESSION_END_MINUTES: 1, CONF_PRESENCE_THRESHOLD: 0.5, CONF_SPEED: 1},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SESSION_END_MINUTES: "invalid_session_end_minutes"}
    assert CONF_SESSION_END_MINUTES not in mock_config_entry.options


async def test_reconfigure_flow(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_SIDE: "right",
            CONF_RADAR_POSITION: "headboard",
            CONF_SEED: 8,
            CONF_PARTNER: False,
            CONF_PET: True,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_SIDE] == "right"
    assert mock_config_entry.data[CONF_RADAR_POSITION] == "headboard"
    assert mock_config_entry.unique_id == "simulator_8"
    await hass.async_block_till_done()
    assert mock_config_entry.runtime_data.coordinator.pipeline.config.radar_position == "headboard"


async def test_reconfigure_to_taken_seed_aborts(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    other = MockConfigEntry(
        domain=DOMAIN, unique_id="simulator_9", data={**mock_config_entry.data, CONF_SEED: 9}
    )
    other.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_SIDE: "left",
            CONF_RADAR_POSITION: "left_table",
            CONF_SEED: 9,
            CONF_PARTNER: True,
            CONF_PET: False,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "simulator_seed_in_use"
    assert result["description_placeholders"] == {"seed": "9"}
    assert mock_config_entry.data[CONF_SEED] == 7


SECTIONS = {CONF_WAKE_UP, CONF_ROOM, CONF_HUNCHES}
GOOD_OPTIONS = {CONF_SESSION_END_MINUTES: 30, CONF_PRESENCE_THRESHOLD: 0.5, CONF_HISTORY_NIGHTS: 30}
# (field, value sent, the form's errors): a field inside a section is reported on the section,
# by the field's own key; a value that is not one of the section's fields, on the section.
BAD_OPTIONS: list[tuple[str, object, dict[str, str]]] = [
    (CONF_SESSION_END_MINUTES, 4, {CONF_SESSION_END_MINUTES: "invalid_session_end_minutes"}),
    (CONF_SESSION_END_MINUTES, 121, {CONF_SESSION_END_MINUTES: "invalid_session_end_minutes"}),
    (
        CONF_SESSION_END_MINUTES,
        "half an hour",
        {CONF_SESSION_END_MINUTES: "invalid_session_end_minutes"},
    ),
    (CONF_PRESENCE_THRESHOLD, 0.05, {CONF_PRESENCE_THRESHOLD: "invalid_presence_threshold"}),
    (CONF_PRESENCE_THRESHOLD, 1.5, {CONF_PRESENCE_THRESHOLD: "invalid_presence_threshold"}),
    (CONF_PRESENCE_THRESHOLD, "high", {CONF_PRESENCE_THRESHOLD: "invalid_presence_threshold"}),
    (CONF_HISTORY_NIGHTS, 0, {CONF_HISTORY_NIGHTS: "invalid_history_nights"}),
    (CONF_HISTORY_NIGHTS, 3651, {CONF_HISTORY_NIGHTS: "invalid_history_nights"}),
    (CONF_HISTORY_NIGHTS, [30], {CONF_HISTORY_NIGHTS: "invalid_history_nights"}),
    (CONF_SPEED, -1, {CONF_SPEED: "invalid_speed"}),
    (CONF_SPEED, 3601, {CONF_SPEED: "invalid_speed"}),
    (CONF_SPEED, "fast", {CONF_SPEED: "invalid_speed"}),
    (CONF_WAKE_UP, {CONF_LIGHTS: ["not an entity"]}, {CONF_WAKE_UP: "invalid_lights"}),
    (CONF_WAKE_UP, {CONF_TTS_ENTITY: "light.bedroom"}, {CONF_WAKE_UP: "invalid_tts_entity"}),
    (CONF_WAKE_UP, {CONF_VOLUME_START: 101}, {CONF_WAKE_UP: "invalid_volume_start"}),
    (CONF_WAKE_UP, "lights", {CONF_WAKE_UP: "invalid_wake_up"}),
    (
        CONF_ROOM,
        {CONF_TEMPERATURE_ENTITY: "bedroom thermometer"},
        {CONF_ROOM: "invalid_temperature_entity"},
    ),
    (CONF_ROOM, {"temperature": "sensor.bedroom"}, {CONF_ROOM: "invalid_room"}),
    (CONF_HUNCHES, {CONF_SLEEP_TEMPERATURE: 35}, {CONF_HUNCHES: "invalid_sleep_temperature"}),
    (CONF_HUNCHES, {CONF_LIGHTS: "light.bedroom"}, {CONF_HUNCHES: "invalid_lights"}),
]


@pytest.mark.parametrize(
    ("field", "value", "errors"), BAD_OPTIONS, ids=[f"{f}-{v}" for f, v, _ in BAD_OPTIONS]
)
async def test_options_out_of_range_or_of_the_wrong_type_change_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    field: str,
    value: object,
    errors: dict[str, str],
) -> None:
    """The form comes back with a translated error on the field (or its section), the values
    sent as suggestions; nothing is saved and the form can be sent again."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    before = dict(mock_config_entry.options)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    sent = {**GOOD_OPTIONS, CONF_SPEED: 60, field: value}
    result = await hass.config_entries.options.async_configure(result["flow_id"], sent)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == errors
    assert all(key in EN["options"]["error"] for key in errors.values())
    # The values sent come back in the form (a section's, field by field: next test).
    for key in sent.keys() - SECTIONS:
        assert suggested(result, key) == sent[key]
    assert mock_config_entry.options == before
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**GOOD_OPTIONS, CONF_SPEED: 60}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert mock_config_entry.options[CONF_SPEED] == 60
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_options_section_values_come_back_as_suggestions(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**GOOD_OPTIONS, CONF_SPEED: 60, CONF_WAKE_UP: {CONF_VOLUME_START: 101}},
    )
    assert result["errors"] == {CONF_WAKE_UP: "invalid_volume_start"}
    schema = result["data_schema"]
    assert schema is not None
    wake_up = next(v for k, v in schema.schema.items() if str(k) == CONF_WAKE_UP)
    fields = {str(k): k for k in wake_up.schema.schema}
    assert fields[CONF_VOLUME_START].description == {"suggested_value": 101}


async def test_options_form_still_draws_its_selectors(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The frontend gets the same fields as before: selectors with their ranges, sections."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    fields = {
        f["name"]: f
        for f in probatio.to_field_list(
            result["data_schema"], custom_serializer=cv.custom_serializer
        )
    }
    assert fields[CONF_SPEED]["selector"]["number"] == {
        "min": 0.0,
        "max": 3600.0,
        "step": 1.0,
        "mode": "box",
    }
    assert fields[CONF_WAKE_UP]["type"] == "expandable"
    assert fields[CONF_WAKE_UP]["expanded"] is False
    volume = next(f for f in fields[CONF_WAKE_UP]["schema"] if f["name"] == CONF_VOLUME_START)
    assert volume["selector"]["number"]["min"] == 0
    assert volume["selector"]["number"]["max"] == 100


async def test_every_options_field_has_its_error_translated(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    schema = result["data_schema"]
    assert schema is not None
    fields = form_fields(schema)
    assert {CONF_SPEED, CONF_VOLUME_START, CONF_SLEEP_TEMPERATURE, CONF_HUMIDITY_ENTITY} <= fields
    assert {f"invalid_{f}" for f in fields} <= set(EN["options"]["error"])


async def test_every_config_field_has_its_error_translated(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    schema = result["data_schema"]
    assert schema is not None
    fields = form_fields(schema)
    with patch("custom_components.radar_sleep.sources._list_ports", return_value=[]):
        for kind in SOURCE_KINDS.values():
            fields |= form_fields(probatio.Schema(await kind.schema(hass, {})))
    assert {CONF_SOURCE, CONF_HUMIDITY_ENTITY, CONF_SEED, CONF_PORT, CONF_CAPTURE_PATH} <= fields
    assert {f"invalid_{f}" for f in fields} <= set(EN["config"]["error"])


GOOD_USER_STEP = {
    CONF_NAME: "Bedroom",
    CONF_SOURCE: "simulator",
    CONF_SIDE: "left",
    CONF_RADAR_POSITION: "left_table",
}
BAD_USER_STEP: list[tuple[str, object, dict[str, str]]] = [
    (CONF_NAME, 3, {CONF_NAME: "invalid_name"}),
    (CONF_SOURCE, "carrier_pigeon", {CONF_SOURCE: "invalid_source"}),
    (CONF_SOURCE, 3, {CONF_SOURCE: "invalid_source"}),
    (CONF_SIDE, "middle", {CONF_SIDE: "invalid_side"}),
    (CONF_RADAR_POSITION, "ceiling", {CONF_RADAR_POSITION: "invalid_radar_position"}),
    (CONF_ROOM, {CONF_HUMIDITY_ENTITY: "not an entity"}, {CONF_ROOM: "invalid_humidity_entity"}),
    (CONF_ROOM, {CONF_HUMIDITY_ENTITY: "light.lamp"}, {CONF_ROOM: "invalid_humidity_entity"}),
    (CONF_ROOM, {"humidity": "sensor.bedroom"}, {CONF_ROOM: "invalid_room"}),
]


@pytest.mark.parametrize(
    ("field", "value", "errors"), BAD_USER_STEP, ids=[f"{f}-{v}" for f, v, _ in BAD_USER_STEP]
)
async def test_config_flow_fields_out_of_range_create_nothing(
    hass: HomeAssistant, field: str, value: object, errors: dict[str, str]
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**GOOD_USER_STEP, field: value}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    assert all(key in EN["config"]["error"] for key in errors.values())
    if not isinstance(value, dict):
        assert suggested(result, field) == value
    assert hass.config_entries.async_entries(DOMAIN) == []
    result = await hass.config_entries.flow.async_configure(result["flow_id"], GOOD_USER_STEP)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "simulator"


@pytest.mark.parametrize("seed", [-1, 1_000_001, "lucky"])
async def test_source_step_out_of_range_creates_nothing(hass: HomeAssistant, seed: object) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], GOOD_USER_STEP)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SEED: seed, CONF_PARTNER: True, CONF_PET: False}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "simulator"
    assert result["errors"] == {CONF_SEED: "invalid_seed"}
    assert suggested(result, CONF_SEED) == seed
    assert hass.config_entries.async_entries(DOMAIN) == []
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SEED: 5, CONF_PARTNER: True, CONF_PET: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_SEED] == 5


async def test_reconfigure_out_of_range_changes_nothing(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    before = dict(mock_config_entry.data)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_SIDE: "middle",
            CONF_RADAR_POSITION: "left_table",
            CONF_SEED: "lucky",
            CONF_PARTNER: True,
            CONF_PET: False,
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {CONF_SIDE: "invalid_side", CONF_SEED: "invalid_seed"}
    assert suggested(result, CONF_SIDE) == "middle"
    assert mock_config_entry.data == before
    assert mock_config_entry.unique_id == "simulator_7"
