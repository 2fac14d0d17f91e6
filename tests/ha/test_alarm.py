"""The smart alarm: its entities, when it rings (days, skip, time zones) and what it saves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import DOMAIN as NUMBER_DOMAIN, SERVICE_SET_VALUE
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.components.time import DOMAIN as TIME_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    WEEKDAYS as HA_WEEKDAYS,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.radar_sleep.alarm_core.policy import AlarmDecision
from custom_components.radar_sleep.alarm_core.schedule import WEEKDAYS
from custom_components.radar_sleep.alarm_core.state import AlarmPhase
from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.contracts import SleepUpdate
from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator, SimulatorConfig
from custom_components.radar_sleep.simulation.source import SimulatorSource

from .conftest import PacedNight
from .fixed import async_setup_in_berlin

ALARM_SWITCH = "switch.bedroom_alarm"
ALARM_TIME = "time.bedroom_alarm_time"
WINDOW = "number.bedroom_alarm_window"
SUNRISE = "number.bedroom_sunrise_length"
NEXT_ALARM = "sensor.bedroom_next_alarm"
EVENT = "event.bedroom_alarm"
# Monday 2026-11-23, 21:00 in Berlin (CET, UTC+1).
EVENING = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def test_alarm_days_are_home_assistants_weekdays() -> None:
    assert list(WEEKDAYS) == HA_WEEKDAYS


# Entities -------------------------------------------------------------------------------------


@pytest.fixture
async def tracker(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    silent_source: None,
) -> MockConfigEntry:
    """A tracker set up on Monday evening in Berlin, its radar silent."""
    return await async_setup_in_berlin(hass, mock_config_entry, freezer, EVENING)


async def test_entities_snapshot(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: ALARM_SWITCH}, blocking=True
    )
    for entity_id in (ALARM_SWITCH, ALARM_TIME, WINDOW, SUNRISE, NEXT_ALARM, EVENT):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry == snapshot(name=f"{entity_id}-entry")
        assert hass.states.get(entity_id) == snapshot(name=f"{entity_id}-state")


async def test_alarm_is_off_until_switched_on(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    assert hass.states.get(ALARM_SWITCH).state == "off"
    assert hass.states.get(ALARM_TIME).state == "07:00:00"
    assert hass.states.get(WINDOW).state == "30"
    assert hass.states.get(NEXT_ALARM).state == "unknown"
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: ALARM_SWITCH}, blocking=True
    )
    state = hass.states.get(NEXT_ALARM)
    assert state.state == "2026-11-24T06:00:00+00:00"
    assert state.attributes["status"] == "armed"
    assert state.attributes["window_start"] == "2026-11-24T05:30:00+00:00"
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: ALARM_SWITCH}, blocking=True
    )
    assert hass.states.get(NEXT_ALARM).state == "unknown"


async def test_time_and_window_entities_move_the_next_alarm(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: ALARM_SWITCH}, blocking=True
    )
    await hass.services.async_call(
        TIME_DOMAIN, "set_value", {ATTR_ENTITY_ID: ALARM_TIME, "time": "06:15:00"}, blocking=True
    )
    await hass.services.async_call(
        NUMBER_DOMAIN, SERVICE_SET_VALUE, {ATTR_ENTITY_ID: WINDOW, "value": 20}, blocking=True
    )
    await hass.services.async_call(
        NUMBER_DOMAIN, SERVICE_SET_VALUE, {ATTR_ENTITY_ID: SUNRISE, "value": 15}, blocking=True
    )
    assert hass.states.get(ALARM_TIME).state == "06:15:00"
    assert hass.states.get(WINDOW).state == "20"
    assert hass.states.get(SUNRISE).state == "15"
    state = hass.states.get(NEXT_ALARM)
    assert state.state == "2026-11-24T05:15:00+00:00"
    assert state.attributes["window_start"] == "2026-11-24T04:55:00+00:00"


async def test_settings_and_the_alarm_survive_a_restart(
    hass: HomeAssistant, tracker: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    await hass.services.async_call(
        DOMAIN,
        "set_alarm",
        {
            "config_entry_id": tracker.entry_id,
            "time": "06:45",
            "window": 25,
            "days": ["tue", "thu"],
        },
        blocking=True,
    )
    await hass.services.async_call(
        NUMBER_DOMAIN, SERVICE_SET_VALUE, {ATTR_ENTITY_ID: SUNRISE, "value": 12}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "skip_next", {"config_entry_id": tracker.entry_id}, blocking=True
    )
    await hass.async_block_till_done()
    stored = hass_storage[f"{DOMAIN}.{tracker.entry_id}"]["data"]["alarm"]
    assert stored["settings"] == {
        "time": "06:45:00",
        "enabled": True,
        "window_minutes": 25,
        "sunrise_minutes": 12,
        "days": ["tue", "thu"],
    }
    assert stored["state"]["skip_through"] == "2026-11-24"
    before = hass.states.get(NEXT_ALARM).state
    assert before == "2026-11-26T05:45:00+00:00"  # Tuesday skipped: Thursday

    assert await hass.config_entries.async_unload(tracker.entry_id)
    assert await hass.config_entries.async_setup(tracker.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(ALARM_SWITCH).state == "on"
    assert hass.states.get(ALARM_TIME).state == "06:45:00"
    assert hass.states.get(WINDOW).state == "25"
    assert hass.states.get(SUNRISE).state == "12"
    state = hass.states.get(NEXT_ALARM)
    assert state.state == before
    assert state.attributes["days"] == ["tue", "thu"]
    assert state.attributes["skipped_through"] == "2026-11-24"


@pytest.mark.usefixtures("silent_source")
async def test_an_unreadable_saved_alarm_starts_from_the_defaults(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{mock_config_entry.entry_id}",
        "data": {"nights": [], "alarm": {"settings": {"time": "not a time"}, "state": {}}},
    }
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(ALARM_TIME).state == "07:00:00"
    assert hass.states.get(ALARM_SWITCH).state == "off"
    assert "the saved alarm could not be read" in caplog.text


async def test_dismissed_alarm_rearms_for_the_next_day(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await hass.services.async_call(
        DOMAIN,
        "set_alarm",
        {"config_entry_id": tracker.entry_id, "time": "07:00", "window": 0},
        blocking=True,
    )
    alarm = tracker.runtime_data.alarm
    freezer.move_to(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert alarm.state.phase is AlarmPhase.RINGING
    assert hass.states.get(EVENT).attributes["event_type"] == "triggered"
    await hass.services.async_call(
        DOMAIN, "dismiss", {"config_entry_id": tracker.entry_id}, blocking=True
    )
    assert alarm.state.phase is AlarmPhase.ARMED
    assert hass.states.get(EVENT).attributes["event_type"] == "dismissed"
    assert hass.states.get(NEXT_ALARM).state == "2026-11-25T06:00:00+00:00"


async def test_an_alarm_nobody_stops_stops_by_itself_and_rearms(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await hass.services.async_call(
        DOMAIN, "set_alarm", {"config_entry_id": tracker.entry_id, "time": "07:00"}, blocking=True
    )
    alarm = tracker.runtime_data.alarm
    for minute in range(0, 12 * 60, 10):  # 21:00 to 09:00, in 10-min steps
        freezer.move_to(EVENING + timedelta(minutes=minute))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert alarm.state.phase is AlarmPhase.ARMED
    event = hass.states.get(EVENT)
    assert event.attributes["event_type"] == "dismissed"
    assert event.attributes["by"] == "timeout"
    assert hass.states.get(NEXT_ALARM).state == "2026-11-25T06:00:00+00:00"


# The smart part, on the simulated bedroom --------------------------------------------------


@pytest.mark.slow
async def test_smart_alarm_rings_in_light_sleep_inside_the_window(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    start = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to(start)
    config = SimulatorConfig(seed=int(mock_config_entry.data["seed"]), partner=True)
    truth = BedroomSimulator(config).truth
    # The set time a few minutes before the simulated sleeper wakes by themselves: the
    # half hour before it ends in light sleep.
    deadline = (start + timedelta(seconds=truth.final_wake_s - 120)).replace(second=0)
    window_start = deadline - timedelta(minutes=30)
    pace_from = (window_start - start).total_seconds() - 300
    night = PacedNight(SimulatorSource(config, speed=0, nights=1), pace_from)

    with patch("custom_components.radar_sleep.runtime.build_source", return_value=night):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        await hass.services.async_call(
            DOMAIN,
            "set_alarm",
            {
                "config_entry_id": mock_config_entry.entry_id,
                "time": deadline.time().isoformat(),
                "window": 30,
            },
            blocking=True,
        )
        alarm = mock_config_entry.runtime_data.alarm
        assert alarm.state.deadline == deadline
        observed: list[SleepUpdate] = []
        real_observe = alarm.policy.observe

        def observe(update: SleepUpdate) -> AlarmDecision:
            observed.append(update)
            return real_observe(update)

        alarm.policy.observe = observe  # type: ignore[method-assign]
        events: list[tuple[str, dict[str, Any]]] = []
        alarm.async_add_event_listener(lambda e, attrs: events.append((e.value, attrs)))
        await night.pacer.wait_parked()  # the night up to the morning, as fast as it goes
        assert events == []
        now = start + timedelta(seconds=pace_from)
        while now < deadline and alarm.state.phase is not AlarmPhase.RINGING:
            now += timedelta(seconds=30)
            freezer.move_to(now)
            async_fire_time_changed(hass)
            await hass.async_block_till_done()
            await night.pacer.release()
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)

    types = [t for t, _ in events]
    assert types[0] == "window_opened"
    assert types[-1] == "triggered"
    trigger = events[-1][1]
    assert trigger["reason"] in ("light_sleep", "wakeable_event"), trigger
    assert window_start <= now < deadline, "rang inside the window, before the set time"
    if trigger["reason"] == "light_sleep":
        assert "light_sleep_detected" in types
    assert observed, "the coordinator handed the window's epochs to the policy"
    assert all(u.time >= window_start - timedelta(minutes=6) for u in observed)
    assert observed[-1].time < deadline
