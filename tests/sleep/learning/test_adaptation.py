"""Stage-model adaptation: the inputs re-standardised from the user's past nights."""

from __future__ import annotations

from dataclasses import replace
import math

import numpy as np
import pytest

from custom_components.radar_sleep.sleep.features import FEATURE_NAMES
from custom_components.radar_sleep.sleep.learning.adaptation import (
    AdaptationReference,
    StageAdaptation,
    fingerprint,
    load_reference,
)
from custom_components.radar_sleep.sleep.staging.network import (
    ContextEncoder,
    EngineStager,
    shipped_model,
)

N = len(FEATURE_NAMES)
RATE = FEATURE_NAMES.index("rate_rel")
"""An input that model_inputs leaves as it is (so its numbers are worked by hand)."""

REFERENCE = AdaptationReference(
    median=np.zeros(N),
    spread=np.ones(N),
    median_sd=np.full(N, 0.1),
    log_spread_sd=np.full(N, 0.1),
    adapt=np.ones(N, dtype=np.bool_),
)
"""Every input: a typical night at 0 with a range of 1; nights differ by 0.1 and 10 %
(the dead zone is half of that: 0.05 and 5 %)."""


def rows(level: float, half_range: float, n: int = 120) -> np.ndarray:
    """``n`` epochs whose inputs alternate between ``level -+ half_range``: median
    ``level``, interquartile range ``2 * half_range`` (movement and variability inputs are
    log-transformed; only rate_rel is checked by hand)."""
    out = np.full((n, N), level)
    out[::2] -= half_range
    out[1::2] += half_range
    out[:, :4] = 0.5  # positive where the inputs are logs; spread 0 -> scaled at most x3
    return out


def test_nothing_before_three_nights() -> None:
    adaptation = StageAdaptation(REFERENCE)
    for _ in range(2):
        assert adaptation.add_night(rows(0.5, 0.25))
    assert adaptation.correction() is None
    assert adaptation.shift(shipped_model("stage").meta) is None


def test_a_short_night_does_not_count() -> None:
    adaptation = StageAdaptation(REFERENCE)
    assert not adaptation.add_night(rows(0.5, 0.25, n=100))
    assert adaptation.nights == 0


def test_the_shift_beyond_the_dead_zone_is_taken_away() -> None:
    adaptation = StageAdaptation(REFERENCE)
    for _ in range(3):
        adaptation.add_night(rows(0.5, 0.25))
    corr = adaptation.correction()
    assert corr is not None
    level, log_scale = corr
    # Level 0.5 against 0 with a dead zone of half of 0.1: 0.45 is taken away.
    assert level[RATE] == pytest.approx(0.45)
    # Range 0.5 against 1: log 2 = 0.693, less the dead zone of 0.05.
    assert log_scale[RATE] == pytest.approx(math.log(2.0) - 0.05)
    # Through a model standardising with mean 0 and scale 1, rate_rel u becomes
    # (u - 0.45) * exp(0.643): the user's median 0.5 lands at 0.05 * 1.902.
    meta = replace(
        shipped_model("stage").meta,
        mean=np.zeros(N),
        scale=np.ones(N),
        night_prior=0,
        night_rank=(),
        rank_prior=None,
    )
    encoder = ContextEncoder(meta, adaptation.shift(meta))
    x = np.zeros(N)
    x[RATE] = 0.5
    z = encoder.encode_epoch(x)
    assert z[RATE] == pytest.approx(0.05 * math.exp(math.log(2.0) - 0.05))


def test_a_user_like_the_training_nights_gets_no_correction() -> None:
    adaptation = StageAdaptation(REFERENCE)
    for _ in range(3):
        adaptation.add_night(rows(0.03, 0.49))
    corr = adaptation.correction()
    assert corr is not None
    assert corr[0][RATE] == 0.0
    assert corr[1][RATE] == 0.0


def test_only_the_adapted_inputs_change() -> None:
    reference = replace(REFERENCE, adapt=np.array([i == RATE for i in range(N)]))
    adaptation = StageAdaptation(reference)
    for _ in range(3):
        adaptation.add_night(rows(0.5, 0.25))
    corr = adaptation.correction()
    assert corr is not None
    assert [i for i in range(N) if corr[0][i] or corr[1][i]] == [RATE]


def test_round_trip_and_reset() -> None:
    adaptation = StageAdaptation(REFERENCE)
    for _ in range(3):
        adaptation.add_night(rows(0.5, 0.25))
    again = StageAdaptation(REFERENCE)
    again.load(adaptation.as_dict())
    assert again.nights == 3
    assert again.diagnostics()["inputs"]["rate_rel"]["level_offset"] == pytest.approx(0.45)
    again.reset()
    assert again.nights == 0
    assert again.diagnostics() == {
        "nights": 0,
        "active": False,
        "network_tuned_on_nights": 0,
        "network_tuning": "too_few_nights",
        "input_shift": 0.0,
        "input_shift_to_tune": 0.81,
    }
    with pytest.raises(ValueError, match="another feature set"):
        again.load({"medians": [[0.0]], "spreads": [[1.0]]})


@pytest.mark.parametrize("model", [None, "0123456789abcdef"])
def test_what_another_network_learned_is_dropped(model: str | None) -> None:
    """Saved before 1.4.0 (no network named) or with another network: start afresh."""
    adaptation = StageAdaptation(REFERENCE)
    for _ in range(3):
        adaptation.add_night(rows(0.5, 0.25))
    saved = adaptation.as_dict()
    assert saved["model"] == fingerprint(shipped_model("stage"))
    if model is None:
        del saved["model"]
    else:
        saved["model"] = model
    again = StageAdaptation(REFERENCE)
    again.load(saved)
    assert again.nights == 0
    assert again.correction() is None


def test_no_adaptation_stages_as_the_model_was_trained() -> None:
    """A stager given an adaptation with nothing learned gives the same probabilities."""
    rng = np.random.default_rng(0)
    epochs = rng.normal(0.0, 0.1, size=(40, N))
    epochs[:, :4] = rng.uniform(0.01, 0.5, size=(40, 4))
    plain = EngineStager(backend="numpy")
    adapted = EngineStager(backend="numpy", adaptation=StageAdaptation(load_reference()))
    for x in epochs:
        a, b = plain.step(x), adapted.step(x)
        assert a is not None
        assert b is not None
        np.testing.assert_array_equal(a, b)


def test_the_outputs_are_reweighted_towards_the_training_nights_mean() -> None:
    reference = replace(REFERENCE, output_mean=np.full(4, 0.25), log_output_sd=np.full(4, 0.1))
    adaptation = StageAdaptation(reference)
    night = [0.0] * N
    adaptation.load(
        {
            "model": fingerprint(shipped_model("stage")),
            "medians": [night] * 3,
            "spreads": [[1.0] * N] * 3,
            "outputs": [[0.5, 0.25, 0.125, 0.125]] * 3,
        }
    )
    weight = adaptation.output_weight()
    assert weight is not None
    # Twice the training nights' wake and half their deep and REM: log 2 each way, less
    # the dead zone of half a standard deviation (0.05).
    dz = 0.5 * 0.1
    np.testing.assert_allclose(
        weight,
        [math.exp(-math.log(2) + dz), 1.0, math.exp(math.log(2) - dz), math.exp(math.log(2) - dz)],
    )
    correction = adaptation.shift(shipped_model("stage").meta)
    assert correction is not None
    assert correction.output_weight is not None
    # Nothing to correct in the inputs: they pass unchanged.
    np.testing.assert_array_equal(correction.offset, np.zeros(N))
    np.testing.assert_array_equal(correction.gain, np.ones(N))
    assert adaptation.diagnostics()["stage_weights"]["light"] == 1.0
