"""DESIGN.md's layering: radar/ and sleep/ are Home-Assistant-free and share only contracts."""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "custom_components" / "radar_sleep"


def _imports(path: Path) -> list[str]:
    """Absolute module names imported by a file (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = ["custom_components", "radar_sleep", *path.relative_to(PACKAGE).parent.parts]
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - node.level + 1]
                names.append(".".join([*base, node.module] if node.module else base))
            elif node.module:
                names.append(node.module)
    return names


LAYERS = ("radar", "simulation", "sleep", "alarm_core")
"""The Home-Assistant-free packages (DESIGN.md): each imports only its own modules and the
shared kernel below, never another layer."""
SHARED = ("custom_components.radar_sleep.contracts", "custom_components.radar_sleep.dsp")
"""What every layer may import of the package: the typed contracts and the breathing DSP."""


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_imports_no_homeassistant_and_no_other_layer(layer: str) -> None:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"no modules in {layer}/"
    for path in files:
        for name in _imports(path):
            assert not name.startswith("homeassistant"), f"{path} imports {name}"
            if name.startswith("custom_components.radar_sleep.") and not name.startswith(
                f"custom_components.radar_sleep.{layer}"
            ):
                assert name in SHARED, f"{path} imports {name}: layers share only {SHARED}"


@pytest.mark.parametrize("shared", ["contracts.py", "dsp.py"])
def test_shared_kernel_imports_nothing_from_the_package(shared: str) -> None:
    for name in _imports(PACKAGE / shared):
        assert not name.startswith(("homeassistant", "custom_components")), name


def test_layers_import_with_homeassistant_unavailable() -> None:
    """Importing every layer's module works when homeassistant cannot be imported."""
    modules = [
        "custom_components.radar_sleep." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for layer in LAYERS
        if (PACKAGE / layer).is_dir()
        for p in sorted((PACKAGE / layer).rglob("*.py"))
        if p.name != "__main__.py"
    ]
    code = f"""
import sys, types
sys.modules["homeassistant"] = None  # any import of it raises ImportError
for name, path in (("custom_components", {str(PACKAGE.parent)!r}),
                   ("custom_components.radar_sleep", {str(PACKAGE)!r})):
    module = types.ModuleType(name)
    module.__path__ = [path]
    sys.modules[name] = module  # skip the HA-layer __init__
import importlib
for name in {modules!r}:
    importlib.import_module(name)
assert not any(m.startswith("homeassistant.") for m in sys.modules), "homeassistant leaked in"
print(len({modules!r}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(modules)


TRAINING_ONLY = (
    "torch",
    "sklearn",
    "onnx",
    "edfio",
    "wfdb",
    "matplotlib",
    "dask",
    "distributed",
    "training",
)
"""Training and evaluation tools (training/requirements.txt): never imported by the runtime.
``onnxruntime`` is the optional inference backend and allowed (``onnx`` is not)."""


def test_runtime_imports_no_training_framework() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in TRAINING_ONLY, f"{path} imports {name}"
