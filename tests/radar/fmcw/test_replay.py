"""A raw-FMCW capture replayed as a live source (radar/fmcw/replay.py)."""

from __future__ import annotations

import itertools
from pathlib import Path
import time

import pytest

from custom_components.radar_sleep.radar.fmcw.capture import (
    save_capture,
)
from custom_components.radar_sleep.radar.fmcw.processor import FmcwProcessor
from custom_components.radar_sleep.radar.fmcw.replay import FmcwReplaySource
from custom_components.radar_sleep.radar.fmcw.simulate import (
    FmcwScene,
    SimPerson,
    simulate,
)

from .scenes import assert_same_frames


async def test_replay_source_yields_frames_in_time_order(tmp_path: Path) -> None:
    cap = simulate(FmcwScene(people=(SimPerson(0.7, -5.0),), seed=8), 12.0, output="adc")
    t = 1000.0 + cap.t  # a recording's own clock
    path = tmp_path / "replay.npz"
    save_capture(path, cap.frames, t, cap.config)
    source = FmcwReplaySource(path, speed=0)
    frames = [frame async for frame in source.frames()]
    times = [f.t for f in frames]
    assert times == t.tolist()
    assert all(b > a for a, b in itertools.pairwise(times))
    assert_same_frames(frames, FmcwProcessor(cap.config).process(cap.frames, t))
    assert any(f.targets for f in frames)


async def test_replay_source_paces_at_the_requested_speed(tmp_path: Path) -> None:
    cap = simulate(FmcwScene(seed=9), 3.0, output="adc")
    path = tmp_path / "paced.npz"
    save_capture(path, cap.frames, cap.t, cap.config)
    start = time.monotonic()
    frames = [f async for f in FmcwReplaySource(path, speed=20.0, batch_s=0.5).frames()]
    assert len(frames) == len(cap.t)
    assert time.monotonic() - start >= 3.0 / 20.0 * 0.9
    with pytest.raises(ValueError, match="speed"):
        FmcwReplaySource(path, speed=-1)
