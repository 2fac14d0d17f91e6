"""Bedtime hunches with real Home Assistant, on the demo platforms' entities.

The lights, locks, covers, thermostats and media players are those Home Assistant's demo
integration creates (its platforms' own ``async_setup_entry``), added on test platforms as in
``test_wakeup.py``. Chosen for the tracker: the kitchen light (on), the living room player
(playing), the kitchen door lock (unlocked), the hall window cover (open), the Hvac thermostat
(cooling to 21 °C, sleep temperature 18 °C). Never chosen, and so never touched: the ceiling
lights (on), the bedroom player (playing), the poorly installed door (unlocked), the living room
window (open) and the heat pump (20 °C).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.components.demo import (
    climate as demo_climate,
    cover as demo_cover,
    light as demo_light,
    lock as demo_lock,
    media_player as demo_media_player,
)
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import Entity
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
    setup_test_component_platform,
)

from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.hunches import HunchController
from custom_components.radar_sleep.sleep.events import SleepEvent, SleepEventType

from .conftest import SilentSource, tracker_entry
from .test_sleep_events import NIGHT, EpochSource, async_play, fixed_night

CHOSEN = {
    "light.kitchen_lights": "on",
    "media_player.living_room": "playing",
    "lock.kitchen_door": "unlocked",
    "cover.hall_window": "open",
}
NOT_CHOSEN = {
    "light.ceiling_lights": "on",
    "media_player.bedroom": "playing",
    "lock.poorly_installed_door": "unlocked",
    "cover.living_room_window": "open",
    "climate.heatpump": "heat",
}
HUNCHES: dict[str, Any] = {
    "lights": ["light.kitchen_lights"],
    "media_players": ["media_player.living_room"],
    "locks": ["lock.kitchen_door"],
    "covers": ["cover.hall_window"],
    "climate_entity": "climate.hvac",
    "sleep_temperature": 18,
    "notify_service": "mobile_app_phone",
}
HUNCH_EVENT = "event.bedroom_bedtime_hunch"
BEDTIME = datetime(2026, 11, 23, 7, 12, tzinfo=UTC)
"""Sunday 23:12 in Home Assistant's test time zone (US/Pacific)."""


async def demo_entities(hass: HomeAssistant, platform: ModuleType) -> list[Entity]:
    """The entities the demo integration's ``platform`` creates, named after their devices."""
    entities: list[Entity] = []
    await platform.async_setup_entry(
        hass, MockConfigEntry(domain="demo"), lambda new, *_, **__: entities.extend(new)
    )
    for entity in entities:  # a test platform has no devices
        name = entity.device_info["name"] if entity.device_info else entity.name
        entity._attr_has_entity_name = False
        entity._attr_name = name  # type: ignore[assignment]
        entity._attr_device_info = None
    return entities


@pytest.fixture
async def demo(hass: HomeAssistant) -> None:
    """The demo lights, locks, covers, thermostats and media players (locks without delay)."""
    for domain, module in (
        ("light", demo_light),
        ("lock", demo_lock),
        ("cover", demo_cover),
        ("climate", demo_climate),
        ("media_player", demo_media_player),
    ):
        setup_test_component_platform(hass, domain, await demo_entities(hass, module))
        assert await async_setup_component(hass, domain, {domain: {"platform": "test"}})
    await hass.async_block_till_done()
    for entity_id, state in {**CHOSEN, **NOT_CHOSEN}.items():
        assert hass.states.is_state(entity_id, state), entity_id
    assert hass.states.get("climate.hvac").attributes["temperature"] == 21  # type: ignore[union-attr]


@pytest.fixture(autouse=True)
def instant_locks() -> Generator[None]:
    """The demo lock takes two seconds of real time to lock: none here."""
    with patch("homeassistant.components.demo.lock.LOCK_UNLOCK_DELAY", 0):
        yield


@pytest.fixture
def phone(hass: HomeAssistant) -> list[ServiceCall]:
    """The phone's notify action (the Companion app's ``notify.mobile_app_phone``)."""
    return async_mock_service(hass, "notify", "mobile_app_phone")


async def async_cover_closes(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The demo cover moves 10 % a second: the hall window (10 % open) closes in one."""
    assert hass.states.is_state("cover.hall_window", "closing")
    freezer.tick(1)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.is_state("cover.hall_window", "closed")


def unchanged(hass: HomeAssistant) -> dict[str, str]:
    """The entities not chosen whose state changed (none, ever)."""
    changed = {e: s.state for e, s in NOT_CHOSEN.items() if not hass.states.is_state(e, s)}
    heatpump = hass.states.get("climate.heatpump")
    assert heatpump is not None
    if heatpump.attributes["temperature"] != 20:
        changed["climate.heatpump"] = str(heatpump.attributes["temperature"])
    return changed


def options_with(hunches: dict[str, Any]) -> dict[str, Any]:
    """The options form's answers: the tracker's usual settings and these hunches."""
    return {
        "session_end_minutes": 20,
        "presence_threshold": 0.5,
        "history_nights": 90,
        "speed": 0,
        "hunches": hunches,
    }


async def async_setup_tracker(hass: HomeAssistant, entry: MockConfigEntry) -> HunchController:
    entry.add_to_hass(hass)
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=SilentSource()):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    return entry.runtime_data.hunches


async def async_bedtime(hass: HomeAssistant, hunches: HunchController, night: int = 0) -> None:
    """A night begins and the sleeper starts trying to sleep (at 23:12, ``night`` days on)."""
    at = BEDTIME + timedelta(days=night)
    hunches.async_on_sleep_event(SleepEvent(SleepEventType.SESSION_STARTED, at, ""))
    hunches.async_on_sleep_event(SleepEvent(SleepEventType.TRYING_TO_SLEEP, at, "still and dark"))
    await hass.async_block_till_done()


def suggested(phone: list[ServiceCall]) -> list[str]:
    """The questions sent to the phone with buttons, in order."""
    return [c.data["message"].split("?")[0] + "?" for c in phone if "actions" in c.data["data"]]


async def async_answer(
    hass: HomeAssistant, entry: MockConfigEntry, hunch: str, answer: str
) -> None:
    await hass.services.async_call(
        DOMAIN,
        "answer_hunch",
        {"config_entry_id": entry.entry_id, "hunch": hunch, "answer": answer},
        blocking=True,
    )
    await hass.async_block_till_done()


async def test_a_fixed_night_suggests_once_and_the_phone_answer_acts(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """The fixed night: trying to sleep at 14:02:30 Pacific, asleep at 14:03 (nothing new)."""
    outcomes = async_capture_events(hass, "state_changed")
    entry = tracker_entry({"hunches": HUNCHES})
    entry.add_to_hass(hass)
    with fixed_night(freezer):
        await async_play(hass, entry, EpochSource(len(NIGHT) + 1))
    assert suggested(phone) == [
        "Turn off Kitchen Lights?",
        "Pause Living Room?",
        "Lock Kitchen Door?",
        "Close Hall Window?",
        "Set Hvac to 18 °C?",
    ]
    first = phone[0]
    assert first.data["message"] == (
        "Turn off Kitchen Lights? Kitchen Lights was on when you started trying to sleep at 14:02."
    )
    assert first.data["data"]["tag"] == "light.kitchen_lights"
    accept, dismiss = first.data["data"]["actions"]
    assert accept["title"] == "Yes"
    assert dismiss["title"] == "No"
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    kitchen = notifications[f"{DOMAIN}_{entry.entry_id}_hunch_light.kitchen_lights"]
    assert "Kitchen Lights was on when you started trying to sleep at 14:02." in kitchen["message"]
    hunch_events = [
        e.data["new_state"].attributes
        for e in outcomes
        if e.data["entity_id"] == HUNCH_EVENT and "hunch" in e.data["new_state"].attributes
    ]
    assert [(a["event_type"], a["hunch"]) for a in hunch_events] == [
        ("suggested", "light.kitchen_lights"),
        ("suggested", "media_player.living_room"),
        ("suggested", "lock.kitchen_door"),
        ("suggested", "cover.hall_window"),
        ("suggested", "climate.hvac"),
    ]
    # Nothing was done before an answer.
    for entity_id, state in CHOSEN.items():
        assert hass.states.is_state(entity_id, state), entity_id

    # The phone's Yes on the kitchen light: it goes off, its notification goes away.
    hass.bus.async_fire("mobile_app_notification_action", {"action": accept["action"]})
    await hass.async_block_till_done()
    assert hass.states.is_state("light.kitchen_lights", "off")
    assert f"{DOMAIN}_{entry.entry_id}_hunch_light.kitchen_lights" not in notifications
    # The phone's No on the lock: left unlocked.
    lock_no = phone[2].data["data"]["actions"][1]["action"]
    hass.bus.async_fire("mobile_app_notification_action", {"action": lock_no})
    await hass.async_block_till_done()
    assert hass.states.is_state("lock.kitchen_door", "unlocked")
    assert unchanged(hass) == {}
    diagnostics = entry.runtime_data.hunches.diagnostics()
    assert diagnostics["memory"]["records"]["light.kitchen_lights"]["accepted"] == 1
    assert diagnostics["memory"]["records"]["lock.kitchen_door"]["dismissed"] == 1
    assert diagnostics["history"][-1]["reason"] == (
        "Kitchen Door was unlocked when you started trying to sleep at 14:02."
    )


async def test_accepting_in_home_assistant_does_each_chosen_thing_only(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    entry = tracker_entry({"hunches": HUNCHES})
    hunches = await async_setup_tracker(hass, entry)
    await async_bedtime(hass, hunches)
    for hunch in [*CHOSEN, "climate.hvac"]:
        await async_answer(hass, entry, hunch, "accept")
    assert hass.states.is_state("light.kitchen_lights", "off")
    assert hass.states.is_state("media_player.living_room", "paused")
    assert hass.states.is_state("lock.kitchen_door", "locked")
    await async_cover_closes(hass, freezer)
    assert hass.states.get("climate.hvac").attributes["temperature"] == 18  # type: ignore[union-attr]
    assert unchanged(hass) == {}
    # The phone's notifications of the answered suggestions are cleared.
    cleared = [c.data["data"]["tag"] for c in phone if c.data["message"] == "clear_notification"]
    assert cleared == [*CHOSEN, "climate.hvac"]
    with pytest.raises(ServiceValidationError) as err:
        await async_answer(hass, entry, "light.kitchen_lights", "accept")
    assert err.value.translation_key == "no_such_hunch"


async def test_an_entity_taken_out_of_the_options_is_not_acted_on_even_when_accepted(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall]
) -> None:
    entry = tracker_entry({"hunches": HUNCHES})
    hunches = await async_setup_tracker(hass, entry)
    await async_bedtime(hass, hunches)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "hunches": {**HUNCHES, "lights": []}}
    )
    await async_answer(hass, entry, "light.kitchen_lights", "accept")
    assert hass.states.is_state("light.kitchen_lights", "on")


async def test_three_dismissals_mute_a_hunch_until_reset_and_a_restart_remembers(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall]
) -> None:
    entry = tracker_entry({"hunches": {"lights": ["light.kitchen_lights"]}})
    hunches = await async_setup_tracker(hass, entry)
    for night in range(3):
        await async_bedtime(hass, hunches, night)
        await async_answer(hass, entry, "light.kitchen_lights", "dismiss")
    last = hass.states.get(HUNCH_EVENT)
    assert last is not None
    assert last.attributes["event_type"] == "muted"

    # Home Assistant restarts: the lesson is kept.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    hunches = await async_setup_tracker(hass, entry)
    await async_bedtime(hass, hunches, 3)
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert f"{DOMAIN}_{entry.entry_id}_hunch_light.kitchen_lights" not in notifications
    assert hunches.pending == {}
    assert hunches.history[-1]["outcome"] == "muted"
    assert hunches.history[-1]["reason"] == (
        "Kitchen Lights was on when you started trying to sleep at 23:12."
    )

    await hass.services.async_call(
        DOMAIN,
        "reset_learning",
        {"config_entry_id": entry.entry_id, "what": ["hunches"]},
        blocking=True,
    )
    await async_bedtime(hass, hunches, 4)
    assert list(hunches.pending) == ["light.kitchen_lights"]
    assert f"{DOMAIN}_{entry.entry_id}_hunch_light.kitchen_lights" in notifications


async def test_a_suggestion_waiting_for_an_answer_survives_a_restart(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall]
) -> None:
    entry = tracker_entry({"hunches": {"locks": ["lock.kitchen_door"]}})
    hunches = await async_setup_tracker(hass, entry)
    await async_bedtime(hass, hunches)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await async_setup_tracker(hass, entry)
    await async_answer(hass, entry, "lock.kitchen_door", "accept")
    assert hass.states.is_state("lock.kitchen_door", "locked")


async def test_five_acceptances_offer_automatic_and_then_it_is_done_and_said(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall]
) -> None:
    entry = tracker_entry({"hunches": {"lights": ["light.kitchen_lights"], **_PHONE}})
    hunches = await async_setup_tracker(hass, entry)
    for night in range(5):
        await hass.services.async_call(
            "light", "turn_on", {"entity_id": "light.kitchen_lights"}, blocking=True
        )
        await async_bedtime(hass, hunches, night)
        await async_answer(hass, entry, "light.kitchen_lights", "accept")
        assert hass.states.is_state("light.kitchen_lights", "off")
    assert list(hunches.pending) == ["automatic_light"]
    assert suggested(phone)[-1] == "From now on, turn off the lights at bedtime without asking?"
    await async_answer(hass, entry, "automatic_light", "accept")
    assert entry.options["hunches"]["automatic"] == ["light"]

    phone.clear()
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.kitchen_lights"}, blocking=True
    )
    await async_bedtime(hass, hunches, 5)
    assert hass.states.is_state("light.kitchen_lights", "off")
    assert suggested(phone) == []
    assert [c.data["message"] for c in phone] == [
        "Turned off Kitchen Lights. Kitchen Lights was on when you started trying to sleep at "
        "23:12."
    ]
    state = hass.states.get(HUNCH_EVENT)
    assert state is not None
    assert state.attributes["event_type"] == "acted"
    assert unchanged(hass) == {}


_PHONE = {"notify_service": "mobile_app_phone"}


async def test_opted_in_kinds_are_done_and_said_and_nothing_else_is_touched(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    automatic = ["light", "media", "lock", "cover", "climate"]
    entry = tracker_entry({"hunches": {**HUNCHES, "automatic": automatic}})
    hunches = await async_setup_tracker(hass, entry)
    await async_bedtime(hass, hunches)
    assert hunches.pending == {}
    assert hass.states.is_state("light.kitchen_lights", "off")
    assert hass.states.is_state("media_player.living_room", "paused")
    assert hass.states.is_state("lock.kitchen_door", "locked")
    assert hass.states.get("climate.hvac").attributes["temperature"] == 18  # type: ignore[union-attr]
    await async_cover_closes(hass, freezer)
    assert unchanged(hass) == {}
    assert [c.data["message"].split(".")[0] for c in phone] == [
        "Turned off Kitchen Lights",
        "Paused Living Room",
        "Locked Kitchen Door",
        "Closed Hall Window",
        "Set Hvac to 18 °C",
    ]
    # At sleep onset the same things are not done or said again.
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.kitchen_lights"}, blocking=True
    )
    hunches.async_on_sleep_event(
        SleepEvent(SleepEventType.FELL_ASLEEP, BEDTIME + timedelta(minutes=9), "")
    )
    await hass.async_block_till_done()
    assert len(phone) == 5


async def test_nothing_chosen_nothing_looked_at(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall]
) -> None:
    entry = tracker_entry({"hunches": {"automatic": ["light", "lock"], **_PHONE}})
    hunches = await async_setup_tracker(hass, entry)
    await async_bedtime(hass, hunches)
    assert phone == []
    assert hunches.pending == {}
    assert unchanged(hass) == {}
    assert hass.states.is_state("light.kitchen_lights", "on")
    # The tracker's own alarm is recorded for the usual alarm days, check chosen or not.
    assert hunches.memory.as_dict()["alarm_mornings"] == {"2026-11-23": False}


async def test_no_alarm_on_a_usual_alarm_morning(
    hass: HomeAssistant,
    demo: None,
    phone: list[ServiceCall],
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Mondays had an alarm the last four weeks; on Sunday night the alarm is off."""
    freezer.move_to(BEDTIME)
    entry = tracker_entry({"hunches": {"check_alarm": True, **_PHONE}})
    hass_storage[f"{DOMAIN}.{entry.entry_id}.hunches"] = usual_mondays(entry)
    hunches = await async_setup_tracker(hass, entry)
    alarm = entry.runtime_data.alarm
    assert not alarm.settings.enabled
    await async_bedtime(hass, hunches)
    assert suggested(phone) == ["Turn on the alarm for Monday?"]
    assert (
        phone[0]
        .data["message"]
        .endswith(
            "No alarm was set for Monday when you started trying to sleep at 23:12, and you "
            "usually have one on Mondays."
        )
    )
    await async_answer(hass, entry, "alarm", "accept")
    assert alarm.settings.enabled
    assert "mon" in alarm.settings.days
    assert alarm.next_alarm is not None
    assert alarm.next_alarm.date() == datetime(2026, 11, 23, tzinfo=UTC).date()
    # The recorded morning (no alarm when looked at) is kept for the usual days.
    assert hunches.memory.as_dict()["alarm_mornings"]["2026-11-23"] is False


async def test_accepting_the_alarm_hunch_unskips_that_morning(
    hass: HomeAssistant,
    demo: None,
    phone: list[ServiceCall],
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The alarm is on from Tuesday to Friday; on Sunday night it is asked about Monday, and
    before answering the sleeper skips the next alarm (Tuesday's). *Yes* leaves an alarm that
    rings on Monday at 07:00, and every weekday after."""
    freezer.move_to(BEDTIME)
    entry = tracker_entry({"hunches": {"check_alarm": True, **_PHONE}})
    hass_storage[f"{DOMAIN}.{entry.entry_id}.hunches"] = usual_mondays(entry)
    hunches = await async_setup_tracker(hass, entry)
    alarm = entry.runtime_data.alarm
    await hass.services.async_call(
        DOMAIN,
        "set_alarm",
        {"config_entry_id": entry.entry_id, "time": "07:00", "days": ["tue", "wed", "thu", "fri"]},
        blocking=True,
    )
    await async_bedtime(hass, hunches)
    assert suggested(phone) == ["Turn on the alarm for Monday?"]
    await hass.services.async_call(
        DOMAIN, "skip_next", {"config_entry_id": entry.entry_id}, blocking=True
    )
    assert alarm.next_alarm == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wednesday 07:00
    await async_answer(hass, entry, "alarm", "accept")
    assert alarm.settings.enabled
    assert alarm.settings.days == ("mon", "tue", "wed", "thu", "fri")
    assert alarm.state.skip_through is None
    assert alarm.next_alarm == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 07:00


def usual_mondays(entry: MockConfigEntry) -> dict[str, Any]:
    """The hunches' store: an alarm on three of the last four Mondays."""
    return {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}.hunches",
        "data": {
            "memory": {
                "alarm_mornings": {
                    "2026-10-26": True,
                    "2026-11-02": True,
                    "2026-11-09": False,
                    "2026-11-16": True,
                }
            }
        },
    }


async def test_the_options_choose_what_is_looked_at(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall]
) -> None:
    entry = tracker_entry()
    await async_setup_tracker(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    schema = result["data_schema"].schema
    assert "hunches" in [str(k) for k in schema]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        options_with({**HUNCHES, "check_alarm": True, "automatic": ["lock"]}),
    )
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert entry.options["hunches"]["automatic"] == ["lock"]
    assert entry.options["hunches"]["notify_service"] == "mobile_app_phone"
    hunches = entry.runtime_data.hunches
    await async_bedtime(hass, hunches)
    assert hass.states.is_state("lock.kitchen_door", "locked")
    assert "light.kitchen_lights" in hunches.pending


async def test_the_options_refuse_a_phone_that_is_not_there(
    hass: HomeAssistant, demo: None
) -> None:
    """A typed notify action that does not exist is refused: suggestions would never arrive."""
    entry = tracker_entry()
    await async_setup_tracker(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        options_with({"lights": ["light.kitchen_lights"], "notify_service": "mobile_app_pixel"}),
    )
    assert result["type"] == "form"
    assert result["errors"] == {"hunches": "notify_service_missing"}
    assert "hunches" not in entry.options


async def test_a_phone_removed_since_is_not_offered_for_answers(
    hass: HomeAssistant, demo: None
) -> None:
    """The phone's notify action went away: Home Assistant's notification does not send the
    sleeper to their phone for the answer."""
    entry = tracker_entry({"hunches": {"lights": ["light.kitchen_lights"], **_PHONE}})
    hunches = await async_setup_tracker(hass, entry)
    await async_bedtime(hass, hunches)
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    kitchen = notifications[f"{DOMAIN}_{entry.entry_id}_hunch_light.kitchen_lights"]
    assert kitchen["message"].endswith("answer *accept* or *dismiss*).")
    assert "phone" not in kitchen["message"]


async def test_the_store_is_removed_with_the_tracker(
    hass: HomeAssistant, demo: None, hass_storage: dict[str, Any]
) -> None:
    entry = tracker_entry({"hunches": {"lights": ["light.kitchen_lights"]}})
    hunches = await async_setup_tracker(hass, entry)
    await async_bedtime(hass, hunches)
    assert await hass.config_entries.async_unload(entry.entry_id)
    key = f"{DOMAIN}.{entry.entry_id}.hunches"
    assert hass_storage[key]["data"]["pending"][0]["key"] == "light.kitchen_lights"
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


async def test_once_asleep_the_phone_is_left_alone(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall]
) -> None:
    """The bed light is fine at 23:12 and on when the sleeper falls asleep at 23:21."""
    lights = {"lights": ["light.bed_light", "light.kitchen_lights"]}
    entry = tracker_entry({"hunches": {**lights, **_PHONE, "automatic": ["light"]}})
    hunches = await async_setup_tracker(hass, entry)
    await hass.services.async_call(
        "light", "turn_off", {"entity_id": "light.kitchen_lights"}, blocking=True
    )
    await async_bedtime(hass, hunches)
    assert phone == []
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.bed_light"}, blocking=True
    )
    asleep = BEDTIME + timedelta(minutes=9)
    hunches.async_on_sleep_event(SleepEvent(SleepEventType.FELL_ASLEEP, asleep, ""))
    await hass.async_block_till_done()
    assert hass.states.is_state("light.bed_light", "off")
    assert phone == []
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    said = notifications[f"{DOMAIN}_{entry.entry_id}_hunch_light.bed_light"]["message"]
    assert said == "**Turned off Bed Light.**\n\nBed Light was on when you fell asleep at 23:21."


async def test_a_suggestion_nobody_answered_is_withdrawn_the_next_night(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall]
) -> None:
    entry = tracker_entry({"hunches": {"lights": ["light.kitchen_lights"], **_PHONE}})
    hunches = await async_setup_tracker(hass, entry)
    await async_bedtime(hass, hunches)
    await async_bedtime(hass, hunches, 1)
    assert [h["outcome"] for h in hunches.history] == ["suggested", "expired", "suggested"]
    assert suggested(phone) == ["Turn off Kitchen Lights?", "Turn off Kitchen Lights?"]
    assert hunches.memory.records == {}  # no answer, no lesson


async def test_reset_learning_without_what_forgets_everything_and_saves(
    hass: HomeAssistant, demo: None, hass_storage: dict[str, Any]
) -> None:
    entry = tracker_entry({"hunches": {"lights": ["light.kitchen_lights"]}})
    key = f"{DOMAIN}.{entry.entry_id}.hunches"
    record = {"kind": "light", "dismissed": 3, "dismissed_in_row": 3, "muted": True}
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {"memory": {"records": {"light.kitchen_lights": record}, "offered": ["lock"]}},
    }
    hunches = await async_setup_tracker(hass, entry)
    assert hunches.memory.is_muted("light.kitchen_lights")
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "reset_learning",
            {"config_entry_id": entry.entry_id, "what": ["everything"]},
            blocking=True,
        )
    assert hunches.memory.is_muted("light.kitchen_lights")
    await hass.services.async_call(
        DOMAIN, "reset_learning", {"config_entry_id": entry.entry_id}, blocking=True
    )
    assert not hunches.memory.is_muted("light.kitchen_lights")
    assert hass_storage[key]["data"]["memory"] == {
        "records": {},
        "offered": [],
        "alarm_mornings": {},
    }


async def test_a_restart_mid_night_does_not_ask_again_at_sleep_onset(
    hass: HomeAssistant, demo: None, phone: list[ServiceCall]
) -> None:
    entry = tracker_entry({"hunches": {"lights": ["light.kitchen_lights"], **_PHONE}})
    hunches = await async_setup_tracker(hass, entry)
    await async_bedtime(hass, hunches)
    await async_answer(hass, entry, "light.kitchen_lights", "dismiss")
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    hunches = await async_setup_tracker(hass, entry)
    asleep = BEDTIME + timedelta(minutes=9)
    hunches.async_on_sleep_event(SleepEvent(SleepEventType.FELL_ASLEEP, asleep, ""))
    await hass.async_block_till_done()
    assert [h["outcome"] for h in hunches.history] == ["suggested", "dismissed"]
    assert suggested(phone) == ["Turn off Kitchen Lights?"]
