"""Calibration: values of this sleeper, radar and bed, learned over the user's nights.

After each night the tracker keeps a few figures of it (:class:`NightCalibration`, the last
:data:`CALIBRATION_NIGHTS`); the calibration (:class:`CalibrationValues`) is their robust
summary once there are :data:`MIN_NIGHTS`:

* **breathing baseline**: the median breathing rate over the sleep epochs and its spread
  (the interquartile range of the sleeping rate), medians over the nights;
* **presence threshold** for this radar and bed: the presence confidence of an empty bed and
  of an occupied one are two distributions; the threshold is placed between a high quantile
  of the first (:data:`EMPTY_QUANTILE`) and a low quantile of the second
  (:data:`OCCUPIED_QUANTILE`), where both are well separated (at least
  :data:`MIN_SEPARATION` apart; otherwise nothing is learned and the setting stands).
  Quantiles rather than means, so that a restless night or a pet does not move it
  (a two-class threshold from class quantiles, in the spirit of Otsu N, A threshold
  selection method from gray-level histograms, *IEEE Trans Syst Man Cybern* 9(1):62-66,
  1979, made robust);
* **movement level**: the device's movement index that this sleeper's still sleep stays
  under (:data:`STILL_QUANTILE` of the sleep epochs' largest movement), shown for
  diagnosis: the stage model's movement inputs are defined at a fixed level
  (:data:`..features.MOVEMENT_FRAME_LEVEL`) and the stage adaptation corrects their scale;
* **usual bedtime, wake time and sleep need** from the stored nights (:mod:`..usual`, the
  same "usual" as everywhere else: the median of the last two weeks), sleep need being the
  usual total sleep time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import time, tzinfo
import math
import statistics
from typing import Any

import numpy as np

from ...contracts import NightSummary
from ..usual import usual_bedtime, usual_clock_minutes, usual_night

CALIBRATION_NIGHTS = 14
"""Nights kept (a new bed or radar is learned within two weeks)."""
MIN_NIGHTS = 3
"""Nights before a value is given."""
MIN_EPOCHS = 60
"""Epochs a night needs of a kind (sleeping, occupied, empty) for its figure to count."""
EMPTY_QUANTILE = 0.95
OCCUPIED_QUANTILE = 0.05
STILL_QUANTILE = 0.9
MIN_SEPARATION = 0.2
"""Empty and occupied confidence quantiles closer than this: no threshold is learned."""
THRESHOLD_RANGE = (0.2, 0.8)
"""A learned presence threshold stays in this range."""


@dataclass(slots=True)
class NightObservation:
    """What the pipeline saw during the night in progress (fed epoch by epoch)."""

    sleeping_rates: list[float] = field(default_factory=list)
    """Breathing rate of the epochs staged as sleep."""
    still_movement: list[float] = field(default_factory=list)
    """Largest movement index of the epochs staged as sleep."""
    occupied: list[float] = field(default_factory=list)
    """Mean presence confidence of the epochs of a session with the user in bed."""
    empty: list[float] = field(default_factory=list)
    """Mean presence confidence of the epochs with nobody in bed, outside any session."""


def _quantile(values: Sequence[float], q: float) -> float | None:
    if len(values) < MIN_EPOCHS:
        return None
    return float(np.quantile(np.asarray(values, dtype=np.float64), q))


@dataclass(frozen=True, slots=True)
class NightCalibration:
    """One night's figures (``None`` where the night had too few epochs of the kind)."""

    breathing_rate_bpm: float | None
    breathing_spread_bpm: float | None
    movement_still: float | None
    empty_confidence: float | None
    """:data:`EMPTY_QUANTILE` of the empty bed's presence confidence."""
    occupied_confidence: float | None
    """:data:`OCCUPIED_QUANTILE` of the occupied bed's presence confidence."""

    @classmethod
    def of(cls, night: NightObservation) -> NightCalibration:
        """The figures of an observed night."""
        q25 = _quantile(night.sleeping_rates, 0.25)
        q75 = _quantile(night.sleeping_rates, 0.75)
        return cls(
            breathing_rate_bpm=_quantile(night.sleeping_rates, 0.5),
            breathing_spread_bpm=None if q25 is None or q75 is None else q75 - q25,
            movement_still=_quantile(night.still_movement, STILL_QUANTILE),
            empty_confidence=_quantile(night.empty, EMPTY_QUANTILE),
            occupied_confidence=_quantile(night.occupied, OCCUPIED_QUANTILE),
        )


@dataclass(frozen=True, slots=True)
class CalibrationValues:
    """The calibration (``None`` where not yet learned)."""

    nights: int
    breathing_rate_bpm: float | None = None
    breathing_spread_bpm: float | None = None
    presence_threshold: float | None = None
    movement_still: float | None = None
    usual_bedtime: time | None = None
    usual_wake_time: time | None = None
    sleep_need_min: float | None = None

    def as_attributes(self) -> dict[str, Any]:
        """JSON-friendly values (times as ``HH:MM``), for attributes and diagnostics."""
        out = asdict(self)
        for key in ("usual_bedtime", "usual_wake_time"):
            value = out[key]
            out[key] = None if value is None else value.strftime("%H:%M")
        return out


def _median(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    if len(known) < MIN_NIGHTS:
        return None
    return float(statistics.median(known))


def _clock(minutes: float | None) -> time | None:
    if minutes is None:
        return None
    whole = round(minutes) % 1440
    return time(whole // 60, whole % 60)


class Calibration:
    """The user's calibration: the recent nights' figures and what they add up to."""

    def __init__(self) -> None:
        """Nothing learned yet."""
        self.nights: list[NightCalibration] = []

    def add_night(self, night: NightObservation) -> NightCalibration:
        """Learn from a completed night."""
        figures = NightCalibration.of(night)
        self.nights = [*self.nights, figures][-CALIBRATION_NIGHTS:]
        return figures

    def presence_threshold(self) -> float | None:
        """The presence threshold learned for this radar and bed (``None``: not learned)."""
        empty = _median([n.empty_confidence for n in self.nights])
        occupied = _median([n.occupied_confidence for n in self.nights])
        if empty is None or occupied is None or occupied - empty < MIN_SEPARATION:
            return None
        low, high = THRESHOLD_RANGE
        return round(min(max((empty + occupied) / 2, low), high), 2)

    def values(self, stored: Sequence[NightSummary], tz: tzinfo) -> CalibrationValues:
        """The calibration, with the usual times from the ``stored`` nights."""
        usual = usual_night(stored)
        rate = _median([n.breathing_rate_bpm for n in self.nights])
        spread = _median([n.breathing_spread_bpm for n in self.nights])
        still = _median([n.movement_still for n in self.nights])
        return CalibrationValues(
            nights=len(self.nights),
            breathing_rate_bpm=None if rate is None else round(rate, 1),
            breathing_spread_bpm=None if spread is None else round(spread, 2),
            presence_threshold=self.presence_threshold(),
            movement_still=None if still is None else round(still, 3),
            usual_bedtime=usual_bedtime(stored, tz),
            usual_wake_time=_clock(
                usual_clock_minutes(stored, lambda n: n.final_wake or n.session_end, tz)
            ),
            sleep_need_min=None if usual is None else usual.tst,
        )

    def as_dict(self) -> dict[str, Any]:
        """What is stored (JSON types)."""
        return {"nights": [asdict(n) for n in self.nights]}

    def load(self, data: dict[str, Any] | None) -> None:
        """Carry on from :meth:`as_dict`; ``ValueError`` if malformed."""
        self.nights = []
        if not data:
            return
        nights = []
        for item in data.get("nights", []):
            values = {
                k: None if item.get(k) is None else float(item[k])
                for k in NightCalibration.__dataclass_fields__
            }
            if any(v is not None and not math.isfinite(v) for v in values.values()):
                raise ValueError("calibration with a non-finite value")
            nights.append(NightCalibration(**values))
        self.nights = nights[-CALIBRATION_NIGHTS:]

    def reset(self) -> None:
        """Forget everything learned."""
        self.nights = []
