"""Config, options, import and reconfigure flows: every branch."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_IMPORT, SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.radar_sleep.const import (
    CONF_HISTORY_NIGHTS,
    CONF_LIGHTS,
    CONF_PARTNER,
    CONF_PET,
    CONF_PRESENCE_THRESHOLD,
    CONF_RADAR_POSITION,
    CONF_ROOM,
    CONF_SEED,
    CONF_SESSION_END_MINUTES,
    CONF_SIDE,
    CONF_SOURCE,
    CONF_SPEED,
    CONF_TTS_ENTITY,
    CONF_WAKE_UP,
    DOMAIN,
)

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
        {CONF_SEED: mock_config_entry.data[CONF_SEED], CONF_PARTNER: True, CONF_PET: False},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_user_flow_rejects_unknown_source(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    with pytest.raises(Exception, match="source"):
        await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_NAME: "X",
                CONF_SOURCE: "carrier_pigeon",
                CONF_SIDE: "left",
                CONF_RADAR_POSITION: "left_table",
            },
        )


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
    assert again["reason"] == "already_configured"


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
    with pytest.raises(Exception, match="session_end_minutes"):
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {CONF_SESSION_END_MINUTES: 1, CONF_PRESENCE_THRESHOLD: 0.5, CONF_SPEED: 1},
        )
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
    assert result["reason"] == "already_configured"
    assert mock_config_entry.data[CONF_SEED] == 7


GOOD_OPTIONS = {CONF_SESSION_END_MINUTES: 30, CONF_PRESENCE_THRESHOLD: 0.5, CONF_HISTORY_NIGHTS: 30}
BAD_OPTIONS = [
    (CONF_SESSION_END_MINUTES, 4),
    (CONF_SESSION_END_MINUTES, 121),
    (CONF_SESSION_END_MINUTES, "half an hour"),
    (CONF_PRESENCE_THRESHOLD, 0.05),
    (CONF_PRESENCE_THRESHOLD, 1.5),
    (CONF_PRESENCE_THRESHOLD, "high"),
    (CONF_HISTORY_NIGHTS, 0),
    (CONF_HISTORY_NIGHTS, 3651),
    (CONF_HISTORY_NIGHTS, [30]),
    (CONF_SPEED, -1),
    (CONF_SPEED, 3601),
    (CONF_SPEED, "fast"),
    (CONF_WAKE_UP, {CONF_LIGHTS: ["not an entity"]}),
    (CONF_WAKE_UP, {CONF_TTS_ENTITY: "light.bedroom"}),
    (CONF_WAKE_UP, "lights"),
    (CONF_ROOM, {"temperature": "bedroom thermometer"}),
]


@pytest.mark.parametrize(("field", "value"), BAD_OPTIONS, ids=[f"{f}-{v}" for f, v in BAD_OPTIONS])
async def test_options_out_of_range_or_of_the_wrong_type_change_nothing(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, field: str, value: object
) -> None:
    """Home Assistant checks the form against its schema: the error names the field (the
    frontend shows it next to the field), nothing is saved and the form can be sent again."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    before = dict(mock_config_entry.options)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    with pytest.raises(InvalidData) as err:
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**GOOD_OPTIONS, CONF_SPEED: 60, field: value}
        )
    # A field inside a collapsed section is reported for the form as a whole.
    in_section = field in (CONF_WAKE_UP, CONF_ROOM) and isinstance(value, dict)
    assert set(err.value.schema_errors) == {"base" if in_section else field}
    assert mock_config_entry.options == before
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**GOOD_OPTIONS, CONF_SPEED: 60}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


BAD_USER_STEP = [
    (CONF_SOURCE, "carrier_pigeon"),
    (CONF_SOURCE, 3),
    (CONF_SIDE, "middle"),
    (CONF_RADAR_POSITION, "ceiling"),
    (CONF_ROOM, {"humidity": "not an entity"}),
]


@pytest.mark.parametrize(
    ("field", "value"), BAD_USER_STEP, ids=[f"{f}-{v}" for f, v in BAD_USER_STEP]
)
async def test_config_flow_fields_out_of_range_create_nothing(
    hass: HomeAssistant, field: str, value: object
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    good = {
        CONF_NAME: "Bedroom",
        CONF_SOURCE: "simulator",
        CONF_SIDE: "left",
        CONF_RADAR_POSITION: "left_table",
    }
    with pytest.raises(InvalidData) as err:
        await hass.config_entries.flow.async_configure(result["flow_id"], {**good, field: value})
    in_section = field == CONF_ROOM
    assert set(err.value.schema_errors) == {"base" if in_section else field}
    assert hass.config_entries.async_entries(DOMAIN) == []
    result = await hass.config_entries.flow.async_configure(result["flow_id"], good)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "simulator"
