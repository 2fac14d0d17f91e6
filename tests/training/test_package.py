"""The offline tools are packages: no sys.path edits, shell-only scripts/, no runtime import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "custom_components" / "radar_sleep"


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", ["training", "bench", "publish", "tests", "custom_components"])
def test_nothing_edits_sys_path(folder: str) -> None:
    edits = ("sys.path." + "insert", "sys.path." + "append")
    for path in _python_files(folder):
        text = path.read_text(encoding="utf-8")
        assert not any(edit in text for edit in edits), path


def test_scripts_holds_shell_entry_points_only() -> None:
    names = sorted(p.name for p in (ROOT / "scripts").iterdir())
    assert names == ["bench", "develop", "evaluate", "lint", "release", "setup", "test", "train"]
    for name in names:
        assert (
            (ROOT / "scripts" / name).read_text(encoding="utf-8").startswith("#!/usr/bin/env bash")
        )


def test_the_runtime_imports_no_offline_tool() -> None:
    for path in PACKAGE.rglob("*.py"):
        for name in _imports(path):
            assert name.split(".")[0] not in ("training", "bench", "publish", "tests"), (
                f"{path}: {name}"
            )
