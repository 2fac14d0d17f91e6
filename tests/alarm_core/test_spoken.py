"""Clock times as speech-to-text writes them, read by ``alarm_core/spoken.py``."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from custom_components.radar_sleep.alarm_core.spoken import (
    clock_minutes_before,
    minutes_between,
    parse_clock_time,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", time(7, 0)),
        ("07:00", time(7, 0)),
        ("6:30", time(6, 30)),
        ("6.30", time(6, 30)),
        ("6 30", time(6, 30)),
        ("630", time(6, 30)),
        ("19", time(19, 0)),
        ("7 am", time(7, 0)),
        ("7am", time(7, 0)),
        ("7 a.m.", time(7, 0)),
        ("7 pm", time(19, 0)),
        ("12 am", time(0, 0)),
        ("12 pm", time(12, 0)),
        ("11 at night", time(23, 0)),
        ("7:00 in the morning", time(7, 0)),
        ("7 o'clock", time(7, 0)),
        ("at 7", time(7, 0)),
        ("seven", time(7, 0)),
        ("six thirty", time(6, 30)),
        ("seven forty five", time(7, 45)),
        ("six oh five", time(6, 5)),
        ("half past six", time(6, 30)),
        ("quarter past 6", time(6, 15)),
        ("quarter to seven", time(6, 45)),
        ("twenty past six", time(6, 20)),
        ("10 to 7", time(6, 50)),
        ("noon", time(12, 0)),
        ("midnight", time(0, 0)),
        ("about midnight", time(0, 0)),
        ("around 11:20 pm", time(23, 20)),
    ],
)
def test_spoken_times(text: str, expected: time) -> None:
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize("text", ["banana", "25", "7:75", "13 pm", "", "half past"])
def test_not_a_time(text: str) -> None:
    assert parse_clock_time(text) is None


def test_minutes_between_across_midnight() -> None:
    assert minutes_between(time(6, 30), time(7, 0)) == 30
    assert minutes_between(time(23, 50), time(0, 10)) == 20
    assert minutes_between(time(7, 0), time(7, 0)) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # am/pm names the hour said; "quarter to" counts back from it, across noon and midnight.
        ("quarter to twelve pm", time(11, 45)),
        ("quarter to 12 am", time(23, 45)),
        ("quarter to one am", time(0, 45)),
        ("ten to one in the morning", time(0, 50)),
        ("12 at night", time(0, 0)),
        ("11 at night", time(23, 0)),
        ("12 pm", time(12, 0)),
        ("12 am", time(0, 0)),
    ],
)
def test_meridiem_before_counting_back(text: str, expected: time) -> None:
    assert parse_clock_time(text) == expected


def test_clock_minutes_before_counts_between_the_clock_minutes() -> None:
    at = datetime(2026, 12, 5, 6, 31, 30, tzinfo=UTC).timestamp()
    due = datetime(2026, 12, 5, 7, 0, tzinfo=UTC).timestamp()
    assert clock_minutes_before(at, due) == 29  # "06:31" to "07:00", not 28.5 rounded
    assert clock_minutes_before(due, at) == 0  # never negative
    assert clock_minutes_before(due, due + 59) == 0
