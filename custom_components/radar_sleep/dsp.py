"""Signal processing shared by the layers: the breathing band-pass.

Home-Assistant-free, numpy/scipy only, and importing nothing of the package: like
:mod:`.contracts`, every layer (``radar/``, ``simulation/``, ``sleep/``) may import it, so
that the breathing band is defined once for the radar's demodulator and the sleep pipeline's
breath detector.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import signal

type FloatArray = NDArray[np.float64]

BREATH_BAND_HZ = (0.1, 0.7)
"""6-42 breaths/min: adult breathing at rest and in sleep, with margin."""
NYQUIST_MARGIN = 0.9
"""A band's upper edge is kept at most this fraction of Nyquist: below 1.56 Hz the breathing
band's upper edge moves to 0.9 x Nyquist (0.45 Hz = 27 breaths/min at 1 Hz, still above
sleeping rates), so a 1-Hz device still gives breath-by-breath features."""


def band_edges(fs: float, band_hz: tuple[float, float] = BREATH_BAND_HZ) -> tuple[float, float]:
    """``band_hz`` with its upper edge clamped to ``NYQUIST_MARGIN`` x Nyquist of ``fs``."""
    return (band_hz[0], min(band_hz[1], NYQUIST_MARGIN * fs / 2))


def bandpass_sos(
    fs: float, band_hz: tuple[float, float] = BREATH_BAND_HZ, order: int = 2
) -> FloatArray:
    """Butterworth band-pass second-order sections for the breathing band at ``fs``.

    Second order by default (Butterworth S, On the theory of filter amplifiers, *Wireless
    Engineer* 7:536-541, 1930); the upper edge is clamped by :func:`band_edges`. Raises
    ``ValueError`` when the clamped band is empty (``fs`` too low for breathing).
    """
    lo, hi = band_edges(fs, band_hz)
    if hi <= lo:
        raise ValueError(
            f"sample rate {fs:g} Hz is too low for a {lo:g}-{band_hz[1]:g} Hz band-pass"
        )
    sos: FloatArray = signal.butter(order, (lo, hi), btype="bandpass", fs=fs, output="sos")
    return sos
