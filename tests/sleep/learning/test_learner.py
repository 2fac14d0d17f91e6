"""The pipeline feeds the user's learning: nothing changes for a fresh user; a night is learned."""

from __future__ import annotations

from custom_components.radar_sleep.sleep import SleepPipeline
from custom_components.radar_sleep.sleep.learning import UserLearning

from ...conftest import SHARED_ORIGIN, SHARED_PIPELINE, SimulatedNight


def test_a_fresh_user_is_staged_as_without_learning_and_the_night_is_learned(
    simulated_night: SimulatedNight,
) -> None:
    learning = UserLearning()
    pipeline = SleepPipeline(SHARED_PIPELINE, origin=SHARED_ORIGIN, learning=learning)
    results = list(pipeline.run(simulated_night.sim.frames()))
    assert [r.record for r in results] == [r.record for r in simulated_night.results]
    assert pipeline.summaries == simulated_night.pipeline.summaries
    # The night ended: one night of calibration and of adaptation, not yet in use.
    assert len(learning.calibration.nights) == 1
    night = learning.calibration.nights[0]
    assert night.breathing_rate_bpm is not None
    assert night.occupied_confidence is not None
    assert learning.adaptation.nights == 1
    assert learning.adaptation.correction() is None
    assert pipeline.presence.threshold == SHARED_PIPELINE.presence_threshold
