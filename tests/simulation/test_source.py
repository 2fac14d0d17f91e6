"""The simulated bedroom as a live source: its pace, the day between two nights included."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from unittest.mock import patch

import pytest

from custom_components.radar_sleep.simulation import source as source_module
from custom_components.radar_sleep.simulation.bedroom import SimulatorConfig
from custom_components.radar_sleep.simulation.source import DAY_S, SimulatorSource


class FakeClock:
    """``time.monotonic`` and ``asyncio.sleep`` of the source: sleeping moves the clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.now += delay


@pytest.mark.slow
async def test_the_day_between_two_nights_passes_at_the_same_speed() -> None:
    """At speed 3600 an hour of source time is a second of the clock: the second night
    (source time 86 400 s) starts 24 s after the first, however long the first night was."""
    clock = FakeClock()
    fake_asyncio = SimpleNamespace(get_running_loop=asyncio.get_running_loop, sleep=clock.sleep)
    seen: dict[float, float] = {}
    with (
        patch.object(source_module, "time", clock),
        patch.object(source_module, "asyncio", fake_asyncio),
    ):
        source = SimulatorSource(SimulatorConfig(seed=1), speed=3600.0, nights=2)
        async for frame in source.frames():
            if frame.t in (0.0, 3600.0, DAY_S):
                seen[frame.t] = clock.now - 1000.0
            if frame.t >= DAY_S:
                break
    assert seen == {0.0: 0.0, 3600.0: 1.0, DAY_S: 24.0}


async def test_resumed_night_is_paced_from_where_it_resumes() -> None:
    """Resumed at 7200 s: that frame comes at once, the one an hour later a second after."""
    clock = FakeClock()
    fake_asyncio = SimpleNamespace(get_running_loop=asyncio.get_running_loop, sleep=clock.sleep)
    seen: dict[float, float] = {}
    with (
        patch.object(source_module, "time", clock),
        patch.object(source_module, "asyncio", fake_asyncio),
    ):
        source = SimulatorSource(SimulatorConfig(seed=1), speed=3600.0, nights=1, start_t=7200.0)
        async for frame in source.frames():
            if frame.t in (7200.0, 10800.0):
                seen[frame.t] = clock.now - 1000.0
            if frame.t >= 10800.0:
                break
    assert seen == {7200.0: 0.0, 10800.0: 1.0}
