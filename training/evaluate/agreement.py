"""Agreement statistics between a sleep tracker and a reference, after Menghini et al. (2021).

Two levels, as in the standardized framework for testing sleep trackers [1]_:

* **Epoch by epoch.** The confusion matrix of stages (rows: reference, columns: device),
  overall accuracy, Cohen's kappa [2]_, and for each stage one-vs-rest sensitivity,
  specificity, positive predictive value (PPV), F1 and accuracy. Figures are computed per
  night and then averaged over nights (mean, SD and t-based 95 % CI, Menghini's
  ``groupEBE(metricsType="avg")``), and pooled over every epoch of every night
  (``metricsType="sum"``).
* **Night metrics.** Bland-Altman analysis [3]_ [4]_ of the device-minus-reference
  differences of TST, SE, SOL, WASO, stage minutes: bias with its 95 % CI, SD of the
  differences, 95 % limits of agreement (LoA) with their CIs; the *proportional-bias* test
  (differences regressed on the size of the measurement: slope, its CI and p-value) and the
  *heteroscedasticity* test (absolute residuals regressed on size). When either is
  significant the bias and LoA become regression-based bands, as in Menghini's ``BAplot`` /
  ``groupDiscr`` [1]_ following Bland and Altman (1999) [4]_:

  - proportional bias: bias(x) = b0 + b1 x, LoA(x) = bias(x) +/- 1.96 SD(residuals);
  - heteroscedasticity: LoA(x) = bias(x) +/- 2.46 (c0 + c1 x), where c0 + c1 x is the fitted
    mean absolute residual and 2.46 = 1.96 sqrt(pi / 2) turns it into an SD.

Pure numpy/scipy; no figure is computed with scikit-learn so that the tests can check
against it independently.

References
----------
.. [1] Menghini L, Cellini N, Goldstone A, Baker FC, de Zambotti M. A standardized framework
       for testing the performance of sleep-tracking technology: step-by-step guidelines and
       open-source code. *Sleep* 44(2):zsaa170, 2021. Code:
       https://github.com/SRI-human-sleep/sleep-trackers-performance
.. [2] Cohen J. A coefficient of agreement for nominal scales. *Educ Psychol Meas*
       20(1):37-46, 1960.
.. [3] Bland JM, Altman DG. Statistical methods for assessing agreement between two methods
       of clinical measurement. *Lancet* 327(8476):307-310, 1986.
.. [4] Bland JM, Altman DG. Measuring agreement in method comparison studies. *Stat Methods
       Med Res* 8(2):135-160, 1999.
.. [5] Shapiro SS, Wilk MB. An analysis of variance test for normality (complete samples).
       *Biometrika* 52(3-4):591-611, 1965.

"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
import math
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = [
    "STAGE_NAMES",
    "BlandAltman",
    "EpochAgreement",
    "GroupAgreement",
    "Regression",
    "StageAgreement",
    "Summary",
    "accuracy",
    "bland_altman",
    "cohen_kappa",
    "confusion_matrix",
    "epoch_agreement",
    "group_agreement",
    "json_ready",
    "sleep_wake",
    "stage_agreement",
    "summarise",
]

STAGE_NAMES: tuple[str, ...] = ("wake", "light", "deep", "rem")
"""Four-class labels in :class:`~custom_components.radar_sleep.contracts.Stage` order."""

Size = Literal["mean", "reference"]

_Z95 = 1.959963984540054
"""The 97.5 % quantile of the standard normal distribution."""
_HETERO_FACTOR = 1.96 * math.sqrt(math.pi / 2)
"""Mean absolute deviation to 1.96 SD for a normal distribution (2.46 in [4]_)."""


# ---------------------------------------------------------------------------------------------
# Epoch by epoch
# ---------------------------------------------------------------------------------------------


def confusion_matrix(
    reference: ArrayLike, device: ArrayLike, n_classes: int = 4
) -> NDArray[np.int64]:
    """Count epochs by (reference, device) stage.

    Parameters
    ----------
    reference, device : array_like of int
        Stage codes ``0 .. n_classes - 1``, one per epoch, same length.
    n_classes : int
        Number of classes.

    Returns
    -------
    cm : ndarray of int64, shape ``(n_classes, n_classes)``
        ``cm[i, j]`` is the number of epochs scored ``i`` by the reference and ``j`` by the
        device (rows: reference, columns: device), as ``sklearn.metrics.confusion_matrix``.

    Raises
    ------
    ValueError
        On arrays of different lengths or codes outside ``0 .. n_classes - 1``.

    """
    ref = np.asarray(reference, dtype=np.int64).ravel()
    dev = np.asarray(device, dtype=np.int64).ravel()
    if ref.shape != dev.shape:
        raise ValueError(f"reference ({ref.size}) and device ({dev.size}) differ in length")
    for name, arr in (("reference", ref), ("device", dev)):
        if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
            raise ValueError(f"{name} codes must be in 0..{n_classes - 1}")
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (ref, dev), 1)
    return cm


def accuracy(cm: NDArray[np.int64]) -> float:
    """Share of epochs on which device and reference agree (NaN without epochs)."""
    n = int(cm.sum())
    return float(np.trace(cm)) / n if n else math.nan


def cohen_kappa(cm: NDArray[np.int64]) -> float:
    """Cohen's kappa from a confusion matrix [2]_.

    kappa = (p_o - p_e) / (1 - p_e), with p_o the observed agreement and p_e the agreement
    expected by chance from the marginals. NaN when it is undefined (no epochs, or p_e = 1:
    both raters used one and the same class throughout), as in
    ``sklearn.metrics.cohen_kappa_score``.
    """
    c = np.asarray(cm, dtype=np.float64)
    n = c.sum()
    if n == 0:
        return math.nan
    po = np.trace(c) / n
    pe = float(c.sum(axis=0) @ c.sum(axis=1)) / (n * n)
    if pe >= 1.0:
        return math.nan
    return float((po - pe) / (1.0 - pe))


@dataclass(frozen=True, slots=True)
class StageAgreement:
    """One-vs-rest agreement for one stage (the stage is 'positive', all others 'negative').

    Every figure is a proportion in 0..1, NaN when its denominator is zero (for example the
    sensitivity for deep sleep in a night without deep sleep).
    """

    stage: str
    reference_epochs: int
    """Epochs the reference scored as this stage (true positives + false negatives)."""
    device_epochs: int
    """Epochs the device scored as this stage (true positives + false positives)."""
    sensitivity: float
    """TP / (TP + FN): share of the reference's epochs of this stage the device finds."""
    specificity: float
    """TN / (TN + FP): share of the reference's other epochs the device does not call so."""
    ppv: float
    """TP / (TP + FP): precision, share of the device's epochs of this stage that are."""
    f1: float
    """2 TP / (2 TP + FP + FN): harmonic mean of sensitivity and PPV."""
    accuracy: float
    """(TP + TN) / N: the one-vs-rest accuracy of Menghini's ``indEBE`` / ``groupEBE``."""


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def stage_agreement(
    cm: NDArray[np.int64], names: Sequence[str] = STAGE_NAMES
) -> list[StageAgreement]:
    """One-vs-rest sensitivity, specificity, PPV, F1 and accuracy of each class of ``cm``."""
    c = np.asarray(cm, dtype=np.int64)
    n = int(c.sum())
    out = []
    for k in range(c.shape[0]):
        tp = int(c[k, k])
        fn = int(c[k].sum()) - tp
        fp = int(c[:, k].sum()) - tp
        tn = n - tp - fn - fp
        out.append(
            StageAgreement(
                stage=names[k],
                reference_epochs=tp + fn,
                device_epochs=tp + fp,
                sensitivity=_ratio(tp, tp + fn),
                specificity=_ratio(tn, tn + fp),
                ppv=_ratio(tp, tp + fp),
                f1=_ratio(2 * tp, 2 * tp + fp + fn),
                accuracy=_ratio(tp + tn, n),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class EpochAgreement:
    """Epoch-by-epoch agreement of one night, or of epochs pooled over nights."""

    n_epochs: int
    confusion: NDArray[np.int64]
    """Rows: reference, columns: device."""
    accuracy: float
    kappa: float
    stages: list[StageAgreement]

    @property
    def confusion_normalised(self) -> NDArray[np.float64]:
        """Each reference row divided by its total (Menghini's proportional error matrix)."""
        rows = self.confusion.sum(axis=1, keepdims=True).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out: NDArray[np.float64] = np.where(rows > 0, self.confusion / rows, np.nan)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON types (NaN becomes None)."""
        return {
            "n_epochs": self.n_epochs,
            "confusion": self.confusion.tolist(),
            "confusion_normalised": [
                [_json(v) for v in row] for row in self.confusion_normalised.tolist()
            ],
            "accuracy": _json(self.accuracy),
            "kappa": _json(self.kappa),
            "stages": {
                s.stage: {
                    "reference_epochs": s.reference_epochs,
                    "device_epochs": s.device_epochs,
                    "sensitivity": _json(s.sensitivity),
                    "specificity": _json(s.specificity),
                    "ppv": _json(s.ppv),
                    "f1": _json(s.f1),
                    "accuracy": _json(s.accuracy),
                }
                for s in self.stages
            },
        }


def epoch_agreement(
    reference: ArrayLike, device: ArrayLike, names: Sequence[str] = STAGE_NAMES
) -> EpochAgreement:
    """Confusion matrix, accuracy, Cohen's kappa and per-stage figures of paired epochs.

    Parameters
    ----------
    reference, device : array_like of int
        Stage codes ``0 .. len(names) - 1`` per epoch (reference first).
    names : sequence of str
        Class names, in code order.

    """
    cm = confusion_matrix(reference, device, len(names))
    return EpochAgreement(
        n_epochs=int(cm.sum()),
        confusion=cm,
        accuracy=accuracy(cm),
        kappa=cohen_kappa(cm),
        stages=stage_agreement(cm, names),
    )


def sleep_wake(stages: ArrayLike, wake: int = 0) -> NDArray[np.int8]:
    """Collapse stages to sleep/wake: 0 for ``wake``, 1 for any sleep stage."""
    out: NDArray[np.int8] = (np.asarray(stages) != wake).astype(np.int8)
    return out


# ---------------------------------------------------------------------------------------------
# Per night and pooled
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    """A figure over nights: mean, SD, t-based 95 % CI of the mean, median, range.

    NaN values (a figure undefined in a night) are left out, as ``na.rm=TRUE`` in [1]_.
    """

    n: int
    mean: float
    sd: float
    """Sample standard deviation (ddof 1)."""
    ci_low: float
    ci_high: float
    median: float
    minimum: float
    maximum: float

    def to_dict(self) -> dict[str, Any]:
        """JSON types (NaN becomes None)."""
        return {
            "n": self.n,
            "mean": _json(self.mean),
            "sd": _json(self.sd),
            "ci_low": _json(self.ci_low),
            "ci_high": _json(self.ci_high),
            "median": _json(self.median),
            "min": _json(self.minimum),
            "max": _json(self.maximum),
        }


def summarise(values: ArrayLike, level: float = 0.95) -> Summary:
    """Mean (SD) [CI] over nights, as Menghini's ``groupEBE`` prints it [1]_.

    The CI is mean +/- t_{n-1} SD / sqrt(n) (``DescTools::MeanCI(method="classic")``).
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    n = int(v.size)
    if n == 0:
        nan = math.nan
        return Summary(0, nan, nan, nan, nan, nan, nan, nan)
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if n > 1 else math.nan
    if n > 1:
        half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
        lo, hi = mean - half, mean + half
    else:
        lo = hi = math.nan
    return Summary(n, mean, sd, lo, hi, float(np.median(v)), float(v.min()), float(v.max()))


@dataclass(frozen=True, slots=True)
class GroupAgreement:
    """Epoch-by-epoch agreement over a group of nights: per night, averaged, and pooled."""

    nights: list[EpochAgreement]
    pooled: EpochAgreement
    """Every epoch of every night in one confusion matrix (``metricsType="sum"``)."""
    average: dict[str, Summary] = field(default_factory=dict)
    """Per-night figures summarised over nights (``metricsType="avg"``): keys ``accuracy``,
    ``kappa`` and ``<stage>_<figure>`` for sensitivity, specificity, ppv, f1, accuracy."""
    mean_confusion_normalised: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))
    """Mean over nights of each night's row-normalised confusion matrix (cells undefined in
    a night, a stage absent from its reference, are left out of that cell's mean)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON types (NaN becomes None)."""
        return {
            "n_nights": len(self.nights),
            "pooled": self.pooled.to_dict(),
            "average": {k: s.to_dict() for k, s in self.average.items()},
            "mean_confusion_normalised": [
                [_json(v) for v in row] for row in self.mean_confusion_normalised.tolist()
            ],
            "per_night": [
                {"n_epochs": a.n_epochs, "accuracy": _json(a.accuracy), "kappa": _json(a.kappa)}
                for a in self.nights
            ],
        }


def group_agreement(
    nights: Sequence[tuple[ArrayLike, ArrayLike]],
    names: Sequence[str] = STAGE_NAMES,
    level: float = 0.95,
) -> GroupAgreement:
    """Epoch-by-epoch agreement per night, averaged over nights and pooled.

    Parameters
    ----------
    nights : sequence of (reference, device)
        Paired per-epoch stage codes of each night; nights without epochs are skipped.
    names : sequence of str
        Class names, in code order.
    level : float
        Confidence level of the CIs of the averages.

    """
    per_night = [epoch_agreement(ref, dev, names) for ref, dev in nights if np.asarray(ref).size]
    k = len(names)
    if per_night:
        pooled_cm = np.sum([a.confusion for a in per_night], axis=0).astype(np.int64)
    else:
        pooled_cm = np.zeros((k, k), dtype=np.int64)
    pooled = EpochAgreement(
        n_epochs=int(pooled_cm.sum()),
        confusion=pooled_cm,
        accuracy=accuracy(pooled_cm),
        kappa=cohen_kappa(pooled_cm),
        stages=stage_agreement(pooled_cm, names),
    )
    average = {
        "accuracy": summarise([a.accuracy for a in per_night], level),
        "kappa": summarise([a.kappa for a in per_night], level),
    }
    for i, name in enumerate(names):
        for fig in ("sensitivity", "specificity", "ppv", "f1", "accuracy"):
            average[f"{name}_{fig}"] = summarise(
                [getattr(a.stages[i], fig) for a in per_night], level
            )
    if per_night:
        stack = np.stack([a.confusion_normalised for a in per_night])
        finite = np.isfinite(stack)
        counts = finite.sum(axis=0)
        sums = np.where(finite, stack, 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_cm = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    else:
        mean_cm = np.full((k, k), np.nan)
    return GroupAgreement(per_night, pooled, average, mean_cm)


# ---------------------------------------------------------------------------------------------
# Bland-Altman
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Regression:
    """Ordinary least squares y = intercept + slope x, with the slope's t-test."""

    intercept: float
    slope: float
    slope_ci_low: float
    slope_ci_high: float
    p_value: float
    """Two-sided p-value of slope = 0 (t-test on n - 2 degrees of freedom)."""
    intercept_ci_low: float
    intercept_ci_high: float
    residual_sd: float
    """SD of the residuals with ddof 1 (R's ``sd(resid(m))``, as Menghini's code uses)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON types (NaN becomes None)."""
        return {
            "intercept": _json(self.intercept),
            "slope": _json(self.slope),
            "slope_ci": [_json(self.slope_ci_low), _json(self.slope_ci_high)],
            "p_value": _json(self.p_value),
            "intercept_ci": [_json(self.intercept_ci_low), _json(self.intercept_ci_high)],
            "residual_sd": _json(self.residual_sd),
        }


def _regress(x: NDArray[np.float64], y: NDArray[np.float64], level: float) -> Regression:
    """OLS with t-based CIs; NaN where it is undefined (n < 3 or x constant)."""
    n = x.size
    nan = math.nan
    sxx = float(((x - x.mean()) ** 2).sum()) if n else 0.0
    if n < 3 or sxx == 0.0:
        return Regression(nan, nan, nan, nan, nan, nan, nan, nan)
    slope = float(((x - x.mean()) * (y - y.mean())).sum()) / sxx
    intercept = float(y.mean()) - slope * float(x.mean())
    resid = y - (intercept + slope * x)
    ssr = float((resid**2).sum())
    s2 = ssr / (n - 2)
    se_slope = math.sqrt(s2 / sxx)
    se_int = math.sqrt(s2 * (1.0 / n + float(x.mean()) ** 2 / sxx))
    t = float(stats.t.ppf(0.5 + level / 2, n - 2))
    if se_slope > 0:
        p = float(2 * stats.t.sf(abs(slope) / se_slope, n - 2))
    else:
        p = 0.0 if slope != 0 else 1.0
    return Regression(
        intercept=intercept,
        slope=slope,
        slope_ci_low=slope - t * se_slope,
        slope_ci_high=slope + t * se_slope,
        p_value=p,
        intercept_ci_low=intercept - t * se_int,
        intercept_ci_high=intercept + t * se_int,
        residual_sd=float(resid.std(ddof=1)),
    )


@dataclass(frozen=True, slots=True)
class BlandAltman:
    """Bland-Altman agreement of a night metric, device minus reference [3]_ [4]_.

    ``bias``, ``loa_lower`` and ``loa_upper`` are the classic constant figures (bias +/- 1.96
    SD), always reported; when the bias is proportional or the differences heteroscedastic
    (``proportional`` / ``heteroscedastic``), :meth:`bands` gives the regression-based lines
    that replace them, and :meth:`describe` says which.
    """

    n: int
    size: Size
    """The x-axis of the plot and of both regressions: the mean of device and reference
    (Bland and Altman) or the reference value (Menghini's default)."""
    device_mean: float
    device_sd: float
    reference_mean: float
    reference_sd: float
    bias: float
    """Mean of device - reference."""
    sd: float
    """SD of the differences (ddof 1)."""
    bias_ci_low: float
    bias_ci_high: float
    loa_lower: float
    """bias - 1.96 SD."""
    loa_upper: float
    """bias + 1.96 SD."""
    loa_lower_ci: tuple[float, float]
    loa_upper_ci: tuple[float, float]
    """t-based CIs of the LoA with SE sqrt(3 SD^2 / n) [3]_."""
    proportional_bias: Regression
    """Differences on size."""
    proportional: bool
    """The slope of the differences on size is significant (its CI excludes 0)."""
    heteroscedasticity: Regression
    """Absolute residuals of :attr:`proportional_bias` on size."""
    heteroscedastic: bool
    """The slope of the absolute residuals on size is significant."""
    shapiro_p: float
    """Shapiro-Wilk p-value of the differences [5]_ (NaN for n < 3)."""
    level: float = 0.95

    def bands(self, x: ArrayLike) -> tuple[NDArray[np.float64], ...]:
        """Bias, lower and upper LoA at sizes ``x``, regression-based where warranted.

        As Menghini's ``BAplot``: with proportional bias the bias line is b0 + b1 x, else the
        mean difference; with heteroscedasticity the LoA are bias(x) +/- 2.46 (c0 + c1 x),
        else (proportional bias only) bias(x) +/- 1.96 SD(residuals), else bias +/- 1.96 SD.
        """
        xs = np.asarray(x, dtype=np.float64)
        pb, ht = self.proportional_bias, self.heteroscedasticity
        bias = pb.intercept + pb.slope * xs if self.proportional else np.full_like(xs, self.bias)
        if self.heteroscedastic:
            half = _HETERO_FACTOR * (ht.intercept + ht.slope * xs)
        elif self.proportional:
            half = np.full_like(xs, 1.96 * pb.residual_sd)
        else:
            half = np.full_like(xs, 1.96 * self.sd)
        return bias, bias - half, bias + half

    def describe(self, digits: int = 1) -> tuple[str, str]:
        """The bias and the LoA as text: constants, or the regression formulas."""
        pb, ht = self.proportional_bias, self.heteroscedasticity
        x = "mean" if self.size == "mean" else "ref"
        f = f"{{:.{digits}f}}"
        if self.proportional:
            bias = f"{f.format(pb.intercept)} {_signed(pb.slope, 3)} × {x}"
        else:
            bias = f.format(self.bias)
        if self.heteroscedastic:
            loa = f"bias ± 2.46 × ({f.format(ht.intercept)} {_signed(ht.slope, 3)} × {x})"
        elif self.proportional:
            loa = f"bias ± {f.format(1.96 * pb.residual_sd)}"
        else:
            loa = f"{f.format(self.loa_lower)} to {f.format(self.loa_upper)}"
        return bias, loa

    def to_dict(self) -> dict[str, Any]:
        """JSON types (NaN becomes None)."""
        bias_text, loa_text = self.describe()
        return {
            "n": self.n,
            "size": self.size,
            "device_mean": _json(self.device_mean),
            "device_sd": _json(self.device_sd),
            "reference_mean": _json(self.reference_mean),
            "reference_sd": _json(self.reference_sd),
            "bias": _json(self.bias),
            "sd": _json(self.sd),
            "bias_ci": [_json(self.bias_ci_low), _json(self.bias_ci_high)],
            "loa_lower": _json(self.loa_lower),
            "loa_upper": _json(self.loa_upper),
            "loa_lower_ci": [_json(v) for v in self.loa_lower_ci],
            "loa_upper_ci": [_json(v) for v in self.loa_upper_ci],
            "proportional_bias": self.proportional_bias.to_dict(),
            "proportional": self.proportional,
            "heteroscedasticity": self.heteroscedasticity.to_dict(),
            "heteroscedastic": self.heteroscedastic,
            "shapiro_p": _json(self.shapiro_p),
            "bias_text": bias_text,
            "loa_text": loa_text,
        }


def _signed(v: float, digits: int) -> str:
    return f"{'-' if v < 0 else '+'} {abs(v):.{digits}f}"


def bland_altman(
    device: ArrayLike, reference: ArrayLike, size: Size = "mean", level: float = 0.95
) -> BlandAltman:
    """Bland-Altman analysis of paired measurements, device minus reference [3]_ [4]_.

    Parameters
    ----------
    device, reference : array_like of float
        One value per night; pairs with a non-finite member are dropped.
    size : {"mean", "reference"}
        What the differences are regressed on (and plotted against): the mean of the two
        methods [3]_ or the reference value (Menghini's ``xaxis="reference"`` [1]_).
    level : float
        Confidence level of the CIs and of the significance of the two slope tests (a slope
        is significant when its CI excludes 0, as in [1]_, i.e. p < 1 - level).

    Returns
    -------
    BlandAltman
        NaN figures where there are too few pairs (SD needs 2, regressions 3).

    """
    d_raw = np.asarray(device, dtype=np.float64).ravel()
    r_raw = np.asarray(reference, dtype=np.float64).ravel()
    if d_raw.shape != r_raw.shape:
        raise ValueError("device and reference differ in length")
    keep = np.isfinite(d_raw) & np.isfinite(r_raw)
    dev, ref = d_raw[keep], r_raw[keep]
    n = int(dev.size)
    nan = math.nan
    diff = dev - ref
    x = (dev + ref) / 2 if size == "mean" else ref
    bias = float(diff.mean()) if n else nan
    sd = float(diff.std(ddof=1)) if n > 1 else nan
    if n > 1:
        t = float(stats.t.ppf(0.5 + level / 2, n - 1))
        se_bias = sd / math.sqrt(n)
        se_loa = math.sqrt(3 * sd * sd / n)
    else:
        t = se_bias = se_loa = nan
    lo, hi = bias - 1.96 * sd, bias + 1.96 * sd
    pb = _regress(x, diff, level)
    proportional = bool(
        math.isfinite(pb.slope_ci_low) and (pb.slope_ci_low > 0 or pb.slope_ci_high < 0)
    )
    if math.isfinite(pb.slope):
        abs_resid = np.abs(diff - (pb.intercept + pb.slope * x))
        ht = _regress(x, abs_resid, level)
    else:
        ht = pb
    heteroscedastic = bool(
        math.isfinite(ht.slope_ci_low) and (ht.slope_ci_low > 0 or ht.slope_ci_high < 0)
    )
    shapiro_p = float(stats.shapiro(diff).pvalue) if n >= 3 and np.ptp(diff) > 0 else nan
    return BlandAltman(
        n=n,
        size=size,
        device_mean=float(dev.mean()) if n else nan,
        device_sd=float(dev.std(ddof=1)) if n > 1 else nan,
        reference_mean=float(ref.mean()) if n else nan,
        reference_sd=float(ref.std(ddof=1)) if n > 1 else nan,
        bias=bias,
        sd=sd,
        bias_ci_low=bias - t * se_bias,
        bias_ci_high=bias + t * se_bias,
        loa_lower=lo,
        loa_upper=hi,
        loa_lower_ci=(lo - t * se_loa, lo + t * se_loa),
        loa_upper_ci=(hi - t * se_loa, hi + t * se_loa),
        proportional_bias=pb,
        proportional=proportional,
        heteroscedasticity=ht,
        heteroscedastic=heteroscedastic,
        shapiro_p=shapiro_p,
        level=level,
    )


# ---------------------------------------------------------------------------------------------


def _json(value: float) -> float | None:
    """A float for JSON: None for NaN/inf, rounded to 6 significant decimals otherwise."""
    v = float(value)
    return round(v, 6) if math.isfinite(v) else None


def json_ready(obj: Any) -> Any:
    """Nested dicts/lists/tuples/numpy values as JSON types (NaN -> None, floats rounded)."""
    if isinstance(obj, Mapping):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_ready(obj.tolist())
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _json(float(obj))
    return obj
