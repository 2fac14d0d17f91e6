"""Sleep intent: PELT change points and the onset tracker."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from custom_components.radar_sleep.contracts import Stage
from custom_components.radar_sleep.sleep.intent import (
    IntentTracker,
    intent_segments,
    noise_variance,
    pelt,
)


def optimal_partitioning(y: np.ndarray, penalty: float, min_size: int) -> float:
    """Exhaustive O(n^2) dynamic programme (Jackson et al. 2005): the optimum PELT must hit."""
    n = y.size
    best = [math.inf] * (n + 1)
    best[0] = -penalty
    for t in range(min_size, n + 1):
        for s in range(t - min_size + 1):
            if s != 0 and s < min_size:
                continue
            seg = y[s:t]
            value = best[s] + float(((seg - seg.mean()) ** 2).sum()) + penalty
            best[t] = min(best[t], value)
    return best[n]


def segmentation_cost(y: np.ndarray, points: list[int], penalty: float) -> float:
    bounds = [0, *points, y.size]
    total = sum(float(((y[a:b] - y[a:b].mean()) ** 2).sum()) for a, b in itertools.pairwise(bounds))
    return total + penalty * len(points)


@settings(max_examples=60, deadline=None)
@given(
    levels=st.lists(st.floats(0, 1), min_size=1, max_size=5),
    lengths=st.lists(st.integers(1, 12), min_size=5, max_size=5),
    penalty=st.floats(0.01, 3.0),
    min_size=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_pelt_finds_the_optimal_segmentation(
    levels: list[float], lengths: list[int], penalty: float, min_size: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.full(n, v) for v, n in zip(levels, lengths, strict=False)])
    y = y + rng.normal(0, 0.1, y.size)
    points = pelt(y, penalty, min_size)
    bounds = [0, *points, y.size]
    if y.size >= 2 * min_size:
        assert all(b - a >= min_size for a, b in itertools.pairwise(bounds))
        assert segmentation_cost(y, points, penalty) == pytest.approx(
            optimal_partitioning(y, penalty, min_size), rel=1e-9, abs=1e-9
        )
    else:
        assert points == []


def test_pruning_waits_for_the_minimum_segment() -> None:
    # Found by the property test above: pruning a start at t before t may begin a segment
    # (t + min_size) dropped the start the optimum needs.
    y = np.r_[np.full(1, 0.0), np.full(9, 0.25)] + np.random.default_rng(0).normal(0, 0.1, 10)
    points = pelt(y, 0.015625, 3)
    assert segmentation_cost(y, points, 0.015625) == pytest.approx(
        optimal_partitioning(y, 0.015625, 3), rel=1e-9, abs=1e-9
    )


def test_a_clean_step_is_found_where_it_is() -> None:
    rng = np.random.default_rng(1)
    y = np.r_[rng.normal(0.2, 0.1, 40), rng.normal(0.85, 0.1, 30)]
    assert pelt(y, 2 * noise_variance(y) * math.log(y.size), 3) == [40]
    assert pelt(np.full(30, 0.5), 0.1, 2) == []


def test_noise_variance_ignores_the_steps() -> None:
    rng = np.random.default_rng(2)
    y = np.r_[rng.normal(0.0, 0.2, 300), rng.normal(5.0, 0.2, 300)]
    assert noise_variance(y) == pytest.approx(0.04, rel=0.25)


def reading_then_settling(seed: int, reading: int, trying: int) -> np.ndarray:
    """Scores as the intent model gives them: reading noisy with still moments, then high."""
    rng = np.random.default_rng(seed)
    read = np.clip(rng.normal(0.35, 0.25, reading), 0, 1)
    still = rng.integers(0, max(1, reading - 8))
    read[still : still + 6] = np.clip(rng.normal(0.75, 0.1, 6), 0, 1)  # a still moment
    read[-3:] = np.clip(rng.normal(0.15, 0.05, 3), 0, 1)  # getting up to switch off the light
    settle = np.clip(rng.normal(0.85, 0.1, trying), 0, 1)
    return np.r_[read, settle]


@pytest.mark.parametrize("seed", range(8))
def test_onset_is_the_settling_that_led_to_sleep(seed: int) -> None:
    reading, trying = 40, 24
    scores = reading_then_settling(seed, reading, trying)
    tracker = IntentTracker()
    first = 100
    for k, score in enumerate(scores):
        stage = Stage.WAKE if k < reading + trying - 4 else Stage.LIGHT
        state = tracker.step(first + k, float(score), stage)
    assert tracker.slept
    assert state.trying
    assert tracker.onset_index is not None
    assert abs(tracker.onset_index - (first + reading)) <= 2  # within a minute


def test_back_to_reading_withdraws_intent_and_sleep_freezes_it() -> None:
    tracker = IntentTracker()
    steps = [0.2] * 10 + [0.9] * 8 + [0.1] * 8 + [0.9] * 10
    states = [tracker.step(i, s, Stage.WAKE) for i, s in enumerate(steps)]
    assert states[17].trying
    assert not states[25].trying, "active again before sleep"
    assert states[-1].trying
    assert tracker.onset_index is not None
    assert abs(tracker.onset_index - 26) <= 1
    onset = tracker.onset_index
    tracker.step(len(steps), 0.95, Stage.LIGHT)
    assert tracker.slept
    for i in range(len(steps) + 1, len(steps) + 40):
        tracker.step(i, 0.3, Stage.DEEP)  # a low score in deep sleep is no awakening
    assert tracker.trying
    assert tracker.onset_index == onset
    for i in range(len(steps) + 40, len(steps) + 40 + tracker.off_after):
        last = tracker.step(i, 0.1, Stage.WAKE)
    assert not last.trying
    assert last.reason == "awake and active: up for the day"


def test_state_round_trip_carries_on_identically() -> None:
    scores = reading_then_settling(3, 30, 10)
    a, b = IntentTracker(), IntentTracker()
    for k, s in enumerate(scores[:25]):
        a.step(k, float(s), Stage.WAKE)
    b.load_state(a.dump_state())
    for k, s in enumerate(scores[25:], start=25):
        assert a.step(k, float(s), Stage.WAKE) == b.step(k, float(s), Stage.WAKE)


def test_segments_merge_adjacent_high_runs() -> None:
    y = [0.1] * 10 + [0.7] * 10 + [0.95] * 10
    segments = intent_segments(y, penalty=0.5, min_size=3, high=0.6)
    assert segments[-1][0] == 10
    assert segments[-1][1] == 30
