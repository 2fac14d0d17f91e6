"""Raw-FMCW DSP functions (radar/fmcw/dsp.py) on simulated and synthetic signals."""

from __future__ import annotations

import math

from hypothesis import given, settings, strategies as st
import numpy as np
from numpy.typing import NDArray
import pytest

from custom_components.radar_sleep.radar.fmcw.config import DspConfig
from custom_components.radar_sleep.radar.fmcw.dsp import (
    angle_of_arrival_deg,
    arctangent_demodulation,
    circle_fit_kasa,
    circle_fit_pratt,
    circularity_spectrum,
    phase_to_displacement_mm,
    range_bins,
    range_profiles,
)
from custom_components.radar_sleep.radar.fmcw.simulate import (
    FmcwScene,
    StaticScatterer,
    simulate,
)

from .scenes import CONFIG, FS


@pytest.mark.parametrize("distance_m", [0.4, 0.85, 1.3])
def test_range_profile_peaks_at_the_scatterer_and_real_matches_complex(distance_m: float) -> None:
    scene = FmcwScene(
        people=(),
        clutter=(StaticScatterer(distance_m, 20.0),),
        leakage=0.0,
        snr_db=40.0,
    )
    bins = range_bins(CONFIG, DspConfig())
    real = range_profiles(simulate(scene, 0.5, output="real").frames, CONFIG, bins)
    cplx = range_profiles(simulate(scene, 0.5, output="complex").frames, CONFIG, bins)
    energy = np.abs(real).sum(axis=(0, 1))
    peak = int(np.argmax(energy)) + bins.start
    assert abs(peak * CONFIG.range_resolution_m - distance_m) <= CONFIG.range_resolution_m
    k = peak - bins.start
    # The positive-frequency half of the real signal's spectrum is half the complex one.
    ratio = real[:, :, k] / cplx[:, :, k]
    assert np.allclose(np.abs(ratio), 0.5, atol=0.02)
    assert np.allclose(np.angle(ratio), 0.0, atol=0.05)


def test_angle_of_arrival_inverts_the_array_phase() -> None:
    for theta in (-60.0, -20.0, 0.0, 7.5, 45.0):
        delta = 2 * math.pi * 0.5 * math.sin(math.radians(theta))
        assert angle_of_arrival_deg(delta, 0.5) == pytest.approx(theta, abs=1e-9)


@pytest.mark.parametrize(
    ("arc_deg", "tol_pratt", "tol_kasa"), [(360, 0.01, 0.01), (90, 0.03, 0.05)]
)
def test_circle_fit_removes_the_dc_offset(
    arc_deg: float, tol_pratt: float, tol_kasa: float
) -> None:
    """A breathing chest on a noisy arc around a static offset three radii from the origin."""
    rng = np.random.default_rng(3)
    wavelength = CONFIG.wavelength_m
    t = np.arange(400) / FS
    # Displacement whose phase sweeps ``arc_deg`` (4 pi d / lambda).
    depth_mm = 1000 * wavelength * math.radians(arc_deg) / (4 * math.pi)
    disp = 0.5 * depth_mm * np.sin(2 * math.pi * 0.25 * t)
    centre, radius = 3.0 - 2.0j, 1.0
    z = centre + radius * np.exp(-1j * 4 * math.pi * disp / (1000 * wavelength) + 0.3j)
    z = z + 0.01 * (rng.standard_normal(t.size) + 1j * rng.standard_normal(t.size))
    c_pratt, r_pratt = circle_fit_pratt(z)
    c_kasa, _ = circle_fit_kasa(z)
    assert abs(c_pratt - centre) < tol_pratt * radius
    assert abs(c_kasa - centre) < tol_kasa * radius
    assert r_pratt == pytest.approx(radius, rel=0.05)
    # With the offset removed, arctangent demodulation gives the displacement back.
    got = phase_to_displacement_mm(arctangent_demodulation(z, c_pratt), wavelength)
    err = (got - got.mean()) - (disp - disp.mean())
    assert float(np.max(np.abs(err))) < 0.05 * depth_mm + 0.01
    # Without it, the phase of an offset arc is nothing like the displacement.
    naive = phase_to_displacement_mm(arctangent_demodulation(z), wavelength)
    assert float(np.max(np.abs((naive - naive.mean()) - (disp - disp.mean())))) > 0.3 * depth_mm


@settings(max_examples=50, deadline=None)
@given(
    cx=st.floats(-100, 100),
    cy=st.floats(-100, 100),
    radius=st.floats(0.01, 50),
    start=st.floats(-math.pi, math.pi),
    arc=st.floats(math.radians(30), 2 * math.pi),
)
def test_circle_fits_are_exact_on_noise_free_arcs(
    cx: float, cy: float, radius: float, start: float, arc: float
) -> None:
    phi = start + arc * np.linspace(0.0, 1.0, 50)
    z = complex(cx, cy) + radius * np.exp(1j * phi)
    for fit in (circle_fit_pratt, circle_fit_kasa):
        c, r = fit(z)
        assert abs(c - complex(cx, cy)) < 1e-5 * max(radius, abs(complex(cx, cy)))
        assert r == pytest.approx(radius, rel=1e-5)


def _two_antenna_echo(
    angle_deg: float, rate_hz: float, depth_mm: float, t: NDArray[np.float64]
) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    """Left/right complex bin samples of one breathing chest (unit echo) at ``angle_deg``."""
    wavelength_mm = 1000 * CONFIG.wavelength_m
    phase = -4 * math.pi * 0.5 * depth_mm * np.sin(2 * math.pi * rate_hz * t) / wavelength_mm
    left = np.exp(1j * phase)
    psi = 2 * math.pi * CONFIG.rx_spacing_wl * math.sin(math.radians(angle_deg))
    return left, left * np.exp(-1j * psi)


@pytest.mark.parametrize(("a1", "a2"), [(-10.0, 10.0), (-35.0, -15.0), (5.0, 40.0)])
def test_circularity_spectrum_has_its_minima_at_the_two_chests(a1: float, a2: float) -> None:
    rng = np.random.default_rng(0)
    t = np.arange(200) / FS
    l1, r1 = _two_antenna_echo(a1, 0.2, 6.0, t)
    l2, r2 = _two_antenna_echo(a2, 0.3, 5.0, t)
    noise = 0.02 * (rng.standard_normal((2, t.size)) + 1j * rng.standard_normal((2, t.size)))
    left = 5 - 2j + l1 + 0.8 * l2 + noise[0]  # plus static clutter in the bin
    right = 5 + 1j + r1 + 0.8 * r2 + noise[1]
    grid = np.arange(-70.0, 70.5, 1.0)
    spectrum = circularity_spectrum(left, right, grid, CONFIG.rx_spacing_wl, 2 * 0.02**2)
    inner = spectrum[1:-1]
    minima = np.flatnonzero((inner <= spectrum[:-2]) & (inner < spectrum[2:])) + 1
    deepest = sorted(grid[minima[np.argsort(spectrum[minima])][:2]])
    assert deepest == pytest.approx(sorted([a1, a2]), abs=2.0)
    assert float(spectrum[minima].min()) < 0.1 * float(np.median(spectrum))
    # One chest alone is a circle whatever the null (except on itself): no deep minima.
    alone = circularity_spectrum(5 + l1 + noise[0], 5 + r1 + noise[1], grid, 0.5, 2 * 0.02**2)
    away = np.abs(grid - a1) > 10
    assert float(np.max(alone[away])) < 0.01
