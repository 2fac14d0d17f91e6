"""The wake-up light and speaker, on Home Assistant's demo lights and media player.

The demo platforms cover colour temperature (``light.ceiling_lights``: HS + colour
temperature) and colour only (``light.entrance_color_white_lights``: HS + white, and RGBW /
RGBWW lights); a dimmer and a plain lamp (brightness only, on/off) are demo lights
restricted to those modes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.demo import light as demo_light, media_player as demo_media_player
from homeassistant.components.demo.light import DemoLight
from homeassistant.components.demo.media_player import DemoYoutubePlayer
from homeassistant.components.light import ColorMode
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.entity import Entity
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
    setup_test_component_platform,
)

from custom_components.radar_sleep.const import (
    CONF_HISTORY_NIGHTS,
    CONF_PRESENCE_THRESHOLD,
    CONF_SESSION_END_MINUTES,
    CONF_SPEED,
    CONF_WAKE_UP,
    DOMAIN,
)
from custom_components.radar_sleep.wakeup import light_command, sunrise_brightness, sunrise_kelvin

pytestmark = pytest.mark.usefixtures("silent_source")

CT_LIGHT = "light.ceiling_lights"
RGB_LIGHT = "light.entrance_color_white_lights"
RGBW_LIGHT = "light.office_rgbw_lights"
DIMMER = "light.bedside_dimmer"
SWITCH_LIGHT = "light.bedside_lamp"
LIGHTS = [CT_LIGHT, RGB_LIGHT, RGBW_LIGHT, DIMMER, SWITCH_LIGHT]
SPEAKER = "media_player.bedroom"
MEDIA = "https://example.invalid/birdsong.mp3"
SET_TIME = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # Tuesday 07:00 in Berlin
WINDOW_START = SET_TIME - timedelta(minutes=30)
STEP = timedelta(seconds=15)


def restricted_light(name: str, mode: ColorMode) -> DemoLight:
    """The demo platform's light entity, restricted to ``mode`` (the demo has no dimmer and
    no on/off lamp)."""
    light = DemoLight(unique_id=name, device_name=name, state=True, supported_color_modes={mode})
    light._attr_color_mode = mode
    return light


async def demo_entities(hass: HomeAssistant, platform: ModuleType) -> list[Entity]:
    """The entities the demo integration's ``platform`` module sets up."""
    entities: list[Entity] = []
    await platform.async_setup_entry(
        hass, MockConfigEntry(domain="demo"), lambda new, *_, **__: entities.extend(new)
    )
    return entities


@pytest.fixture
async def demo(hass: HomeAssistant) -> DemoYoutubePlayer:
    """Home Assistant's demo lights and media players, plus a dimmer and an on/off lamp; all
    lights off.

    The entities are those the demo's light and media player platforms create (their own
    ``async_setup_entry``), added on a test platform: the demo integration itself cannot be
    set up here (it needs ``conversation``, whose ``hassil`` is not installed). They
    bring colour-temperature lights (``light.ceiling_lights``: HS + colour temperature),
    colour-only ones (``light.entrance_color_white_lights``: HS + white; RGBW, RGBWW) and
    ``media_player.bedroom``, a YouTube-like player.
    """
    lights = [
        *await demo_entities(hass, demo_light),
        restricted_light("Bedside dimmer", ColorMode.BRIGHTNESS),
        restricted_light("Bedside lamp", ColorMode.ONOFF),
    ]
    players = await demo_entities(hass, demo_media_player)
    for light in lights:  # named after their devices: a test platform has no devices
        light._attr_has_entity_name = False
        light._attr_name = light.device_info["name"] if light.device_info else None
        light._attr_device_info = None
    setup_test_component_platform(hass, "light", lights)
    setup_test_component_platform(hass, "media_player", players)
    assert await async_setup_component(hass, "light", {"light": {"platform": "test"}})
    assert await async_setup_component(hass, "media_player", {"media_player": {"platform": "test"}})
    await hass.async_block_till_done()
    await hass.services.async_call("light", "turn_off", {"entity_id": "all"}, blocking=True)
    for entity_id in [*LIGHTS, SPEAKER]:
        assert hass.states.get(entity_id) is not None, entity_id
    [speaker] = [p for p in players if p.entity_id == SPEAKER]
    assert isinstance(speaker, DemoYoutubePlayer)
    return speaker


def wake_up_options(**extra: Any) -> dict[str, Any]:
    return {
        "lights": LIGHTS,
        "media_players": [SPEAKER],
        "media_content_id": MEDIA,
        "media_content_type": "music",
        "sunrise_lead_minutes": 0,
        "volume_start": 10,
        "volume_end": 50,
        "volume_ramp_seconds": 60,
        **extra,
    }


@pytest.fixture
def options() -> dict[str, Any]:
    return wake_up_options()


@pytest.fixture
async def tracker(
    hass: HomeAssistant,
    demo: DemoYoutubePlayer,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    options: dict[str, Any],
) -> MockConfigEntry:
    """A tracker with an alarm at 07:00 (30-min window and sunrise), set up at 06:00."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(SET_TIME - timedelta(hours=1))
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**mock_config_entry.options, CONF_WAKE_UP: options}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "set_alarm",
        {"config_entry_id": mock_config_entry.entry_id, "time": "07:00", "window": 30},
        blocking=True,
    )
    await hass.async_block_till_done()
    return mock_config_entry


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, to: datetime) -> None:
    freezer.move_to(to)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def attr(hass: HomeAssistant, entity_id: str, name: str) -> Any:
    return hass.states.get(entity_id).attributes.get(name)


def test_ramp_is_monotonic_from_dim_and_warm_to_bright_and_cool() -> None:
    steps = [i / 100 for i in range(101)]
    brightness = [sunrise_brightness(p) for p in steps]
    kelvin = [sunrise_kelvin(p) for p in steps]
    assert brightness[0] == 1
    assert brightness[-1] == 255
    assert brightness == sorted(brightness)
    assert kelvin[0] == 1800
    assert kelvin[-1] == 5500
    assert kelvin == sorted(kelvin)


async def test_light_commands_follow_each_lights_colour_modes(
    hass: HomeAssistant, demo: DemoYoutubePlayer
) -> None:
    ct = light_command(hass.states.get(CT_LIGHT), 0.0)
    assert ct is not None
    assert set(ct) == {"brightness", "color_temp_kelvin"}
    assert ct["color_temp_kelvin"] == attr(hass, CT_LIGHT, "min_color_temp_kelvin")
    rgb = light_command(hass.states.get(RGB_LIGHT), 0.0)
    assert rgb is not None
    assert set(rgb) == {"brightness", "rgb_color"}
    assert rgb["rgb_color"][0] == 255
    assert rgb["rgb_color"][2] == 0  # a warm, candle-like start
    assert light_command(hass.states.get(DIMMER), 0.3) == {"brightness": sunrise_brightness(0.3)}
    assert light_command(hass.states.get(SWITCH_LIGHT), 0.99) is None
    assert light_command(hass.states.get(SWITCH_LIGHT), 1.0) == {}


async def test_sunrise_ramps_every_kind_of_light_before_the_alarm(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await tick(hass, freezer, WINDOW_START - STEP)
    assert all(hass.states.get(e).state == "off" for e in LIGHTS), "nothing before the sunrise"
    seen: dict[str, list[Any]] = {
        "ct_b": [],
        "ct_k": [],
        "rgb_b": [],
        "rgb_blue": [],
        "rgbw_b": [],
        "rgbw_white": [],
        "dim": [],
    }
    now = WINDOW_START
    while now < SET_TIME:
        await tick(hass, freezer, now)
        seen["ct_b"].append(attr(hass, CT_LIGHT, "brightness"))
        seen["ct_k"].append(attr(hass, CT_LIGHT, "color_temp_kelvin"))
        seen["rgb_b"].append(attr(hass, RGB_LIGHT, "brightness"))
        seen["rgb_blue"].append(attr(hass, RGB_LIGHT, "rgb_color")[2])
        seen["rgbw_b"].append(attr(hass, RGBW_LIGHT, "brightness"))
        seen["rgbw_white"].append(attr(hass, RGBW_LIGHT, "rgbw_color")[3])  # cooler: more white
        seen["dim"].append(attr(hass, DIMMER, "brightness"))
        assert hass.states.get(SWITCH_LIGHT).state == "off", "an on/off lamp waits for the end"
        now += STEP
    for key, values in seen.items():
        assert values == sorted(values), f"{key} must only rise"
        assert values[-1] > values[0], key
    assert seen["ct_b"][0] <= 2
    assert seen["ct_b"][-1] > 200
    assert seen["ct_k"][0] <= 2200  # warm (clamped to the light's warmest)
    assert seen["ct_k"][-1] >= 5000  # cool
    assert seen["dim"][0] <= 2
    assert all(hass.states.get(e).state == "on" for e in (CT_LIGHT, RGB_LIGHT, RGBW_LIGHT, DIMMER))

    await tick(hass, freezer, SET_TIME)  # it rings: full light within a minute
    await tick(hass, freezer, SET_TIME + timedelta(seconds=60))
    for entity_id in (CT_LIGHT, RGB_LIGHT, RGBW_LIGHT, DIMMER):
        assert attr(hass, entity_id, "brightness") == 255, entity_id
    assert hass.states.get(SWITCH_LIGHT).state == "on"


@pytest.mark.parametrize(
    "options", [wake_up_options(sunrise_lead_minutes=10)], ids=["ten-minutes-early"]
)
async def test_sunrise_lead_starts_the_light_before_the_window(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await tick(hass, freezer, WINDOW_START - timedelta(minutes=10, seconds=1))
    assert hass.states.get(DIMMER).state == "off"
    await tick(hass, freezer, WINDOW_START - timedelta(minutes=10))
    assert hass.states.get(DIMMER).state == "on"
    assert attr(hass, DIMMER, "brightness") == 1


async def test_a_light_switched_off_during_the_sunrise_is_left_alone(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await tick(hass, freezer, WINDOW_START + timedelta(minutes=5))
    assert hass.states.get(DIMMER).state == "on"
    await hass.services.async_call("light", "turn_off", {"entity_id": DIMMER}, blocking=True)
    for minutes in range(6, 30):
        await tick(hass, freezer, WINDOW_START + timedelta(minutes=minutes))
    assert hass.states.get(DIMMER).state == "off"
    assert hass.states.get(CT_LIGHT).state == "on"


async def test_speaker_plays_with_a_volume_ramp_and_stops_on_dismiss(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    demo: DemoYoutubePlayer,
) -> None:
    assert attr(hass, SPEAKER, "volume_level") == 1.0
    await tick(hass, freezer, SET_TIME - timedelta(seconds=1))
    assert attr(hass, SPEAKER, "media_content_id") != MEDIA, "silent until it rings"
    await tick(hass, freezer, SET_TIME)
    assert attr(hass, SPEAKER, "media_content_id") == MEDIA
    assert hass.states.get(SPEAKER).state == "playing"
    volumes = [attr(hass, SPEAKER, "volume_level")]
    assert volumes[0] == pytest.approx(0.10)
    for seconds in range(5, 65, 5):
        await tick(hass, freezer, SET_TIME + timedelta(seconds=seconds))
        volumes.append(attr(hass, SPEAKER, "volume_level"))
    assert volumes == sorted(volumes)
    assert volumes[-1] == pytest.approx(0.50)
    assert len(set(volumes)) >= 10, "the volume rises in steps"

    await hass.services.async_call(
        DOMAIN, "dismiss", {"config_entry_id": tracker.entry_id}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(SPEAKER).state == "off"  # the demo player's "stopped"
    assert demo.volume_level == 1.0, "the volume is restored"
    assert attr(hass, CT_LIGHT, "brightness") == 255, "the lights stay on"
    await tick(hass, freezer, SET_TIME + timedelta(minutes=5))
    assert attr(hass, CT_LIGHT, "brightness") == 255


async def test_a_restart_while_ringing_sounds_again_and_dismiss_restores_the_volume(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    demo: DemoYoutubePlayer,
) -> None:
    await tick(hass, freezer, SET_TIME)
    await tick(hass, freezer, SET_TIME + timedelta(seconds=60))
    assert attr(hass, SPEAKER, "volume_level") == pytest.approx(0.50)
    assert await hass.config_entries.async_unload(tracker.entry_id)  # Home Assistant stops
    await hass.services.async_call("media_player", "media_stop", {"entity_id": SPEAKER})
    await hass.async_block_till_done()
    assert hass.states.get(SPEAKER).state == "off"

    freezer.move_to(SET_TIME + timedelta(minutes=3))
    assert await hass.config_entries.async_setup(tracker.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(SPEAKER).state == "playing", "it is still ringing"
    assert attr(hass, SPEAKER, "volume_level") == pytest.approx(0.10), "from the start volume"
    assert hass.states.get("event.bedroom_alarm").attributes["event_type"] == "triggered"
    await hass.services.async_call(
        DOMAIN, "dismiss", {"config_entry_id": tracker.entry_id}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(SPEAKER).state == "off"
    assert demo.volume_level == 1.0, "the volume from before the alarm, not the alarm's"


async def test_snooze_pauses_light_and_sound_and_rings_again(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await hass.services.async_call(
        "number", "set_value", {"entity_id": "number.bedroom_sunrise_length", "value": 60}
    )
    await tick(hass, freezer, SET_TIME - timedelta(minutes=20))
    await tick(hass, freezer, SET_TIME)
    await tick(hass, freezer, SET_TIME + timedelta(seconds=20))
    assert hass.states.get(SPEAKER).state == "playing"
    brightness = attr(hass, CT_LIGHT, "brightness")
    volume = attr(hass, SPEAKER, "volume_level")
    assert brightness < 255, "the light is still finishing its sunrise"

    await hass.services.async_call(
        DOMAIN, "snooze", {"config_entry_id": tracker.entry_id, "minutes": 5}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(SPEAKER).state == "paused"
    for seconds in (30, 60, 120, 240):
        await tick(hass, freezer, SET_TIME + timedelta(seconds=20 + seconds))
        assert attr(hass, CT_LIGHT, "brightness") == brightness, "the light holds"
        assert attr(hass, SPEAKER, "volume_level") == volume, "the ramp holds"
        assert hass.states.get(SPEAKER).state == "paused"

    await tick(hass, freezer, SET_TIME + timedelta(seconds=20, minutes=5))
    assert hass.states.get(SPEAKER).state == "playing"
    assert attr(hass, SPEAKER, "volume_level") == pytest.approx(0.10), "the ramp starts over"
    await tick(hass, freezer, SET_TIME + timedelta(seconds=20 + 60, minutes=5))
    assert attr(hass, CT_LIGHT, "brightness") == 255


@pytest.mark.parametrize(
    "options",
    [
        wake_up_options(
            media_content_id=None, tts_entity="tts.home", tts_message="Good morning, Alex."
        )
    ],
    ids=["tts"],
)
async def test_tts_message_is_spoken_on_the_speakers(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    speak = async_mock_service(hass, "tts", "speak")
    await tick(hass, freezer, SET_TIME)
    [call] = speak
    assert call.data == {
        "entity_id": "tts.home",
        "media_player_entity_id": [SPEAKER],
        "message": "Good morning, Alex.",
    }
    assert attr(hass, SPEAKER, "volume_level") == pytest.approx(0.10)


@pytest.mark.parametrize("options", [{}], ids=["nothing-chosen"])
async def test_without_wake_up_options_the_alarm_only_reports(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    turn_on = async_mock_service(hass, "light", "turn_on")
    play = async_mock_service(hass, "media_player", "play_media")
    await tick(hass, freezer, SET_TIME)
    assert hass.states.get("event.bedroom_alarm").attributes["event_type"] == "triggered"
    assert turn_on == []
    assert play == []


async def test_a_failing_speaker_does_not_stop_the_alarm(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    with patch(
        "homeassistant.components.demo.media_player.DemoYoutubePlayer.play_media",
        side_effect=RuntimeError("speaker offline"),
    ):
        await tick(hass, freezer, SET_TIME)
    assert hass.states.get("event.bedroom_alarm").attributes["event_type"] == "triggered"
    await tick(hass, freezer, SET_TIME + timedelta(seconds=60))
    assert attr(hass, CT_LIGHT, "brightness") == 255


async def test_options_flow_sets_the_wake_up_section(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, demo: DemoYoutubePlayer
) -> None:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    wake_up = {
        "lights": [CT_LIGHT],
        "media_players": [SPEAKER],
        "media_content_id": MEDIA,
        "media_content_type": "music",
        "sunrise_lead_minutes": -5,
        "volume_start": 5,
        "volume_end": 30,
        "volume_ramp_seconds": 90,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_SESSION_END_MINUTES: 20,
            CONF_PRESENCE_THRESHOLD: 0.5,
            CONF_HISTORY_NIGHTS: 90,
            CONF_SPEED: 0,
            CONF_WAKE_UP: wake_up,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert mock_config_entry.options[CONF_WAKE_UP] == wake_up
    alarm = mock_config_entry.runtime_data.alarm
    assert alarm.wakeup.options.lights == (CT_LIGHT,)
    assert alarm.wakeup.options.sunrise_lead_minutes == -5
    assert alarm.wakeup.options.volume_end == pytest.approx(0.30)
    # The form shows the saved choices when it is opened again.
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    schema = result["data_schema"].schema
    [section_key] = [k for k in schema if k == CONF_WAKE_UP]
    inner = schema[section_key].schema.schema
    suggested = {str(k): k.description for k in inner if k.description}
    assert suggested["lights"] == {"suggested_value": [CT_LIGHT]}
