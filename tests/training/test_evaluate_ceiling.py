"""The smart alarm's oracle ceiling (training.evaluate.ceiling) on hypnograms built by hand."""

from __future__ import annotations

import numpy as np

from training.evaluate import ceiling


def test_runs() -> None:
    mask = np.array([0, 1, 1, 0, 1, 1, 1], dtype=bool)
    assert ceiling.runs(mask).tolist() == [0, 1, 2, 0, 1, 2, 3]


def periodic_night() -> tuple[np.ndarray, np.ndarray]:
    """Awake 20 epochs, then 600 epochs of "light, light, light, REM" and awake 20 more."""
    codes = np.r_[np.zeros(20), np.tile([2, 2, 2, 4], 150), np.zeros(20)].astype(np.int8)
    return codes, codes >= 1


def test_oracle_and_hazard_on_a_periodic_night() -> None:
    """Light runs are always 3 epochs, so the third light epoch is always followed by REM.

    A window's first update is each of the four phases equally often (every deadline
    epoch is a window): the rule r=1 fails only when that update is already a third light
    epoch (1 in 4); r=3 always wakes into REM; r=4 never fires and rings at the deadline,
    which is light 3 times in 4.
    """
    codes, asleep = periodic_night()
    light = codes == 2
    table = ceiling.oracle(light, light, asleep, 30.0, 120.0)
    n = table[1][1]
    assert n == 241  # deadlines from the end - 240 epochs to the end, all with light sleep
    assert abs(table[1][0] / n - 0.75) < 0.01
    assert table[3][0] == 0
    assert abs(table[4][0] / n - 0.75) < 0.01
    hz = ceiling.hazard(light, asleep, 150.0)
    assert hz[1][0] == hz[1][1] > 0
    assert hz[2][0] == hz[2][1] > 0
    assert hz[3][0] == 0
    assert hz[3][1] > 0


def test_bound_takes_the_best_state_of_each_window() -> None:
    codes, asleep = periodic_night()
    light = codes == 2
    rates = {1: 1.0, 2: 1.0, 3: 0.0, 4: 0.0, 5: 0.0, 10: 0.0, 20: 0.0}
    assert ceiling.bound(light, asleep, rates, 30.0, 120.0) == [1.0] * 241
    rates = dict.fromkeys(rates, 0.5)
    assert ceiling.bound(light, asleep, rates, 30.0, 120.0) == [0.5] * 241
