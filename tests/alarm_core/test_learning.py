"""What the smart alarm learns from how the user wakes up (hand-worked values)."""

from __future__ import annotations

from datetime import timedelta
import math

import numpy as np
import pytest

from custom_components.radar_sleep.alarm_core.learning import (
    BOUND,
    AlarmLearning,
    Morning,
    Signal,
    morning_signal,
    update_kappa,
)
from custom_components.radar_sleep.alarm_core.policy import SmartAlarmPolicy, TriggerReason
from custom_components.radar_sleep.contracts import EPOCH_SECONDS, Stage

from .test_policy import DEADLINE, LIKELY, UNLIKELY, WINDOW_START, before, policy, update

SET = DEADLINE.timestamp()


def minutes_before(m: float) -> float:
    return SET - 60 * m


# -- the update rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kappa", "value", "expected"),
    [
        (0.0, 1.0, 0.5),  # one early snooze: +0.5
        (0.0, -1.0, -0.5),  # up before it rang: -0.5
        (0.5, -0.5, 0.25),  # up at once after an early ring: -0.25
        (2.8, 1.0, 3.0),  # bounded above
        (-2.9, -1.0, -3.0),  # bounded below
        (1.0, 0.0, 1.0),  # nothing learned
    ],
)
def test_update_is_a_bounded_step(kappa: float, value: float, expected: float) -> None:
    assert update_kappa(kappa, value) == pytest.approx(expected)


def test_bound_keeps_the_factor_between_a_twentieth_and_twenty() -> None:
    learning = AlarmLearning()
    for _ in range(20):
        learning.on_ring(SET, minutes_before(20), early=True)
        learning.on_snooze()
        learning.on_dismiss(SET, minutes_before(10), by="user", before_ring=False)
        learning.on_epoch(minutes_before(9), in_bed=False)
    assert learning.kappa == BOUND
    assert learning.factor == pytest.approx(math.exp(3.0))  # 20.09
    assert learning.mornings == 20


# -- the morning's signal -----------------------------------------------------------------


def test_snoozed_after_an_early_ring() -> None:
    morning = Morning(SET, rang_at=minutes_before(20), early=True, snoozes=2)
    morning.left_bed_at = minutes_before(1)
    assert morning_signal(morning) == (Signal.SNOOZED_EARLY, 20.0, 19.0)


def test_out_of_bed_at_once_after_an_early_ring() -> None:
    morning = Morning(SET, rang_at=minutes_before(10), early=True)
    morning.left_bed_at = minutes_before(8.5)
    assert morning_signal(morning) == (Signal.UP_AT_ONCE, 10.0, 1.5)


def test_a_few_minutes_after_an_early_ring_says_nothing() -> None:
    morning = Morning(SET, rang_at=minutes_before(10), early=True, left_bed_at=minutes_before(5))
    assert morning_signal(morning) == (Signal.NONE, 10.0, 5.0)


def test_slow_after_the_set_time_rang() -> None:
    morning = Morning(SET, rang_at=SET, early=False, left_bed_at=SET + 11 * 60)
    assert morning_signal(morning) == (Signal.SLOW_AT_SET_TIME, 0.0, 11.0)
    quick = Morning(SET, rang_at=SET, early=False, left_bed_at=SET + 4 * 60)
    assert morning_signal(quick)[0] is Signal.NONE
    snoozed = Morning(SET, rang_at=SET, early=False, snoozes=1)
    assert morning_signal(snoozed)[0] is Signal.SLOW_AT_SET_TIME


def test_dismissed_before_it_rang() -> None:
    morning = Morning(SET, dismissed_at=minutes_before(12), dismissed_before_ring=True)
    assert morning_signal(morning) == (Signal.DISMISSED_BEFORE_RING, 12.0, None)


# -- a morning's events -------------------------------------------------------------------


def test_snooze_then_dismiss_then_the_bed_empties() -> None:
    learning = AlarmLearning()
    learning.on_ring(SET, minutes_before(20), early=True)
    learning.on_snooze()
    learning.on_ring(SET, minutes_before(11), early=False)  # the snooze is over: same morning
    assert learning.on_dismiss(SET, minutes_before(10), by="user", before_ring=False) is None
    assert learning.on_epoch(minutes_before(9.5), in_bed=True) is None
    lesson = learning.on_epoch(minutes_before(9), in_bed=False)
    assert lesson is not None
    assert lesson.signal is Signal.SNOOZED_EARLY
    assert lesson.offset_min == 20.0
    assert lesson.get_up_min == 11.0
    assert lesson.snoozes == 1
    assert learning.kappa == 0.5
    assert learning.factor == pytest.approx(1.6487, abs=1e-4)
    assert learning.pending is None
    assert lesson.explanation == (
        "you snoozed once when woken 20 min before the set time: "
        "the alarm now waits longer for a later moment"
    )
    assert learning.because() == "you snoozed when it woke you early (1 of the last 1 mornings)"


def test_the_lesson_counts_minutes_as_the_alarms_explanation_does() -> None:
    """Rung 28.5 min before the set time (xx:31:30 for xx+1:00): "29 min", as the clock times
    say and as the alarm's explanation puts it, not 28.5 rounded to 28."""
    learning = AlarmLearning()
    learning.on_ring(SET, minutes_before(28.5), early=True)
    learning.on_snooze()
    learning.on_dismiss(SET, minutes_before(10), by="user", before_ring=False)
    lesson = learning.on_epoch(minutes_before(9), in_bed=False)
    assert lesson is not None
    assert lesson.offset_min == 28.5
    assert lesson.explanation.startswith("you snoozed once when woken 29 min before the set time")


def test_out_of_bed_before_dismissing_finishes_at_the_dismissal() -> None:
    learning = AlarmLearning()
    learning.on_ring(SET, minutes_before(6), early=True)
    assert learning.on_epoch(minutes_before(5), in_bed=False) is None  # not dismissed yet
    lesson = learning.on_dismiss(SET, minutes_before(4), by="user", before_ring=False)
    assert lesson is not None
    assert lesson.signal is Signal.UP_AT_ONCE
    assert learning.kappa == -0.25


def test_up_before_it_rang_is_learned_at_once() -> None:
    learning = AlarmLearning()
    lesson = learning.on_dismiss(SET, minutes_before(12), by="user", before_ring=True)
    assert lesson is not None
    assert lesson.signal is Signal.DISMISSED_BEFORE_RING
    assert learning.kappa == -0.5
    assert learning.because() == "you were up before it rang (1 of the last 1 mornings)"


def test_timeout_or_switching_off_teaches_nothing() -> None:
    learning = AlarmLearning()
    learning.on_ring(SET, minutes_before(5), early=True)
    assert learning.on_dismiss(SET, SET + 3600, by="timeout", before_ring=False) is None
    assert learning.pending is None
    assert learning.on_dismiss(SET, minutes_before(3), by="disabled", before_ring=True) is None
    assert learning.kappa == 0.0
    assert learning.mornings == 0


def test_the_bed_never_empties_within_an_hour() -> None:
    learning = AlarmLearning()
    learning.on_ring(SET, minutes_before(15), early=True)
    learning.on_snooze()
    learning.on_dismiss(SET, minutes_before(5), by="user", before_ring=False)
    assert learning.on_epoch(SET + 54 * 60, in_bed=True) is None
    lesson = learning.on_epoch(SET + 55 * 60, in_bed=True)  # 60 min after the dismissal
    assert lesson is not None
    assert lesson.signal is Signal.SNOOZED_EARLY
    assert lesson.get_up_min is None


def test_state_round_trips_and_rejects_garbage() -> None:
    learning = AlarmLearning()
    learning.on_dismiss(SET, minutes_before(12), by="user", before_ring=True)
    learning.on_ring(SET + 86400, SET + 86400 - 300, early=True)
    data = learning.to_dict()
    again = AlarmLearning.from_dict(data)
    assert again.to_dict() == data
    assert again.kappa == -0.5
    assert again.pending == Morning(SET + 86400, rang_at=SET + 86400 - 300, early=True)
    for bad in (
        None,
        [],
        {"kind": "other", "version": 1},
        {**data, "kappa": "x"},
        {**data, "kappa": math.inf},
    ):
        with pytest.raises(ValueError, match="not a smart alarm learning state"):
            AlarmLearning.from_dict(bad)


# -- the policy with a learned patience ---------------------------------------------------


def test_patient_policy_waits_where_the_shipped_one_rings_and_says_so() -> None:
    # UNLIKELY: light sleep is brief and does not come back, so the shipped policy wakes at
    # the first light epoch. With a factor of 100 one more epoch of sleep is worth
    # 0.01 * 100 * 0.5 = 0.5 (probability units): waiting beats the 0.9 of waking now
    # until the last epoch, where waiting is worth 0.5 + 0.2 * 0.9 + 0.8 * 0.1 = 0.76.
    alarm = policy(UNLIKELY)
    alarm.set_patience(100.0, "you snoozed when it woke you early")
    first = alarm.observe(update(before(20), Stage.LIGHT, 0.99))
    assert not first.trigger
    assert first.explanation.endswith(
        "; without what it learned it would ring now, because you snoozed when it woke you early"
    )
    steps = round(19.5 * 60 / EPOCH_SECONDS)
    decisions = [
        alarm.observe(update(before(20) + timedelta(seconds=EPOCH_SECONDS * k), Stage.DEEP))
        for k in range(1, steps)
    ]
    assert not any(d.trigger for d in decisions)
    last = alarm.observe(update(before(0.5), Stage.LIGHT, 0.99))
    assert last.trigger
    assert last.reason is TriggerReason.LIGHT_SLEEP
    assert last.explanation.endswith(
        "; 20 min later than it would have rung without what it learned, "
        "because you snoozed when it woke you early"
    )


def test_impatient_policy_rings_where_the_shipped_one_waits_and_says_so() -> None:
    # LIKELY: light sleep persists and comes back, so the shipped policy (one more epoch of
    # sleep worth 0.01 * 0.5 = 0.005) waits at light sleep 20 min before the set time. With a
    # factor of 0.05 an epoch of sleep is worth 0.00025, less than the 5 % risk per epoch of
    # leaving light sleep: it wakes now.
    shipped = policy(LIKELY)
    assert not shipped.observe(update(before(20), Stage.LIGHT, 0.99)).trigger
    alarm = policy(LIKELY)
    alarm.set_patience(0.05, "you got up at once when it woke you early")
    decision = alarm.observe(update(before(20), Stage.LIGHT, 0.99))
    assert decision.trigger
    assert decision.explanation.endswith(
        "; earlier than it would have rung without what it learned, "
        "because you got up at once when it woke you early"
    )


def test_the_shipped_policy_explains_nothing_learned() -> None:
    alarm = policy(UNLIKELY)
    decision = alarm.observe(update(before(20), Stage.LIGHT, 0.99))
    assert decision.trigger
    assert "learned" not in decision.explanation


def test_bad_patience_is_refused() -> None:
    alarm = SmartAlarmPolicy(LIKELY)
    for bad in (0.0, -1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="positive"):
            alarm.set_patience(bad)


@pytest.mark.parametrize("factor", [math.exp(-BOUND), 1.0, math.exp(BOUND), 1e6])
@pytest.mark.parametrize("seed", range(3))
def test_never_at_or_after_the_set_time_whatever_the_patience(factor: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for params in (LIKELY, UNLIKELY):
        alarm = policy(params)
        alarm.set_patience(factor, "a test")
        for k in range(80):  # the window, then 20 min past the set time
            at = WINDOW_START + timedelta(seconds=EPOCH_SECONDS * k)
            u = update(
                at,
                Stage(int(rng.integers(4))),
                float(rng.uniform(0.3, 1.0)),
                movement=float(rng.uniform()),
                rate=float(rng.uniform(8, 25)),
            )
            if alarm.observe(u).trigger:
                assert WINDOW_START <= at < DEADLINE
                alarm = policy(params)
                alarm.set_patience(factor, "a test")
        for s in (0, 1, 30, 600):  # light sleep and movement at or after the set time
            u = update(DEADLINE + timedelta(seconds=s), Stage.LIGHT, 0.99, movement=1.0)
            assert not alarm.observe(u).trigger


def test_reference_trigger_survives_a_restart() -> None:
    alarm = policy(UNLIKELY)
    alarm.set_patience(100.0)
    alarm.observe(update(before(20), Stage.LIGHT, 0.99))
    state = alarm.dump_state()
    assert state["reference_trigger"] == before(20).timestamp()
    again = SmartAlarmPolicy(UNLIKELY)
    again.set_patience(100.0)
    again.load_state(state)
    assert again.learning_note(before(5).timestamp()).startswith("; 15 min later")
