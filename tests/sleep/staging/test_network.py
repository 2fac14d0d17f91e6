"""The model engine: shipped models, backend parity, context window, lookahead, state."""

from __future__ import annotations

from dataclasses import replace
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from custom_components.radar_sleep.simulation.scenarios import is_training_seed
from custom_components.radar_sleep.sleep.features import FEATURE_NAMES
from custom_components.radar_sleep.sleep.staging.network import (
    MODEL_DIR,
    RANK_MAX_EPOCHS,
    RANK_QUANTILES,
    ContextEncoder,
    EngineStager,
    IntentModel,
    MlpModel,
    ModelMeta,
    NumpyRunner,
    RunningRank,
    load_model,
    make_runner,
    numpy_forward,
    onnxruntime_available,
    quantile_rank,
    shipped_model,
)
from custom_components.radar_sleep.sleep.staging.sequence import load_sequence_params

N = len(FEATURE_NAMES)
SHIPPED = ("stage", "intent")


def _meta(lookahead: int = 0, context: int = 3, kind: str = "stage") -> ModelMeta:
    return ModelMeta(
        name="test",
        version=f"test-L{lookahead}",
        kind=kind,  # type: ignore[arg-type]
        feature_names=FEATURE_NAMES,
        context=context,
        lookahead=lookahead,
        long_context=4,
        mean=np.zeros(N),
        scale=np.ones(N),
        training={},
    )


def _random_model(meta: ModelMeta, seed: int = 0) -> MlpModel:
    rng = np.random.default_rng(seed)
    sizes = [meta.input_size, 8, 4 if meta.kind == "stage" else 1]
    weights = tuple(
        rng.normal(0, 0.5, (a, b)).astype(np.float32) for a, b in itertools.pairwise(sizes)
    )
    biases = tuple(rng.normal(0, 0.1, b).astype(np.float32) for b in sizes[1:])
    return MlpModel(meta, weights, biases)


def _features(rng: np.random.Generator) -> np.ndarray:
    x = np.array(
        [rng.uniform(0, 0.3), rng.uniform(0, 1), *rng.uniform(0.02, 0.4, 2), *rng.normal(0, 0.1, 2)]
    )
    x[rng.random(N) < 0.1] = np.nan
    return x


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_models_are_small_and_versioned(name: str) -> None:
    for suffix in (".npz", ".onnx"):
        size = (MODEL_DIR / f"{name}{suffix}").stat().st_size
        assert 0 < size < 1_000_000
    model = shipped_model(name)
    assert model.meta.kind == name
    assert model.meta.version.startswith(f"{name}-")
    assert model.meta.feature_names == FEATURE_NAMES
    ranges = [
        model.meta.training[key]
        for key in ("train_seeds", "lowrate_seeds", "wide_seeds")
        if model.meta.training.get(key)
    ]
    assert ranges
    for first, last in ranges:  # training seeds only: never an evaluation seed
        assert is_training_seed(first)
        assert is_training_seed(last)


@pytest.mark.skipif(not onnxruntime_available(), reason="onnxruntime is not installed")
@pytest.mark.parametrize("name", SHIPPED)
def test_onnx_and_numpy_backends_agree(name: str) -> None:
    """Parity: max abs difference of probabilities <= 1e-5 on real and extreme inputs."""
    model = shipped_model(name)
    onnx_runner = make_runner(model, MODEL_DIR / f"{name}.onnx", "onnxruntime")
    numpy_runner = make_runner(model, MODEL_DIR / f"{name}.onnx", "numpy")
    assert (onnx_runner.name, numpy_runner.name) == ("onnxruntime", "numpy")
    rng = np.random.default_rng(1)
    enc = ContextEncoder(model.meta)
    rows = [enc.push(_features(rng) if rng.random() > 0.05 else None) for _ in range(400)]
    rows += list(rng.normal(0, 3, (200, model.meta.input_size)).astype(np.float32))
    x = np.stack(rows)
    a, b = onnx_runner.run(x), numpy_runner.run(x)
    assert a.shape == b.shape == (len(x), 4 if name == "stage" else 1)
    assert float(np.max(np.abs(a - b))) <= 1e-5
    if name == "stage":
        np.testing.assert_allclose(b.sum(axis=1), 1.0, atol=1e-5)


def test_numpy_forward_is_a_softmax_mlp() -> None:
    model = _random_model(_meta())
    x = np.random.default_rng(2).normal(size=(5, model.meta.input_size)).astype(np.float32)
    h = np.maximum(x.astype(np.float64) @ model.weights[0] + model.biases[0], 0)
    logits = h @ model.weights[1] + model.biases[1]
    want = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(numpy_forward(model, x), want, atol=1e-6)


def test_model_file_round_trip_is_byte_stable(tmp_path: Path) -> None:
    model = _random_model(_meta(lookahead=2))
    model.save(tmp_path / "a.npz")
    again = load_model(tmp_path / "a.npz")
    assert again.meta.to_dict() == model.meta.to_dict()
    for w, v in zip(model.weights, again.weights, strict=True):
        np.testing.assert_array_equal(w, v)
    again.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_bad_model_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, w0=np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match="not a model file"):
        load_model(path)


def test_encoder_window_and_missing_mask() -> None:
    meta = _meta(context=2)
    enc = ContextEncoder(meta)
    x = np.array([0.0, 0.0, 0.1, 0.1, 0.05, -0.02])
    row = enc.push(x)
    assert row.shape == (meta.input_size,)
    per = 2 * N
    # The two past slots are empty: all features masked.
    assert np.all(row[N:per] == 1)
    assert np.all(row[per + N : 2 * per] == 1)
    # The current slot has no mask and the values of the transformed features.
    assert np.all(row[2 * per + N : 3 * per] == 0)
    assert row[-1] == 0.0  # first epoch of the night: hour 0
    enc.push(None)
    row = enc.push(x)
    assert np.all(row[2 * per - N : 2 * per] == 1)  # the out-of-bed epoch is masked
    assert row[-1] == pytest.approx(2 * 30 / 3600, rel=1e-5)


def test_lookahead_delays_each_epoch_by_a_fixed_number_of_epochs() -> None:
    rng = np.random.default_rng(3)
    xs = [_features(rng) for _ in range(20)]
    lookahead = 3
    model = _random_model(_meta(lookahead=lookahead))
    stager = EngineStager(model, backend="numpy")
    assert stager.lookahead == lookahead
    out = [stager.step(x) for x in xs]
    assert out[:lookahead] == [None] * lookahead
    tail = stager.drain()
    assert len(tail) == lookahead
    probs = [p for p in out if p is not None] + tail
    assert len(probs) == len(xs)
    # Epoch k's probabilities use epochs up to k + lookahead: recompute epoch 5 by hand.
    enc = ContextEncoder(model.meta)
    for x in xs[: 5 + lookahead + 1]:
        row = enc.push(x)
    np.testing.assert_allclose(probs[5], numpy_forward(model, row[None, :])[0], atol=1e-7)


def test_state_round_trip_continues_identically() -> None:
    rng = np.random.default_rng(4)
    xs = [_features(rng) for _ in range(30)]
    model = _random_model(_meta(lookahead=1, context=4))
    a = EngineStager(model, backend="numpy")
    for x in xs[:12]:
        a.step(x)
    a.skip()
    b = EngineStager(model, backend="numpy")
    b.load_state(a.dump_state())
    for x in xs[12:]:
        pa, pb = a.step(x), b.step(x)
        assert pa is not None
        assert pb is not None
        np.testing.assert_array_equal(pa, pb)


def test_state_of_another_model_starts_a_fresh_night() -> None:
    model = _random_model(_meta())
    stager = EngineStager(model, backend="numpy")
    stager.load_state({"belief": [0.25] * 4})  # a baseline HMM's state from before an upgrade
    fresh = EngineStager(model, backend="numpy")
    x = _features(np.random.default_rng(5))
    np.testing.assert_array_equal(stager.step(x), fresh.step(x))


def test_numpy_is_used_without_onnx_file() -> None:
    model = _random_model(_meta())
    assert isinstance(make_runner(model, None), NumpyRunner)
    with pytest.raises(FileNotFoundError):
        make_runner(model, None, "onnxruntime")


def test_intent_model_scores_are_probabilities() -> None:
    model = IntentModel()
    rng = np.random.default_rng(6)
    scores = [model.score(_features(rng)) for _ in range(50)] + [model.score(None)]
    assert all(0.0 <= s <= 1.0 for s in scores)
    state = model.dump_state()
    again = IntentModel()
    again.load_state(state)
    x = _features(rng)
    assert again.score(x) == model.score(x)


def test_night_scale_divides_by_the_nights_running_spread() -> None:
    """Worked by hand with one pseudo-epoch at mean 0, variance 1: a value of 2 after none
    gives baseline 2/2 = 1, second moment (4 + 1)/2 = 2.5, variance 1.5, so (2 - 1)/sqrt(1.5);
    a value of 0 gives baseline 0, variance 0.5, so 0. Missing features stay 0 and masked."""
    meta = replace(_meta(context=0), night_prior=1, night_scale=True)
    assert ModelMeta.from_dict(meta.to_dict()).night_scale
    assert "night_scale" not in _meta().to_dict()  # older model files keep their bytes
    enc = ContextEncoder(meta)
    nan = float("nan")
    row = enc.encode_epoch(np.array([nan, nan, nan, nan, 2.0, 0.0]))
    np.testing.assert_allclose(row[:N], [0, 0, 0, 0, 1 / np.sqrt(1.5), 0])
    np.testing.assert_array_equal(row[N:], [1, 1, 1, 1, 0, 0])
    resumed = ContextEncoder(meta)
    resumed.load_state(enc.dump_state())
    x = np.array([nan, nan, nan, nan, 1.0, 1.0])
    np.testing.assert_allclose(resumed.encode_epoch(x), enc.encode_epoch(x))


def test_mid_night_state_from_before_the_sequence_step_starts_without_a_belief() -> None:
    """A night saved before the sequence step existed carries on from no belief (uniform),
    not from the bedtime start (mostly wake), which would score the next epoch awake."""
    rng = np.random.default_rng(6)
    model = _random_model(_meta())
    a = EngineStager(model, backend="numpy", sequence=load_sequence_params())
    for _ in range(12):
        a.step(_features(rng))
    old = {k: v for k, v in a.dump_state().items() if k != "sequence"}
    b = EngineStager(model, backend="numpy", sequence=load_sequence_params())
    b.load_state(old)
    assert b.sequence is not None
    assert b.sequence.dump_state() == [0.25, 0.25, 0.25, 0.25]
    fresh = EngineStager(model, backend="numpy", sequence=load_sequence_params())
    fresh.load_state(
        {
            k: v
            for k, v in EngineStager(model, backend="numpy", sequence=load_sequence_params())
            .dump_state()
            .items()
            if k != "sequence"
        }
    )
    assert fresh.sequence is not None
    assert fresh.sequence.dump_state() is None  # a night not begun starts at bedtime


def test_quantile_rank_interpolates_and_splits_ties() -> None:
    """Quantiles 0..4 at 0, 1/4, ..., 1: 2 is the median, 2.5 is 5/8, outside is 0 or 1;
    a value equal to the quantiles at 0, 1/4 and 1/2 (a tie) takes their middle, 1/4."""
    assert quantile_rank([0.0, 1.0, 2.0, 3.0, 4.0], 2.0) == 0.5
    assert quantile_rank([0.0, 1.0, 2.0, 3.0, 4.0], 2.5) == 0.625
    assert quantile_rank([0.0, 1.0, 2.0, 3.0, 4.0], -1.0) == 0.0
    assert quantile_rank([0.0, 1.0, 2.0, 3.0, 4.0], 5.0) == 1.0
    assert quantile_rank([0.0, 0.0, 0.0, 1.0, 2.0], 0.0) == 0.25


def test_running_rank_is_the_nights_mid_rank_shrunk_towards_the_prior() -> None:
    """One pseudo-epoch of prior (quantiles 0..4). 3 alone: night mid-rank 1/2 (of one
    value), prior 3/4, so (0.5 + 0.75) / 2. Then 1: night 0.5 of two values, prior 1/4:
    (0.5 + 0.25) / 3. Then 3 again: one value below and two equal, 1 + 2/2 = 2 of three,
    prior 3/4: (2 + 0.75) / 4."""
    rank = RunningRank([0.0, 1.0, 2.0, 3.0, 4.0], prior_weight=1)
    assert rank.push(3.0) == 0.625
    assert rank.push(1.0) == 0.25
    assert rank.push(3.0) == 0.6875
    assert rank.values() == [3.0, 1.0, 3.0]
    rank.reset()
    assert rank.push(1.0) == (0.5 + 0.25) / 2


def test_running_rank_keeps_at_most_a_night_of_values() -> None:
    rank = RunningRank([0.0, 1.0], prior_weight=0)
    for v in range(RANK_MAX_EPOCHS + 10):
        rank.push(float(v))
    kept = rank.values()
    assert len(kept) == RANK_MAX_EPOCHS
    assert kept[0] == 10.0  # the ten oldest went first
    # Below every kept value: mid-rank 1/2 of RANK_MAX_EPOCHS values (the oldest one gone).
    assert rank.push(-1.0) == 0.5 / RANK_MAX_EPOCHS


def _ranked_meta() -> ModelMeta:
    """``rate_rel`` ranked against a uniform training distribution on [-5, 5] (quantile
    k at -5 + k / 10, rank of v = (v + 5) / 10), one pseudo-epoch of prior."""
    prior = np.array([[-5.0 + k / 10 for k in range(RANK_QUANTILES)]])
    return replace(_meta(context=0), night_prior=1, night_rank=("rate_rel",), rank_prior=prior)


def test_night_rank_replaces_a_feature_by_its_rank_within_the_night() -> None:
    """rate_rel 2: night mid-rank 1/2, prior (2 + 5) / 10 = 0.7, so 0.6, input
    (0.6 - 0.5) * sqrt(12). rate_rel 0 next: mid-rank 1/2 of two, prior 1/2: 1/3. A missing
    rate_rel stays 0, masked, and does not count. amplitude_rel keeps the running mean:
    1 - 1/2 (one pseudo-epoch at 0), then 1 - 2/3."""
    meta = _ranked_meta()
    enc = ContextEncoder(meta)
    nan = float("nan")
    row = enc.encode_epoch(np.array([nan, nan, nan, nan, 2.0, 1.0]))
    np.testing.assert_allclose(row[:N], [0, 0, 0, 0, 0.1 * np.sqrt(12), 0.5])
    row = enc.encode_epoch(np.array([nan, nan, nan, nan, nan, 1.0]))
    np.testing.assert_allclose(row[:N], [0, 0, 0, 0, 0, 1 / 3])
    np.testing.assert_array_equal(row[N:], [1, 1, 1, 1, 1, 0])
    row = enc.encode_epoch(np.array([nan, nan, nan, nan, 0.0, nan]))
    np.testing.assert_allclose(row[4], (1 / 3 - 0.5) * np.sqrt(12))


def test_night_rank_survives_a_restart_and_the_model_file() -> None:
    meta = _ranked_meta()
    again = ModelMeta.from_dict(json.loads(json.dumps(meta.to_dict())))
    assert again.night_rank == ("rate_rel",)
    assert again.rank_prior is not None
    np.testing.assert_array_equal(again.rank_prior, meta.rank_prior)
    rng = np.random.default_rng(7)
    model = _random_model(meta)
    a = EngineStager(model, backend="numpy")
    xs = [_features(rng) for _ in range(40)]
    for x in xs[:25]:
        a.step(x)
    b = EngineStager(model, backend="numpy")
    b.load_state(json.loads(json.dumps(a.dump_state())))
    for x in xs[25:]:
        np.testing.assert_array_equal(a.step(x), b.step(x))
    bad = meta.to_dict() | {"rank_prior": [[1.0, 0.0]]}
    with pytest.raises(ValueError, match="night ranks"):
        ModelMeta.from_dict(bad)


def test_shipped_stage_model_ranks_nothing() -> None:
    """Night ranks are an option of the training command, not the shipped model's setting."""
    meta = shipped_model("stage").meta
    assert meta.night_rank == ()
    assert meta.rank_prior is None
    assert "night_rank" not in meta.to_dict()


def test_models_without_night_rank_are_unchanged() -> None:
    """No rank keys in an older model's layout or state (its file keeps its bytes), and
    the features a model does not rank keep their encoding."""
    older = shipped_model("intent").meta  # a model file from before night ranks
    assert "night_rank" not in older.to_dict()
    assert ModelMeta.from_dict(older.to_dict()).night_rank == ()
    assert "night_values" not in ContextEncoder(older).dump_state()
    plain = replace(_ranked_meta(), night_rank=(), rank_prior=None)
    assert "night_rank" not in plain.to_dict()
    rng = np.random.default_rng(8)
    ranked, unranked = ContextEncoder(_ranked_meta()), ContextEncoder(plain)
    for _ in range(20):
        x = _features(rng)
        a, b = ranked.encode_epoch(x), unranked.encode_epoch(x)
        keep = [i for i in range(2 * N) if i != FEATURE_NAMES.index("rate_rel")]
        np.testing.assert_array_equal(a[keep], b[keep])
