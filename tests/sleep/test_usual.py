"""The usual night (``sleep/usual.py``): medians of the recent nights, worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.radar_sleep.contracts import NightSummary, SleepMetrics
from custom_components.radar_sleep.sleep.usual import (
    USUAL_NIGHTS,
    circular_median_minutes,
    clock_difference_minutes,
    lights_off,
    usual_bedtime,
    usual_clock_minutes,
    usual_night,
)

BERLIN = ZoneInfo("Europe/Berlin")


def night(day: int, lights_off_utc: tuple[int, int], tst: float, deep: float) -> NightSummary:
    """A November night: lights off at the UTC time (Berlin is UTC+1), ``tst`` minutes asleep
    of which ``deep`` deep, the rest split 2:1 between light and REM."""
    hour, minute = lights_off_utc
    off = datetime(2026, 11, day, hour, minute, tzinfo=UTC)
    if hour < 12:
        off += timedelta(days=1)
    light = (tst - deep) * 2 / 3
    rem = tst - deep - light
    return NightSummary(
        night=date(2026, 11, day),
        session_start=off - timedelta(minutes=15),
        session_end=off + timedelta(hours=8),
        intent_start=off,
        sleep_onset=off + timedelta(minutes=10),
        final_wake=None,
        hypnogram_start=off,
        hypnogram=(),
        metrics=SleepMetrics(
            tib_min=480.0,
            tst_min=tst,
            se_pct=100 * tst / 480,
            sol_min=10.0,
            waso_min=20.0,
            light_min=light,
            deep_min=deep,
            rem_min=rem,
            light_pct=100 * light / tst,
            deep_pct=100 * deep / tst,
            rem_pct=100 * rem / tst,
            awakenings=2,
            after_final_wake_min=0.0,
        ),
        mean_breathing_rate_bpm=14.0,
    )


def test_circular_median_is_safe_around_midnight() -> None:
    assert circular_median_minutes([23 * 60 + 50, 10]) == pytest.approx(0.0)
    assert circular_median_minutes([0, 720]) is None


def test_clock_difference_wraps_at_midnight() -> None:
    assert clock_difference_minutes(10, 23 * 60 + 50) == 20
    assert clock_difference_minutes(23 * 60 + 50, 10) == -20
    assert clock_difference_minutes(23 * 60 + 10, 22 * 60 + 40) == 30


def test_usual_bedtime_across_midnight() -> None:
    # Lights off 23:40, 00:20 and 23:55 in Berlin: the median is 23:55.
    nights = [
        night(10, (22, 40), 420, 90),
        night(11, (23, 20), 420, 90),
        night(12, (22, 55), 420, 90),
    ]
    assert usual_bedtime(nights, BERLIN) == time(23, 55)
    assert usual_bedtime(nights[:2], BERLIN) is None
    # Without sleep intent, the session's start counts (15 minutes earlier here).
    assert lights_off(replace(nights[0], intent_start=None)) == nights[0].session_start
    assert usual_clock_minutes(nights, lambda n: n.sleep_onset, BERLIN) == pytest.approx(5)


def test_usual_night_medians_of_the_shown_minutes() -> None:
    nights = [
        night(10, (22, 0), 400, 80),
        night(11, (22, 0), 420.4, 90),
        night(12, (22, 0), 440, 100),
    ]
    usual = usual_night(nights)
    assert usual is not None
    assert usual.nights == 3
    assert usual.tst == 420  # 420.4 is shown as 420
    assert usual.deep == 90
    assert usual.sol == 10
    assert usual.awakenings == 2
    assert usual_night(nights[:2]) is None
    # Nights a radar could not stage do not count.
    assert usual_night([*nights[:2], replace(nights[2], metrics=None)]) is None


def test_usual_night_takes_the_recent_nights_only() -> None:
    old = [night(1, (22, 0), 100, 10)] * 10
    recent = [night(11 + i, (22, 0), 420, 90) for i in range(USUAL_NIGHTS)]
    usual = usual_night([*old, *recent])
    assert usual is not None
    assert usual.nights == USUAL_NIGHTS
    assert usual.tst == 420
