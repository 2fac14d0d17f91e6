"""Teaching: what the user says about a stored night, kept with it, and what the tracker learns.

The labels themselves and what is learned from them are in :mod:`.sleep.teach` (no Home
Assistant); here they reach the store, the entities and the pipeline. The ``teach`` action
and the Assist sentences ("I was reading until 23:10") both come through
:func:`async_teach`; ``reset_learning`` with ``teaching`` through :func:`async_reset_teaching`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from .contracts import LabelKind, NightSummary, TeachingLabel
from .image import async_night_taught
from .sleep.teach import (
    TeachingAdaptation,
    add_label,
    forget_labels,
    in_night,
    learn,
    night_instant,
)

if TYPE_CHECKING:
    from .runtime import RadarSleepConfigEntry

TIMED = frozenset({LabelKind.READING_UNTIL, LabelKind.FELL_ASLEEP_AT, LabelKind.AWAKE_AT})
"""Kinds that need a time (``was_partner`` without one is about the whole night)."""
RANGES = frozenset({LabelKind.AWAKE_AT, LabelKind.WAS_PARTNER})
"""Kinds that may be a time range."""


class TeachError(Exception):
    """Why a label cannot be taught: a translation key (exceptions and Assist answers)."""

    def __init__(self, key: str, placeholders: dict[str, str]) -> None:
        """``key`` names the message in translations and in the Assist answers."""
        super().__init__(key)
        self.key = key
        self.placeholders = placeholders


def pick_night(entry: RadarSleepConfigEntry, wanted: date | None) -> NightSummary:
    """The stored night taught about: the one that began on ``wanted``, else the last one."""
    nights = entry.runtime_data.store.nights
    found = [n for n in nights if wanted is None or n.night == wanted]
    if not found:
        raise TeachError(
            "no_night" if wanted is None else "no_such_night",
            {"name": entry.title, "night": str(wanted)},
        )
    return found[-1]


def make_label(
    night: NightSummary, kind: LabelKind, at: time | None, end: time | None, now: datetime
) -> TeachingLabel:
    """The label ``kind`` at ``at`` (to ``end``) about ``night``, its times checked.

    ``now`` (when it was taught) is on the tracker's clock, as the night's times are (a
    simulated night played faster than real time is ahead of Home Assistant's clock).
    """
    if kind in TIMED and at is None:
        raise TeachError("teach_needs_time", {"kind": str(kind)})
    if kind is LabelKind.SLEPT_BADLY:
        at = end = None
    if kind not in RANGES:
        end = None
    tz = dt_util.get_default_time_zone()
    start = None if at is None else dt_util.as_utc(night_instant(night, at, tz))
    stop = None if end is None else dt_util.as_utc(night_instant(night, end, tz))
    bed_start = f"{night.session_start.astimezone(tz):%H:%M}"
    bed_end = f"{night.session_end.astimezone(tz):%H:%M}"
    for when in (start, stop):
        if when is not None and not in_night(night, when):
            raise TeachError(
                "teach_outside_night",
                {
                    "time": f"{when.astimezone(tz):%H:%M}",
                    "night": str(night.night),
                    "start": bed_start,
                    "end": bed_end,
                },
            )
    if start is not None and stop is not None and stop <= start:
        raise TeachError("teach_bad_range", {})
    return TeachingLabel(kind, start, stop, taught_at=now)


@callback
def async_apply_teaching(entry: RadarSleepConfigEntry) -> TeachingAdaptation:
    """Learn from the stored nights' labels and hand it to the pipeline."""
    adaptation = learn(entry.runtime_data.store.nights)
    entry.runtime_data.coordinator.pipeline.set_teaching(adaptation)
    return adaptation


@callback
def _async_store_night(entry: RadarSleepConfigEntry, night: NightSummary) -> None:
    runtime = entry.runtime_data
    runtime.store.replace_night(night)
    runtime.coordinator.async_night_changed(night)
    async_night_taught(runtime.coordinator.hass, entry, night)
    runtime.store.async_delay_save()


@callback
def async_teach(
    entry: RadarSleepConfigEntry,
    kind: LabelKind,
    *,
    night: date | None = None,
    at: time | None = None,
    end: time | None = None,
) -> tuple[NightSummary, TeachingLabel]:
    """Keep what the user taught with its night and learn from it; raises :class:`TeachError`."""
    stored = pick_night(entry, night)
    label = make_label(stored, kind, at, end, entry.runtime_data.coordinator.clock.now())
    taught = add_label(stored, label)
    _async_store_night(entry, taught)
    async_apply_teaching(entry)
    return taught, label


@callback
def async_reset_teaching(entry: RadarSleepConfigEntry) -> None:
    """Forget every label of every stored night and what was learned from them."""
    for stored in entry.runtime_data.store.nights:
        if stored.labels:
            _async_store_night(entry, forget_labels(stored))
    async_apply_teaching(entry)
