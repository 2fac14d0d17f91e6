"""Model export (training.export): byte-stable files, negative zeros canonicalised."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from custom_components.radar_sleep.sleep.staging.network import (
    MODEL_DIR,
    MlpModel,
    load_model,
)
from training.export import canonical, export

SHIPPED = sorted(MODEL_DIR.glob("*.npz"))


def _with_zero(model: MlpModel, value: float) -> MlpModel:
    """The model with a dead unit: column 3 of the first layer all ``value`` (+0.0 or -0.0)."""
    w0 = np.array(model.weights[0], dtype=np.float32, copy=True)
    w0[:, 3] = np.float32(value)
    b0 = np.array(model.biases[0], dtype=np.float32, copy=True)
    b0[3] = np.float32(value)
    meta = replace(model.meta, mean=np.where(np.arange(model.meta.mean.size) == 0, value, 1.0))
    return MlpModel(meta, (w0, *model.weights[1:]), (b0, *model.biases[1:]))


def test_the_shipped_models_are_there() -> None:
    assert {p.stem for p in SHIPPED} == {"stage", "intent"}


@pytest.mark.parametrize("npz", SHIPPED, ids=lambda p: p.stem)
def test_reexporting_a_shipped_model_gives_the_shipped_bytes(npz: Path, tmp_path: Path) -> None:
    """The writer is byte-stable (zip members, dates, metadata JSON, ONNX serialisation) and
    the shipped files are canonical: no negative zero anywhere."""
    written_npz, written_onnx = export(load_model(npz), tmp_path)
    assert written_npz.read_bytes() == npz.read_bytes()
    assert written_onnx.read_bytes() == npz.with_suffix(".onnx").read_bytes()


@pytest.mark.parametrize("npz", SHIPPED, ids=lambda p: p.stem)
def test_the_shipped_models_hold_no_negative_zero(npz: Path) -> None:
    model = load_model(npz)
    for a in model.weights + model.biases:
        assert not np.signbit(a[a == 0]).any()


def test_negative_zeros_export_as_positive_zeros(tmp_path: Path) -> None:
    model = load_model(MODEL_DIR / "intent.npz")
    negative, positive = _with_zero(model, -0.0), _with_zero(model, 0.0)
    assert np.signbit(negative.weights[0][:, 3]).all()
    assert not np.signbit(positive.weights[0][:, 3]).any()
    neg_files = export(negative, tmp_path / "negative")
    pos_files = export(positive, tmp_path / "positive")
    for neg, pos in zip(neg_files, pos_files, strict=True):
        assert neg.read_bytes() == pos.read_bytes(), neg.name
    w0 = load_model(neg_files[0]).weights[0]
    assert not np.signbit(w0[w0 == 0]).any()


def test_canonical_changes_no_value() -> None:
    model = load_model(MODEL_DIR / "stage.npz")
    same = canonical(model)
    assert same.meta.to_dict() == model.meta.to_dict()
    for a, b in zip(same.weights + same.biases, model.weights + model.biases, strict=True):
        assert a.dtype == np.float32
        assert np.array_equal(a, b)
        assert not np.signbit(a[a == 0]).any()
