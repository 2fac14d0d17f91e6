"""Night metrics with the definitions of Menghini et al. (2021).

Menghini L, Cellini N, Goldstone A, Baker FC, de Zambotti M. A standardized framework for
testing the performance of sleep-tracking technology: step-by-step guidelines and open-source
code. *Sleep* 44(2):zsaa170, 2021.

The hypnogram passed in is the *scored period*: from lights off (for Radar Sleep, the onset of
sleep intent) to lights on (the user leaves the bed at the end of the night), one
:class:`~..contracts.Stage` per 30-s epoch, out-of-bed epochs scored as wake. With that period
the definitions coincide with YASA's ``sleep_statistics`` (Vallat R, Walker MP, *eLife*
10:e70092, 2021) for TIB, TST, SE, SOL and WASO; ``tests/sleep/test_metrics.py`` checks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..contracts import EPOCH_SECONDS, SleepMetrics, Stage


def sleep_metrics(
    hypnogram: Sequence[int],
    epoch_seconds: int = EPOCH_SECONDS,
    unobserved: Sequence[bool] | None = None,
) -> SleepMetrics:
    """Compute the standard metrics of one night.

    ``unobserved`` marks the epochs without data (the radar silent or Home Assistant down,
    :attr:`~..contracts.NightSummary.gaps`): they are wake in the hypnogram, so not sleep,
    but nothing says the sleeper was awake then, so they count in neither WASO nor the
    awakenings (as YASA's ``sleep_statistics`` treats unscored epochs).

    - TIB: length of the scored period.
    - TST: minutes of light + deep + REM.
    - SE: 100 * TST / TIB.
    - SOL: lights off to the first epoch of any sleep stage (``None`` without sleep).
    - WASO: wake minutes between the first and the last sleep epoch (observed epochs).
    - light/deep/REM: minutes, and percent of TST.
    - awakenings: runs of wake between the first and the last sleep epoch (a run broken
      only by epochs without data is one run; sleep around a gap is no awakening).
    - after_final_wake: minutes from the end of the last sleep epoch to the period's end.
    """
    h = np.asarray(hypnogram, dtype=np.int8)
    seen = (
        np.ones(h.size, dtype=bool)
        if unobserved is None
        else ~np.asarray(unobserved, dtype=bool).reshape(h.size)
    )
    per_min = 60.0 / epoch_seconds
    sleep = h != Stage.WAKE
    tib = h.size / per_min
    light = float(np.count_nonzero(h == Stage.LIGHT)) / per_min
    deep = float(np.count_nonzero(h == Stage.DEEP)) / per_min
    rem = float(np.count_nonzero(h == Stage.REM)) / per_min
    tst = light + deep + rem
    idx = np.flatnonzero(sleep)
    if idx.size:
        first, last = int(idx[0]), int(idx[-1])
        spt_wake = ~sleep[first : last + 1][seen[first : last + 1]]
        waso = float(np.count_nonzero(spt_wake)) / per_min
        # A wake run starts where wake follows sleep inside the sleep period.
        awakenings = int(np.count_nonzero(spt_wake[1:] & ~spt_wake[:-1]))
        sol: float | None = first / per_min
        after = (h.size - 1 - last) / per_min
    else:
        waso, awakenings, sol, after = 0.0, 0, None, 0.0

    def pct(minutes: float) -> float:
        return 100.0 * minutes / tst if tst else 0.0

    return SleepMetrics(
        tib_min=tib,
        tst_min=tst,
        se_pct=100.0 * tst / tib if tib else 0.0,
        sol_min=sol,
        waso_min=waso,
        light_min=light,
        deep_min=deep,
        rem_min=rem,
        light_pct=pct(light),
        deep_pct=pct(deep),
        rem_pct=pct(rem),
        awakenings=awakenings,
        after_final_wake_min=after,
    )


@dataclass(frozen=True, slots=True)
class WholeMinutes:
    """A night's durations in whole minutes, as shown to the user.

    Light, deep and REM minutes add up to total sleep exactly; rounding each on its own would
    not (238 + 30 + 100 against 367). Every value is less than a minute away from the exact
    one it stands for.
    """

    tib: int
    tst: int
    light: int
    deep: int
    rem: int
    sol: int | None
    waso: int


def apportion(total: int, parts: Sequence[float]) -> list[int]:
    """Split the whole number ``total`` into whole shares as close as possible to ``parts``.

    Hamilton's largest-remainder method (Balinski ML, Young HP. *Fair Representation*, 2nd
    ed., Brookings, 2001, ch. 2): every share is first rounded down, and the units left over
    go to the largest remainders (the earlier part on a tie). ``parts`` should add up to
    about ``total``; their sum is scaled to it first.
    """
    if total < 0 or any(p < 0 for p in parts):
        raise ValueError("apportion needs a non-negative total and parts")
    s = float(sum(parts))
    if s == 0.0:  # nothing to share in proportion: the first part takes the whole
        return [total if i == 0 else 0 for i in range(len(parts))]
    quotas = [total * p / s for p in parts]
    shares = [int(q) for q in quotas]
    left = total - sum(shares)
    order = sorted(range(len(parts)), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def whole_minutes(metrics: SleepMetrics) -> WholeMinutes:
    """Round a night's durations to whole minutes so that the parts add up.

    Time in bed and total sleep are rounded half up; light, deep and REM are apportioned
    (:func:`apportion`) so that they sum to total sleep; WASO is rounded on its own (its
    epochs lie inside the sleep period, which is not the whole wake time in bed).
    """

    def half_up(x: float) -> int:
        return int(x + 0.5)

    tst = half_up(metrics.tst_min)
    light, deep, rem = apportion(tst, (metrics.light_min, metrics.deep_min, metrics.rem_min))
    return WholeMinutes(
        tib=half_up(metrics.tib_min),
        tst=tst,
        light=light,
        deep=deep,
        rem=rem,
        sol=None if metrics.sol_min is None else half_up(metrics.sol_min),
        waso=half_up(metrics.waso_min),
    )
