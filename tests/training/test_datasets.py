"""Simulated training nights (training.datasets): seed specs and the night cache format."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from training.datasets import Night, parse_seeds


def test_parse_seeds() -> None:
    assert parse_seeds("3-5,9, 12-12") == [3, 4, 5, 9, 12]
    assert parse_seeds("20000-20002,40000") == [20_000, 20_001, 20_002, 40_000]


def test_night_round_trips_through_the_cache_format(tmp_path: Path) -> None:
    night = Night(
        seed=10_003,
        x=np.array([[0.5, np.nan], [1.0, 2.0]]),
        present=np.array([True, False]),
        in_session=np.array([True, True]),
        stage=np.array([1, -1], dtype=np.int8),
        intent=np.array([1, 0], dtype=np.int8),
        activity=np.array([2, 6], dtype=np.int8),
    )
    path = tmp_path / "nights" / "10003.npz"
    night.save(path)
    back = Night.load(path)
    assert back.seed == night.seed
    for name in ("x", "present", "in_session", "stage", "intent", "activity"):
        np.testing.assert_array_equal(getattr(back, name), getattr(night, name))
        assert getattr(back, name).dtype == getattr(night, name).dtype
