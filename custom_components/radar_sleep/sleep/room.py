"""The bedroom while asleep: temperature, humidity and light against published ranges.

The Home Assistant layer reads the user's room sensors once per 30-s epoch (when the epoch
closes) into a :class:`RoomSample`; the pipeline keeps the samples of the night's epochs and,
when the night ends, :func:`room_stats` aggregates those of the epochs scored asleep. Each
sleep epoch weighs the same (30 s), so the mean is time-weighted at the hypnogram's
resolution, and "while asleep" is exactly the hypnogram's sleep. A quantity that had no
reading in an epoch (sensor unavailable, unknown, not chosen) leaves that epoch out: gaps stay
gaps, nothing is interpolated.

:func:`room_insights` compares last night's means with the ranges below; every range has its
source in the docstring of its verdict function and in ``docs/room.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
import math
from typing import Any

from ..contracts import NightSummary

TEMPERATURE_RANGE_C = (17.0, 28.0)
"""Bedroom air temperature for sleep with bedding (Caddick et al. 2018)."""
HUMIDITY_RANGE_PCT = (40.0, 60.0)
"""Indoor relative humidity (Arundel et al. 1986; Caddick et al. 2018)."""
DARK_BELOW_LX = 3.0
"""Illuminance below which the room counts as dark while asleep (Mason et al. 2022)."""


@dataclass(frozen=True, slots=True)
class RoomSample:
    """The room sensors' readings at the end of one epoch (``None``: no reading)."""

    temperature_c: float | None = None
    humidity_pct: float | None = None
    illuminance_lx: float | None = None

    @property
    def empty(self) -> bool:
        """Whether no quantity had a reading."""
        return (
            self.temperature_c is None
            and self.humidity_pct is None
            and (self.illuminance_lx is None)
        )

    def as_list(self) -> list[float | None]:
        """Compact JSON form (the night-in-progress snapshot)."""
        return [self.temperature_c, self.humidity_pct, self.illuminance_lx]

    @classmethod
    def from_list(cls, values: list[Any]) -> RoomSample:
        """Inverse of :meth:`as_list`; raises ``ValueError``/``TypeError`` on bad data."""
        t, h, lx = (None if v is None else float(v) for v in values)
        return cls(t, h, lx)


ROOM_FIELDS = (
    "room_temperature_c",
    "room_temperature_min_c",
    "room_temperature_max_c",
    "room_humidity_pct",
    "room_humidity_min_pct",
    "room_humidity_max_pct",
    "room_illuminance_lx",
    "room_illuminance_min_lx",
    "room_illuminance_max_lx",
    "room_illuminance_onset_lx",
)
"""The :class:`~..contracts.NightSummary` fields about the room."""


@dataclass(frozen=True, slots=True)
class RoomStats:
    """The room while asleep: mean, minimum and maximum per quantity, light at sleep onset."""

    temperature_c: float | None = None
    temperature_min_c: float | None = None
    temperature_max_c: float | None = None
    humidity_pct: float | None = None
    humidity_min_pct: float | None = None
    humidity_max_pct: float | None = None
    illuminance_lx: float | None = None
    illuminance_min_lx: float | None = None
    illuminance_max_lx: float | None = None
    illuminance_onset_lx: float | None = None

    def apply(self, night: NightSummary) -> NightSummary:
        """``night`` with these room fields."""
        return replace(
            night,
            room_temperature_c=self.temperature_c,
            room_temperature_min_c=self.temperature_min_c,
            room_temperature_max_c=self.temperature_max_c,
            room_humidity_pct=self.humidity_pct,
            room_humidity_min_pct=self.humidity_min_pct,
            room_humidity_max_pct=self.humidity_max_pct,
            room_illuminance_lx=self.illuminance_lx,
            room_illuminance_min_lx=self.illuminance_min_lx,
            room_illuminance_max_lx=self.illuminance_max_lx,
            room_illuminance_onset_lx=self.illuminance_onset_lx,
        )


def _stats(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """Mean, minimum and maximum (rounded to 0.1), or ``None`` for no values."""
    if not values:
        return None, None, None
    return round(math.fsum(values) / len(values), 1), round(min(values), 1), round(max(values), 1)


def room_stats(
    samples: Mapping[int, RoomSample], asleep: Iterable[int], onset: int | None
) -> RoomStats:
    """The room over the epochs in ``asleep``, from their samples.

    ``samples`` maps epoch numbers to their readings (missing epochs had none); ``onset`` is
    the epoch of sleep onset, whose illuminance is the light at sleep onset (``None`` when
    that epoch had no light reading: the light is not guessed from neighbouring epochs).
    """
    temperature: list[float] = []
    humidity: list[float] = []
    light: list[float] = []
    for index in asleep:
        sample = samples.get(index)
        if sample is None:
            continue
        if sample.temperature_c is not None:
            temperature.append(sample.temperature_c)
        if sample.humidity_pct is not None:
            humidity.append(sample.humidity_pct)
        if sample.illuminance_lx is not None:
            light.append(sample.illuminance_lx)
    at_onset = None if onset is None else samples.get(onset)
    onset_lx = None if at_onset is None else at_onset.illuminance_lx
    return RoomStats(
        *_stats(temperature),
        *_stats(humidity),
        *_stats(light),
        None if onset_lx is None else round(onset_lx, 1),
    )


class RoomQuantity(StrEnum):
    """What a room insight is about."""

    TEMPERATURE = "temperature"
    HUMIDITY = "humidity"
    LIGHT = "light"


class RoomVerdict(StrEnum):
    """How last night's mean compares with the published range."""

    IN_RANGE = "in_range"
    TOO_COLD = "too_cold"
    TOO_WARM = "too_warm"
    TOO_DRY = "too_dry"
    TOO_HUMID = "too_humid"
    TOO_BRIGHT = "too_bright"


def temperature_verdict(mean_c: float) -> RoomVerdict:
    """Bedroom air temperature while asleep against 17-28 °C.

    Caddick ZA, Gregory K, Arsintescu L, Flynn-Evans EE. A review of the environmental
    parameters necessary for an optimal sleep environment. *Build Environ* 132:11-20, 2018:
    the optimal ambient temperature depends on humidity and bedding and ranges between 17 and
    28 °C at 40-60 % relative humidity. Heat with bedding increases wakefulness and reduces
    slow-wave and REM sleep (Okamoto-Mizuno K, Mizuno K. Effects of thermal environment on
    sleep and circadian rhythm. *J Physiol Anthropol* 31:14, 2012). Both ends are inclusive.
    """
    low, high = TEMPERATURE_RANGE_C
    if mean_c < low:
        return RoomVerdict.TOO_COLD
    if mean_c > high:
        return RoomVerdict.TOO_WARM
    return RoomVerdict.IN_RANGE


def humidity_verdict(mean_pct: float) -> RoomVerdict:
    """Relative humidity while asleep against 40-60 %.

    Arundel AV, Sterling EM, Biggin JH, Sterling TD. Indirect health effects of relative
    humidity in indoor environments. *Environ Health Perspect* 65:351-361, 1986: most adverse
    effects are minimised between 40 and 60 %; Caddick et al. 2018 give the sleep temperature
    range at 40-60 %. Humid heat adds to the thermal load of sleep (Okamoto-Mizuno and Mizuno
    2012). Both ends are inclusive.
    """
    low, high = HUMIDITY_RANGE_PCT
    if mean_pct < low:
        return RoomVerdict.TOO_DRY
    if mean_pct > high:
        return RoomVerdict.TOO_HUMID
    return RoomVerdict.IN_RANGE


def light_verdict(mean_lx: float) -> RoomVerdict:
    """Illuminance while asleep: dark below 3 lx, too bright from 3 lx.

    Mason IC, Grimaldi D, Reid KJ, et al. Light exposure during sleep impairs cardiometabolic
    function. *PNAS* 119(12):e2113290119, 2022: one night at 100 lx raised heart rate and
    next-morning insulin resistance against sleep in dim light (< 3 lx). Cho CH, Lee HJ, Yoon
    HK, et al. Exposure to dim artificial light at night increases REM sleep and awakenings in
    humans. *Chronobiol Int* 33(1):117-123, 2016: a whole night at 5 or 10 lx increased wake
    after sleep onset and light sleep. Caddick et al. 2018: complete darkness is optimal.
    """
    return RoomVerdict.TOO_BRIGHT if mean_lx >= DARK_BELOW_LX else RoomVerdict.IN_RANGE


@dataclass(frozen=True, slots=True)
class RoomInsight:
    """One quantity of last night's room, with its verdict and the range it was judged by."""

    quantity: RoomQuantity
    verdict: RoomVerdict
    mean: float
    minimum: float | None
    maximum: float | None
    low: float | None
    """Lower end of the range (``None``: no lower end, as for light)."""
    high: float
    at_onset: float | None = None
    """Light only: the illuminance at sleep onset."""


def room_insights(night: NightSummary) -> list[RoomInsight]:
    """Last night's room against the published ranges: one insight per recorded quantity."""
    out: list[RoomInsight] = []
    if (t := night.room_temperature_c) is not None:
        out.append(
            RoomInsight(
                RoomQuantity.TEMPERATURE,
                temperature_verdict(t),
                t,
                night.room_temperature_min_c,
                night.room_temperature_max_c,
                *TEMPERATURE_RANGE_C,
            )
        )
    if (h := night.room_humidity_pct) is not None:
        out.append(
            RoomInsight(
                RoomQuantity.HUMIDITY,
                humidity_verdict(h),
                h,
                night.room_humidity_min_pct,
                night.room_humidity_max_pct,
                *HUMIDITY_RANGE_PCT,
            )
        )
    if (lx := night.room_illuminance_lx) is not None:
        out.append(
            RoomInsight(
                RoomQuantity.LIGHT,
                light_verdict(lx),
                lx,
                night.room_illuminance_min_lx,
                night.room_illuminance_max_lx,
                None,
                DARK_BELOW_LX,
                night.room_illuminance_onset_lx,
            )
        )
    return out


_UNITS = {RoomQuantity.TEMPERATURE: " °C", RoomQuantity.HUMIDITY: " %", RoomQuantity.LIGHT: " lx"}
_SAYS = {
    RoomVerdict.IN_RANGE: "within the recommended range",
    RoomVerdict.TOO_COLD: "too cold",
    RoomVerdict.TOO_WARM: "too warm",
    RoomVerdict.TOO_DRY: "too dry",
    RoomVerdict.TOO_HUMID: "too humid",
    RoomVerdict.TOO_BRIGHT: "too bright",
}


def describe(insight: RoomInsight) -> str:
    """A short English sentence: the mean, the range seen, and the verdict against the range.

    ``"Temperature 19.2 °C (17.5-20.1 °C) while asleep: within the recommended range
    (17-28 °C)."`` Temperatures in degrees Celsius.
    """
    unit = _UNITS[insight.quantity]
    spread = ""
    if insight.minimum is not None and insight.maximum is not None:
        spread = f" ({insight.minimum:g}-{insight.maximum:g}{unit})"
    if insight.low is None:
        target = f"below {insight.high:g}{unit}"
    else:
        target = f"{insight.low:g}-{insight.high:g}{unit}"
    onset = ""
    if insight.at_onset is not None:
        onset = f", {insight.at_onset:g}{unit} when you fell asleep"
    return (
        f"{insight.quantity.value.capitalize()} {insight.mean:g}{unit}{spread} while asleep"
        f"{onset}: {_SAYS[insight.verdict]} ({target})."
    )
