"""training/agreement.py against independent computations (scikit-learn, scipy, by hand)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix as sk_confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
)

from training.evaluate.agreement import (
    bland_altman,
    cohen_kappa,
    confusion_matrix,
    epoch_agreement,
    group_agreement,
    json_ready,
    sleep_wake,
    summarise,
)


def _night(seed: int, n: int = 600, agree: float = 0.7) -> tuple[np.ndarray, np.ndarray]:
    """A random reference and a device that copies it with probability ``agree``."""
    rng = np.random.default_rng(seed)
    ref = rng.choice(4, size=n, p=[0.15, 0.5, 0.15, 0.2])
    dev = np.where(rng.random(n) < agree, ref, rng.integers(0, 4, n))
    return ref, dev


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_epoch_figures_match_sklearn(seed: int) -> None:
    ref, dev = _night(seed)
    a = epoch_agreement(ref, dev)
    np.testing.assert_array_equal(a.confusion, sk_confusion_matrix(ref, dev, labels=range(4)))
    assert a.n_epochs == ref.size
    assert a.accuracy == pytest.approx(accuracy_score(ref, dev))
    assert a.kappa == pytest.approx(cohen_kappa_score(ref, dev))
    rec = recall_score(ref, dev, labels=range(4), average=None)
    prec = precision_score(ref, dev, labels=range(4), average=None)
    f1 = f1_score(ref, dev, labels=range(4), average=None)
    for k, s in enumerate(a.stages):
        assert s.sensitivity == pytest.approx(rec[k])
        assert s.ppv == pytest.approx(prec[k])
        assert s.f1 == pytest.approx(f1[k])
        # Specificity is the recall of "not k" in the one-vs-rest problem.
        assert s.specificity == pytest.approx(recall_score(ref != k, dev != k))
        assert s.accuracy == pytest.approx(accuracy_score(ref == k, dev == k))
        assert s.reference_epochs == int(np.sum(ref == k))
        assert s.device_epochs == int(np.sum(dev == k))


def test_kappa_by_hand() -> None:
    # Cohen (1960): two raters, 2 classes; p_o = 0.7, p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5.
    cm = np.array([[25, 25], [5, 45]])
    assert cohen_kappa(cm) == pytest.approx((0.7 - 0.5) / (1 - 0.5))
    assert math.isnan(cohen_kappa(np.array([[10, 0], [0, 0]])))  # one class only: undefined
    assert math.isnan(cohen_kappa(np.zeros((4, 4), dtype=np.int64)))


def test_kappa_sleep_wake_matches_sklearn() -> None:
    ref, dev = _night(7)
    sw_ref, sw_dev = sleep_wake(ref), sleep_wake(dev)
    assert set(np.unique(sw_ref)) <= {0, 1}
    a = epoch_agreement(sw_ref, sw_dev, names=("wake", "sleep"))
    assert a.kappa == pytest.approx(cohen_kappa_score(ref != 0, dev != 0))


def test_undefined_stage_figures_are_nan() -> None:
    ref = np.array([0, 1, 1, 3, 3, 1])  # no deep (2) in the reference
    dev = np.array([0, 1, 2, 3, 1, 1])
    deep = epoch_agreement(ref, dev).stages[2]
    assert math.isnan(deep.sensitivity)
    assert deep.ppv == 0.0
    assert deep.specificity == pytest.approx(5 / 6)
    assert math.isnan(epoch_agreement(ref, ref).stages[2].ppv)


def test_confusion_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="length"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="codes"):
        confusion_matrix([0, 4], [0, 1])


def test_group_pooled_and_average() -> None:
    nights = [_night(s, n=300 + 50 * s, agree=0.5 + 0.1 * s) for s in range(5)]
    g = group_agreement(nights)
    ref = np.concatenate([r for r, _ in nights])
    dev = np.concatenate([d for _, d in nights])
    assert g.pooled.kappa == pytest.approx(cohen_kappa_score(ref, dev))
    np.testing.assert_array_equal(g.pooled.confusion, sk_confusion_matrix(ref, dev))
    kappas = [cohen_kappa_score(r, d) for r, d in nights]
    avg = g.average["kappa"]
    assert avg.n == 5
    assert avg.mean == pytest.approx(np.mean(kappas))
    assert avg.sd == pytest.approx(np.std(kappas, ddof=1))
    assert avg.median == pytest.approx(np.median(kappas))
    lo, hi = stats.t.interval(0.95, 4, loc=np.mean(kappas), scale=stats.sem(kappas))
    assert (avg.ci_low, avg.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    rem_sens = [recall_score(r, d, labels=[3], average=None)[0] for r, d in nights]
    assert g.average["rem_sensitivity"].mean == pytest.approx(np.mean(rem_sens))
    # Mean of the per-night row-normalised matrices.
    norm = [sk_confusion_matrix(r, d, labels=range(4), normalize="true") for r, d in nights]
    np.testing.assert_allclose(g.mean_confusion_normalised, np.mean(norm, axis=0))


def test_summary_skips_nan() -> None:
    s = summarise([1.0, math.nan, 3.0])
    assert (s.n, s.mean, s.median) == (2, 2.0, 2.0)
    assert s.sd == pytest.approx(math.sqrt(2))
    assert summarise([]).n == 0


def test_bland_altman_constant_bias_against_scipy() -> None:
    rng = np.random.default_rng(3)
    ref = rng.normal(420, 40, 60)
    dev = ref - 12 + rng.normal(0, 15, 60)
    ba = bland_altman(dev, ref)
    d = dev - ref
    assert ba.n == 60
    assert ba.bias == pytest.approx(d.mean())
    assert ba.sd == pytest.approx(d.std(ddof=1))
    assert ba.loa_lower == pytest.approx(d.mean() - 1.96 * d.std(ddof=1))
    assert ba.loa_upper == pytest.approx(d.mean() + 1.96 * d.std(ddof=1))
    lo, hi = stats.t.interval(0.95, 59, loc=d.mean(), scale=stats.sem(d))
    assert (ba.bias_ci_low, ba.bias_ci_high) == (pytest.approx(lo), pytest.approx(hi))
    # LoA CI: SE = sqrt(3 s^2 / n) (Bland & Altman 1986).
    se = math.sqrt(3 * d.var(ddof=1) / 60)
    t = stats.t.ppf(0.975, 59)
    assert ba.loa_upper_ci[1] == pytest.approx(ba.loa_upper + t * se)
    fit = stats.linregress((dev + ref) / 2, d)
    assert ba.proportional_bias.slope == pytest.approx(fit.slope)
    assert ba.proportional_bias.intercept == pytest.approx(fit.intercept)
    assert ba.proportional_bias.p_value == pytest.approx(fit.pvalue)
    assert ba.proportional == (fit.pvalue < 0.05)
    assert ba.shapiro_p == pytest.approx(stats.shapiro(d).pvalue)
    abs_fit = stats.linregress(
        (dev + ref) / 2, np.abs(d - fit.intercept - fit.slope * (dev + ref) / 2)
    )
    assert ba.heteroscedastic == (abs_fit.pvalue < 0.05)
    assert not ba.proportional
    assert not ba.heteroscedastic
    bias, low, high = ba.bands([400.0, 450.0])
    np.testing.assert_allclose(bias, d.mean())
    np.testing.assert_allclose(high - low, 2 * 1.96 * d.std(ddof=1))


def test_bland_altman_proportional_bias_regression_bands() -> None:
    rng = np.random.default_rng(5)
    ref = rng.uniform(300, 500, 80)
    dev = ref + 0.3 * (ref - 400) + rng.normal(0, 5, 80)  # differences grow with size
    ba = bland_altman(dev, ref, size="reference")
    d = dev - ref
    fit = stats.linregress(ref, d)
    assert ba.proportional
    assert ba.proportional_bias.slope == pytest.approx(fit.slope)
    t = stats.t.ppf(0.975, 78)
    assert ba.proportional_bias.slope_ci_low == pytest.approx(fit.slope - t * fit.stderr)
    assert ba.proportional_bias.intercept_ci_high == pytest.approx(
        fit.intercept + t * fit.intercept_stderr
    )
    resid = d - (fit.intercept + fit.slope * ref)
    bias, _low, high = ba.bands(np.array([350.0, 450.0]))
    np.testing.assert_allclose(bias, fit.intercept + fit.slope * np.array([350.0, 450.0]))
    abs_fit = stats.linregress(ref, np.abs(resid))
    assert ba.heteroscedasticity.slope == pytest.approx(abs_fit.slope)
    assert ba.heteroscedastic == (abs_fit.pvalue < 0.05)
    assert not ba.heteroscedastic  # constant spread: LoA = bias(x) +/- 1.96 SD(residuals)
    np.testing.assert_allclose(high - bias, 1.96 * resid.std(ddof=1))
    assert "×" in ba.describe()[0]


def test_bland_altman_heteroscedastic_bands() -> None:
    rng = np.random.default_rng(11)
    ref = rng.uniform(0, 120, 200)
    dev = ref + rng.normal(0, 1, 200) * (1 + 0.3 * ref)  # spread grows with size, no bias
    ba = bland_altman(dev, ref)
    x = (dev + ref) / 2
    d = dev - ref
    fit = stats.linregress(x, d)
    abs_fit = stats.linregress(x, np.abs(d - (fit.intercept + fit.slope * x)))
    assert ba.heteroscedastic
    assert abs_fit.pvalue < 0.05
    bias, low, high = ba.bands(np.array([10.0, 100.0]))
    half = 1.96 * math.sqrt(math.pi / 2) * (abs_fit.intercept + abs_fit.slope * np.array([10, 100]))
    np.testing.assert_allclose(high - bias, half)
    np.testing.assert_allclose(bias - low, half)
    assert half[1] > half[0]


def test_bland_altman_drops_missing_and_handles_few_pairs() -> None:
    ba = bland_altman([1.0, math.nan, 3.0], [1.5, 2.0, 2.0])
    assert ba.n == 2
    assert ba.bias == pytest.approx(((1.0 - 1.5) + (3.0 - 2.0)) / 2)
    assert math.isnan(ba.proportional_bias.slope)
    assert not ba.proportional
    assert math.isnan(bland_altman([], []).bias)
    with pytest.raises(ValueError, match="length"):
        bland_altman([1.0], [1.0, 2.0])


def test_json_ready() -> None:
    out = json_ready({"a": np.float64(math.nan), "b": (np.int64(3), 0.1234567891), "c": True})
    assert out == {"a": None, "b": [3, 0.123457], "c": True}
