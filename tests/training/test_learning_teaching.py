"""The teaching measurement: its learning step on hand-made nights, and a quick run."""

from __future__ import annotations

from training.evaluate.learning_teaching import Night, measure, user_errors


def hand_night() -> Night:
    """Settled (high scores) from epoch 10, asleep from 50, truly trying only from 30."""
    epochs = [(i, 0.1 if i < 10 else 0.9, 0 if i < 50 else 1) for i in range(60)]
    return epochs, 30.0


def test_user_errors_on_hand_made_nights() -> None:
    # The model dates the onset at epoch 10, 20 epochs (10 min) before the truth at 30 (said
    # as 20:15, a round 5 minutes): both taught nights say +10 min, so the offset is 10 min
    # (20 epochs). On the evaluated night the error falls from 10 min to 0.
    before, after, offset = user_errors(0, [hand_night(), hand_night(), hand_night()], 2)
    assert before == [10.0]
    assert after == [0.0]
    assert offset == 10.0


def test_quick_measure_reports_the_figures() -> None:
    figures = measure(quick=True, jobs=2)
    assert figures["teaching.users"] == 1
    assert figures["teaching.nights_evaluated"] == 1
    # The simulated user lies still about half an hour: the model is far off before
    # teaching, and teaching brings it closer.
    assert figures["teaching.onset_error_before_min"] > 15
    assert figures["teaching.onset_error_after_min"] < figures["teaching.onset_error_before_min"]
