"""``python -m training.evaluate learning``: its parts and how it merges their figures."""

from __future__ import annotations

import sys

import pytest

from training.evaluate import learning


def test_run_printing_passes_the_report_through_and_returns_the_last_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, figures = learning.run_printing(
        [sys.executable, "-c", "print('report line'); print('{\"a.b\": 1.5}')"]
    )
    assert (code, figures) == (0, {"a.b": 1.5})
    assert capsys.readouterr().out == 'report line\n{"a.b": 1.5}\n'


def test_a_failing_part_gives_its_exit_code() -> None:
    assert learning.run_printing([sys.executable, "-c", "raise SystemExit(3)"]) == (3, {})


def test_an_unknown_part_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        learning.main(["dreams"])
    assert exit_.value.code == 2
    assert "unknown part(s) dreams" in capsys.readouterr().err


def test_every_part_is_a_module_with_a_measure() -> None:
    for module in learning.PARTS.values():
        part = __import__(module, fromlist=["measure", "main"])
        assert callable(part.measure)
        assert callable(part.main)


def test_the_cache_goes_to_the_adaptation_alone() -> None:
    adaptation = learning.part_command("adaptation", cache="/tmp/nights")
    assert adaptation[-2:] == ["--cache", "/tmp/nights"]
    assert "--cache" not in learning.part_command("alarm", cache="/tmp/nights")
    assert learning.part_command("teaching", quick=True)[-1] == "--quick"
    assert "--cache" not in learning.part_command("adaptation")
