"""The stage-adaptation measurement runs end to end on recorded nights.

The nights are made up here (feature rows and true stages drawn at random) instead of simulated:
the measurement's own bookkeeping, replay and scoring are what is tested; recording a
simulated night (:func:`record_config`) is the pipeline's, tested with it.
"""

from __future__ import annotations

import numpy as np
import pytest

from training.evaluate import learning_adaptation
from training.evaluate.learning_adaptation import RecordedNight, measure

EPOCHS = 240


def made_up_night(job: tuple[int, int, bool]) -> RecordedNight:
    """One reset, then ``EPOCHS`` in-bed epochs of plausible standardised feature rows."""
    user, night, shifted = job
    rng = np.random.default_rng([user, night, int(shifted)])
    ops = np.array([0] + [1] * EPOCHS, dtype=np.int8)
    rows = np.vstack([np.full(6, np.nan), rng.normal(size=(EPOCHS, 6)) * (2.0 if shifted else 1.0)])
    truth = np.concatenate([[-1], rng.integers(0, 4, EPOCHS)]).astype(np.int8)
    return RecordedNight(ops, rows, truth)


def test_quick_measure_has_every_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learning_adaptation, "record_night", made_up_night)
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
    assert figures["adaptation.tuned_shifted_users"] == 0
    assert figures["adaptation.tuned_unshifted_users"] == 0


def test_bootstrap_interval_of_the_recovered_fraction() -> None:
    """Users whose adaptation recovered all of their loss, or none of it.

    Worked by hand: every user's shifted and reference matrices are the same two (κ 0 and 1:
    ``[[5, 5], [5, 5]]`` and ``[[10, 0], [0, 10]]`` in the first two stages), and the adapted
    one is the reference for some users and the shifted matrix for others. Any resample of
    users recovers a fraction between 0 and 1; one of all-recovered users recovers 1.
    """
    none = np.zeros((4, 4), dtype=np.int64)
    none[:2, :2] = 5
    full = np.zeros((4, 4), dtype=np.int64)
    full[0, 0] = full[1, 1] = 10
    same = learning_adaptation.bootstrap_recovered([none] * 3, [full] * 3, [full] * 3, 50)
    assert same == (1.0, 1.0)
    mixed = learning_adaptation.bootstrap_recovered(
        [none] * 4, [full, full, none, none], [full] * 4, 400
    )
    assert 0.0 <= mixed[0] < 0.5 < mixed[1] <= 1.0


def test_quantile_map_moves_values_between_distributions() -> None:
    """Worked by hand: a source of 0..100 and a target of 10 + 2 x source."""
    source = np.arange(101, dtype=np.float64)
    target = 10.0 + 2.0 * source
    values = np.array([50.0, 0.0, 100.0, 25.5, -5.0, 130.0, np.nan])
    mapped = learning_adaptation.quantile_map(values, source, target)
    np.testing.assert_allclose(mapped[:4], [110.0, 10.0, 210.0, 61.0])
    assert mapped[4] == 10.0  # below the source: the target's lowest
    assert mapped[5] == 210.0  # above it: the target's highest
    assert np.isnan(mapped[6])


def linear_shift_night(job: tuple[int, int, bool]) -> RecordedNight:
    """The same made-up night every time; a shifted one sees every input as 1 + 2 x input."""
    _, _, shifted = job
    rng = np.random.default_rng(7)
    ops = np.array([0] + [1] * EPOCHS, dtype=np.int8)
    rows = np.vstack([np.full(6, np.nan), rng.normal(size=(EPOCHS, 6))])
    if shifted:
        rows = 1.0 + 2.0 * rows
    truth = np.concatenate([[-1], rng.integers(0, 4, EPOCHS)]).astype(np.int8)
    return RecordedNight(ops, rows, truth)


def test_input_oracle_undoes_a_shift_of_the_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shift that maps each input monotonically is undone by the oracle: the reference's κ."""
    monkeypatch.setattr(learning_adaptation, "record_night", linear_shift_night)
    figures = measure(quick=True, jobs=1, oracle=True)
    assert figures["adaptation.kappa_shifted"] != figures["adaptation.kappa_reference"]
    assert figures["adaptation.kappa_input_oracle"] == figures["adaptation.kappa_reference"]
    assert figures["adaptation.input_oracle_recovered_fraction"] == 1.0
    # Two learning nights are fewer than the adaptation needs: the tuned oracle is the same.
    assert (
        figures["adaptation.kappa_input_oracle_tuned"] == figures["adaptation.kappa_input_oracle"]
    )
