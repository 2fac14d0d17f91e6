"""Seed splits and simulated bedrooms (simulation/scenarios.py), defined once for every tool."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from custom_components.radar_sleep.contracts import BED_SIDES, EPOCH_SECONDS, RADAR_POSITIONS
from custom_components.radar_sleep.simulation import scenarios
from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator
from custom_components.radar_sleep.simulation.physiology import Activity, PhysiologyVariation


def test_seed_ranges_do_not_overlap() -> None:
    starts = [
        scenarios.EVALUATION_SEEDS,
        scenarios.TRAIN_SEEDS,
        scenarios.VALID_SEEDS,
        scenarios.LOWRATE_SEEDS,
        scenarios.ALARM_LOWRATE_SEEDS,
    ]
    assert starts == [0, 10_000, 20_000, 30_000, 40_000]
    assert scenarios.HELD_OUT_LIMIT == scenarios.TRAIN_SEEDS


def test_alarm_training_seeds_are_training_seeds_only() -> None:
    assert scenarios.ALARM_TRAINING_SEEDS == "10000-10099,30000-30059"
    seeds = [*range(10_000, 10_100), *range(30_000, 30_060)]
    assert all(scenarios.is_training_seed(s) for s in seeds)
    for held_out in (0, 9_999, 20_000, 29_999, 40_000, 40_359):
        assert not scenarios.is_training_seed(held_out)


def test_bedrooms_are_deterministic_and_valid() -> None:
    for seed in (0, 1, 10_000, 30_001):
        a, b = scenarios.simulated_config(seed), scenarios.simulated_config(seed)
        assert a == b
        assert a.seed == seed
        assert a.user_side in BED_SIDES
        assert a.radar_position in RADAR_POSITIONS
        assert not (a.single_antenna and a.radar_position == "headboard")


def test_training_nights_vary_pre_sleep_and_low_rate_from_30000() -> None:
    assert (
        scenarios.night_config(10_000).frame_rate_hz
        == scenarios.simulated_config(10_000).frame_rate_hz
    )
    rates = {scenarios.night_config(scenarios.LOWRATE_SEEDS + i).frame_rate_hz for i in range(3)}
    assert rates == set(scenarios.LOW_RATES)
    assert {scenarios.night_config(10_000 + i).pre_sleep for i in range(40)} == set(
        scenarios.PRE_SLEEP
    )


def test_intent_nights_take_the_activities_in_turn() -> None:
    activities = [scenarios.intent_night_config(s).pre_sleep for s in range(8)]
    assert activities == list(scenarios.PRE_SLEEP) * 2
    assert scenarios.intent_night_config(5, "tv").pre_sleep == "tv"


def test_user_nights_cycle_through_the_scenarios() -> None:
    names = [scenarios.user_night_config(i, i)[0] for i in range(len(scenarios.USER_SCENARIOS))]
    assert names == list(scenarios.USER_SCENARIOS)
    _, alone = scenarios.user_night_config(7, 7)
    assert not alone.partner


def test_heldout_physiology_lies_outside_the_wide_training_ranges() -> None:
    """Every drawn quantity of a held-out night is outside its training range; a training
    night's inside it; neither uses a frame rate of the other."""
    assert scenarios.WIDE_TRAIN_SEEDS == 70_000
    assert scenarios.HELDOUT_PHYSIOLOGY_SEEDS == 90_000
    assert scenarios.is_training_seed(70_000)
    assert not scenarios.is_training_seed(90_000)
    assert not set(scenarios.WIDE_RATES) & set(scenarios.HELDOUT_RATES)
    for i in range(12):
        wide = scenarios.night_config(scenarios.WIDE_TRAIN_SEEDS + i)
        held = scenarios.night_config(scenarios.HELDOUT_PHYSIOLOGY_SEEDS + i)
        assert wide.frame_rate_hz in scenarios.WIDE_RATES
        assert held.frame_rate_hz in scenarios.HELDOUT_RATES
        for name, ((low, high), _) in scenarios.PHYSIOLOGY_RANGES.items():
            assert low <= getattr(wide.variation, name) <= high
            assert not low <= getattr(held.variation, name) <= high
    default = scenarios.night_config(10_000).variation
    assert default == PhysiologyVariation()


def test_lying_still_before_trying_moves_lights_off_and_nothing_else() -> None:
    plain = scenarios.simulated_config(5)
    still = replace(plain, still_minutes=30.0)
    a, b = BedroomSimulator(plain).truth, BedroomSimulator(still).truth
    # 30 minutes (60 epochs) of lying awake at the end of the pre-sleep activity.
    assert b.bed_enter_s == a.bed_enter_s
    assert b.intent_s == a.intent_s + 1800
    assert b.sleep_onset_s == a.sleep_onset_s + 1800
    first = int(a.intent_s / EPOCH_SECONDS)
    assert np.all(b.user.activity[first : first + 60] == Activity.WAKE)


def test_teaching_users_keep_their_bedroom_and_habit() -> None:
    one, two = scenarios.teaching_user_config(3, 0), scenarios.teaching_user_config(3, 7)
    assert one.seed != two.seed
    assert (one.user_side, one.radar_position, one.partner, one.pre_sleep) == (
        two.user_side,
        two.radar_position,
        two.partner,
        two.pre_sleep,
    )
    low, high = scenarios.STILL_MINUTES
    spread = scenarios.STILL_SPREAD_MIN
    for night in range(scenarios.TEACHING_NIGHTS_PER_USER):
        minutes = scenarios.teaching_user_config(3, night).still_minutes
        assert low - spread <= minutes <= high + spread
    assert abs(one.still_minutes - two.still_minutes) <= 2 * spread


def test_a_simulated_user_keeps_their_bedroom_and_body_over_their_nights() -> None:
    first = scenarios.adaptation_night_config(3, 1, None)
    later = scenarios.adaptation_night_config(3, 9, None)
    assert later.seed == first.seed + 8 == scenarios.ADAPTATION_SEEDS + 10 * 3 + 8
    assert (later.user_side, later.radar_position, later.partner, later.pet) == (
        first.user_side,
        first.radar_position,
        first.partner,
        first.pet,
    )
    assert later.variation == first.variation
    assert first.frame_rate_hz == 10.0
    assert first.variation.regularity_scale == 1.0


def test_a_shifted_user_is_the_same_user_through_another_radar() -> None:
    shift = scenarios.SensorShift(
        sensor_gain=2.0,
        noise_scale=3.0,
        rate_offset_bpm=-3.0,
        regularity_scale=1.5,
        frame_rate_hz=2.0,
    )
    plain = scenarios.adaptation_night_config(5, 4, None)
    shifted = scenarios.adaptation_night_config(5, 4, shift)
    assert shifted.seed == plain.seed
    assert shifted.frame_rate_hz == 2.0
    var, base = shifted.variation, plain.variation
    assert (var.sensor_gain, var.noise_scale, var.regularity_scale) == (2.0, 3.0, 1.5)
    assert var.resting_rate_bpm is not None
    assert base.resting_rate_bpm is not None
    assert var.resting_rate_bpm == base.resting_rate_bpm - 3.0
    assert var.chest_depth_mm == base.chest_depth_mm


def test_shifts_are_drawn_in_their_ranges() -> None:
    for user in range(40):
        shift = scenarios.user_shift(user)
        assert 0.5 <= shift.sensor_gain <= 2.0
        assert 2.0 <= shift.noise_scale <= 4.0
        assert shift.rate_offset_bpm in (-3.0, 3.0)
        assert shift.regularity_scale == 1.5
        assert shift.frame_rate_hz in (1.0, 2.0, 3.0, 4.0, 5.0)
