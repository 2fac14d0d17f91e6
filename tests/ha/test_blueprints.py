"""The shipped automation blueprints: valid for Home Assistant's schema, and they do their job.

Each blueprint is validated by Home Assistant's own automation blueprint schema, then run by
the real automation engine (from a copy in a temporary config folder) against states of a
tracker's entities, with the actions' services mocked to see what they were asked to do.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import shutil

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = ROOT / "blueprints" / "automation" / "radar_sleep"
REPOSITORY = "https://github.com/radar-sleep/radar-sleep/blob/main/"


@pytest.mark.parametrize("path", sorted(BLUEPRINTS.glob("*.yaml")), ids=lambda p: p.name)
def test_blueprint_is_valid(path: Path) -> None:
    blueprint = Blueprint(
        load_yaml_dict(str(path)),
        path=str(path),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.metadata["source_url"] == REPOSITORY + str(path.relative_to(ROOT))
    assert blueprint.name.startswith("Radar Sleep")


def test_there_are_blueprints() -> None:
    assert len(list(BLUEPRINTS.glob("*.yaml"))) >= 2


@pytest.fixture
def blueprint_config(hass: HomeAssistant, tmp_path: Path) -> None:
    """A config folder holding the shipped blueprints, as an import would leave them."""
    target = tmp_path / "blueprints" / "automation" / "radar_sleep"
    shutil.copytree(BLUEPRINTS, target)
    hass.config.config_dir = str(tmp_path)


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, object]) -> None:
    config = {"automation": {"use_blueprint": {"path": f"radar_sleep/{name}", "input": inputs}}}
    assert await async_setup_component(hass, "automation", config)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("blueprint_config")
async def test_fell_asleep_turns_off_lights_and_media_once_asleep(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    stage = "sensor.bedroom_sleep_stage"
    hass.states.async_set(stage, "wake")
    lights_off = async_mock_service(hass, "light", "turn_off")
    media_off = async_mock_service(hass, "media_player", "turn_off")
    await use_blueprint(
        hass,
        "fell_asleep.yaml",
        {
            "sleep_stage": stage,
            "asleep_minutes": 5,
            "lights": {"entity_id": ["light.bedside"]},
            "media_players": {"entity_id": "media_player.bedroom_speaker"},
        },
    )

    async def minutes(n: int) -> None:
        freezer.tick(timedelta(minutes=n))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()

    hass.states.async_set(stage, "light")  # a brief doze that ends in wake: nothing happens
    await minutes(3)
    hass.states.async_set(stage, "wake")
    await minutes(3)
    assert lights_off == []

    hass.states.async_set(stage, "light")
    await minutes(3)
    hass.states.async_set(stage, "deep")  # still asleep: the clock keeps running
    await minutes(3)
    assert [call.data["entity_id"] for call in lights_off] == [["light.bedside"]]
    assert [call.data["entity_id"] for call in media_off] == [["media_player.bedroom_speaker"]]


@pytest.mark.usefixtures("blueprint_config")
async def test_fell_asleep_without_media_players_only_turns_off_lights(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    stage = "sensor.bedroom_sleep_stage"
    hass.states.async_set(stage, "wake")
    lights_off = async_mock_service(hass, "light", "turn_off")
    media_off = async_mock_service(hass, "media_player", "turn_off")
    await use_blueprint(
        hass,
        "fell_asleep.yaml",
        {"sleep_stage": stage, "lights": {"entity_id": "light.bedside"}},
    )
    hass.states.async_set(stage, "rem")
    freezer.tick(timedelta(minutes=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert len(lights_off) == 1
    assert media_off == []


@pytest.mark.usefixtures("blueprint_config")
async def test_trying_to_sleep_dims_and_silences_then_undoes_it(hass: HomeAssistant) -> None:
    trying = "binary_sensor.bedroom_trying_to_sleep"
    hass.states.async_set(trying, "off")
    lights_on = async_mock_service(hass, "light", "turn_on")
    on = async_mock_service(hass, "homeassistant", "turn_on")
    off = async_mock_service(hass, "homeassistant", "turn_off")
    await use_blueprint(
        hass,
        "trying_to_sleep.yaml",
        {
            "trying_to_sleep": trying,
            "lights": {"entity_id": "light.bedside"},
            "brightness": 15,
            "transition": 20,
            "do_not_disturb": ["input_boolean.do_not_disturb"],
        },
    )
    hass.states.async_set(trying, "on")
    await hass.async_block_till_done()
    [dim] = lights_on
    assert dim.data == {"entity_id": ["light.bedside"], "brightness_pct": 15, "transition": 20}
    assert [call.data["entity_id"] for call in on] == [["input_boolean.do_not_disturb"]]
    assert off == []

    hass.states.async_set(trying, "off")
    await hass.async_block_till_done()
    assert [call.data["entity_id"] for call in off] == [["input_boolean.do_not_disturb"]]
    assert len(lights_on) == 1
