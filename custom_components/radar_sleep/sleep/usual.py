"""The sleeper's usual night: medians over the recent stored nights.

What "usual" means everywhere in Radar Sleep (the *Usual bedtime* sensor, the voice answers'
"compared with your usual"): the median of the most recent :data:`USUAL_NIGHTS` nights, once
there are at least :data:`USUAL_MIN_NIGHTS` of them. Times of day use a circular median, so
that bedtimes either side of midnight have a median near midnight, not at noon.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, tzinfo
import math
import statistics

from ..contracts import NightSummary
from .metrics import WholeMinutes, whole_minutes

USUAL_NIGHTS = 14
"""The usual night is the median of this many most recent nights..."""
USUAL_MIN_NIGHTS = 3
"""...once there are at least this many."""
_DAY_MIN = 1440.0


def circular_median_minutes(minutes: Sequence[float]) -> float | None:
    """Median of times of day (minutes after midnight), safe across midnight.

    The times are unwrapped around their circular mean (Fisher 1993, *Statistical analysis of
    circular data*, ch. 2): each becomes its signed distance (-720..720 min) from the mean
    direction, the ordinary median of those is taken and wrapped back. Bedtimes of 23:50 and
    00:10 have a median of 00:00, not 12:00. ``None`` when there are no times or their mean
    direction is undefined (evenly spread around the clock).
    """
    if not minutes:
        return None
    angles = [2 * math.pi * m / _DAY_MIN for m in minutes]
    x = sum(math.cos(a) for a in angles)
    y = sum(math.sin(a) for a in angles)
    if math.hypot(x, y) < 1e-9 * len(angles):
        return None
    mean = (math.atan2(y, x) / (2 * math.pi) * _DAY_MIN) % _DAY_MIN
    offsets = [(m - mean + _DAY_MIN / 2) % _DAY_MIN - _DAY_MIN / 2 for m in minutes]
    return (mean + statistics.median(offsets)) % _DAY_MIN


def clock_minutes(instant: datetime, tz: tzinfo) -> float:
    """Minutes after local midnight of ``instant`` in ``tz``."""
    local = instant.astimezone(tz)
    return local.hour * 60 + local.minute + local.second / 60


def clock_difference_minutes(a: float, b: float) -> float:
    """Signed difference ``a - b`` of two times of day in minutes, in -720..720."""
    return (a - b + _DAY_MIN / 2) % _DAY_MIN - _DAY_MIN / 2


def lights_off(night: NightSummary) -> datetime:
    """When the sleeper went to bed to sleep: sleep intent, else the session's start."""
    return night.intent_start or night.session_start


def usual_clock_minutes(
    nights: Sequence[NightSummary], when: Callable[[NightSummary], datetime | None], tz: tzinfo
) -> float | None:
    """The circular median time of day of ``when`` over the recent nights.

    ``None`` with fewer than :data:`USUAL_MIN_NIGHTS` recent nights that have the time.
    """
    minutes = [clock_minutes(t, tz) for n in nights[-USUAL_NIGHTS:] if (t := when(n)) is not None]
    if len(minutes) < USUAL_MIN_NIGHTS:
        return None
    return circular_median_minutes(minutes)


def usual_bedtime(nights: Sequence[NightSummary], tz: tzinfo) -> time | None:
    """The usual time of going to bed to sleep, to the minute.

    The circular median of the last 14 nights' "lights off" (sleep intent) times, or their
    session starts where there was no intent. ``None`` with fewer than 3 nights.
    """
    median = usual_clock_minutes(nights, lights_off, tz)
    if median is None:
        return None
    whole = round(median) % int(_DAY_MIN)
    return time(whole // 60, whole % 60)


@dataclass(frozen=True, slots=True)
class UsualNight:
    """Medians of the recent nights' durations (whole minutes, as shown) and efficiency."""

    nights: int
    """How many nights the medians come from."""
    tst: float
    se_pct: float
    light: float
    deep: float
    rem: float
    sol: float | None
    waso: float
    awakenings: float


def usual_night(nights: Sequence[NightSummary]) -> UsualNight | None:
    """The median night of the recent staged nights in ``nights``.

    Each night's durations are first rounded as shown (:func:`.metrics.whole_minutes`);
    ``None`` with fewer than :data:`USUAL_MIN_NIGHTS` recent nights with metrics.
    """
    staged = [n.metrics for n in nights[-USUAL_NIGHTS:] if n.metrics is not None]
    if len(staged) < USUAL_MIN_NIGHTS:
        return None
    shown: list[WholeMinutes] = [whole_minutes(m) for m in staged]
    sols = [w.sol for w in shown if w.sol is not None]
    return UsualNight(
        nights=len(staged),
        tst=statistics.median(w.tst for w in shown),
        se_pct=statistics.median(m.se_pct for m in staged),
        light=statistics.median(w.light for w in shown),
        deep=statistics.median(w.deep for w in shown),
        rem=statistics.median(w.rem for w in shown),
        sol=statistics.median(sols) if sols else None,
        waso=statistics.median(w.waso for w in shown),
        awakenings=statistics.median(m.awakenings for m in staged),
    )
