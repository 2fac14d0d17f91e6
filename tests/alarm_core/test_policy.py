"""The smart alarm policy: when it wakes the user inside the window, and when it never does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
import json
import math

import numpy as np
import pytest

from custom_components.radar_sleep.alarm_core.policy import (
    CLASSES,
    DEEP,
    LIGHT,
    PARAMS_FILE,
    WEAK_LIGHT,
    AlarmDecision,
    AlarmPolicyParams,
    LatestMomentModel,
    SmartAlarmPolicy,
    TriggerReason,
    default_params,
)
from custom_components.radar_sleep.contracts import EPOCH_SECONDS, SessionState, SleepUpdate, Stage

DEADLINE = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
WINDOW_START = DEADLINE - timedelta(minutes=30)
N = len(CLASSES)
BUCKETS = 5


def chain(
    light_stay: float,
    enter_light: float,
    other_stay: float = 0.9,
    *,
    light_success: float = 0.9,
    other_success: float = 0.1,
    sleep_value: float = 0.01,
) -> AlarmPolicyParams:
    """Parameters whose latest-moment chain has the given persistence of light sleep, the
    probability of entering light when another class ends, and the given success rates."""
    stay = tuple((light_stay if c == LIGHT else other_stay,) * BUCKETS for c in range(N))
    success = tuple((light_success if c == LIGHT else other_success,) * BUCKETS for c in range(N))
    switch = []
    for c in range(N):
        row = [0.0] * N
        if c == LIGHT:
            row[DEEP] = 1.0
        else:
            row[LIGHT] = enter_light
            rest = [d for d in range(N) if d not in (c, LIGHT)]
            for d in rest:
                row[d] = (1.0 - enter_light) / len(rest)
        switch.append(tuple(row))
    return AlarmPolicyParams(
        light_probability=0.6,
        min_light_epochs=1,
        movement_threshold=0.3,
        breathing_change=0.2,
        sleep_value=sleep_value,
        movement_success=0.6,
        breathing_success=0.5,
        stay=stay,
        switch=tuple(switch),
        success=success,
    )


LIKELY = chain(light_stay=0.95, enter_light=0.9)
"""Light sleep persists and comes back: worth waiting for."""
UNLIKELY = chain(light_stay=0.2, enter_light=0.0, other_stay=0.99)
"""Light sleep is brief and does not come back."""


def update(
    at: datetime,
    stage: Stage | None = Stage.DEEP,
    p: float = 0.9,
    *,
    movement: float | None = 0.0,
    rate: float | None = 14.0,
    in_bed: bool = True,
    index: int | None = None,
) -> SleepUpdate:
    """The pipeline's update of the epoch that completed at ``at``."""
    probs: tuple[float, float, float, float] | None = None
    if stage is not None:
        rest = (1.0 - p) / 3
        probs = tuple(p if s == stage else rest for s in range(4))  # type: ignore[assignment]
    if index is None:
        index = round((at - DEADLINE).total_seconds() / EPOCH_SECONDS) + 10_000
    return SleepUpdate(
        t=float(index * EPOCH_SECONDS),
        time=at,
        present=in_bed,
        presence_confidence=1.0 if in_bed else 0.0,
        in_bed=in_bed,
        session_state=SessionState.ACTIVE if in_bed else SessionState.AWAY,
        trying_to_sleep=True,
        intent_score=0.9,
        stage=stage if in_bed else None,
        stage_probabilities=probs if in_bed else None,
        breathing_rate_bpm=rate,
        primary_user_confidence=0.9,
        epoch_index=index,
        movement=movement,
    )


def policy(params: AlarmPolicyParams = LIKELY) -> SmartAlarmPolicy:
    alarm = SmartAlarmPolicy(params)
    alarm.start_window(WINDOW_START.timestamp(), DEADLINE.timestamp())
    return alarm


def before(minutes: float) -> datetime:
    return DEADLINE - timedelta(minutes=minutes)


def feed(alarm: SmartAlarmPolicy, updates: list[SleepUpdate]) -> list[AlarmDecision]:
    return [alarm.observe(u) for u in updates]


# -- never ----------------------------------------------------------------------------------


def test_no_window_no_trigger() -> None:
    alarm = SmartAlarmPolicy(LIKELY)
    decision = alarm.observe(update(before(5), Stage.LIGHT, movement=1.0))
    assert not decision.trigger
    assert "not open" in decision.explanation


def test_never_before_the_window_opens() -> None:
    alarm = policy(UNLIKELY)
    epochs = [WINDOW_START - timedelta(seconds=EPOCH_SECONDS * k) for k in range(20, 0, -1)]
    decisions = feed(alarm, [update(t, Stage.LIGHT, 0.99, movement=1.0) for t in epochs])
    assert not any(d.trigger for d in decisions)
    assert all("not opened" in d.explanation for d in decisions)
    # The same epoch once the window is open does trigger.
    assert alarm.observe(update(WINDOW_START, Stage.LIGHT, 0.99, movement=1.0)).trigger


def test_never_at_or_after_the_deadline() -> None:
    alarm = policy(UNLIKELY)
    at = [DEADLINE + timedelta(seconds=s) for s in (0, 1, 30, 600)]
    decisions = feed(alarm, [update(t, Stage.LIGHT, 0.99, movement=1.0) for t in at])
    assert not any(d.trigger for d in decisions)
    assert all("set time" in d.explanation for d in decisions)


def test_not_in_bed_never_triggers() -> None:
    alarm = policy(UNLIKELY)
    decisions = feed(
        alarm,
        [update(before(m), in_bed=False, movement=1.0, rate=30.0) for m in (20, 10, 3, 0.5)],
    )
    assert not any(d.trigger for d in decisions)
    assert all("not in bed" in d.explanation for d in decisions)


@pytest.mark.parametrize("seed", range(5))
def test_random_epochs_only_trigger_inside_the_window(seed: int) -> None:
    rng = np.random.default_rng(seed)
    start = WINDOW_START - timedelta(minutes=10)
    for params in (LIKELY, UNLIKELY, default_params()):
        alarm = policy(params)
        for k in range(100):  # 10 min before the window to 20 min after the deadline
            at = start + timedelta(seconds=EPOCH_SECONDS * k)
            stage = Stage(int(rng.integers(4)))
            u = update(
                at,
                stage,
                float(rng.uniform(0.3, 1.0)),
                movement=float(rng.uniform()),
                rate=float(rng.uniform(8, 25)),
                in_bed=bool(rng.uniform() < 0.9),
            )
            decision = alarm.observe(u)
            if decision.trigger:
                assert WINDOW_START <= at < DEADLINE
                assert u.in_bed
                assert decision.reason in (TriggerReason.LIGHT_SLEEP, TriggerReason.WAKEABLE_EVENT)
                alarm = policy(params)  # the alarm rang; a fresh window for the rest


# -- light sleep and the latest moment -----------------------------------------------------


def test_light_sleep_late_in_the_window_triggers() -> None:
    alarm = policy(LIKELY)
    feed(alarm, [update(before(m), Stage.DEEP) for m in (10, 5, 2)])
    decision = alarm.observe(update(before(1), Stage.LIGHT, 0.9))
    assert decision.trigger
    assert decision.reason is TriggerReason.LIGHT_SLEEP
    assert decision.light_sleep
    assert "light sleep" in decision.explanation


def test_the_minutes_before_the_set_time_are_those_between_the_clock_times() -> None:
    """Rung at 06:31:30 for 07:00: "29 min", as 06:31 and 07:00 say (not 28.5 rounded to
    28), so that the explanation agrees with the ring's time spoken beside it."""
    alarm = policy(UNLIKELY)
    decision = alarm.observe(update(before(28.5), Stage.LIGHT, 0.9))
    assert decision.trigger
    assert "29 min before the set time" in decision.explanation


def test_waits_when_a_later_light_epoch_is_likely() -> None:
    # 25 minutes left and light sleep keeps coming back: wait for a later moment.
    waiting = policy(LIKELY).observe(update(before(25), Stage.LIGHT, 0.9))
    assert not waiting.trigger
    assert waiting.light_sleep, "it is light sleep, it just is not the latest moment"
    assert "waiting" in waiting.explanation
    # The same epoch when light sleep is not coming back: wake now.
    now = policy(UNLIKELY).observe(update(before(25), Stage.LIGHT, 0.9))
    assert now.trigger
    assert now.reason is TriggerReason.LIGHT_SLEEP


def test_waiting_ends_in_a_trigger_before_the_deadline() -> None:
    alarm = policy(LIKELY)
    times = [WINDOW_START + timedelta(seconds=EPOCH_SECONDS * k) for k in range(60)]
    decisions = feed(alarm, [update(t, Stage.LIGHT, 0.9) for t in times])
    fired = [t for t, d in zip(times, decisions, strict=True) if d.trigger]
    assert fired, "a window of light sleep wakes the user before the set time"
    assert WINDOW_START + timedelta(minutes=20) < fired[0] < DEADLINE, "late, not at once"


def test_no_sleep_value_wakes_at_the_first_good_moment() -> None:
    params = replace(LIKELY, sleep_value=0.0)
    decision = policy(params).observe(update(before(25), Stage.LIGHT, 0.9))
    assert decision.trigger, "nothing to gain by waiting: light sleep now is as good as later"


def test_unsure_light_is_not_light_sleep() -> None:
    decision = policy(UNLIKELY).observe(update(before(5), Stage.LIGHT, 0.45))
    assert not decision.trigger
    assert not decision.light_sleep


def with_network(u: SleepUpdate, light: float) -> SleepUpdate:
    """``u`` carrying the stage network's own probabilities, ``light`` for light sleep."""
    rest = (1.0 - light) / 3
    probs = tuple(light if s == Stage.LIGHT else rest for s in range(4))
    return replace(u, network_probabilities=probs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("network", "trigger"),
    [(None, True), (0.95, True), (0.9, True), (0.89, False), (0.3, False)],
)
def test_light_sleep_needs_the_network_threshold_too(network: float | None, trigger: bool) -> None:
    """Filtered p = 0.99 passes ``light_probability`` 0.98; the network's own light
    probability must reach ``network_light_probability`` 0.9 when the update carries it."""
    params = replace(UNLIKELY, light_probability=0.98, network_light_probability=0.9)
    u = update(before(5), Stage.LIGHT, 0.99)
    decision = policy(params).observe(u if network is None else with_network(u, network))
    assert decision.trigger is trigger
    assert decision.light_sleep is trigger
    if not trigger:
        assert "not sure enough (p >= 0.98, 0.9 before the sequence step)" in decision.explanation


def test_the_filtered_threshold_still_applies_with_the_network_sure() -> None:
    params = replace(UNLIKELY, light_probability=0.98, network_light_probability=0.9)
    decision = policy(params).observe(with_network(update(before(5), Stage.LIGHT, 0.97), 1.0))
    assert not decision.trigger
    assert "not sure enough (p >= 0.98, 0.9 before the sequence step)" in decision.explanation


def weak_light_wakes(params: AlarmPolicyParams) -> AlarmPolicyParams:
    """``params`` where a less sure light reading is a good moment: it lasts another epoch
    with probability 0.5 and 70 % of such moments are light sleep."""
    stay, success = list(params.stay), list(params.success)
    stay[WEAK_LIGHT], success[WEAK_LIGHT] = (0.5,) * BUCKETS, (0.7,) * BUCKETS
    return replace(params, wake_in_weak_light=True, stay=tuple(stay), success=tuple(success))


def test_less_sure_light_wakes_when_nothing_better_can_come() -> None:
    """The last update before the set time (no decision to come, m = 0): waiting means the
    ring at the set time, worth 0.005 (half a minute at sleep_value 0.01) + 0.5 * 0.7 (still
    less sure light) + 0.5 * 0.1 (wake, deep or REM, a third each, 0.1) = 0.405 < 0.7."""
    params = weak_light_wakes(UNLIKELY)
    decision = policy(params).observe(update(before(0.5), Stage.LIGHT, 0.5))
    assert decision.trigger
    assert decision.reason is TriggerReason.LIGHT_SLEEP
    assert "less sure" in decision.explanation
    assert "70% of such moments" in decision.explanation
    # Rung for light sleep, so the decision calls it light sleep (as the ring's reason does).
    assert decision.light_sleep
    held = policy(UNLIKELY).observe(update(before(0.5), Stage.LIGHT, 0.5))
    assert not held.trigger
    assert not held.light_sleep  # below the thresholds and not taken: not called light sleep


def test_less_sure_light_waits_while_sure_light_is_likely() -> None:
    decision = policy(weak_light_wakes(LIKELY)).observe(update(before(20), Stage.LIGHT, 0.5))
    assert not decision.trigger
    assert "waiting for a later light-sleep moment" in decision.explanation


def test_deep_sleep_waits_for_light() -> None:
    decisions = feed(policy(UNLIKELY), [update(before(m), Stage.DEEP) for m in (20, 10, 1)])
    assert not any(d.trigger or d.light_sleep for d in decisions)
    assert "deep sleep" in decisions[-1].explanation


def test_light_sleep_must_last_min_light_epochs() -> None:
    params = replace(UNLIKELY, min_light_epochs=3)
    alarm = policy(params)
    first = [update(before(10 - 0.5 * k), Stage.LIGHT, 0.9) for k in range(3)]
    decisions = feed(alarm, first)
    assert [d.trigger for d in decisions] == [False, False, True]
    assert all(d.light_sleep for d in decisions)


def test_a_repeated_update_is_one_epoch() -> None:
    params = replace(UNLIKELY, min_light_epochs=2)
    alarm = policy(params)
    u = update(before(10), Stage.LIGHT, 0.9)
    assert not alarm.observe(u).trigger
    assert not alarm.observe(u).trigger, "the same epoch twice does not confirm light sleep"
    assert alarm.observe(update(before(9.5), Stage.LIGHT, 0.9)).trigger


# -- the latest-moment model against closed forms -------------------------------------------


def test_latest_moment_model_first_passage() -> None:
    # From deep: stays with probability 1/2, else enters light. P(light within n) = 1 - 2^-n.
    params = chain(light_stay=0.5, enter_light=1.0, other_stay=0.5)
    model = LatestMomentModel(params)
    for n in (1, 2, 5, 10):
        assert model.p_light_within(DEEP, 1, n) == pytest.approx(1 - 0.5**n)
    assert model.p_light_within(DEEP, 1, 0) == 0.0
    # From light: stays (1/2), or goes to deep (1/2) and then as above.
    assert model.p_light_within(LIGHT, 1, 2) == pytest.approx(0.5 + 0.5 * 0.5)


def test_latest_moment_model_needs_the_run() -> None:
    # Deep always ends into light, light always persists; a moment needs 3 light epochs.
    params = replace(chain(light_stay=1.0, enter_light=1.0, other_stay=0.0), min_light_epochs=3)
    model = LatestMomentModel(params)
    assert [model.p_light_within(DEEP, 1, n) for n in (1, 2, 3, 4)] == pytest.approx(
        [0.0, 0.0, 1.0, 1.0]
    )
    assert model.p_light_within(LIGHT, 1, 1) == 0.0
    assert model.p_light_within(LIGHT, 2, 1) == 1.0


@pytest.mark.parametrize("sleep_value", [0.0, 0.02])
def test_wait_value_is_the_backward_induction(sleep_value: float) -> None:
    # Deep and light each last one more epoch with probability 1/2; deep ends into light,
    # light into deep. Woken in light: light sleep with probability 0.9; in deep: 0.2.
    params = chain(
        light_stay=0.5,
        enter_light=1.0,
        other_stay=0.5,
        light_success=0.9,
        other_success=0.2,
        sleep_value=sleep_value,
    )
    model = LatestMomentModel(params)
    b = sleep_value / 2  # per 30-s epoch
    # No decision left: the set time rings in the next epoch, whatever it is.
    c0_deep = b + 0.5 * 0.2 + 0.5 * 0.9
    assert model.wait_value(DEEP, 1, 0) == pytest.approx(c0_deep)
    # One decision left: in light next epoch, wake then (0.9 beats ringing at the set time).
    c0_light = b + 0.5 * 0.9 + 0.5 * 0.2
    assert c0_light < 0.9
    assert model.wait_value(DEEP, 1, 1) == pytest.approx(b + 0.5 * c0_deep + 0.5 * 0.9)
    assert model.success(LIGHT, 1) == 0.9


def test_run_lengths_change_the_estimate() -> None:
    # Light that has lasted long (bucket 16+) ends at once; a fresh light run persists.
    stay = tuple(
        (0.99, 0.99, 0.99, 0.99, 0.0) if c == LIGHT else (0.99,) * BUCKETS for c in range(N)
    )
    params = replace(chain(0.5, 0.0), stay=stay)  # no way back into light
    model = LatestMomentModel(params)
    assert model.p_light_within(LIGHT, 2, 3) > 0.9
    assert model.p_light_within(LIGHT, 20, 3) == pytest.approx(0.0, abs=1e-9)


# -- wakeable events ------------------------------------------------------------------------


def test_movement_is_a_wakeable_event() -> None:
    alarm = policy(UNLIKELY)
    still = alarm.observe(update(before(8), Stage.DEEP, movement=0.1))
    assert not still.trigger
    moved = alarm.observe(update(before(7.5), Stage.DEEP, movement=0.6))
    assert moved.trigger
    assert moved.reason is TriggerReason.WAKEABLE_EVENT
    assert "movement 60%" in moved.explanation


def test_movement_waits_when_light_sleep_is_likely_later() -> None:
    decision = policy(LIKELY).observe(update(before(25), Stage.REM, movement=0.8))
    assert not decision.trigger
    assert "waiting" in decision.explanation


@pytest.mark.parametrize("scale", [1.0, 2.5])
def test_abrupt_breathing_change_is_a_wakeable_event(scale: float) -> None:
    alarm = policy(UNLIKELY)
    steady = [update(before(12 - 0.5 * k), rate=scale * r) for k, r in enumerate([14, 14.5] * 4)]
    assert not any(d.trigger for d in feed(alarm, steady))
    # A gradual drift stays under the threshold (relative to the recent median) ...
    assert not alarm.observe(update(before(7.5), rate=scale * 15.5)).trigger
    # ... an abrupt change (+30 %) is an arousal.
    decision = alarm.observe(update(before(7), rate=scale * 18.6))
    assert decision.trigger
    assert decision.reason is TriggerReason.WAKEABLE_EVENT
    assert "breathing" in decision.explanation


def test_without_stages_movement_still_wakes() -> None:
    alarm = policy(LIKELY)
    assert not alarm.observe(update(before(20), stage=None, movement=0.0)).trigger
    decision = alarm.observe(update(before(19.5), stage=None, movement=0.9))
    assert decision.trigger
    assert decision.reason is TriggerReason.WAKEABLE_EVENT
    assert not decision.light_sleep


def test_breathing_needs_a_recent_window() -> None:
    alarm = policy(UNLIKELY)
    decisions = feed(alarm, [update(before(10), rate=14.0), update(before(9.5), rate=25.0)])
    assert not any(d.trigger for d in decisions), "two epochs are no baseline"


# -- persistence ----------------------------------------------------------------------------


def test_state_survives_a_restart() -> None:
    params = replace(UNLIKELY, min_light_epochs=3)
    before_restart = policy(params)
    history = [update(before(12 - 0.5 * k), rate=14.0) for k in range(6)]
    history += [update(before(9), Stage.LIGHT, 0.9), update(before(8.5), Stage.LIGHT, 0.9)]
    assert not any(d.trigger for d in feed(before_restart, history))
    saved = json.loads(json.dumps(before_restart.dump_state()))

    restarted = SmartAlarmPolicy(params)
    restarted.load_state(saved)
    assert restarted.window_start == WINDOW_START.timestamp()
    assert restarted.deadline == DEADLINE.timestamp()
    # The third light epoch confirms the run that began before the restart ...
    assert restarted.observe(update(before(8), Stage.LIGHT, 0.9)).trigger
    # ... which a policy without the saved state would not do.
    fresh = policy(params)
    assert not fresh.observe(update(before(8), Stage.LIGHT, 0.9)).trigger

    # The breathing baseline is carried over too.
    again = SmartAlarmPolicy(params)
    again.load_state(saved)
    assert again.observe(update(before(8), Stage.DEEP, rate=19.0)).trigger


def test_dump_state_of_a_closed_window() -> None:
    alarm = SmartAlarmPolicy(LIKELY)
    state = json.loads(json.dumps(alarm.dump_state()))
    other = SmartAlarmPolicy(LIKELY)
    other.load_state(state)
    assert not other.observe(update(before(1), Stage.LIGHT, 0.99)).trigger


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"kind": "something.else", "version": 1},
        {"kind": "radar_sleep.smart_alarm_policy", "version": 99},
        "not a dict",
        None,
        [1, 2],
    ],
)
def test_foreign_state_is_a_clear_error_and_a_fresh_policy(state: object) -> None:
    alarm = policy(UNLIKELY)
    alarm.observe(update(before(10), Stage.LIGHT, 0.9))
    with pytest.raises(ValueError, match="not a smart alarm policy state"):
        alarm.load_state(state)  # type: ignore[arg-type]
    assert alarm.window_start is None
    assert "not open" in alarm.observe(update(before(5), Stage.LIGHT, 0.9)).explanation


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("deadline", "07:00"),
        ("deadline", math.inf),
        ("deadline", 1.0),
        ("window_start", None),
        ("rates", "14,15"),
        ("rates", [14.0, -1.0]),
        ("run_class", "awake-ish"),
        ("run", -3),
        ("run", True),
        ("last_epoch", 1.5),
    ],
)
def test_corrupt_state_is_a_clear_error(key: str, value: object) -> None:
    state = policy(LIKELY).dump_state()
    state[key] = value
    alarm = SmartAlarmPolicy(LIKELY)
    with pytest.raises(ValueError, match="not a smart alarm policy state"):
        alarm.load_state(state)
    assert alarm.window_start is None


def test_missing_state_field_is_a_clear_error() -> None:
    state = policy(LIKELY).dump_state()
    del state["rates"]
    with pytest.raises(ValueError, match="rates"):
        SmartAlarmPolicy(LIKELY).load_state(state)


def test_bad_window() -> None:
    alarm = SmartAlarmPolicy(LIKELY)
    with pytest.raises(ValueError, match="after the window start"):
        alarm.start_window(DEADLINE.timestamp(), WINDOW_START.timestamp())
    with pytest.raises(ValueError, match="finite"):
        alarm.start_window(math.nan, DEADLINE.timestamp())


def test_reset_forgets_the_window() -> None:
    alarm = policy(UNLIKELY)
    alarm.reset()
    assert not alarm.observe(update(before(5), Stage.LIGHT, 0.99, movement=1.0)).trigger


# -- parameters -----------------------------------------------------------------------------


def test_params_round_trip() -> None:
    params = replace(
        LIKELY,
        min_light_epochs=2,
        network_light_probability=0.8,
        wake_in_weak_light=True,
        fitted="test",
    )
    data = json.loads(json.dumps(params.to_dict()))
    assert AlarmPolicyParams.from_dict(data) == params
    assert AlarmPolicyParams.from_dict({}) == AlarmPolicyParams()


@pytest.mark.parametrize(
    "data",
    [
        {"sleep_valu": 0.5},
        {"sleep_value": -0.1},
        {"success": [[0.5] * 5] * 5 + [[0.5] * 5]},
        {"movement_success": 2},
        {"light_probability": 1.5},
        {"light_probability": "high"},
        {"network_light_probability": -0.1},
        {"wake_in_weak_light": "yes"},
        {"stay": [[0.9] * 5] * 4},
        {"switch": [[0.5, 0.5]] * 5},
        {"run_edges": [2, 4]},
        {"run_edges": [1, 4, 3]},
        {"min_light_epochs": 40},
        {"breathing_change": 0},
        {"breathing_epochs": 2, "breathing_min_epochs": 4},
    ],
)
def test_bad_params_are_rejected(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        AlarmPolicyParams.from_dict(data)


def test_shipped_params_load_and_are_fitted() -> None:
    assert PARAMS_FILE.exists(), "python -m training.fit.alarm writes the shipped parameters"
    params = default_params()
    assert params.fitted.startswith("scripts/fit_alarm.py")
    for row in params.switch:
        assert sum(row) == pytest.approx(1.0, abs=1e-4)
    assert SmartAlarmPolicy().params == params
