"""Target detection in a window of range profiles: moving-energy peaks, blind two-source split."""

from __future__ import annotations

import cmath
from dataclasses import dataclass, field
import math

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import lapack

from .config import DspConfig, FmcwConfig
from .dsp import (
    ComplexArray,
    FloatArray,
    angle_of_arrival_deg,
    arctangent_demodulation,
    circle_fit_pratt,
    circularity_spectrum,
    moving_energy,
    parabolic_peak,
)


@dataclass(frozen=True, slots=True)
class Detection:
    """One target found in a detection window."""

    bin: int
    """Index into the processed range bins (not the FFT bin)."""
    distance_m: float
    angle_deg: float | None
    energy: float
    """Moving energy of the bin (arbitrary units)."""
    weights: NDArray[np.complex128] = field(repr=False, compare=False)
    """Beamformer over the antennas: the target's signal is ``x @ weights.conj()``."""


def detect_targets(
    window: ComplexArray,
    config: FmcwConfig,
    dsp: DspConfig,
    first_bin: int,
) -> list[Detection]:
    """Targets in a window of range profiles (clutter removed by the window mean).

    Parameters
    ----------
    window
        ``N x RX x bins`` complex range profiles (a few seconds).
    config, dsp
        Device and processing settings.
    first_bin
        FFT bin of ``window[..., 0]`` (to convert bins to metres).

    Returns
    -------
    list of Detection
        Strongest first, at most ``dsp.max_targets``.

    Notes
    -----
    A bin is a peak when its moving energy (:func:`~.dsp.moving_energy`) is a local maximum more
    than ``dsp.detection_threshold_db`` above the median over bins. Peaks are taken strongest
    first; one closer than ``dsp.min_range_separation_m`` to a target already taken is kept
    only if its angle differs by ``dsp.min_angle_separation_deg`` and it is no more than
    ``dsp.sidelobe_db`` weaker. A peak whose two horizontal antennas see two sources at
    angles at least ``dsp.min_angle_separation_deg`` apart becomes two targets
    (:func:`~.dsp.circularity_spectrum`). Windows shorter than ``dsp.min_split_s`` are not split.

    """
    p = np.asarray(window)
    mean = p.mean(axis=0)
    return detect_in_window(p, mean, moving_energy(p), config=config, dsp=dsp, first_bin=first_bin)


def detect_in_window(
    p: ComplexArray,
    mean: ComplexArray,
    energy: FloatArray,
    *,
    config: FmcwConfig,
    dsp: DspConfig,
    first_bin: int,
) -> list[Detection]:
    """:func:`detect_targets` with the window mean and energies already computed."""
    n, n_rx, _ = p.shape
    floor = float(np.partition(energy, energy.size // 2)[energy.size // 2])  # median
    if floor <= 0.0:
        return []
    threshold = floor * 10.0 ** (dsp.detection_threshold_db / 10.0)
    inner = energy[1:-1]
    is_peak = (inner >= energy[:-2]) & (inner > energy[2:]) & (inner > threshold)
    peaks = is_peak.nonzero()[0] + 1
    if peaks.size == 0:
        return []
    peaks = peaks[np.argsort(energy[peaks])[::-1]][: 2 * dsp.max_targets + 2]
    res = config.range_resolution_m
    pair = config.azimuth_pair
    spacing = config.rx_spacing_wl
    noise_rx = floor / n_rx
    sidelobe = 10.0 ** (-dsp.sidelobe_db / 10.0)
    may_split = pair is not None and n >= dsp.min_split_s * config.frame_rate_hz
    accepted: list[Detection] = []
    for k in peaks.tolist():
        if len(accepted) >= dsp.max_targets:
            break
        e_k = float(energy[k])
        offset = 0.0
        if 0 < k < energy.size - 1 and energy[k - 1] > 0.0 and energy[k + 1] > 0.0:
            e3 = energy[k - 1 : k + 2].tolist()
            offset = parabolic_peak([math.log(e3[0]), math.log(e3[1]), math.log(e3[2])], 1)
        distance = (first_bin + k + offset) * res
        xk = p[:, :, k] - mean[:, k]
        cov = (xk.T @ xk.conj()) / n
        candidates: list[Detection] = []
        if may_split and pair is not None:
            split = _split_bin(xk, cov, pair, spacing=spacing, noise_rx=noise_rx, dsp=dsp)
            if split and _one_body(xk, split, distance, config.frame_rate_hz, dsp):
                split = []
            candidates = [Detection(k, distance, angle, e_k / 2, w) for angle, w in split]
        if not candidates:
            weights = _principal_vector(cov)
            angle = None
            if pair is not None:
                angle = angle_of_arrival_deg(cmath.phase(cov[pair[0], pair[1]]), spacing)
            candidates = [Detection(k, distance, angle, e_k, weights)]
        for cand in candidates:
            if len(accepted) < dsp.max_targets and _separate(cand, accepted, dsp, sidelobe):
                accepted.append(cand)
    return accepted


def _principal_vector(cov: ComplexArray) -> NDArray[np.complex128]:
    """Unit eigenvector of the largest eigenvalue of a Hermitian matrix.

    LAPACK's ``zheevd`` on the lower triangle, as ``numpy.linalg.eigh`` calls it (the same
    vector), without numpy's per-call checks: this runs at every update.
    """
    matrix = np.asarray(cov, dtype=np.complex128)
    _, vec, info = lapack.zheevd(matrix, compute_v=1, lower=1)
    if info != 0:  # did not converge: numpy's path raises with the reason
        _, vec = np.linalg.eigh(matrix)
    return np.asarray(vec[:, -1], dtype=np.complex128)


def _separate(cand: Detection, accepted: list[Detection], dsp: DspConfig, sidelobe: float) -> bool:
    """Whether a candidate is a target of its own next to those already accepted."""
    for other in accepted:
        if abs(cand.distance_m - other.distance_m) >= dsp.min_range_separation_m:
            continue
        if cand.angle_deg is None or other.angle_deg is None:
            return False
        if abs(cand.angle_deg - other.angle_deg) < dsp.min_angle_separation_deg:
            return False
        if cand.energy < sidelobe * other.energy:
            return False
    return True


_SPLIT_GRID_DEG = np.arange(-76.0, 76.5, 2.0)
_SPLIT_NOISE = 3.0
"""A second eigenvalue below this multiple of the noise power is noise."""


def _split_bin(
    xk: ComplexArray,
    cov: ComplexArray,
    pair: tuple[int, int],
    *,
    spacing: float,
    noise_rx: float,
    dsp: DspConfig,
) -> list[tuple[float, NDArray[np.complex128]]]:
    """Two (angle, weights) if the bin holds two sources at different angles, else none.

    A bin is tested when the second eigenvalue of its 2 x 2 spatial covariance is three times
    the noise and at least ``dsp.split_ratio`` of the first; it is split when
    :func:`~.dsp.circularity_spectrum` has two minima at least ``dsp.min_angle_separation_deg``
    apart, both below ``dsp.split_circularity`` times the spectrum's median. Each target's
    weights null the other one.
    """
    left, right = pair
    a, d = float(cov[left, left].real), float(cov[right, right].real)
    b = complex(cov[left, right])
    half_gap = math.sqrt(0.25 * (a - d) ** 2 + abs(b) ** 2)
    lam1, lam2 = 0.5 * (a + d) + half_gap, 0.5 * (a + d) - half_gap
    if lam2 <= dsp.split_ratio * lam1 or lam2 <= _SPLIT_NOISE * noise_rx:
        return []
    grid = _SPLIT_GRID_DEG
    spectrum = circularity_spectrum(xk[:, left], xk[:, right], grid, spacing, noise_rx)
    inner = spectrum[1:-1]
    minima = np.flatnonzero((inner <= spectrum[:-2]) & (inner < spectrum[2:])) + 1
    deep = float(np.median(spectrum)) * dsp.split_circularity
    minima = minima[spectrum[minima] < deep]
    if minima.size < 2:
        return []
    order = minima[np.argsort(spectrum[minima])]
    first = int(order[0])
    step = float(grid[1] - grid[0])
    second = next(
        (
            int(i)
            for i in order[1:]
            if abs(float(grid[i] - grid[first])) >= dsp.min_angle_separation_deg
        ),
        None,
    )
    if second is None:
        return []
    angles = [float(grid[i]) + step * parabolic_peak(-spectrum, i) for i in (first, second)]
    out: list[tuple[float, NDArray[np.complex128]]] = []
    for i in range(2):
        other = angles[1 - i]
        weights = np.zeros(xk.shape[1], dtype=np.complex128)
        weights[left] = 1.0 / math.sqrt(2.0)
        weights[right] = -np.exp(-2j * np.pi * spacing * math.sin(math.radians(other)))
        weights[right] /= math.sqrt(2.0)
        out.append((angles[i], weights))
    return out


def _one_body(
    xk: ComplexArray,
    split: list[tuple[float, NDArray[np.complex128]]],
    distance_m: float,
    fs: float,
    dsp: DspConfig,
) -> bool:
    r"""Whether the two sources of a split bin move together: two parts of one body.

    A torso a few tens of centimetres wide spans 10-20 degrees at bedside range, and its
    parts (sternum, flanks, belly) reflect with different strengths and move by different
    amounts, so a bin holding one chest may look like two sources to the circularity test.
    Two people breathe independently; the parts of one body follow one breathing waveform, up
    to a scale and a short delay. So when the two sources are closer sideways than
    ``dsp.body_width_m`` (:math:`R\,|\sin\theta_1 - \sin\theta_2|` at range :math:`R`),
    the displacement behind each separating beamformer is demodulated (Pratt circle fit and
    arctangent demodulation), detrended, and the bin stays one target when their normalised
    cross-correlation, at some delay within ``dsp.body_max_lag_s``, reaches
    ``dsp.body_correlation``. Two people that close breathing in step (same rate and phase)
    are therefore one target until their breaths drift apart.
    """
    (a1, _), (a2, _) = split
    lateral = distance_m * abs(math.sin(math.radians(a1)) - math.sin(math.radians(a2)))
    if lateral >= dsp.body_width_m:
        return False
    n = xk.shape[0]
    ramp = np.linspace(-1.0, 1.0, n)
    disps = []
    for _, weights in split:
        z = xk @ weights.conj()
        centre, _ = circle_fit_pratt(z)
        if not math.isfinite(centre.real):
            return False
        phase = arctangent_demodulation(z, centre)
        phase -= phase.mean()
        phase -= ramp * (float(ramp @ phase) / float(ramp @ ramp))
        norm = float(np.sqrt(phase @ phase))
        if norm == 0.0:
            return False
        disps.append(phase / norm)
    a, b = disps
    max_lag = min(round(dsp.body_max_lag_s * fs), n // 4)
    best = float(a @ b)
    for lag in range(1, max_lag + 1):
        best = max(best, float(a[lag:] @ b[:-lag]), float(a[:-lag] @ b[lag:]))
    return best >= dsp.body_correlation
