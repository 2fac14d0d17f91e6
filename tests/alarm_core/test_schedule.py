"""When the alarm rings: the wall clock, daylight-saving changes, days, skips and grace periods.

Plain functions of ``alarm_core/schedule.py``, tested without Home Assistant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from custom_components.radar_sleep.alarm_core.schedule import (
    WEEKDAYS,
    is_late,
    is_missed,
    local_instant,
    next_alarm,
    ring_ends,
    ring_timed_out,
    sunrise_start,
    window_start,
)

BERLIN = ZoneInfo("Europe/Berlin")
# Monday 2026-11-23, 21:00 in Berlin (CET, UTC+1).
EVENING = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def test_alarm_on_an_ordinary_day_is_the_wall_clock_time() -> None:
    assert local_instant(date(2026, 11, 24), time(7, 0), BERLIN) == datetime(
        2026, 11, 24, 6, 0, tzinfo=UTC
    )


def test_alarm_on_the_day_the_clocks_go_forward() -> None:
    # 2026-03-29: 02:00 CET becomes 03:00 CEST. 07:00 is CEST (UTC+2).
    assert local_instant(date(2026, 3, 29), time(7, 0), BERLIN) == datetime(
        2026, 3, 29, 5, 0, tzinfo=UTC
    )
    # 02:30 does not exist that day: it rings when the gap ends, 03:00 CEST.
    gap = local_instant(date(2026, 3, 29), time(2, 30), BERLIN)
    assert gap == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert gap.astimezone(BERLIN).time() == time(3, 0)


def test_alarm_on_the_day_the_clocks_go_back() -> None:
    # 2026-10-25: 03:00 CEST becomes 02:00 CET. 07:00 is CET (UTC+1).
    assert local_instant(date(2026, 10, 25), time(7, 0), BERLIN) == datetime(
        2026, 10, 25, 6, 0, tzinfo=UTC
    )
    # 02:30 happens twice: the first one (CEST) rings.
    assert local_instant(date(2026, 10, 25), time(2, 30), BERLIN) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_next_alarm_across_a_daylight_saving_change_keeps_the_wall_clock_time() -> None:
    saturday = datetime(2026, 3, 28, 6, 0, tzinfo=UTC)  # 07:00 CET, just rang
    following = next_alarm(saturday, time(7, 0), ["sat", "sun"], BERLIN)
    assert following == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)  # 07:00 CEST: 23 h later


def test_next_alarm_respects_days_and_skips() -> None:
    monday_evening = EVENING
    workdays = ["mon", "tue", "wed", "thu", "fri"]
    assert next_alarm(monday_evening, time(7, 0), workdays, BERLIN) == datetime(
        2026, 11, 24, 6, 0, tzinfo=UTC
    )
    friday_evening = monday_evening + timedelta(days=4)
    assert next_alarm(friday_evening, time(7, 0), workdays, BERLIN) == datetime(
        2026, 11, 30, 6, 0, tzinfo=UTC
    )
    assert next_alarm(
        monday_evening, time(7, 0), workdays, BERLIN, skip_through=date(2026, 11, 24)
    ) == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    assert next_alarm(monday_evening, time(7, 0), [], BERLIN) is None


def test_weekdays_are_home_assistants() -> None:
    assert WEEKDAYS == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def test_window_opens_its_length_before_the_set_time() -> None:
    deadline = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert window_start(deadline, 30) == datetime(2026, 11, 24, 5, 30, tzinfo=UTC)
    assert window_start(deadline, 0) == deadline


def test_late_and_missed_alarms() -> None:
    deadline = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    # Up to a minute after the set time is ringing on time; later is a failsafe ring.
    assert not is_late(deadline + timedelta(seconds=60), deadline)
    assert is_late(deadline + timedelta(seconds=61), deadline)
    # Up to two hours late it still rings; later it is given up for the next one.
    assert not is_missed(deadline + timedelta(hours=2), deadline)
    assert is_missed(deadline + timedelta(hours=2, seconds=1), deadline)
    assert not is_missed(deadline - timedelta(hours=3), deadline)


def test_ringing_stops_by_itself_after_an_hour() -> None:
    rang = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert ring_ends(rang) == rang + timedelta(hours=1)
    assert not ring_timed_out(rang + timedelta(minutes=59, seconds=59), rang)
    assert ring_timed_out(rang + timedelta(hours=1), rang)


def test_sunrise_starts_its_lead_before_the_window() -> None:
    opens = datetime(2026, 11, 24, 5, 30, tzinfo=UTC)
    assert sunrise_start(opens, 30, 0, True) == opens
    assert sunrise_start(opens, 30, 10, True) == opens - timedelta(minutes=10)
    assert sunrise_start(opens, 30, -5, True) == opens + timedelta(minutes=5)
    assert sunrise_start(opens, 30, 0, False) is None  # no lights
    assert sunrise_start(opens, 0, 0, True) is None  # no sunrise
    assert sunrise_start(None, 30, 0, True) is None  # no window
