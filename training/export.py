"""Export a trained model: the numpy weights (``.npz``) and the ONNX graph, in one step.

Both files come from the same float32 arrays, so the runtime's two backends
(:mod:`custom_components.radar_sleep.sleep.staging.network`) compute the same function; the
parity test
checks that they agree within 1e-5. The ONNX graph is built node by node (Gemm, Relu, then
Softmax or Sigmoid), opset 17, with no producer timestamp, so an export is byte-stable.

Nothing platform-dependent enters the bytes: every float (weights, biases, the metadata's
standardisation and provenance) is canonicalised first, negative zeros becoming positive ones
(a retrain on another machine's BLAS can leave a dead unit's zero weights as ``-0.0``, which
computes the same but serialises differently); the ``.npz`` members are written in a fixed
order with a fixed date
(:meth:`~custom_components.radar_sleep.sleep.staging.network.MlpModel.save`),
the metadata as JSON in a fixed key order with Python's shortest round-trip float repr, and
the ONNX graph serialised deterministically with little-endian raw tensors.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
import onnx
from onnx import TensorProto, helper, numpy_helper

from custom_components.radar_sleep.sleep.staging.network import MlpModel

OPSET = 17


def _canonical_array(a: NDArray[Any], dtype: type[np.floating[Any]]) -> NDArray[Any]:
    """``a`` as ``dtype`` with every ``-0.0`` turned into ``+0.0`` (IEEE 754: -0 + +0 = +0)."""
    out: NDArray[Any] = np.asarray(a, dtype=dtype) + dtype(0.0)
    return out


def _canonical_value(value: Any) -> Any:
    """A JSON-like value with every float's negative zero made positive."""
    if isinstance(value, float):
        return value + 0.0
    if isinstance(value, dict):
        return {k: _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_canonical_value(v) for v in value)
    return value


def canonical(model: MlpModel) -> MlpModel:
    """The same model with no negative zeros anywhere (weights, biases, metadata).

    ``x + 0.0 == x`` for every other float, so the model computes exactly the same function.
    """
    meta = replace(
        model.meta,
        mean=_canonical_array(model.meta.mean, np.float64),
        scale=_canonical_array(model.meta.scale, np.float64),
        training=_canonical_value(model.meta.training),
    )
    return MlpModel(
        meta,
        tuple(_canonical_array(w, np.float32) for w in model.weights),
        tuple(_canonical_array(b, np.float32) for b in model.biases),
    )


def to_onnx(model: MlpModel) -> onnx.ModelProto:
    """The model's forward pass as an ONNX graph: input ``x`` [N, D] -> ``probabilities``."""
    nodes, inits = [], []
    last = len(model.weights) - 1
    current = "x"
    for i, (w, b) in enumerate(zip(model.weights, model.biases, strict=True)):
        inits += [
            numpy_helper.from_array(np.asarray(w, dtype=np.float32), f"w{i}"),
            numpy_helper.from_array(np.asarray(b, dtype=np.float32), f"b{i}"),
        ]
        out = f"h{i}"
        nodes.append(helper.make_node("Gemm", [current, f"w{i}", f"b{i}"], [out], name=f"dense{i}"))
        current = out
        if i < last:
            nodes.append(helper.make_node("Relu", [current], [f"r{i}"], name=f"relu{i}"))
            current = f"r{i}"
    op = "Softmax" if model.output == "softmax" else "Sigmoid"
    attrs: dict[str, Any] = {"axis": 1} if op == "Softmax" else {}
    nodes.append(helper.make_node(op, [current], ["probabilities"], name="output", **attrs))
    d_in = model.weights[0].shape[0]
    d_out = model.weights[-1].shape[1]
    graph = helper.make_graph(
        nodes,
        model.meta.name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", d_in])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", d_out])],
        inits,
    )
    proto = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="radar-sleep-training",
        producer_version=model.meta.version,
    )
    proto.ir_version = 8
    proto.doc_string = f"Radar Sleep {model.meta.kind} model {model.meta.version}"
    onnx.checker.check_model(proto)
    return proto


def export(model: MlpModel, directory: Path) -> tuple[Path, Path]:
    """Write ``<name>.npz`` and ``<name>.onnx`` into ``directory``; return both paths.

    The model is canonicalised first (:func:`canonical`), so that the same function gives the
    same bytes on every machine.
    """
    model = canonical(model)
    directory.mkdir(parents=True, exist_ok=True)
    npz = directory / f"{model.meta.name}.npz"
    path = directory / f"{model.meta.name}.onnx"
    model.save(npz)
    path.write_bytes(to_onnx(model).SerializeToString(deterministic=True))
    return npz, path
