"""The stage network tuned to the user's nights by information maximisation."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from custom_components.radar_sleep.sleep.features import FEATURE_NAMES
from custom_components.radar_sleep.sleep.learning.adaptation import (
    INPUT_TUNE_ZONE,
    MIN_NIGHTS,
    AdaptationReference,
    StageAdaptation,
    load_reference,
)
from custom_components.radar_sleep.sleep.learning.tuning import (
    BETA,
    information_maximisation_gradient,
    tune,
)
from custom_components.radar_sleep.sleep.staging.network import (
    ContextEncoder,
    EngineStager,
    numpy_forward,
    shipped_model,
)

N = len(FEATURE_NAMES)


def loss(logits: np.ndarray, target: np.ndarray, beta: float) -> float:
    """Mean entropy plus beta KL(mean || target), written out directly."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    entropy = -np.sum(p * np.log(p), axis=1).mean()
    m = p.mean(axis=0)
    return float(entropy + beta * np.sum(m * np.log(m / target)))


def test_the_gradient_is_the_loss_s_slope() -> None:
    """Against central differences of the loss (an independent computation)."""
    rng = np.random.default_rng(1)
    logits = rng.normal(0.0, 1.5, size=(5, 4))
    target = np.array([0.1, 0.5, 0.2, 0.2])
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    grad = information_maximisation_gradient(e / e.sum(axis=1, keepdims=True), target, 2.0)
    h = 1e-6
    numeric = np.zeros_like(logits)
    for i in range(5):
        for k in range(4):
            up, down = logits.copy(), logits.copy()
            up[i, k] += h
            down[i, k] -= h
            numeric[i, k] = (loss(up, target, 2.0) - loss(down, target, 2.0)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, atol=1e-7)


def night(seed: int, n: int = 200) -> np.ndarray:
    """Feature vectors of a made-up night (a sensor the network never saw: noisier)."""
    rng = np.random.default_rng(seed)
    rows = rng.normal(0.0, 0.3, size=(n, N))
    rows[:, :4] = rng.uniform(0.01, 0.9, size=(n, 4))
    return rows


def inputs(rows: np.ndarray) -> np.ndarray:
    encoder = ContextEncoder(shipped_model("stage").meta)
    return np.stack([encoder.push(r) for r in rows])


def test_tuning_lowers_the_loss_and_keeps_the_output_layer() -> None:
    model = shipped_model("stage")
    x = inputs(np.concatenate([night(s) for s in range(3)]))
    target = load_reference().output_mean
    assert target is not None
    tuned = tune(model, x, target)

    def objective(m: object) -> float:
        """The loss over all rows (surer, and on average near the target)."""
        p = numpy_forward(m, x).astype(np.float64)  # type: ignore[arg-type]
        return loss(np.log(p), target, BETA)

    assert objective(tuned) < objective(model)
    np.testing.assert_array_equal(tuned.weights[-1], model.weights[-1])
    np.testing.assert_array_equal(tuned.biases[-1], model.biases[-1])
    assert not np.array_equal(tuned.weights[0], model.weights[0])
    assert tuned.meta == model.meta
    # Deterministic: the same nights give the same network.
    again = tune(model, x, target)
    for a, b in zip(tuned.weights, again.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_no_passes_change_nothing() -> None:
    model = shipped_model("stage")
    tuned = tune(model, inputs(night(0)), np.full(4, 0.25), passes=0)
    for a, b in zip(tuned.weights, model.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def learned(nights: int) -> StageAdaptation:
    adaptation = StageAdaptation(load_reference())
    for s in range(nights):
        assert adaptation.add_night(night(s, n=150))
    return adaptation


@pytest.fixture(scope="module")
def stored() -> dict:
    """What a tracker keeps after :data:`MIN_NIGHTS` nights (learned once for the module)."""
    return learned(MIN_NIGHTS).as_dict()


def restored(data: dict) -> StageAdaptation:
    adaptation = StageAdaptation(load_reference())
    adaptation.load(copy.deepcopy(data))
    return adaptation


def test_the_network_is_tuned_from_the_third_night_and_stages_with_it(stored: dict) -> None:
    early = learned(MIN_NIGHTS - 1)
    assert early.tuned is None
    early.add_night(night(MIN_NIGHTS - 1, n=150))
    assert early.tuned is not None
    adaptation = restored(stored)
    assert adaptation.tuned is not None
    assert adaptation.diagnostics()["network_tuned_on_nights"] == MIN_NIGHTS
    correction = adaptation.shift(shipped_model("stage").meta)
    assert correction is not None
    assert correction.model is adaptation.tuned
    plain = EngineStager(backend="numpy", sequence=None)
    adapted = EngineStager(backend="numpy", sequence=None, adaptation=adaptation)
    assert adapted.backend == "numpy"
    rows = night(99, n=20)
    differ = False
    for x in rows:
        a, b = plain.step(x), adapted.step(x)
        assert a is not None
        assert b is not None
        differ |= not np.allclose(a, b)
    assert differ
    adaptation.reset()
    assert adaptation.tuned is None
    assert adaptation.rows == []


def test_the_tuned_network_survives_a_restart(stored: dict) -> None:
    adaptation = learned(MIN_NIGHTS)
    assert adaptation.tuned is not None
    again = restored(stored)
    assert again.tuned is not None
    for a, b in zip(again.tuned.weights, adaptation.tuned.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert [r.shape for r in again.rows] == [(150, N)] * MIN_NIGHTS
    np.testing.assert_array_equal(again.rows[0], night(0, n=150).astype(np.float32))


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.__setitem__("version", "stage-0.0.0"),
        lambda t: t.__setitem__("model", "0123456789abcdef"),  # same version, other weights
        lambda t: t["weights"].pop(),
        lambda t: t["biases"].__setitem__(0, "AAAAAAAAAAA="),  # two numbers, not 64
    ],
)
def test_a_network_tuned_from_another_model_is_dropped(stored: dict, change: object) -> None:
    """What was learned of the inputs stays; the network is tuned again after a night."""
    data = copy.deepcopy(stored)
    change(data["tuned"])  # type: ignore[operator]
    again = restored(data)
    assert again.tuned is None
    assert again.nights == MIN_NIGHTS
    assert len(again.rows) == MIN_NIGHTS


def test_a_save_while_a_night_is_learned_keeps_a_whole_state(stored: dict) -> None:
    """The store is saved from the event loop while the executor learns a night: it gets
    the state before or after that night, never half of each."""
    adaptation = restored(stored)
    seen: list[dict] = []
    tune_before = adaptation._tune

    def tune_saving() -> object:
        seen.append(adaptation.as_dict())  # a save half-way through the night's learning
        return tune_before()

    adaptation._tune = tune_saving  # type: ignore[method-assign]
    adaptation.add_night(night(7, n=150))
    assert seen[0] == stored
    after = adaptation.as_dict()
    assert len(after["medians"]) == len(after["outputs"]) == len(after["rows"]) == MIN_NIGHTS + 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["rows"].__setitem__(0, "not base64!"), "malformed"),
        (lambda d: d["rows"].__setitem__(0, "AAA="), "malformed"),
    ],
)
def test_a_damaged_store_is_an_error(stored: dict, change: object, message: str) -> None:
    data = copy.deepcopy(stored)
    change(data)  # type: ignore[operator]
    with pytest.raises(ValueError, match=message):
        StageAdaptation(load_reference()).load(data)


def test_the_tuning_is_only_for_the_model_it_was_tuned_from(stored: dict) -> None:
    """A stager of another model version stages with its own network, not the tuned one."""
    adaptation = restored(stored)
    shipped = shipped_model("stage")
    same = EngineStager(backend="numpy", sequence=None, adaptation=adaptation)
    assert same.runner.model is adaptation.tuned
    other = replace(shipped, meta=replace(shipped.meta, version="stage-9.9.9"))
    stager = EngineStager(model=other, backend="numpy", sequence=None, adaptation=adaptation)
    assert stager.runner.model is other


def learned_with(reference: AdaptationReference, nights: list[np.ndarray]) -> StageAdaptation:
    adaptation = StageAdaptation(reference)
    for rows in nights:
        assert adaptation.add_night(rows)
    return adaptation


def test_the_network_is_tuned_only_when_the_inputs_show_a_shift() -> None:
    """Made-up noisy nights shift the inputs and the network's mean output away from the
    shipped reference's: tuned. Against a reference whose typical output is this user's, the
    inputs still show the shift: tuned. Against one whose typical inputs are this user's, the
    output alone differs (as for a sleeper whose stage mix is not the population's): only the
    output is reweighted, the network stays as trained; and with the output alike too."""
    nights = [night(s, n=150) for s in range(MIN_NIGHTS)]
    shipped = load_reference()
    shifted = learned_with(shipped, nights)
    assert shifted.output_weight() is not None
    assert shifted.input_shift_size() > INPUT_TUNE_ZONE
    assert shifted.tuned is not None
    assert shifted.diagnostics()["network_tuning"] == "tuned"
    assert shifted.diagnostics()["input_shift"] > 0.81  # made-up nights: far from training nights

    user_mean = np.exp(np.mean(np.log(np.stack(shifted.outputs)), axis=0))
    output_alike = learned_with(replace(shipped, output_mean=user_mean), nights)
    assert output_alike.output_weight() is None
    assert output_alike.input_shift_size() == shifted.input_shift_size()
    assert output_alike.tuned is not None

    level = np.median(np.stack(shifted.medians), axis=0)
    spread = np.median(np.stack(shifted.spreads), axis=0)
    inputs_alike = replace(shipped, median=level, spread=spread)
    label_shift = learned_with(inputs_alike, nights)
    assert label_shift.input_shift_size() == 0.0
    assert label_shift.output_weight() is not None
    assert label_shift.tuned is None
    assert label_shift.diagnostics()["network_tuning"] == "no_shift"
    outputs = label_shift.outputs  # under no input correction
    alike = learned_with(
        replace(inputs_alike, output_mean=np.exp(np.mean(np.log(np.stack(outputs)), axis=0))),
        nights,
    )
    assert alike.input_shift_size() == 0.0
    assert alike.output_weight() is None
    assert alike.tuned is None
    assert alike.diagnostics()["network_tuned_on_nights"] == 0
    assert alike.diagnostics()["network_tuning"] == "no_shift"


def test_nights_learned_at_once_tune_only_when_asked() -> None:
    adaptation = StageAdaptation(load_reference())
    for s in range(MIN_NIGHTS):
        assert adaptation.add_night(night(s, n=150), tune=False)
    assert adaptation.tuned is None
    assert adaptation.add_night(night(MIN_NIGHTS, n=150))
    assert adaptation.tuned is not None
