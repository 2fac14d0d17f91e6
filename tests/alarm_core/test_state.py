"""The alarm's state machine and the failsafe's reasoning, without Home Assistant."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.radar_sleep.alarm_core.policy import AlarmDecision, TriggerReason
from custom_components.radar_sleep.alarm_core.state import (
    AlarmPhase,
    AlarmSettings,
    AlarmState,
    Due,
    SourceHealth,
    deadline_reason,
    failsafe_problem,
)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_EVENING = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 21:00 in Berlin
TUESDAY_7 = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
SETTINGS = AlarmSettings(time=time(7, 0), enabled=True, window_minutes=30)


def armed() -> AlarmState:
    state = AlarmState()
    state.arm(SETTINGS, MONDAY_EVENING, BERLIN)
    return state


def test_arming_waits_for_the_next_set_time_with_its_window() -> None:
    state = armed()
    assert state.phase is AlarmPhase.ARMED
    assert state.deadline == TUESDAY_7
    assert state.window_start == TUESDAY_7 - timedelta(minutes=30)
    assert state.snooze_until is None


def test_no_day_chosen_switches_off() -> None:
    state = AlarmState()
    state.arm(AlarmSettings(enabled=True, days=()), MONDAY_EVENING, BERLIN)
    assert state.phase is AlarmPhase.OFF
    assert state.deadline is None
    assert state.window_start is None


def test_an_alarm_that_rang_is_never_the_next_one() -> None:
    state = armed()
    state.ring(TriggerReason.LIGHT_SLEEP, TUESDAY_7 - timedelta(minutes=10))
    assert state.triggered_for == TUESDAY_7
    # Even with the clock put back before it, the next alarm is the day after.
    assert state.next_deadline(SETTINGS, MONDAY_EVENING, BERLIN) == TUESDAY_7 + timedelta(days=1)


def test_a_skip_is_forgotten_once_its_day_is_over() -> None:
    state = AlarmState(skip_through=date(2026, 11, 24))
    state.arm(SETTINGS, MONDAY_EVENING, BERLIN)
    assert state.deadline == TUESDAY_7 + timedelta(days=1)
    assert state.skip_through == date(2026, 11, 24)
    state.arm(SETTINGS, TUESDAY_7 + timedelta(days=1, hours=1), BERLIN)
    assert state.skip_through is None


def test_what_is_due_through_one_alarm() -> None:
    state = armed()
    assert state.due(MONDAY_EVENING) is Due.NOTHING
    assert state.due(TUESDAY_7 - timedelta(minutes=30)) is Due.OPEN_WINDOW
    state.phase = AlarmPhase.WINDOW
    assert state.due(TUESDAY_7 - timedelta(minutes=1)) is Due.NOTHING
    assert state.due(TUESDAY_7) is Due.RING
    assert state.due(TUESDAY_7 + timedelta(hours=2)) is Due.RING  # late, within the grace
    assert state.due(TUESDAY_7 + timedelta(hours=2, seconds=1)) is Due.GIVE_UP
    state.ring(TriggerReason.DEADLINE, TUESDAY_7)
    assert state.phase is AlarmPhase.RINGING
    assert state.reason == "deadline"
    assert state.due(TUESDAY_7 + timedelta(minutes=5)) is Due.NOTHING
    state.snooze(TUESDAY_7 + timedelta(minutes=9))
    assert state.phase is AlarmPhase.SNOOZED
    assert state.due(TUESDAY_7 + timedelta(minutes=8)) is Due.NOTHING
    assert state.due(TUESDAY_7 + timedelta(minutes=9)) is Due.RING_AGAIN
    state.ring_again(TUESDAY_7 + timedelta(minutes=9))
    assert state.phase is AlarmPhase.RINGING
    assert state.snooze_until is None
    assert state.due(TUESDAY_7 + timedelta(minutes=69)) is Due.TIME_OUT


def test_next_due_instants() -> None:
    state = armed()
    sunrise = TUESDAY_7 - timedelta(minutes=40)
    assert sorted(state.next_due(sunrise)) == [sunrise, state.window_start, TUESDAY_7]
    state.phase = AlarmPhase.WINDOW
    assert state.next_due(None) == [TUESDAY_7]
    state.ring(TriggerReason.DEADLINE, TUESDAY_7)
    assert state.next_due(None) == [TUESDAY_7 + timedelta(hours=1)]
    state.disarm()
    assert state.phase is AlarmPhase.OFF
    assert state.next_due(None) == []


def test_needs_arming_after_a_restart() -> None:
    assert AlarmState(phase=AlarmPhase.ARMED).needs_arming()
    state = armed()
    assert not state.needs_arming()
    state.give_up()
    assert state.needs_arming()


def test_state_and_settings_round_trip_through_json() -> None:
    state = armed()
    state.skip_through = date(2026, 11, 30)
    state.ring(TriggerReason.FAILSAFE, TUESDAY_7)
    assert AlarmState.from_dict(state.as_dict()) == state
    assert AlarmSettings.from_dict(SETTINGS.as_dict()) == SETTINGS
    # Unknown days are dropped; none left means every day; bad instants read as unset.
    assert AlarmSettings.from_dict({"days": ["xyz"]}).days == AlarmSettings().days
    assert AlarmState.from_dict({"deadline": "not a time"}).deadline is None


def test_a_ring_again_after_a_snooze_keeps_the_first_ring_and_its_reason() -> None:
    """Rung in light sleep at 06:51 for 07:00, snoozed, rung again at 06:59."""
    state = armed()
    state.phase = AlarmPhase.WINDOW
    first = TUESDAY_7 - timedelta(minutes=9)
    state.ring(TriggerReason.LIGHT_SLEEP, first, "light sleep, 9 min before the set time")
    state.snooze(first + timedelta(minutes=8))
    state.ring_again(first + timedelta(minutes=8))
    assert state.rang_at == first + timedelta(minutes=8)  # the hour's timeout runs from here
    assert state.woke_at == state.first_rang_at == first
    assert (state.reason, state.explanation) == (
        "light_sleep",
        "light sleep, 9 min before the set time",
    )
    saved = state.as_dict()
    assert saved["first_rang_at"] == "2026-11-24T05:51:00+00:00"
    assert AlarmState.from_dict(saved) == state


def test_a_state_saved_without_the_first_ring_loads() -> None:
    """Saved before the first ring and its explanation were kept: the one ring known."""
    old = {
        "phase": "armed",
        "deadline": "2026-11-25T06:00:00+00:00",
        "window_start": "2026-11-25T05:30:00+00:00",
        "triggered_for": "2026-11-24T06:00:00+00:00",
        "rang_at": "2026-11-24T05:51:00+00:00",
        "snooze_until": None,
        "skip_through": None,
        "reason": "light_sleep",
    }
    state = AlarmState.from_dict(old)
    assert state.first_rang_at is None
    assert state.explanation is None
    assert state.woke_at == datetime(2026, 11, 24, 5, 51, tzinfo=UTC)
    assert state.reason == "light_sleep"
    assert AlarmState.from_dict(state.as_dict()) == state


def test_a_snooze_saved_without_the_first_ring_keeps_it_when_it_rings_again() -> None:
    """Saved snoozed by a version that did not keep the first ring (rung at 06:51, snoozed
    until 06:59): ringing again at 06:59 leaves 06:51 as the first ring."""
    old = {
        "phase": "snoozed",
        "deadline": "2026-11-24T06:00:00+00:00",
        "window_start": "2026-11-24T05:30:00+00:00",
        "triggered_for": "2026-11-24T06:00:00+00:00",
        "rang_at": "2026-11-24T05:51:00+00:00",
        "snooze_until": "2026-11-24T05:59:00+00:00",
        "skip_through": None,
        "reason": "light_sleep",
    }
    state = AlarmState.from_dict(old)
    state.ring_again(datetime(2026, 11, 24, 5, 59, tzinfo=UTC))
    assert state.rang_at == datetime(2026, 11, 24, 5, 59, tzinfo=UTC)
    assert state.woke_at == state.first_rang_at == datetime(2026, 11, 24, 5, 51, tzinfo=UTC)
    assert state.reason == "light_sleep"


HEALTHY = SourceHealth()


@pytest.mark.parametrize(
    ("health", "kwargs", "expected"),
    [
        (HEALTHY, {}, None),
        (SourceHealth(standby=True), {}, "standby: Radar Sleep was not sensing"),
        (
            SourceHealth(delivering=False, last_error="unplugged"),
            {},
            "the radar source is not delivering (unplugged)",
        ),
        (SourceHealth(delivering=False), {}, "the radar source is not delivering (no frames)"),
        (HEALTHY, {"policy_error": "boom"}, "the smart alarm policy failed (boom)"),
        (HEALTHY, {"last_epoch_at": None}, "no sleep data in the last 5 minutes"),
        (
            HEALTHY,
            {"last_epoch_at": TUESDAY_7 - timedelta(seconds=301)},
            "no sleep data in the last 5 minutes",
        ),
        (
            SourceHealth(source_errors=2, last_error="crc"),
            {"errors_at_window": 1},
            "the radar pipeline failed during the window (crc)",
        ),
    ],
)
def test_failsafe_problem(
    health: SourceHealth, kwargs: dict[str, object], expected: str | None
) -> None:
    args: dict[str, object] = {
        "last_epoch_at": TUESDAY_7 - timedelta(seconds=30),
        "errors_at_window": health.source_errors,
        "policy_error": None,
    } | kwargs
    assert failsafe_problem(health, now=TUESDAY_7, **args) == expected  # type: ignore[arg-type]


def test_deadline_reason() -> None:
    late = deadline_reason(TUESDAY_7, TUESDAY_7 + timedelta(minutes=30), None, None)
    assert late[0] is TriggerReason.FAILSAFE
    assert late[1].startswith("rang 30 min after the set time")
    assert deadline_reason(TUESDAY_7, TUESDAY_7, "no frames", None) == (
        TriggerReason.FAILSAFE,
        "set time reached; no frames",
    )
    assert deadline_reason(TUESDAY_7, TUESDAY_7, None, None) == (
        TriggerReason.DEADLINE,
        "set time reached; no light sleep in the window",
    )
    decision = AlarmDecision(
        trigger=False, reason=None, explanation="deep sleep", light_sleep=False
    )
    assert (
        deadline_reason(TUESDAY_7, TUESDAY_7, None, decision)[1] == "set time reached; deep sleep"
    )


def test_a_state_from_after_now_is_ahead_of_it() -> None:
    """A simulated night that started over: the clock is back before the alarm's instants."""
    state = armed()
    assert not state.ahead_of(MONDAY_EVENING)  # Tuesday 07:00 is the next alarm
    state.ring(TriggerReason.LIGHT_SLEEP, TUESDAY_7 - timedelta(minutes=12))
    assert not state.ahead_of(TUESDAY_7)
    assert state.ahead_of(MONDAY_EVENING)  # it rang for a morning still to come
    waiting = AlarmState(phase=AlarmPhase.ARMED, deadline=TUESDAY_7 + timedelta(days=9))
    assert waiting.ahead_of(MONDAY_EVENING)
    assert not waiting.ahead_of(MONDAY_EVENING + timedelta(days=2))
