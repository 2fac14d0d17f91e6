"""Night metrics against their published definitions and against YASA."""

from __future__ import annotations

import numpy as np
import pytest
import yasa

from custom_components.radar_sleep.contracts import Stage
from custom_components.radar_sleep.sleep import sleep_metrics
from custom_components.radar_sleep.sleep.metrics import apportion, whole_minutes

W, L, D, R = Stage.WAKE, Stage.LIGHT, Stage.DEEP, Stage.REM


def test_hand_scored_night() -> None:
    # 4 min awake (SOL), sleep with a 1.5-min and a 0.5-min awakening, 1 min awake at the end.
    hyp = [W] * 8 + [L] * 4 + [D] * 6 + [W] * 3 + [R] * 4 + [W] + [L] * 2 + [W] * 2
    m = sleep_metrics(hyp)
    assert m.tib_min == len(hyp) / 2 == 15.0
    assert m.sol_min == 4.0
    assert m.tst_min == (4 + 6 + 4 + 2) / 2
    assert m.waso_min == (3 + 1) / 2
    assert m.awakenings == 2
    assert m.after_final_wake_min == 1.0
    assert m.light_min == 3.0
    assert m.deep_min == 3.0
    assert m.rem_min == 2.0
    assert m.light_pct + m.deep_pct + m.rem_pct == pytest.approx(100.0)
    assert m.se_pct == pytest.approx(100 * 8 / 15)


def test_epochs_without_data_are_no_wake_after_sleep_onset() -> None:
    """A gap in the data (marked ``unobserved``) is wake in the hypnogram but no awakening.

    Worked by hand: sleep from epoch 1 to epoch 7; of the wake epochs between, 3 and 6 were
    observed (1 min of WASO) and 4-5 were not; 3 and 6 are one run once the gap is left out.
    Without the mark the four epochs are 2 min of WASO. Sleep on both sides of a gap is no
    awakening at all. TIB and TST do not change.
    """
    hyp = [W, L, L, W, W, W, W, L, W]
    gap = [False, False, False, False, True, True, False, False, False]
    plain, marked = sleep_metrics(hyp), sleep_metrics(hyp, unobserved=gap)
    assert (plain.waso_min, plain.awakenings) == (2.0, 1)
    assert (marked.waso_min, marked.awakenings) == (1.0, 1)
    assert (marked.tib_min, marked.tst_min) == (plain.tib_min, plain.tst_min) == (4.5, 1.5)
    bridged = sleep_metrics([L, W, W, L], unobserved=[False, True, True, False])
    assert (bridged.waso_min, bridged.awakenings) == (0.0, 0)


def random_hypnogram(rng: np.random.Generator, longest: int) -> np.ndarray:
    """A sticky random walk over W, N1, N2, N3, REM (YASA's codes), so that bouts look like a
    night; 20 to ``longest`` epochs."""
    n = int(rng.integers(20, longest))
    hyp5 = np.empty(n, dtype=int)
    hyp5[0] = rng.integers(0, 5)
    for i in range(1, n):
        hyp5[i] = hyp5[i - 1] if rng.random() < 0.8 else rng.integers(0, 5)
    return hyp5


def test_epochs_without_data_match_yasa_s_unscored_epochs() -> None:
    """YASA leaves unscored epochs (-2) out of WASO and TST and keeps them in TIB."""
    rng = np.random.default_rng(1)
    four = np.array([W, L, L, D, R])
    for _ in range(50):
        hyp5 = random_hypnogram(rng, 600)
        n = hyp5.size
        gap = np.zeros(n, dtype=bool)
        start = int(rng.integers(0, n))
        gap[start : start + int(rng.integers(1, 60))] = True
        ours = sleep_metrics(np.where(gap, W, four[hyp5]).tolist(), unobserved=gap.tolist())
        ref = yasa.sleep_statistics(np.where(gap, -2, hyp5), sf_hyp=1 / 30)
        assert ours.tib_min == pytest.approx(ref["TIB"])
        assert ours.tst_min == pytest.approx(ref["TST"])
        assert ours.waso_min == pytest.approx(ref["WASO"])


def test_no_sleep() -> None:
    m = sleep_metrics([W] * 20)
    assert m.tst_min == 0
    assert m.sol_min is None
    assert m.waso_min == 0
    assert m.awakenings == 0
    assert m.se_pct == 0
    assert m.light_pct == 0


def test_matches_yasa_on_random_hypnograms() -> None:
    """YASA's sleep_statistics on 200 random 5-stage hypnograms, mapped to four classes.

    Definitions agree for TIB, TST, SE, SOL, WASO and per-stage minutes (N1+N2 = light). Two
    differences are by design: YASA's SOL counts from the hypnogram's first epoch, which for
    Radar Sleep is lights off (intent onset), so they agree when the hypnogram passed is the
    scored period, as here; YASA has no count of awakenings or time after final wake, which
    are checked by hand above.
    """
    rng = np.random.default_rng(0)
    four = np.array([W, L, L, D, R])
    for _ in range(200):
        hyp5 = random_hypnogram(rng, 1000)
        ours = sleep_metrics(four[hyp5].tolist())
        ref = yasa.sleep_statistics(hyp5, sf_hyp=1 / 30)
        assert ours.tib_min == pytest.approx(ref["TIB"])
        assert ours.tst_min == pytest.approx(ref["TST"])
        assert ours.se_pct == pytest.approx(ref["SE"])
        assert ours.waso_min == pytest.approx(ref["WASO"])
        assert ours.light_min == pytest.approx(ref["N1"] + ref["N2"])
        assert ours.deep_min == pytest.approx(ref["N3"])
        assert ours.rem_min == pytest.approx(ref["REM"])
        if ours.sol_min is None:
            assert np.isnan(ref["SOL"])
        else:
            assert ours.sol_min == pytest.approx(ref["SOL"])
            assert ours.rem_pct == pytest.approx(ref["%REM"])


def test_apportion_largest_remainder() -> None:
    # Hand-worked: quotas 2.5, 1.25, 0.25 of 4 -> floors 2, 1, 0; one unit left goes to the
    # largest remainder (0.5).
    assert apportion(4, [2.5, 1.25, 0.25]) == [3, 1, 0]
    # Tie on remainders: the earlier part wins.
    assert apportion(1, [0.5, 0.5]) == [1, 0]
    assert apportion(0, [0.0, 0.0]) == [0, 0]
    with pytest.raises(ValueError, match="non-negative"):
        apportion(-1, [1.0])


def test_whole_minutes_parts_add_up() -> None:
    # The night of the report: 237.5 light, 29.5 deep, 99.5 REM (366.5 total sleep) rounds
    # to 238 + 30 + 100 = 368 on its own, against 367 total sleep.
    h = [Stage.WAKE] * 20 + [Stage.LIGHT] * 475 + [Stage.DEEP] * 59 + [Stage.REM] * 199
    m = sleep_metrics(h)
    assert (m.light_min, m.deep_min, m.rem_min, m.tst_min) == (237.5, 29.5, 99.5, 366.5)
    w = whole_minutes(m)
    assert w.tst == 367
    assert w.light + w.deep + w.rem == 367
    assert (w.tib, w.sol, w.waso) == (377, 10, 0)
