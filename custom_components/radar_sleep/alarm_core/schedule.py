"""When the alarm rings: the next alarm, its window, and the clock's surprises.

Time is handled with aware datetimes in a given time zone (Home Assistant's): the next alarm
is the set wall-clock time on the next chosen day, converted to UTC for that day's offset, so
an alarm at 07:00 rings at 07:00 on both sides of a daylight-saving change. A set time that
does not exist that day (02:30 when the clocks go from 02:00 to 03:00) rings when the clock
first shows a later time (03:00); a time that happens twice (02:30 when the clocks go back)
rings the first time. Durations (the window, snooze, grace periods) are elapsed time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The alarm's day names, Monday first (Home Assistant's ``WEEKDAYS``)."""

FAILSAFE_STALE_SECONDS: Final = 300
"""No epoch for this long when the set time comes: the alarm rings with reason ``failsafe``."""
LATE_SECONDS: Final = 60
"""Ringing more than this after the set time (the clock jumped, Home Assistant was down) is a
``failsafe`` ring."""
MISSED_ALARM_GRACE_SECONDS: Final = 7200
"""An alarm that could not ring at its set time still rings this long afterwards (Home
Assistant was down, the clock jumped); later it is given up for the next one."""
RING_TIMEOUT_SECONDS: Final = 3600
"""An alarm that nobody snoozes or dismisses stops by itself after this long."""


def local_instant(day: date, at: time, tz: tzinfo) -> datetime:
    """The UTC instant at which the wall clock of ``tz`` first shows ``at`` on ``day``.

    A time inside a daylight-saving gap rings when the gap ends (the first later time the
    clock shows); an ambiguous time (the clocks go back) is its first occurrence.
    """
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # In a gap: fold=1 maps with the offset after the change, i.e. to an earlier instant
    # whose wall time is before the gap; walk to the first minute the clock shows >= ``at``.
    candidate = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    while candidate < first and candidate.astimezone(tz).replace(tzinfo=None) < wall:
        candidate += timedelta(minutes=1)
    return candidate


def next_alarm(
    after: datetime,
    at: time,
    days: Iterable[str],
    tz: tzinfo,
    *,
    skip_through: date | None = None,
) -> datetime | None:
    """The first alarm strictly after ``after`` (UTC), on one of ``days`` (``mon`` … ``sun``).

    Days up to and including ``skip_through`` (a local date) are skipped.
    """
    weekdays = {WEEKDAYS.index(d) for d in days}
    if not weekdays:
        return None
    start = after.astimezone(tz).date()
    for offset in range(16):
        day = start + timedelta(days=offset)
        if day.weekday() not in weekdays or (skip_through is not None and day <= skip_through):
            continue
        instant = local_instant(day, at, tz)
        if instant > after:
            return instant
    return None


def window_start(deadline: datetime, window_minutes: int) -> datetime:
    """When the smart window before the set time ``deadline`` opens."""
    return deadline - timedelta(minutes=window_minutes)


def seconds_late(now: datetime, deadline: datetime) -> float:
    """How long after the set time ``now`` is (negative before it)."""
    return (now - deadline).total_seconds()


def is_missed(now: datetime, deadline: datetime) -> bool:
    """Whether the alarm of ``deadline`` is past its grace period and is given up."""
    return seconds_late(now, deadline) > MISSED_ALARM_GRACE_SECONDS


def is_late(now: datetime, deadline: datetime) -> bool:
    """Whether ringing at ``now`` is too late to count as ringing at the set time."""
    return seconds_late(now, deadline) > LATE_SECONDS


def ring_ends(rang_at: datetime) -> datetime:
    """When an alarm that rang at ``rang_at`` and nobody stopped stops by itself."""
    return rang_at + timedelta(seconds=RING_TIMEOUT_SECONDS)


def ring_timed_out(now: datetime, rang_at: datetime) -> bool:
    """Whether an alarm that rang at ``rang_at`` has rung long enough to stop by itself."""
    return (now - rang_at).total_seconds() >= RING_TIMEOUT_SECONDS


def sunrise_start(
    window_opens: datetime | None, sunrise_minutes: int, lead_minutes: float, has_lights: bool
) -> datetime | None:
    """When the wake-up light's sunrise starts: ``lead_minutes`` before the window opens.

    ``None`` without lights, with a zero-length sunrise or without a window.
    """
    if window_opens is None or not has_lights:
        return None
    if sunrise_minutes <= 0:
        return None
    return window_opens - timedelta(minutes=lead_minutes)
