"""Epoch features on signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from custom_components.radar_sleep.sleep.epoch import EpochInput
from custom_components.radar_sleep.sleep.features import FeatureExtractor

from ..signals import sine_breathing

FS = 10.0


def epoch(index: int, samples: np.ndarray, movement: float = 0.0) -> EpochInput:
    e = EpochInput(index=index, start_t=index * 30.0)
    e.respiration = samples.tolist()
    e.respiration_rate_hz = FS
    e.movement = [movement] * samples.size
    e.quality = [0.9] * samples.size
    e.distance = [0.6] * samples.size
    e.n_frames = e.present_frames = samples.size
    e.target_frames = {1: samples.size}
    return e


def test_extractor_uses_context_and_night_baseline() -> None:
    x = sine_breathing(15, 120)
    fx = FeatureExtractor()
    feats = [fx(epoch(i, x[i * 300 : (i + 1) * 300])) for i in range(4)]
    assert feats[0].breathing_rate_bpm == pytest.approx(15, abs=1.0)  # 30 s: about 7 breaths
    assert fx(epoch(5, x[:150])).breathing_rate_bpm is None  # 15 s alone is too little
    fx.reset()
    feats = [fx(epoch(i, x[i * 300 : (i + 1) * 300])) for i in range(4)]
    assert feats[2].breathing_rate_bpm == pytest.approx(15, abs=0.5)
    assert feats[3].rate_rel == pytest.approx(0.0, abs=0.05)
    assert feats[3].movement_fraction == 0.0
    assert np.isnan(fx(epoch(20, x[:150])).vector()[2])  # missing interval CV is NaN, not 0
    # A gap in epochs drops the stale context: the rate is this epoch's alone.
    later = fx(epoch(30, sine_breathing(24, 30)))
    assert later.breathing_rate_bpm == pytest.approx(24, abs=1.0)
