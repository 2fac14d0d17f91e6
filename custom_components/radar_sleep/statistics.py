"""Nightly metrics as Home Assistant long-term statistics (one row per night).

Each finished night adds one hourly statistics row per metric, dated at local midnight at the
start of the calendar night it belongs to (the evening's date), so that a statistics graph
with period "day" shows one point per night on the evening's date, and a night that is written
again (a replayed or re-imported night) replaces its own row. The statistics are external
(``radar_sleep:<tracker>_<metric>``): they belong to the tracker, not to an entity, and stay
when the *Last night* sensors are renamed. Nothing is written when the recorder is not loaded.

The bedroom while asleep (when its sensors were recorded) is one row per quantity with its
mean, minimum and maximum while asleep. They are cleared with the tracker's other sleep data
(:func:`async_clear_night_statistics`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    STATISTIC_UNIT_TO_UNIT_CONVERTER,
    async_add_external_statistics,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import LIGHT_LUX, PERCENTAGE, UnitOfTemperature, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util, slugify

from .const import DOMAIN
from .contracts import NightSummary, SleepMetrics
from .sleep.metrics import WholeMinutes, whole_minutes


@dataclass(frozen=True, slots=True)
class NightStatistic:
    """One nightly metric written to the statistics."""

    key: str
    name: str
    unit: str | None
    value_fn: Callable[[SleepMetrics, WholeMinutes], float | None]
    """The value from the night's metrics and their whole minutes (what the sensors show)."""


_MIN = UnitOfTime.MINUTES
NIGHT_STATISTICS: tuple[NightStatistic, ...] = (
    # Durations in the whole minutes the sensors and Assist say (light, deep and REM add up
    # to total sleep), not the exact fractions behind them.
    NightStatistic("time_in_bed", "time in bed", _MIN, lambda m, w: w.tib),
    NightStatistic("total_sleep_time", "total sleep time", _MIN, lambda m, w: w.tst),
    NightStatistic("sleep_efficiency", "sleep efficiency", PERCENTAGE, lambda m, w: m.se_pct),
    NightStatistic("sleep_onset_latency", "sleep onset latency", _MIN, lambda m, w: w.sol),
    NightStatistic("wake_after_sleep_onset", "wake after sleep onset", _MIN, lambda m, w: w.waso),
    NightStatistic("light_sleep", "light sleep", _MIN, lambda m, w: w.light),
    NightStatistic("deep_sleep", "deep sleep", _MIN, lambda m, w: w.deep),
    NightStatistic("rem_sleep", "REM sleep", _MIN, lambda m, w: w.rem),
    NightStatistic("awakenings", "awakenings", None, lambda m, w: float(m.awakenings)),
)


@dataclass(frozen=True, slots=True)
class RoomStatistic:
    """One quantity of the room while asleep: mean, minimum and maximum."""

    key: str
    name: str
    unit: str
    values_fn: Callable[[NightSummary], tuple[float | None, float | None, float | None]]


ROOM_STATISTICS: tuple[RoomStatistic, ...] = (
    RoomStatistic(
        "room_temperature",
        "room temperature while asleep",
        UnitOfTemperature.CELSIUS,
        lambda n: (n.room_temperature_c, n.room_temperature_min_c, n.room_temperature_max_c),
    ),
    RoomStatistic(
        "room_humidity",
        "room humidity while asleep",
        PERCENTAGE,
        lambda n: (n.room_humidity_pct, n.room_humidity_min_pct, n.room_humidity_max_pct),
    ),
    RoomStatistic(
        "room_light",
        "room light while asleep",
        LIGHT_LUX,
        lambda n: (n.room_illuminance_lx, n.room_illuminance_min_lx, n.room_illuminance_max_lx),
    ),
)


def unit_class(unit: str | None) -> str | None:
    """The recorder's unit class of ``unit``, as Home Assistant's sensors get it.

    The class of the unit converter the recorder knows the unit by: minutes ``duration``,
    °C ``temperature``, % and no unit (a count) ``unitless``; lux has none (``None``).
    """
    converter = STATISTIC_UNIT_TO_UNIT_CONVERTER.get(unit)
    return None if converter is None else converter.UNIT_CLASS


def statistic_id(entry: ConfigEntry, key: str) -> str:
    """The external statistic id of one metric of one tracker."""
    return f"{DOMAIN}:{slugify(entry.entry_id)}_{key}"


def night_start(summary: NightSummary) -> datetime:
    """Local midnight at the start of the summary's calendar night, in UTC."""
    local = datetime.combine(summary.night, time(0), tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(local)


@callback
def async_add_night_statistics(
    hass: HomeAssistant, entry: ConfigEntry, summary: NightSummary
) -> None:
    """Queue one statistics row per metric (and room quantity) of ``summary``."""
    if "recorder" not in hass.config.components:
        return
    start = night_start(summary)

    def add(key: str, name: str, unit: str | None, row: StatisticData) -> None:
        metadata = StatisticMetaData(
            mean_type=StatisticMeanType.ARITHMETIC,
            has_sum=False,
            name=f"{entry.title} {name}",
            source=DOMAIN,
            statistic_id=statistic_id(entry, key),
            unit_class=unit_class(unit),
            unit_of_measurement=unit,
        )
        async_add_external_statistics(hass, metadata, [row])

    for room in ROOM_STATISTICS:
        mean, low, high = room.values_fn(summary)
        if mean is not None and low is not None and high is not None:
            row = StatisticData(start=start, mean=mean, min=low, max=high)
            add(room.key, room.name, room.unit, row)
    if summary.metrics is None:
        return
    shown = whole_minutes(summary.metrics)
    for stat in NIGHT_STATISTICS:
        if (value := stat.value_fn(summary.metrics, shown)) is not None:
            row = StatisticData(start=start, mean=value, min=value, max=value)
            add(stat.key, stat.name, stat.unit, row)


@callback
def async_clear_night_statistics(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Queue the deletion of every statistic of the tracker (its nights and its room)."""
    if "recorder" not in hass.config.components:
        return
    keys = [stat.key for stat in NIGHT_STATISTICS] + [room.key for room in ROOM_STATISTICS]
    get_instance(hass).async_clear_statistics([statistic_id(entry, key) for key in keys])
