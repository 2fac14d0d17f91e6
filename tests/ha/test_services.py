"""The alarm's actions: set_alarm, snooze, dismiss, skip_next, and their validation errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.radar_sleep.alarm_core.state import AlarmPhase
from custom_components.radar_sleep.const import DOMAIN

from .fixed import async_setup_fixed, async_setup_in_berlin

TRANSLATIONS = json.loads(
    (
        Path(__file__).resolve().parents[2] / "custom_components/radar_sleep/translations/en.json"
    ).read_text(encoding="utf-8")
)

pytestmark = pytest.mark.usefixtures("silent_source")

NEXT_ALARM = "sensor.bedroom_next_alarm"
EVENT = "event.bedroom_alarm"
EVENING = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # Monday 21:00 in Berlin
SET_TIME = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # Tuesday 07:00


@pytest.fixture
async def tracker(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    return await async_setup_in_berlin(hass, mock_config_entry, freezer, EVENING)


async def call(hass: HomeAssistant, service: str, entry: MockConfigEntry, **data: object) -> None:
    await hass.services.async_call(
        DOMAIN, service, {"config_entry_id": entry.entry_id, **data}, blocking=True
    )
    await hass.async_block_till_done()


async def ring(hass: HomeAssistant, freezer: FrozenDateTimeFactory, entry: MockConfigEntry) -> None:
    await call(hass, "set_alarm", entry, time="07:00", window=0)
    freezer.move_to(SET_TIME)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(EVENT).attributes["event_type"] == "triggered"


def test_services_are_described(hass: HomeAssistant) -> None:
    """services.yaml and the translations describe every action and field."""
    import json
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2] / "custom_components" / "radar_sleep"
    described = yaml.safe_load((root / "services.yaml").read_text())
    translated = json.loads((root / "translations" / "en.json").read_text())["services"]
    assert (
        set(described)
        == set(translated)
        == {
            "set_alarm",
            "snooze",
            "dismiss",
            "skip_next",
            "get_night",
            "answer_hunch",
            "teach",
            "reset_learning",
            "forget_data",
        }
    )
    for service, spec in described.items():
        assert set(spec["fields"]) == set(translated[service]["fields"]), service
        assert spec["fields"]["config_entry_id"]["selector"] == {
            "config_entry": {"integration": DOMAIN}
        }


async def test_set_alarm_sets_time_window_days_and_enables(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    await call(hass, "set_alarm", tracker, time="06:30", window=20, days=["wed", "fri"])
    assert hass.states.get("switch.bedroom_alarm").state == "on"
    assert hass.states.get("time.bedroom_alarm_time").state == "06:30:00"
    assert hass.states.get("number.bedroom_alarm_window").state == "20"
    state = hass.states.get(NEXT_ALARM)
    assert state.state == "2026-11-25T05:30:00+00:00"  # Wednesday 06:30 CET
    assert state.attributes["days"] == ["wed", "fri"]
    assert state.attributes["window_start"] == "2026-11-25T05:10:00+00:00"
    # Without window and days, those stay as they are.
    await call(hass, "set_alarm", tracker, time="07:15:00")
    assert hass.states.get("number.bedroom_alarm_window").state == "20"
    assert hass.states.get(NEXT_ALARM).attributes["days"] == ["wed", "fri"]


BAD_DATA = [
    ("set_alarm", {"time": "25:00"}, "invalid_time", "“25:00” is not a time of day"),
    ("set_alarm", {"time": 7}, "invalid_time", "“7” is not a time of day"),
    ("set_alarm", {}, "missing_field", "This action needs “time”"),
    ("set_alarm", {"time": "07:00", "window": 200}, "invalid_window", "from 0 to 90, not “200”"),
    ("set_alarm", {"time": "07:00", "window": -1}, "invalid_window", "from 0 to 90, not “-1”"),
    ("set_alarm", {"time": "07:00", "window": "long"}, "invalid_window", "not “long”"),
    ("set_alarm", {"time": "07:00", "days": ["someday"]}, "invalid_days", "sat and sun, not"),
    ("set_alarm", {"time": "07:00", "days": 3}, "invalid_days", "not “3”"),
    ("set_alarm", {"time": "07:00", "volume": 3}, "invalid_field", "no option “volume”"),
    ("snooze", {"minutes": 0}, "invalid_minutes", "from 1 to 60, not “0”"),
    ("snooze", {"minutes": 120}, "invalid_minutes", "from 1 to 60, not “120”"),
    ("snooze", {"minutes": "nine"}, "invalid_minutes", "not “nine”"),
    ("snooze", {"minutes": [9]}, "invalid_minutes", "not “[9]”"),
    ("dismiss", {"minutes": 9}, "invalid_field", "no option “minutes”"),
    ("skip_next", {"days": ["mon"]}, "invalid_field", "no option “days”"),
    ("get_night", {"night": "last tuesday"}, "invalid_night", "“last tuesday” is not a date"),
    ("get_night", {"night": "2026-13-01"}, "invalid_night", "“2026-13-01” is not a date"),
    ("get_night", {"show_picture": "perhaps"}, "invalid_show_picture", "not “perhaps”"),
    ("dismiss", {"config_entry_id": None}, "invalid_config_entry_id", "Choose a Radar Sleep"),
    ("dismiss", {"config_entry_id": ["a", "b"]}, "invalid_config_entry_id", "config entry"),
    (
        "reset_learning",
        {"what": ["calibration", "sleep"]},
        "invalid_what",
        "“sleep” is not something the tracker learns. "
        "Choose from alarm, hunches, teaching, calibration, stage_model",
    ),
    ("reset_learning", {"what": "dreams"}, "invalid_what", "“dreams” is not something"),
    (
        "teach",
        {"kind": "dreaming"},
        "invalid_kind",
        "“dreaming” is not a kind of label. "
        "Choose from reading_until, fell_asleep_at, awake_at, was_partner, slept_badly",
    ),
    (
        "teach",
        {"kind": "awake_at", "time": "03:00", "end": "half past"},
        "invalid_time",
        "“half past” is not a time of day. Give the time as HH:MM or HH:MM:SS",
    ),
    ("teach", {"time": "03:00"}, "missing_field", "This action needs “kind”"),
    (
        "answer_hunch",
        {"hunch": "opening", "answer": "maybe"},
        "invalid_answer",
        "Answer a suggestion with accept, dismiss, not “maybe”",
    ),
    (
        "answer_hunch",
        {"hunch": ["opening"], "answer": "accept"},
        "invalid_hunch",
        "“['opening']” is not a suggestion's key",
    ),
    ("answer_hunch", {"answer": "accept"}, "missing_field", "This action needs “hunch”"),
]


@pytest.mark.parametrize(
    ("service", "data", "key", "message"),
    BAD_DATA,
    ids=[f"{service}-{key}-{i}" for i, (service, _, key, _) in enumerate(BAD_DATA)],
)
async def test_bad_action_data_is_a_translated_error_and_changes_nothing(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    hass_storage: dict[str, Any],
    service: str,
    data: dict[str, object],
    key: str,
    message: str,
) -> None:
    """Out of range, of the wrong type or unknown: an error naming the field, nothing stored."""
    store = tracker.runtime_data.store
    await store.async_save()
    stored = json.dumps(hass_storage[f"{DOMAIN}.{tracker.entry_id}"], sort_keys=True)
    states = {s.entity_id: (s.state, s.attributes) for s in hass.states.async_all()}
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            service,
            {"config_entry_id": tracker.entry_id, **data},
            blocking=True,
            return_response=service == "get_night",
        )
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert message in str(err.value)
    # Rendered whole, from its own placeholders only.
    template = TRANSLATIONS["exceptions"][key]["message"]
    assert set(err.value.translation_placeholders or {}) == set(re.findall(r"{(\w+)}", template))
    assert "{" not in str(err.value)
    await store.async_save()
    assert json.dumps(hass_storage[f"{DOMAIN}.{tracker.entry_id}"], sort_keys=True) == stored
    assert {s.entity_id: (s.state, s.attributes) for s in hass.states.async_all()} == states


async def test_set_alarm_needs_a_day(hass: HomeAssistant, tracker: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "set_alarm", tracker, time="07:00", days=[])
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "no_days"
    assert str(err.value) == "Choose at least one day for the alarm of Bedroom"


async def test_snooze_pauses_and_rings_again(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await ring(hass, freezer, tracker)
    await call(hass, "snooze", tracker)
    event = hass.states.get(EVENT)
    assert event.attributes["event_type"] == "snoozed"
    assert event.attributes["minutes"] == 9
    until = SET_TIME + timedelta(minutes=9)
    assert hass.states.get(NEXT_ALARM).state == until.isoformat()
    alarm = tracker.runtime_data.alarm
    assert alarm.state.phase is AlarmPhase.SNOOZED

    freezer.move_to(until - timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert alarm.state.phase is AlarmPhase.SNOOZED
    freezer.move_to(until)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert alarm.state.phase is AlarmPhase.RINGING
    event = hass.states.get(EVENT)
    assert event.attributes["event_type"] == "triggered"
    # A ring again, not a new decision: its first ring (at the set time, without sleep data
    # from the silent radar) keeps the reason.
    assert event.attributes["reason"] == "snooze_over"
    assert (
        event.attributes["explanation"] == "the snooze is over; it first rang at 07:00 (failsafe)"
    )
    assert alarm.state.reason == "failsafe"
    assert alarm.state.woke_at == SET_TIME

    await call(hass, "snooze", tracker, minutes=3)
    assert hass.states.get(NEXT_ALARM).state == (until + timedelta(minutes=3)).isoformat()


async def test_snooze_needs_a_ringing_alarm(hass: HomeAssistant, tracker: MockConfigEntry) -> None:
    await call(hass, "set_alarm", tracker, time="07:00")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "snooze", tracker)
    assert err.value.translation_key == "not_ringing"
    assert str(err.value) == "The alarm of Bedroom is not ringing, so it cannot be snoozed"


async def test_snooze_minutes_are_limited(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await ring(hass, freezer, tracker)
    with pytest.raises(ServiceValidationError, match="from 1 to 60"):
        await call(hass, "snooze", tracker, minutes=0)
    with pytest.raises(ServiceValidationError, match="from 1 to 60"):
        await call(hass, "snooze", tracker, minutes=120)
    assert hass.states.get(EVENT).attributes["event_type"] == "triggered"


async def test_dismiss_stops_and_rearms(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await ring(hass, freezer, tracker)
    await call(hass, "snooze", tracker)
    await call(hass, "dismiss", tracker)
    event = hass.states.get(EVENT)
    assert event.attributes["event_type"] == "dismissed"
    assert event.attributes["by"] == "user"
    assert hass.states.get(NEXT_ALARM).state == (SET_TIME + timedelta(days=1)).isoformat()


async def test_dismiss_inside_the_window_means_already_awake(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await call(hass, "set_alarm", tracker, time="07:00", window=30)
    freezer.move_to(SET_TIME - timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(EVENT).attributes["event_type"] == "window_opened"
    await call(hass, "dismiss", tracker)
    assert hass.states.get(EVENT).attributes["event_type"] == "dismissed"
    freezer.move_to(SET_TIME + timedelta(minutes=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(EVENT).attributes["event_type"] == "dismissed", "it did not ring"


async def test_dismiss_needs_something_to_dismiss(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    await call(hass, "set_alarm", tracker, time="07:00")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "dismiss", tracker)
    assert err.value.translation_key == "nothing_to_dismiss"


async def test_skip_next_skips_one_day(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await call(hass, "set_alarm", tracker, time="07:00")
    await call(hass, "skip_next", tracker)
    event = hass.states.get(EVENT)
    assert event.attributes["event_type"] == "skipped"
    assert event.attributes["alarm_time"] == SET_TIME.isoformat()
    assert hass.states.get(NEXT_ALARM).state == (SET_TIME + timedelta(days=1)).isoformat()
    freezer.move_to(SET_TIME + timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(EVENT).attributes["event_type"] == "skipped", "Tuesday was skipped"
    freezer.move_to(SET_TIME + timedelta(days=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(EVENT).attributes["event_type"] == "triggered"


async def test_a_skip_is_undone_by_setting_the_alarm_or_turning_it_on_again(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    """Tuesday 07:00 skipped (Wednesday next); each way back rings on Tuesday again.

    Turning the switch off and on again, and setting the alarm (even to the same time),
    clear the skip; turning it on while it is on, or changing the window, do not.
    """
    tuesday = SET_TIME.isoformat()
    wednesday = (SET_TIME + timedelta(days=1)).isoformat()
    alarm = tracker.runtime_data.alarm

    async def skip() -> None:
        await call(hass, "skip_next", tracker)
        assert hass.states.get(NEXT_ALARM).state == wednesday
        assert hass.states.get(NEXT_ALARM).attributes["skipped_through"] == "2026-11-24"

    def unskipped() -> None:
        assert hass.states.get(NEXT_ALARM).state == tuesday
        assert hass.states.get(NEXT_ALARM).attributes["skipped_through"] is None
        assert alarm.state.skip_through is None
        assert hass.states.get(EVENT).attributes["event_type"] == "unskipped"

    await call(hass, "set_alarm", tracker, time="07:00")
    assert hass.states.get(EVENT).state == "unknown", "nothing was skipped: no event"
    await skip()
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.bedroom_alarm"}, blocking=True
    )
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.bedroom_alarm_window", "value": 20},
        blocking=True,
    )
    assert hass.states.get(NEXT_ALARM).state == wednesday, "still on, still skipped"
    assert hass.states.get(EVENT).attributes["event_type"] == "skipped"
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.bedroom_alarm"}, blocking=True
    )
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.bedroom_alarm"}, blocking=True
    )
    unskipped()

    await skip()
    await call(hass, "set_alarm", tracker, time="07:00")
    unskipped()


async def test_skip_next_needs_an_enabled_alarm(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "skip_next", tracker)
    assert err.value.translation_key == "alarm_disabled"
    assert str(err.value) == "The alarm of Bedroom is off. Turn it on (or set it) first"


async def test_actions_target_a_loaded_tracker_of_this_integration(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "dismiss", {"config_entry_id": "nonexistent"}, blocking=True
        )
    assert err.value.translation_key == "service_config_entry_not_found"
    assert await hass.config_entries.async_unload(tracker.entry_id)
    assert tracker.state is ConfigEntryState.NOT_LOADED
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "set_alarm", tracker, time="07:00")
    assert err.value.translation_key == "service_config_entry_not_loaded"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "dismiss", {}, blocking=True)
    assert err.value.translation_key == "invalid_config_entry_id"


async def test_get_night_answers_with_last_night_and_earlier_ones(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])
    entry_id = mock_config_entry.entry_id
    last = await hass.services.async_call(
        DOMAIN, "get_night", {"config_entry_id": entry_id}, blocking=True, return_response=True
    )
    assert last is not None
    assert last["night"] == "2026-11-22"
    assert last["session_start"] == "2026-11-22T21:40:00+00:00"
    assert last["hypnogram_start"] == "2026-11-22T21:55:00+00:00"
    assert last["hypnogram"] == "w" * 6 + "l" * 10 + "d" * 8 + "l" * 4 + "r" * 6 + "w" * 2 + "l" * 4
    assert last["epoch_seconds"] == 30
    assert last["metrics"]["tst_min"] == 16.0
    assert last["metrics"]["awakenings"] == 1
    assert last["mean_breathing_rate_bpm"] == 13.6

    earlier = await hass.services.async_call(
        DOMAIN,
        "get_night",
        {"config_entry_id": entry_id, "night": "2026-11-20"},
        blocking=True,
        return_response=True,
    )
    assert earlier is not None
    assert earlier["night"] == "2026-11-20"
    assert earlier["session_start"] == "2026-11-20T21:20:00+00:00"

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_night",
            {"config_entry_id": entry_id, "night": "2026-10-01"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "no_such_night"
    assert err.value.translation_placeholders == {"name": "Bedroom", "night": "2026-10-01"}


@pytest.mark.usefixtures("silent_source")
async def test_get_night_before_the_first_night(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_night",
            {"config_entry_id": mock_config_entry.entry_id},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "no_night"
