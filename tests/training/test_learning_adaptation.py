"""The stage-adaptation measurement runs end to end (a smoke test on one user of each kind)."""

from __future__ import annotations

from training.evaluate.learning_adaptation import measure


def test_quick_measure_has_every_figure() -> None:
    figures = measure(quick=True, jobs=1)
    for key in (
        "adaptation.kappa_shifted",
        "adaptation.kappa_adapted",
        "adaptation.kappa_reference",
        "adaptation.kappa_unshifted",
    ):
        assert -1.0 <= figures[key] <= 1.0, key
    assert figures["adaptation.shifted_users"] == 1
    assert figures["adaptation.learning_nights"] == 2
    # Two nights are fewer than the adaptation needs: nothing changes for anyone.
    assert figures["adaptation.kappa_adapted"] == figures["adaptation.kappa_shifted"]
    assert figures["adaptation.kappa_unshifted_delta"] == 0.0
    assert figures["adaptation.recovered_fraction"] == 0.0
