"""The pipeline feeds the user's learning: nothing changes for a fresh user; a night is learned;
a learning that fails when the night ends loses nothing of the night."""

from __future__ import annotations

import numpy as np
import pytest

from custom_components.radar_sleep.sleep import SleepPipeline
from custom_components.radar_sleep.sleep.learning import UserLearning

from ...conftest import SHARED_ORIGIN, SHARED_PIPELINE, SimulatedNight


class _FailingAfterLearning(UserLearning):
    """Learns the night, then fails (as an unexpected error in the learning would)."""

    def night_ended(self) -> None:
        super().night_ended()
        raise RuntimeError("the learning broke")


def test_a_fresh_user_is_staged_as_without_learning_and_the_night_is_learned(
    simulated_night: SimulatedNight, caplog: pytest.LogCaptureFixture
) -> None:
    """One night through the pipeline (a whole night costs seconds: one run for three checks)."""
    learning = _FailingAfterLearning()
    pipeline = SleepPipeline(SHARED_PIPELINE, origin=SHARED_ORIGIN, learning=learning)
    results = list(pipeline.run(simulated_night.sim.frames()))
    assert [r.record for r in results] == [r.record for r in simulated_night.results]
    assert pipeline.summaries == simulated_night.pipeline.summaries
    # The failure at the night's end is logged; the summary was handed over all the same.
    assert [r.summary for r in results if r.summary is not None] == (
        simulated_night.pipeline.summaries
    )
    assert "Learning from the night that ended failed" in caplog.text
    assert "the learning broke" in caplog.text
    # The night ended: one night of calibration and of adaptation, not yet in use.
    assert len(learning.calibration.nights) == 1
    night = learning.calibration.nights[0]
    assert night.breathing_rate_bpm is not None
    assert night.occupied_confidence is not None
    assert learning.adaptation.nights == 1
    assert learning.adaptation.correction() is None
    assert pipeline.presence.threshold == SHARED_PIPELINE.presence_threshold


def test_a_night_whose_learning_fails_is_not_learned_twice() -> None:
    """The next night starts afresh even when learning from the last one raised."""
    learning = UserLearning()
    learning.adaptation.add_night = _fail  # type: ignore[method-assign]
    learning._rows = [np.zeros(6)] * 3  # the night's in-bed epochs, as observe() keeps them
    learning._night.occupied.extend([0.9] * 3)
    with pytest.raises(RuntimeError):
        learning.night_ended()
    assert learning._rows == []
    assert learning._night.occupied == []


def _fail(_rows: object) -> bool:
    raise RuntimeError("learning failed")
