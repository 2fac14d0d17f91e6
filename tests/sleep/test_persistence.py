"""The night in progress survives a restart: snapshot, JSON, restore, carry on.

A pipeline interrupted in the middle of a simulated night and restored from its snapshot (after
a round trip through JSON, as Home Assistant's storage does) must end the night with the same
summary as one that ran through, when the frames resume at the start of the epoch that was
open at the snapshot (what the simulator source does after a restart).
"""

from __future__ import annotations

import json
import math

import pytest

from custom_components.radar_sleep.contracts import EPOCH_SECONDS, SessionState
from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator
from custom_components.radar_sleep.sleep import PipelineConfig, SleepPipeline
from custom_components.radar_sleep.sleep.pipeline import STATE_VERSION

from ..conftest import SimulatedNight


@pytest.fixture
def sim(simulated_night: SimulatedNight) -> BedroomSimulator:
    return simulated_night.sim


@pytest.fixture
def straight(simulated_night: SimulatedNight) -> SleepPipeline:
    """The same night played through without an interruption (once per test session)."""
    return simulated_night.pipeline


def fresh(straight: SleepPipeline) -> SleepPipeline:
    """A new pipeline with the settings and origin of the straight one."""
    return SleepPipeline(straight.config, origin=straight.origin)


def run_until(pipeline: SleepPipeline, sim: BedroomSimulator, stop_t: float) -> None:
    for frame in sim.frames():
        if frame.t >= stop_t:
            break
        closed = pipeline.push(frame).epoch
        if closed is not None:
            pipeline.process_epoch(closed)


@pytest.mark.parametrize("where", ["after sleep onset", "during the bathroom trip"])
def test_restored_night_ends_as_if_never_interrupted(
    sim: BedroomSimulator, straight: SleepPipeline, where: str
) -> None:
    truth = sim.truth
    stop_t = {
        "after sleep onset": truth.sleep_onset_s + 3600.3,
        "during the bathroom trip": truth.bathroom_trip_s[0] + 60.0
        if truth.bathroom_trip_s
        else pytest.fail("the shared night has a bathroom trip"),
    }[where]
    first = fresh(straight)
    run_until(first, sim, stop_t)
    assert first.session.state in (SessionState.ACTIVE, SessionState.AWAY)
    stored = json.loads(json.dumps(first.snapshot()))  # what the Store writes and reads

    second = fresh(straight)
    second.restore(stored)
    assert second.origin == first.origin
    assert second.records == first.records
    assert second.last_update == first.last_update
    assert second.last_t is not None
    resume = math.floor(second.last_t / EPOCH_SECONDS) * EPOCH_SECONDS
    frames = (f for f in sim.frames() if f.t >= resume)
    for _ in second.run(frames):
        pass
    assert second.summaries == straight.summaries


def test_bad_snapshot_is_refused_and_changes_nothing(sim: BedroomSimulator) -> None:
    pipeline = SleepPipeline(PipelineConfig())
    run_until(pipeline, sim, sim.truth.sleep_onset_s + 600)
    before = pipeline.snapshot()
    with pytest.raises(ValueError, match="version"):
        pipeline.restore({**before, "version": STATE_VERSION + 1})
    broken = {**before, "session": {"state": "dozing"}}
    with pytest.raises((ValueError, KeyError)):
        pipeline.restore(broken)
    assert pipeline.snapshot() == before


def test_reset_forgets_the_night(sim: BedroomSimulator) -> None:
    pipeline = SleepPipeline(PipelineConfig())
    run_until(pipeline, sim, sim.truth.sleep_onset_s + 600)
    assert pipeline.records
    pipeline.reset()
    assert pipeline.records == []
    assert pipeline.session.state is SessionState.IDLE
    assert not pipeline.presence.present
    state = pipeline.snapshot()
    assert state["features"] == {"context": [], "rates": [], "amplitudes": []}
    assert state["stager"] == SleepPipeline(PipelineConfig()).snapshot()["stager"]
