"""The smart alarm learns from snoozes, getting up and early dismissals; kept and reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import math
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.radar_sleep.alarm_core.learning import AlarmLearning
from custom_components.radar_sleep.alarm_core.state import AlarmPhase
from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.contracts import SessionState, SleepUpdate, Stage
from tests.alarm_core.test_policy import UNLIKELY, update as policy_update

from .fixed import async_setup_in_berlin

ALARM_SWITCH = "switch.bedroom_alarm"
EVENT = "event.bedroom_alarm"
# Monday 2026-11-23, 21:00 in Berlin (CET, UTC+1); the alarm at 07:00 is 06:00 UTC.
EVENING = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
SET_TIME = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
KEY = f"{DOMAIN}.01JRADARS1EEPTESTENTRY0001.alarm_learning"


@pytest.fixture
async def tracker(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    silent_source: None,
) -> MockConfigEntry:
    """A tracker set up on Monday evening in Berlin, its radar silent."""
    return await async_setup_in_berlin(hass, mock_config_entry, freezer, EVENING)


def epoch(at: datetime, *, in_bed: bool) -> SleepUpdate:
    """The pipeline's update of an epoch: the sleeper in bed (awake) or out of it."""
    return SleepUpdate(
        t=at.timestamp(),
        time=at,
        present=in_bed,
        presence_confidence=1.0 if in_bed else 0.0,
        in_bed=in_bed,
        session_state=SessionState.ACTIVE if in_bed else SessionState.IDLE,
        trying_to_sleep=False,
        intent_score=None,
        stage=Stage.WAKE if in_bed else None,
        stage_probabilities=(1.0, 0.0, 0.0, 0.0) if in_bed else None,
        breathing_rate_bpm=None,
        primary_user_confidence=None,
    )


async def move(hass: HomeAssistant, freezer: FrozenDateTimeFactory, at: datetime) -> None:
    freezer.move_to(at)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def call(hass: HomeAssistant, entry: MockConfigEntry, action: str, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, action, {"config_entry_id": entry.entry_id, **data}, blocking=True
    )


async def snoozed_at_the_set_time(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """07:00 rings at the set time (window 0), snoozed once, dismissed, out of bed at 07:12."""
    await call(hass, tracker, "set_alarm", time="07:00", window=0)
    alarm = tracker.runtime_data.alarm
    await move(hass, freezer, SET_TIME)
    assert alarm.state.phase is AlarmPhase.RINGING
    await call(hass, tracker, "snooze", minutes=9)
    await move(hass, freezer, SET_TIME + timedelta(minutes=9))
    assert alarm.state.phase is AlarmPhase.RINGING
    await move(hass, freezer, SET_TIME + timedelta(minutes=10))
    await call(hass, tracker, "dismiss")
    # Still in bed half a minute later, then the bed empties.
    alarm.async_on_epoch(epoch(SET_TIME + timedelta(minutes=10, seconds=30), in_bed=True))
    assert alarm.learning.mornings == 0
    alarm.async_on_epoch(epoch(SET_TIME + timedelta(minutes=12), in_bed=False))
    await hass.async_block_till_done()


async def test_snooze_dismiss_and_leaving_the_bed_are_learned(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    assert hass.states.get(ALARM_SWITCH).attributes["learned_mornings"] == 0
    await snoozed_at_the_set_time(hass, tracker, freezer)
    # Rang at the set time and snoozed: waiting for a later moment did not pay; the
    # patience goes down by one half-step, exp(-0.25).
    attributes = hass.states.get(ALARM_SWITCH).attributes
    assert attributes["learned_mornings"] == 1
    assert attributes["learned_patience"] == pytest.approx(math.exp(-0.25), abs=1e-3)
    assert attributes["last_lesson"] == (
        "it rang at the set time and you snoozed once: it now waits less for a later moment"
    )
    assert attributes["learned_because"] == (
        "you were slow to get up when it rang at the set time (1 of the last 1 mornings)"
    )
    lesson = tracker.runtime_data.alarm.learning.history[-1]
    assert (lesson.signal.value, lesson.offset_min, lesson.get_up_min, lesson.snoozes) == (
        "slow_at_set_time",
        0.0,
        12.0,
        1,
    )


async def test_dismissed_inside_the_window_before_it_rang(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await call(hass, tracker, "set_alarm", time="07:00", window=30)
    alarm = tracker.runtime_data.alarm
    await move(hass, freezer, SET_TIME - timedelta(minutes=20))
    assert alarm.state.phase is AlarmPhase.WINDOW
    await call(hass, tracker, "dismiss")
    attributes = hass.states.get(ALARM_SWITCH).attributes
    assert attributes["learned_patience"] == pytest.approx(math.exp(-0.5), abs=1e-3)
    assert attributes["last_lesson"] == (
        "you were up 20 min before the set time, before the alarm rang: "
        "it now takes earlier moments"
    )
    # The next window uses what was learned.
    await move(hass, freezer, SET_TIME + timedelta(days=1, minutes=-25))
    assert alarm.state.phase is AlarmPhase.WINDOW
    assert alarm.policy.patience == pytest.approx(math.exp(-0.5))
    assert alarm.policy.because == "you were up before it rang (1 of the last 1 mornings)"


async def test_a_ring_nobody_answers_teaches_nothing(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await call(hass, tracker, "set_alarm", time="07:00", window=0)
    await move(hass, freezer, SET_TIME)
    await move(hass, freezer, SET_TIME + timedelta(minutes=61))  # stops by itself
    assert hass.states.get(EVENT).attributes["by"] == "timeout"
    learning = tracker.runtime_data.alarm.learning
    assert (learning.mornings, learning.kappa, learning.pending) == (0, 0.0, None)


async def test_learned_state_survives_a_restart(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    await snoozed_at_the_set_time(hass, tracker, freezer)
    assert await hass.config_entries.async_unload(tracker.entry_id)
    stored = hass_storage[KEY]
    assert stored["version"] == 1
    assert stored["data"]["kappa"] == -0.25
    assert stored["data"]["mornings"] == 1
    assert await hass.config_entries.async_setup(tracker.entry_id)
    await hass.async_block_till_done()
    attributes = hass.states.get(ALARM_SWITCH).attributes
    assert attributes["learned_mornings"] == 1
    assert attributes["learned_patience"] == pytest.approx(math.exp(-0.25), abs=1e-3)
    assert tracker.runtime_data.alarm.policy.patience == pytest.approx(math.exp(-0.25))


async def test_snoozing_a_snoozed_alarm_is_one_snooze(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Snooze pressed twice (a double tap, or a longer snooze chosen) is one snooze to learn
    from: it changes when the alarm rings again, not what the morning teaches."""
    await call(hass, tracker, "set_alarm", time="07:00", window=0)
    await move(hass, freezer, SET_TIME)
    alarm = tracker.runtime_data.alarm
    await call(hass, tracker, "snooze", minutes=5)
    await move(hass, freezer, SET_TIME + timedelta(seconds=1))
    await call(hass, tracker, "snooze", minutes=9)
    assert alarm.state.phase is AlarmPhase.SNOOZED
    assert alarm.state.snooze_until == SET_TIME + timedelta(minutes=9, seconds=1)
    assert alarm.learning.pending is not None
    assert alarm.learning.pending.snoozes == 1


async def test_a_morning_in_progress_carries_on_after_a_restart(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await call(hass, tracker, "set_alarm", time="07:00", window=0)
    await move(hass, freezer, SET_TIME)
    await call(hass, tracker, "snooze", minutes=5)
    assert await hass.config_entries.async_unload(tracker.entry_id)
    assert await hass.config_entries.async_setup(tracker.entry_id)
    await hass.async_block_till_done()
    alarm = tracker.runtime_data.alarm
    assert alarm.learning.pending is not None
    assert alarm.learning.pending.snoozes == 1
    await move(hass, freezer, SET_TIME + timedelta(minutes=6))
    await call(hass, tracker, "dismiss")
    alarm.async_on_epoch(epoch(SET_TIME + timedelta(minutes=7), in_bed=False))
    assert alarm.learning.mornings == 1
    assert alarm.learning.history[-1].signal.value == "slow_at_set_time"


async def test_reset_learning_forgets_the_alarm(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    await snoozed_at_the_set_time(hass, tracker, freezer)
    await call(hass, tracker, "reset_learning", what=["alarm"])
    attributes = hass.states.get(ALARM_SWITCH).attributes
    assert attributes["learned_mornings"] == 0
    assert attributes["learned_patience"] == 1.0
    assert attributes["learned_because"] == "nothing learned yet"
    assert hass_storage[KEY]["data"]["kappa"] == 0.0
    assert tracker.runtime_data.alarm.policy.patience == 1.0
    # Empty ``what`` resets everything (the alarm's learning included).
    await snoozed_at_the_set_time_again(hass, tracker, freezer)
    assert tracker.runtime_data.alarm.learning.mornings == 1
    await call(hass, tracker, "reset_learning")
    assert tracker.runtime_data.alarm.learning.mornings == 0


async def snoozed_at_the_set_time_again(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The next morning (Wednesday 07:00): rings, dismissed, 11 min to get up."""
    alarm = tracker.runtime_data.alarm
    tomorrow = SET_TIME + timedelta(days=1)
    await move(hass, freezer, tomorrow)
    assert alarm.state.phase is AlarmPhase.RINGING
    await call(hass, tracker, "dismiss")
    alarm.async_on_epoch(epoch(tomorrow + timedelta(minutes=11), in_bed=False))


async def test_an_unreadable_learning_starts_over(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    silent_source: None,
) -> None:
    hass_storage[KEY] = {"version": 1, "key": KEY, "data": {"kind": "something else"}}
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(ALARM_SWITCH).attributes["learned_mornings"] == 0
    assert f"the stored data in {KEY} could not be read" in caplog.text
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"store_unreadable_{mock_config_entry.entry_id}_alarm_learning"
    )
    assert issue is not None
    assert issue.translation_key == "store_unreadable"


async def test_removing_the_tracker_removes_what_was_learned(
    hass: HomeAssistant, tracker: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    await call(hass, tracker, "reset_learning")
    assert KEY in hass_storage
    assert await hass.config_entries.async_remove(tracker.entry_id)
    await hass.async_block_till_done()
    assert KEY not in hass_storage


async def test_the_trigger_says_when_what_was_learned_moved_it(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    silent_source: None,
) -> None:
    """A patient alarm (factor exp(3), learned from an early snooze) waits where the shipped
    policy would have rung, and the set time's ring says by how much.

    Policy parameters where light sleep is brief and does not come back (``UNLIKELY``): the
    shipped policy wakes at the first light epoch, 20 min before the set time; with one more
    epoch of sleep worth 0.01 * exp(3) * 0.5 = 0.1, waiting beats waking (0.9) then.
    """
    lesson = {
        "deadline": (SET_TIME - timedelta(days=1)).timestamp(),
        "signal": "snoozed_early",
        "value": 1.0,
        "offset_min": 20.0,
        "get_up_min": 10.0,
        "snoozes": 1,
        "kappa": 3.0,
        "explanation": "you snoozed once when woken 20 min before the set time",
    }
    hass_storage[KEY] = {
        "version": 1,
        "key": KEY,
        "data": {
            "kind": "radar_sleep.alarm_learning",
            "version": 1,
            "kappa": 3.0,
            "mornings": 1,
            "history": [lesson],
            "pending": None,
        },
    }
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(EVENING)
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.radar_sleep.runtime.default_params", return_value=UNLIKELY):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    await call(hass, mock_config_entry, "set_alarm", time="07:00", window=30)
    alarm = mock_config_entry.runtime_data.alarm
    await move(hass, freezer, SET_TIME - timedelta(minutes=30))
    assert alarm.state.phase is AlarmPhase.WINDOW
    assert alarm.policy.patience == pytest.approx(math.exp(3.0))
    for k in range(40):  # 20 min before the set time to half a minute before it
        at = SET_TIME - timedelta(minutes=20) + timedelta(seconds=30 * k)
        await move(hass, freezer, at)
        alarm.async_on_epoch(policy_update(at, Stage.LIGHT if k == 0 else Stage.DEEP, 0.99))
        if k == 0:
            decision = alarm._health.last_decision
            assert decision is not None
            assert not decision.trigger
            assert "without what it learned it would ring now" in decision.explanation
    assert alarm.state.phase is AlarmPhase.WINDOW
    await move(hass, freezer, SET_TIME)
    event = hass.states.get(EVENT).attributes
    assert event["event_type"] == "triggered"
    assert event["reason"] == "deadline"
    assert event["explanation"].endswith(
        "; 20 min later than it would have rung without what it learned, because you snoozed "
        "when it woke you early (1 of the last 1 mornings)"
    )


async def test_a_failing_learning_never_stops_the_alarm(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await call(hass, tracker, "set_alarm", time="07:00", window=0)
    alarm = tracker.runtime_data.alarm
    broken = patch.multiple(
        AlarmLearning,
        on_ring=lambda *a, **k: 1 / 0,
        on_snooze=lambda *a, **k: 1 / 0,
        on_dismiss=lambda *a, **k: 1 / 0,
    )
    with broken:
        await move(hass, freezer, SET_TIME)
        assert alarm.state.phase is AlarmPhase.RINGING
        assert hass.states.get(EVENT).attributes["event_type"] == "triggered"
        await call(hass, tracker, "snooze", minutes=5)
        assert alarm.state.phase is AlarmPhase.SNOOZED
        await call(hass, tracker, "dismiss")
        assert alarm.state.phase is AlarmPhase.ARMED
    assert "the alarm's learning failed" in caplog.text
