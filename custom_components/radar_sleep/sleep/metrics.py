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

import numpy as np

from ..contracts import EPOCH_SECONDS, SleepMetrics, Stage


def sleep_metrics(hypnogram: Sequence[int], epoch_seconds: int = EPOCH_SECONDS) -> SleepMetrics:
    """Compute the standard metrics of one night.

    - TIB: length of the scored period.
    - TST: minutes of light + deep + REM.
    - SE: 100 * TST / TIB.
    - SOL: lights off to the first epoch of any sleep stage (``None`` without sleep).
    - WASO: wake minutes between the first and the last sleep epoch.
    - light/deep/REM: minutes, and percent of TST.
    - awakenings: runs of wake between the first and the last sleep epoch.
    - after_final_wake: minutes from the end of the last sleep epoch to the period's end.
    """
    h = np.asarray(hypnogram, dtype=np.int8)
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
        spt_wake = ~sleep[first : last + 1]
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
