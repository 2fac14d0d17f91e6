"""The shipped automation blueprints: valid for Home Assistant's schema, and they do their job.

Each blueprint is validated by Home Assistant's own automation blueprint schema, then run by
the real automation engine (from a copy in a temporary config folder) against states of a
tracker's entities, with the actions' services mocked to see what they were asked to do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
import shutil
from typing import Any
from urllib.parse import quote

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.config import async_hass_config_yaml
from homeassistant.const import Platform
from homeassistant.core import CoreState, HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
    mock_restore_cache,
)

from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.contracts import NightSummary
from custom_components.radar_sleep.sleep.serialize import summary_to_dict
from custom_components.radar_sleep.sleep.usual import circular_median_minutes

from .fixed import async_setup_fixed

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


def test_every_blueprint_has_an_import_badge() -> None:
    docs = (ROOT / "docs" / "blueprints.md").read_text(encoding="utf-8")
    for path in sorted(BLUEPRINTS.glob("*.yaml")):
        url = REPOSITORY + str(path.relative_to(ROOT))
        badge = "redirect=blueprint_import&blueprint_url=" + quote(url, safe="")
        assert badge in docs, path.name


def test_there_are_blueprints() -> None:
    names = {p.name for p in BLUEPRINTS.glob("*.yaml")}
    assert {
        "fell_asleep.yaml",
        "trying_to_sleep.yaml",
        "sunrise.yaml",
        "bedtime_reminder.yaml",
    } <= names


@pytest.fixture(autouse=True)
async def stop_automations(hass: HomeAssistant) -> AsyncIterator[None]:
    """Turn the test's automations off at its end (their time triggers hold timers)."""
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


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
        await wait(hass, freezer, timedelta(minutes=n))

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
    await wait(hass, freezer, timedelta(minutes=6))
    assert len(lights_off) == 1
    assert media_off == []


FELL_ASLEEP = "automation.lights_off_when_asleep"


async def wait(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Move the clock on by ``delta`` and let what was due run."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def restart_with_fell_asleep(
    hass: HomeAssistant, stage: str, last_triggered: datetime | None = None
) -> None:
    """Start Home Assistant with the stage already restored and the automation made earlier.

    As after a restart: the tracker's entities are back before the automations arm their
    triggers, and the automation restores when it last ran.
    """
    hass.set_state(CoreState.not_running)
    hass.states.async_set("sensor.bedroom_sleep_stage", stage)
    attributes = {} if last_triggered is None else {"last_triggered": last_triggered.isoformat()}
    mock_restore_cache(hass, [State(FELL_ASLEEP, "on", attributes)])
    config = {
        "automation": {
            "id": "lights_off_asleep",
            "alias": "Lights off when asleep",
            "use_blueprint": {
                "path": "radar_sleep/fell_asleep.yaml",
                "input": {
                    "sleep_stage": "sensor.bedroom_sleep_stage",
                    "asleep_minutes": 5,
                    "lights": {"entity_id": "light.bedside"},
                },
            },
        }
    }
    assert await async_setup_component(hass, "automation", config)
    await hass.async_start()


@pytest.mark.usefixtures("blueprint_config")
async def test_fell_asleep_after_a_restart_while_asleep(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A restart during the wait: it acts once asleep the chosen minutes since the restart."""
    lights_off = async_mock_service(hass, "light", "turn_off")
    await restart_with_fell_asleep(hass, "deep")
    assert hass.states.get(FELL_ASLEEP).attributes["current"] == 1  # waiting
    assert lights_off == []
    hass.states.async_set("sensor.bedroom_sleep_stage", "light")  # still asleep
    await wait(hass, freezer, timedelta(minutes=5, seconds=1))
    assert [call.data["entity_id"] for call in lights_off] == [["light.bedside"]]
    await wait(hass, freezer, timedelta(hours=1))
    assert len(lights_off) == 1


@pytest.mark.usefixtures("blueprint_config")
async def test_fell_asleep_after_a_restart_not_when_it_woke_or_already_acted(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    lights_off = async_mock_service(hass, "light", "turn_off")
    # It already turned the lights off two hours before the restart: not again.
    await restart_with_fell_asleep(hass, "rem", dt_util.utcnow() - timedelta(hours=2))
    await wait(hass, freezer, timedelta(minutes=10))
    assert lights_off == []


@pytest.mark.usefixtures("blueprint_config")
async def test_fell_asleep_after_a_restart_waits_for_sleep_to_last(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    lights_off = async_mock_service(hass, "light", "turn_off")
    await restart_with_fell_asleep(hass, "light", dt_util.utcnow() - timedelta(days=1))
    await wait(hass, freezer, timedelta(minutes=2))
    hass.states.async_set("sensor.bedroom_sleep_stage", "wake")  # woke within the minutes
    await hass.async_block_till_done()
    await wait(hass, freezer, timedelta(minutes=10))
    assert lights_off == []
    # Falling asleep again works as without a restart.
    hass.states.async_set("sensor.bedroom_sleep_stage", "light")
    await hass.async_block_till_done()
    await wait(hass, freezer, timedelta(minutes=5, seconds=1))
    assert len(lights_off) == 1


@pytest.mark.usefixtures("blueprint_config")
async def test_fell_asleep_after_a_restart_while_awake_does_nothing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    lights_off = async_mock_service(hass, "light", "turn_off")
    await restart_with_fell_asleep(hass, "wake")
    await wait(hass, freezer, timedelta(minutes=10))
    assert lights_off == []


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


def local(hass: HomeAssistant, *args: int) -> datetime:
    """A wall-clock time in Home Assistant's time zone, as an aware datetime."""
    return datetime(*args, tzinfo=dt_util.get_default_time_zone())  # type: ignore[misc]


async def run_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime) -> None:
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


SUNRISE_INPUTS = {
    "lights": {"entity_id": "light.bedside"},
    "duration": 5,
    "start_brightness": 1,
    "end_brightness": 100,
    "start_kelvin": 2000,
    "end_kelvin": 5000,
}


@pytest.mark.usefixtures("blueprint_config")
async def test_sunrise_ramps_the_lights_up_to_the_wake_up_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(local(hass, 2026, 11, 24, 6, 50))
    lights_on = async_mock_service(hass, "light", "turn_on")
    await use_blueprint(hass, "sunrise.yaml", {**SUNRISE_INPUTS, "wake_time": "07:00:00"})
    await run_to(hass, freezer, local(hass, 2026, 11, 24, 6, 54))
    assert lights_on == []
    start = local(hass, 2026, 11, 24, 6, 55)
    for step in range(11):
        await run_to(hass, freezer, start + timedelta(seconds=30 * step))
        assert len(lights_on) == step + 1, step
    await run_to(hass, freezer, local(hass, 2026, 11, 24, 7, 5))
    assert len(lights_on) == 11, "one sunrise a day"
    brightness = [c.data["brightness_pct"] for c in lights_on]
    kelvin = [c.data["color_temp_kelvin"] for c in lights_on]
    assert brightness == sorted(brightness)
    assert (brightness[0], brightness[-1]) == (1, 100)
    assert kelvin == sorted(kelvin)
    assert (kelvin[0], kelvin[-1]) == (2000, 5000)
    assert all(c.data["entity_id"] == ["light.bedside"] for c in lights_on)
    assert lights_on[0].data["transition"] == 30


@pytest.mark.usefixtures("blueprint_config")
async def test_sunrise_takes_its_time_from_a_timestamp_sensor(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(local(hass, 2026, 11, 24, 6, 0))
    wake = local(hass, 2026, 11, 24, 6, 40)
    hass.states.async_set(
        "sensor.bedroom_next_alarm", dt_util.as_utc(wake).isoformat(), {"device_class": "timestamp"}
    )
    lights_on = async_mock_service(hass, "light", "turn_on")
    await use_blueprint(
        hass, "sunrise.yaml", {**SUNRISE_INPUTS, "wake_entity": "sensor.bedroom_next_alarm"}
    )
    await run_to(hass, freezer, local(hass, 2026, 11, 24, 6, 34))
    assert lights_on == []
    await run_to(hass, freezer, local(hass, 2026, 11, 24, 6, 35))
    assert len(lights_on) == 1
    assert lights_on[0].data["brightness_pct"] == 1


@pytest.mark.usefixtures("blueprint_config")
async def test_sunrise_takes_its_time_from_a_time_helper(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(local(hass, 2026, 11, 24, 22, 0))  # the evening before
    hass.states.async_set(
        "input_datetime.wake_up", "06:30:00", {"has_date": False, "has_time": True}
    )
    lights_on = async_mock_service(hass, "light", "turn_on")
    await use_blueprint(
        hass, "sunrise.yaml", {**SUNRISE_INPUTS, "wake_entity": "input_datetime.wake_up"}
    )
    await run_to(hass, freezer, local(hass, 2026, 11, 25, 6, 24))
    assert lights_on == []
    await run_to(hass, freezer, local(hass, 2026, 11, 25, 6, 25))
    assert len(lights_on) == 1


BEDTIME = "sensor.bedroom_usual_bedtime"


@pytest.mark.usefixtures("blueprint_config")
async def test_bedtime_reminder_notifies_before_the_usual_bedtime(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(local(hass, 2026, 11, 24, 21, 0))
    bedtime = local(hass, 2026, 11, 24, 22, 45)
    hass.states.async_set(
        BEDTIME, dt_util.as_utc(bedtime).isoformat(), {"device_class": "timestamp"}
    )
    send = async_mock_service(hass, "notify", "send_message")
    phone = async_mock_service(hass, "notify", "mobile_app_phone")
    await use_blueprint(
        hass,
        "bedtime_reminder.yaml",
        {
            "usual_bedtime": BEDTIME,
            "minutes_before": 30,
            "notify_entities": ["notify.bedroom_speaker"],
            "notify_action": "notify.mobile_app_phone",
            "message": "Time to wind down.",
        },
    )
    await run_to(hass, freezer, local(hass, 2026, 11, 24, 22, 14))
    assert send == []
    await run_to(hass, freezer, local(hass, 2026, 11, 24, 22, 15))
    [call] = send
    assert call.data == {
        "entity_id": ["notify.bedroom_speaker"],
        "title": "Bedtime at 22:45",
        "message": "Time to wind down.",
    }
    assert [c.data for c in phone] == [
        {"title": "Bedtime at 22:45", "message": "Time to wind down."}
    ]
    await run_to(hass, freezer, local(hass, 2026, 11, 24, 22, 30))
    assert len(send) == 1, "once an evening"


@pytest.mark.usefixtures("blueprint_config")
async def test_bedtime_reminder_stays_quiet_in_bed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(local(hass, 2026, 11, 24, 21, 0))
    bedtime = local(hass, 2026, 11, 24, 22, 0)
    hass.states.async_set(
        BEDTIME, dt_util.as_utc(bedtime).isoformat(), {"device_class": "timestamp"}
    )
    hass.states.async_set("binary_sensor.bedroom_in_bed", "on")
    send = async_mock_service(hass, "notify", "send_message")
    await use_blueprint(
        hass,
        "bedtime_reminder.yaml",
        {
            "usual_bedtime": BEDTIME,
            "notify_entities": ["notify.bedroom_speaker"],
            "in_bed": "binary_sensor.bedroom_in_bed",
        },
    )
    await run_to(hass, freezer, local(hass, 2026, 11, 24, 21, 30))
    assert send == []


# The usual bedtime sensor behind the reminder ------------------------------------------------


def test_circular_median_is_safe_around_midnight() -> None:
    assert circular_median_minutes([23 * 60 + 50, 10]) == pytest.approx(0.0)
    assert circular_median_minutes([23 * 60 + 40, 23 * 60 + 50, 23 * 60 + 55, 10, 20]) == (
        pytest.approx(23 * 60 + 55)
    )
    assert circular_median_minutes([22 * 60, 22 * 60 + 30, 23 * 60]) == pytest.approx(22 * 60 + 30)
    assert circular_median_minutes([0, 720]) is None
    assert circular_median_minutes([]) is None


def night_going_to_sleep_at(hass: HomeAssistant, day: int, hour: int, minute: int) -> NightSummary:
    """A stored night whose "lights off" was at hour:minute (after midnight: the next day)."""
    evening = local(hass, 2026, 11, day, 21, 0)
    lights_off = local(hass, 2026, 11, day + (hour < 12), hour, minute)
    return NightSummary(
        night=date(2026, 11, day),
        session_start=dt_util.as_utc(evening),
        session_end=dt_util.as_utc(evening + timedelta(hours=10)),
        intent_start=dt_util.as_utc(lights_off),
        sleep_onset=None,
        final_wake=None,
        hypnogram_start=dt_util.as_utc(lights_off),
        hypnogram=(),
        metrics=None,
        mean_breathing_rate_bpm=None,
    )


@pytest.mark.usefixtures("silent_source", "blueprint_config")
async def test_usual_bedtime_from_stored_nights_drives_the_reminder(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(local(hass, 2026, 11, 20, 12, 0))
    times = [(23, 40), (23, 50), (0, 10), (0, 20), (23, 55), (23, 45), (0, 5)]
    nights = [night_going_to_sleep_at(hass, 10 + i, h, m) for i, (h, m) in enumerate(times)]
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{mock_config_entry.entry_id}",
        "data": {"nights": [summary_to_dict(n) for n in nights], "in_progress": None},
    }
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(BEDTIME)
    assert state.attributes["time"] == "23:55:00"
    assert state.attributes["nights"] == 7
    assert state.state == dt_util.as_utc(local(hass, 2026, 11, 20, 23, 55)).isoformat()

    send = async_mock_service(hass, "notify", "send_message")
    await use_blueprint(
        hass,
        "bedtime_reminder.yaml",
        {"usual_bedtime": BEDTIME, "minutes_before": 45, "notify_entities": ["notify.phone"]},
    )
    await run_to(hass, freezer, local(hass, 2026, 11, 20, 23, 9))
    assert send == []
    await run_to(hass, freezer, local(hass, 2026, 11, 20, 23, 10))
    assert len(send) == 1
    # After bedtime the sensor moves on to the next evening, and so does the reminder.
    await run_to(hass, freezer, local(hass, 2026, 11, 20, 23, 55))
    assert hass.states.get(BEDTIME).state == (
        dt_util.as_utc(local(hass, 2026, 11, 21, 23, 55)).isoformat()
    )
    await run_to(hass, freezer, local(hass, 2026, 11, 21, 23, 10))
    assert len(send) == 2


@pytest.mark.usefixtures("silent_source")
async def test_usual_bedtime_needs_three_nights(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    nights = [night_going_to_sleep_at(hass, 10 + i, 23, 0) for i in range(2)]
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{mock_config_entry.entry_id}",
        "data": {"nights": [summary_to_dict(n) for n in nights], "in_progress": None},
    }
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(BEDTIME).state == "unknown"


@pytest.mark.usefixtures("blueprint_config")
async def test_sleep_event_runs_the_actions_for_the_chosen_moments_once(
    hass: HomeAssistant,
) -> None:
    entity = "event.bedroom_sleep"
    hass.states.async_set(entity, "unknown")
    calls = async_mock_service(hass, "test", "record")
    await use_blueprint(
        hass,
        "sleep_event.yaml",
        {
            "sleep_events": entity,
            "event_types": ["out_of_bed", "back_in_bed"],
            "actions": [
                {
                    "action": "test.record",
                    "data": {
                        "type": "{{ event_type }}",
                        "time": "{{ event_time }}",
                        "reason": "{{ event_reason }}",
                    },
                }
            ],
        },
    )

    def event(at: str, kind: str, time: str) -> None:
        attributes = {"event_type": kind, "time": time, "reason": f"{kind} reason"}
        hass.states.async_set(entity, at, attributes)

    event("2026-11-21T01:49:30.000+00:00", "out_of_bed", "2026-11-21T01:49:00+00:00")
    await hass.async_block_till_done()
    # Home Assistant restarts: the entity goes away and comes back with its last event.
    hass.states.async_set(entity, "unavailable")
    await hass.async_block_till_done()
    event("2026-11-21T01:49:30.000+00:00", "out_of_bed", "2026-11-21T01:49:00+00:00")
    await hass.async_block_till_done()
    # The entity appears (from no state at all) with an event it already announced.
    hass.states.async_remove(entity)
    await hass.async_block_till_done()
    event("2026-11-21T01:49:30.000+00:00", "out_of_bed", "2026-11-21T01:49:00+00:00")
    await hass.async_block_till_done()
    event("2026-11-21T01:50:00.000+00:00", "awake", "2026-11-21T01:49:30+00:00")  # not chosen
    await hass.async_block_till_done()
    event("2026-11-21T01:53:00.000+00:00", "back_in_bed", "2026-11-21T01:52:30+00:00")
    await hass.async_block_till_done()
    assert [call.data for call in calls] == [
        {"type": "out_of_bed", "time": "2026-11-21T01:49:00+00:00", "reason": "out_of_bed reason"},
        {
            "type": "back_in_bed",
            "time": "2026-11-21T01:52:30+00:00",
            "reason": "back_in_bed reason",
        },
    ]


async def test_development_config_runs_automations_made_from_blueprints(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """``scripts/develop``'s configuration loads what the automation editor saves.

    The editor writes an automation made from a blueprint to ``automations.yaml`` and reloads
    the ``automation`` section of ``configuration.yaml``; without that section including the
    file, the automation is saved but never runs.
    """
    shutil.copy(ROOT / "config" / "configuration.yaml", tmp_path / "configuration.yaml")
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / "radar_sleep")
    (tmp_path / "automations.yaml").write_text(
        "- id: lights_off_asleep\n"
        "  alias: Lights off when asleep\n"
        "  use_blueprint:\n"
        "    path: radar_sleep/fell_asleep.yaml\n"
        "    input:\n"
        "      sleep_stage: sensor.bedroom_sleep_stage\n",
        encoding="utf-8",
    )
    hass.config.config_dir = str(tmp_path)
    config = await async_hass_config_yaml(hass)
    assert await async_setup_component(hass, "automation", config)
    await hass.async_block_till_done()
    state = hass.states.get("automation.lights_off_when_asleep")
    assert state is not None
    assert state.state == "on"


async def test_fell_asleep_offers_only_the_sleep_stage_sensors(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """The picker of the blueprint's Sleep stage input lists a tracker's Sleep stage only.

    The filter is matched as the frontend's entity picker matches it: the entity's
    integration, domain and device class (disabled entities included).
    """
    path = BLUEPRINTS / "fell_asleep.yaml"
    blueprint = Blueprint(
        load_yaml_dict(str(path)),
        path=str(path),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    filters = blueprint.inputs["sleep_stage"]["selector"]["entity"]["filter"]
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])
    offered = set()
    for entry in er.async_entries_for_config_entry(er.async_get(hass), mock_config_entry.entry_id):
        device_class = entry.device_class or entry.original_device_class
        for wanted in filters:
            if (
                wanted.get("integration") == entry.platform
                and entry.domain in wanted.get("domain", [entry.domain])
                and device_class in wanted.get("device_class", [device_class])
            ):
                offered.add(entry.entity_id)
    assert offered == {"sensor.bedroom_sleep_stage"}
