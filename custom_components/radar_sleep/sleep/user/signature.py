"""Breathing signatures: running statistics of a body's breaths (log period, log amplitude)."""

from __future__ import annotations

from dataclasses import dataclass
import math

from .params import (
    BREATH_SD_LOG_AMP,
    BREATH_SD_LOG_PERIOD,
    MIN_SD_LOG_AMP,
    MIN_SD_LOG_PERIOD,
    PROFILE_ALPHA,
    PROFILE_BREATHS,
)


@dataclass(frozen=True, slots=True)
class Signature:
    """A breathing signature: mean log breath period (s) and log amplitude (mm), breaths."""

    log_period: float
    log_amp: float
    n: int

    @property
    def rate_bpm(self) -> float:
        """Breaths per minute."""
        return 60.0 / math.exp(self.log_period)

    @property
    def amplitude_mm(self) -> float:
        """Peak-to-trough amplitude as the radar sees it."""
        return math.exp(self.log_amp)


def gauss(x: float, mu: float, sd: float) -> float:
    """Log density of a normal distribution, with the residual clipped at 3 SD (robustness)."""
    z = min(abs(x - mu) / sd, 3.0)
    return -0.5 * z * z - math.log(sd)


class Profile:
    """A running breathing signature over breaths.

    Exponential moving averages of log period and log amplitude, with the per-breath spread of
    each (EMA of squared deviations).
    """

    __slots__ = ("log_amp", "log_period", "n", "var_amp", "var_period")

    def __init__(self) -> None:
        self.log_period = 0.0
        self.log_amp = 0.0
        self.var_period = BREATH_SD_LOG_PERIOD**2
        self.var_amp = BREATH_SD_LOG_AMP**2
        self.n = 0

    @property
    def ready(self) -> bool:
        """Whether enough breaths (:data:`.params.PROFILE_BREATHS`) were seen to use it."""
        return self.n >= PROFILE_BREATHS

    @property
    def sd_period(self) -> float:
        """Per-breath spread of log period (floored)."""
        return max(math.sqrt(self.var_period), MIN_SD_LOG_PERIOD)

    @property
    def sd_amp(self) -> float:
        """Per-breath spread of log amplitude (floored)."""
        return max(math.sqrt(self.var_amp), MIN_SD_LOG_AMP)

    def add(self, log_period: float, log_amp: float) -> None:
        """Fold in one breath (log period in s, log amplitude in mm)."""
        self.n += 1
        alpha = max(1.0 / self.n, PROFILE_ALPHA)
        if self.n > 3:  # sighs, pauses and missed breaths: limit one breath's pull
            log_period = min(max(log_period, self.log_period - 0.5), self.log_period + 0.5)
            log_amp = min(max(log_amp, self.log_amp - 1.0), self.log_amp + 1.0)
        dp, da = log_period - self.log_period, log_amp - self.log_amp
        self.log_period += alpha * dp
        self.log_amp += alpha * da
        if self.n > 1:
            beta = max(1.0 / self.n, PROFILE_ALPHA)
            self.var_period += beta * (dp * dp - self.var_period)
            self.var_amp += beta * (da * da - self.var_amp)

    def reset(self) -> None:
        """Forget every breath."""
        self.log_period = self.log_amp = 0.0
        self.var_period = BREATH_SD_LOG_PERIOD**2
        self.var_amp = BREATH_SD_LOG_AMP**2
        self.n = 0

    def copy_from(self, other: Profile) -> None:
        """Take over ``other``'s statistics."""
        self.log_period, self.log_amp, self.n = other.log_period, other.log_amp, other.n
        self.var_period, self.var_amp = other.var_period, other.var_amp

    def dump(self) -> list[float]:
        """The statistics as JSON types."""
        return [self.log_period, self.log_amp, self.n, self.var_period, self.var_amp]

    def load(self, state: list[float]) -> None:
        """Carry on from :meth:`dump`."""
        self.log_period, self.log_amp, self.n = float(state[0]), float(state[1]), int(state[2])
        self.var_period, self.var_amp = float(state[3]), float(state[4])

    def signature(self) -> Signature | None:
        """The signature so far (``None`` before the first breath)."""
        return Signature(self.log_period, self.log_amp, self.n) if self.n else None
