"""The tracker's clock: the time of the night the tracker is processing.

A radar lives in Home Assistant's time: a frame arrives when it is measured, so the tracker's
clock *is* Home Assistant's clock. A source that plays simulated or recorded time at a chosen
``speed`` (the simulated bedroom, a capture replay) has a clock of its own: at speed 60 an
hour of the night passes in a minute of Home Assistant's time. The alarm must judge the
night's epochs against the night's own clock, or at any speed but 1 the set time and the
epochs would disagree (the window would close before the simulated morning has begun).

:class:`TrackerClock` is that clock. For real devices (and at speed 1) it is Home Assistant's
clock, unchanged. For a source at speed ``s`` it is anchored on the last frame processed: the
frame's instant ``t_s`` was on Home Assistant's clock at ``h``, and between frames the
tracker's clock runs on at ``s`` times Home Assistant's,

    now = t_s + s * (h_now - h),    and an instant T of the tracker's falls at
    h + (T - t_s) / s               on Home Assistant's clock (where the alarm's timers go).

If the source stops delivering (standby, a failure) the clock runs on from its last anchor,
so the alarm still rings at its set time on the tracker's clock. At speed 0 (as fast as the
CPU allows: benchmarks, tests) there is no mapping; the tracker's clock is then Home
Assistant's too.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
import math
from typing import Any

from homeassistant.util import dt as dt_util

_MICROSECOND = timedelta(microseconds=1)


class TrackerClock:
    """The clock of the night a tracker processes, mapped onto Home Assistant's clock."""

    def __init__(self, speed: float = 1.0) -> None:
        """``speed``: the source's tracker seconds per second of Home Assistant's clock."""
        self.speed = speed
        self.carried_on = False
        """Whether it carries on a saved night: set back to the night's last saved frame
        (after a reload or restart), not to the start of the simulated nights."""
        self._tracker: datetime | None = None
        self._wall: datetime | None = None

    @property
    def scaled(self) -> bool:
        """Whether the tracker's clock runs at another pace than Home Assistant's."""
        return self.speed > 0 and self.speed != 1.0

    def anchor(self, tracker: datetime) -> None:
        """The tracker's clock shows ``tracker`` now (a frame of that instant just arrived)."""
        if self.scaled:
            self._tracker, self._wall = tracker, dt_util.utcnow()

    def now(self) -> datetime:
        """The tracker's time now (UTC)."""
        wall = dt_util.utcnow()
        if self._tracker is None or self._wall is None:
            return wall
        return self._tracker + (wall - self._wall) * self.speed

    def to_wall(self, instant: datetime) -> datetime:
        """When the tracker's clock shows ``instant``, on Home Assistant's clock.

        Rounded up to the microsecond, so that at that instant :meth:`now` is not before
        ``instant`` (a timer set there finds its moment due).
        """
        if self._tracker is None or self._wall is None:
            return instant
        ahead = (instant - self._tracker) / _MICROSECOND
        return self._wall + math.ceil(ahead / self.speed) * _MICROSECOND

    def diagnostics(self) -> dict[str, Any]:
        """The clock's pace and where it stands (the diagnostics download)."""
        return {
            "speed": self.speed,
            "scaled": self.scaled,
            "tracker_now": self.now().isoformat(),
            "home_assistant_now": dt_util.utcnow().isoformat(),
            "anchor": None
            if self._tracker is None or self._wall is None
            else {"tracker": self._tracker.isoformat(), "home_assistant": self._wall.isoformat()},
        }


def scene_origin(now: datetime, starts_at: time, tz: tzinfo) -> datetime:
    """The UTC instant of this evening's ``starts_at`` (local time of ``tz``), for ``now``.

    The evening is the one of the local date 12 hours before ``now``: from noon on it is
    today's, before noon yesterday's. A simulated night played faster than real time starts
    there, so that its clock reads like a night (bedtime in the evening, the alarm in the
    morning) whenever Home Assistant was started.
    """
    day = (now.astimezone(tz) - timedelta(hours=12)).date()
    return datetime.combine(day, starts_at, tzinfo=tz).astimezone(UTC)
