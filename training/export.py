"""Export a trained model: the numpy weights (``.npz``) and the ONNX graph, in one step.

Both files come from the same float32 arrays, so the runtime's two backends
(:mod:`custom_components.radar_sleep.sleep.engine`) compute the same function; the parity test
checks that they agree within 1e-5. The ONNX graph is built node by node (Gemm, Relu, then
Softmax or Sigmoid), opset 17, with no producer timestamp, so an export is byte-stable.
"""

from __future__ import annotations

from pathlib import Path
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.radar_sleep.sleep.staging.network import MlpModel

OPSET = 17


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
    attrs = {"axis": 1} if op == "Softmax" else {}
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
    """Write ``<name>.npz`` and ``<name>.onnx`` into ``directory``; return both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    npz = directory / f"{model.meta.name}.npz"
    path = directory / f"{model.meta.name}.onnx"
    model.save(npz)
    path.write_bytes(to_onnx(model).SerializeToString(deterministic=True))
    return npz, path
