"""Shared fixtures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from custom_components.radar_sleep.contracts import SessionState, SleepUpdate
from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator, SimulatorConfig
from custom_components.radar_sleep.sleep import EpochResult, PipelineConfig, SleepPipeline

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
"""Real expert-scored data (../shared/data); never copied into the project."""


def shared_data_or_skip(*parts: str) -> Path:
    """Path inside ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (see ../shared/data/README.md)")
    return path


@dataclass(frozen=True, slots=True)
class SimulatedNight:
    """One simulated night played through the sleep pipeline from start to end."""

    sim: BedroomSimulator
    pipeline: SleepPipeline
    """The pipeline after the whole night (``summaries`` holds the night's summary)."""
    results: list[EpochResult]
    in_session: list[tuple[bool, str]]
    """Every update during the session (on frames and on epochs, in order): whether in bed,
    and the session's reason."""


SHARED_NIGHT = SimulatorConfig(seed=7, partner=True)
"""The night of the Home Assistant tests' tracker (``tests/ha/conftest.py``): seed 7, with a
partner, the user on the left with the radar on the left table; it has a bathroom trip."""
SHARED_ORIGIN = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)
"""Source time 0 as the Home Assistant tests start the tracker."""
SHARED_PIPELINE = PipelineConfig(time_zone=ZoneInfo("US/Pacific"))
"""The pipeline settings of that tracker (Home Assistant's test time zone)."""


@pytest.fixture(scope="session")
def simulated_night() -> SimulatedNight:
    """The shared night, simulated and run through the pipeline once per test session."""
    sim = BedroomSimulator(SHARED_NIGHT)
    pipeline = SleepPipeline(SHARED_PIPELINE, origin=SHARED_ORIGIN)
    results: list[EpochResult] = []
    in_session: list[tuple[bool, str]] = []

    def seen(update: SleepUpdate) -> None:
        if update.session_state in (SessionState.ACTIVE, SessionState.AWAY):
            in_session.append((update.in_bed, update.reasons["session"]))

    # As ``pipeline.run``, keeping the updates of the frames too.
    for frame in sim.frames():
        pushed = pipeline.push(frame)
        if pushed.update is not None:
            seen(pushed.update)
        if pushed.epoch is not None:
            results.append(pipeline.process_epoch(pushed.epoch))
            seen(results[-1].update)
    if (last := pipeline.flush()) is not None:
        results.append(pipeline.process_epoch(last))
    return SimulatedNight(sim, pipeline, results, in_session)
