"""Calibration: per-night figures and their summary over the user's nights."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest

from custom_components.radar_sleep.sleep.learning.calibration import (
    Calibration,
    NightObservation,
)
from custom_components.radar_sleep.sleep.usual import usual_bedtime

from ...ha.fixed import NIGHTS

BERLIN = ZoneInfo("Europe/Berlin")


def night(empty: float = 0.1, occupied: float = 0.8) -> NightObservation:
    """A night: sleeping rates 12, 14 and 16 (40 epochs each), still sleep at movement 0.02
    (90 epochs) and 0.3 (10), an empty bed at ``empty`` and an occupied one at ``occupied``
    (100 epochs each)."""
    return NightObservation(
        sleeping_rates=[12.0] * 40 + [14.0] * 40 + [16.0] * 40,
        still_movement=[0.02] * 90 + [0.3] * 10,
        occupied=[occupied] * 100,
        empty=[empty] * 100,
    )


def test_nothing_is_learned_before_three_nights() -> None:
    calibration = Calibration()
    calibration.add_night(night())
    calibration.add_night(night())
    values = calibration.values([], BERLIN)
    assert values.nights == 2
    assert values.breathing_rate_bpm is None
    assert values.presence_threshold is None
    assert calibration.presence_threshold() is None


def test_three_nights_give_the_baseline_and_the_thresholds() -> None:
    calibration = Calibration()
    for _ in range(3):
        calibration.add_night(night())
    values = calibration.values(list(NIGHTS), BERLIN)
    assert values.nights == 3
    # Median of 12/14/16 x 40 is 14; quartiles at positions 29.75 and 89.25 are 12 and 16.
    assert values.breathing_rate_bpm == 14.0
    assert values.breathing_spread_bpm == 4.0
    # Empty bed at 0.1, occupied at 0.8: half way.
    assert values.presence_threshold == 0.45
    # 90th percentile of 90 x 0.02 and 10 x 0.3: position 89.1, between 0.02 and 0.3.
    assert values.movement_still == pytest.approx(0.02 + 0.1 * 0.28, abs=1e-3)
    # The usual times are the stored nights' (sleep/usual.py), not computed again here.
    assert values.usual_bedtime == usual_bedtime(NIGHTS, BERLIN)
    # The fixed nights sleep 16 min and end at 05:55 UTC (06:55 in Berlin), none with a
    # final wake.
    assert values.sleep_need_min == 16
    assert values.usual_wake_time == time(6, 55)
    attributes = values.as_attributes()
    assert attributes["usual_bedtime"] == values.usual_bedtime.strftime("%H:%M")


def test_no_threshold_where_empty_and_occupied_overlap() -> None:
    calibration = Calibration()
    for _ in range(3):
        calibration.add_night(night(empty=0.45, occupied=0.55))
    assert calibration.presence_threshold() is None


def test_a_learned_threshold_stays_in_its_range() -> None:
    calibration = Calibration()
    for _ in range(3):
        calibration.add_night(night(empty=0.0, occupied=0.3))
    assert calibration.presence_threshold() == 0.2


def test_round_trip_reset_and_malformed() -> None:
    calibration = Calibration()
    for _ in range(3):
        calibration.add_night(night())
    again = Calibration()
    again.load(calibration.as_dict())
    assert again.nights == calibration.nights
    again.reset()
    assert again.nights == []
    with pytest.raises(ValueError, match="non-finite"):
        again.load({"nights": [{"breathing_rate_bpm": "nan"}]})


def test_only_the_last_two_weeks_are_kept() -> None:
    calibration = Calibration()
    for k in range(20):
        calibration.add_night(night(occupied=0.5 + k / 100))
    assert len(calibration.nights) == 14
    assert calibration.nights[0].occupied_confidence == pytest.approx(0.56)
