"""The IF-level simulator of the raw-FMCW radar (radar/fmcw/simulate.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from custom_components.radar_sleep.radar.fmcw.simulate import (
    DEFAULT_SNR_DB,
    BodyScatterer,
    FmcwScene,
    SimPerson,
    extended_chest,
    simulate,
)

from .scenes import CONFIG


def test_simulator_is_deterministic_and_its_snr_is_as_documented() -> None:
    scene = FmcwScene(people=(SimPerson(1.0),), seed=4)
    a = simulate(scene, 2.0)
    b = simulate(scene, 2.0)
    assert np.array_equal(a.frames, b.frames)
    assert not np.array_equal(a.frames, simulate(replace(scene, seed=5), 2.0).frames)
    assert a.frames.shape == (40, 3, CONFIG.chirps_per_frame, CONFIG.samples_per_chirp)
    assert scene.snr_db == DEFAULT_SNR_DB
    # Noise alone: per-sample power = (tone power of a unit chest at 1 m) / SNR.
    quiet = simulate(FmcwScene(people=(), clutter=(), leakage=0.0, snr_db=6.0), 2.0)
    snr = 10 ** (6.0 / 10)
    assert float(np.var(quiet.frames.astype(np.float64))) == pytest.approx(0.5 / snr, rel=0.03)
    cplx = simulate(
        FmcwScene(people=(), clutter=(), leakage=0.0, snr_db=6.0), 2.0, output="complex"
    )
    assert float(np.mean(np.abs(cplx.frames) ** 2)) == pytest.approx(1.0 / snr, rel=0.03)
    # A unit chest at 1 m without noise is a tone of amplitude 1.
    clean = simulate(
        FmcwScene(people=(SimPerson(1.0),), clutter=(), leakage=0.0, snr_db=200.0), 1.0
    )
    assert float(np.max(np.abs(clean.frames))) == pytest.approx(1.0, rel=0.02)
    # Ground truth: the chest moves towards the radar by the breathing displacement.
    assert np.allclose(clean.distance_m[0], 1.0 - clean.displacement_mm[0] / 1000)


def test_an_extended_body_sums_its_parts() -> None:
    quiet = {"clutter": (), "leakage": 0.0, "snr_db": 200.0, "seed": 2}
    point = simulate(FmcwScene(people=(SimPerson(0.6, 10.0),), **quiet), 1.0, output="complex")
    one = SimPerson(0.6, 10.0, scatterers=(BodyScatterer(),))
    single = simulate(FmcwScene(people=(one,), **quiet), 1.0, output="complex")
    assert np.array_equal(single.frames, point.frames)  # one default part is the point chest
    # Two parts of half the reflectivity at the same place: the same echo.
    halves = SimPerson(0.6, 10.0, scatterers=(BodyScatterer(reflectivity=0.5),) * 2)
    double = simulate(FmcwScene(people=(halves,), **quiet), 1.0, output="complex")
    assert np.allclose(double.frames, point.frames, atol=1e-5)
    # A part 0.1 m to the side at 0.6 m is atan(0.1 / 0.6) = 9.46 degrees further right.
    side = SimPerson(0.6, 0.0, scatterers=(BodyScatterer(lateral_m=0.1),))
    shifted = simulate(FmcwScene(people=(side,), **quiet), 1.0, output="complex")
    turned = SimPerson(0.6, 9.4623222, scatterers=())
    rotated = simulate(FmcwScene(people=(turned,), **quiet), 1.0, output="complex")
    assert np.allclose(shifted.frames, rotated.frames, atol=1e-5)
    assert np.array_equal(single.displacement_mm, point.displacement_mm)
    parts = extended_chest(0.3, 5)
    assert [p.lateral_m for p in parts] == pytest.approx([-0.15, -0.075, 0.0, 0.075, 0.15])
    assert max(p.motion for p in parts) == 1.0
