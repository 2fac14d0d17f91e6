"""The sequence step's fit: transitions of real hypnograms, the test night's subject left out."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from training.fit.sequence import fit_transitions


def _write(path: Path, labels: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("stage\n" + "\n".join(labels) + "\n", encoding="utf-8")


def test_transitions_count_four_classes_and_leave_the_test_subject_out(tmp_path: Path) -> None:
    """Worked by hand: one night N1 N2 N3 N3 R (cropped to its sleep period) gives the
    transitions light->light, light->deep, deep->deep, deep->REM once each; with add-one
    smoothing the light row is (1, 2, 2, 1)/6 and the deep row (1, 1, 2, 2)/6. The test
    subject's night (SC4001, all REM to wake) and the unscored epoch count nowhere."""
    hyp = tmp_path / "hypnograms"
    _write(hyp / "sleep-edf-sc" / "SC4011E0.csv", ["W", "N1", "N2", "N3", "N3", "R", "W"])
    _write(hyp / "sleep-edf-sc" / "SC4001E0.csv", ["N1", "R", "W", "R", "W", "R"])
    _write(hyp / "ucddb" / "ucddb002.csv", ["W", "?", "W"])
    transition, initial, used = fit_transitions(tmp_path)
    assert used == ["sleep-edf-sc/SC4011E0"]
    np.testing.assert_allclose(transition[1], np.array([1, 2, 2, 1]) / 6)
    np.testing.assert_allclose(transition[2], np.array([1, 1, 2, 2]) / 6)
    np.testing.assert_allclose(transition[0], np.full(4, 0.25))  # only the smoothing
    np.testing.assert_allclose(transition[3], np.full(4, 0.25))
    np.testing.assert_allclose(initial, np.array([1, 1, 1, 1]) / 4)
