"""The raw-FMCW chain's signal processing: range FFT, DC removal, circle fits, demodulation.

Pure functions of arrays (no state); the streaming :class:`~.processor.FmcwProcessor` and the
detector compose them. References are in the package docstring (:mod:`.`).
"""

from __future__ import annotations

from collections.abc import Sequence
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal

from ...dsp import bandpass_sos
from .config import DspConfig, FmcwConfig

type ComplexArray = NDArray[np.complexfloating[Any, Any]]
type FloatArray = NDArray[np.float64]

_TWO_PI = 2.0 * math.pi


def range_bins(config: FmcwConfig, dsp: DspConfig, *, real: bool = True) -> slice:
    """FFT bins from ``dsp.min_range_m`` to ``dsp.max_range_m`` (within the unambiguous range).

    The two bins next to the real-signal Nyquist frequency are left out: the IF anti-aliasing
    filter attenuates them.
    """
    res = config.range_resolution_m
    n_bins = config.samples_per_chirp // 2 - 1 if real else config.samples_per_chirp - 1
    lo = max(2, math.ceil(dsp.min_range_m / res))
    hi = min(n_bins - 1, math.floor(dsp.max_range_m / res) + 1)
    if hi - lo < 3:
        raise ValueError("the range interval holds fewer than 3 range bins")
    return slice(lo, hi)


def range_profiles(
    frames: ArrayLike, config: FmcwConfig, bins: slice | None = None
) -> NDArray[np.complex64]:
    """Complex range profiles of IF frames, one per frame and antenna.

    Parameters
    ----------
    frames
        ``N x RX x chirps x samples`` (or one frame ``RX x chirps x samples``): real ADC
        samples (any integer or float dtype; the BGT60TR13C delivers real samples) or complex
        I/Q samples.
    config
        The device (the window length is ``config.samples_per_chirp``).
    bins
        Range bins to keep (default all positive-frequency bins).

    Returns
    -------
    numpy.ndarray
        ``N x RX x bins`` complex64: chirp-averaged, DC-free, Hann-windowed DFT. For real input
        only the positive-frequency half of the spectrum is computed.

    Notes
    -----
    Averaging the chirps before the transform equals averaging the transforms (both steps are
    linear) and costs one transform per antenna per frame instead of one per chirp. When
    ``bins`` is given, only those bins are computed, as one matrix product with the windowed
    DFT matrix of the bins (cheaper than a full FFT for the 50-odd bins of a bedside range),
    and the DC needs no removal: the DFT of a periodic Hann window is zero beyond bin 1.
    Bin ``k`` is at range ``k * config.range_resolution_m``.

    """
    x = np.asarray(frames)
    if x.ndim == 3:
        x = x[None]
    n = config.samples_per_chirp
    if x.ndim != 4 or x.shape[-1] != n:
        raise ValueError(f"frames must be N x RX x chirps x {n}")
    is_complex = np.iscomplexobj(x)
    # The chirp sum as a single-precision einsum (cheaper than a reduction along axis 2).
    single = x.astype(np.complex64 if is_complex else np.float32, copy=False)
    summed = np.einsum("nrcs->nrs", single)
    n_frames, n_rx, _ = summed.shape
    if bins is None or not 2 <= bins.start < bins.stop <= (n if is_complex else n // 2 + 1):
        avg = summed / np.float32(x.shape[2])
        avg -= avg.mean(axis=-1, keepdims=True)
        avg *= _hann(n)
        spec = np.fft.fft(avg, axis=-1) if is_complex else np.fft.rfft(avg, axis=-1)
        out = spec if bins is None else spec[..., bins]
        return np.ascontiguousarray(out, dtype=np.complex64)
    matrix = _dft_matrix(n, bins.start, bins.stop, x.shape[2], is_complex)
    product = summed.reshape(-1, n) @ matrix
    spectrum: NDArray[np.complex64] = product if is_complex else product.view(np.complex64)
    return spectrum.reshape(n_frames, n_rx, bins.stop - bins.start)


_HANN: dict[int, NDArray[np.float32]] = {}
_DFT: dict[tuple[int, int, int, int, bool], NDArray[Any]] = {}


def _dft_matrix(n: int, lo: int, hi: int, chirps: int, is_complex: bool) -> NDArray[Any]:
    """Hann-windowed DFT matrix of bins ``lo..hi`` (divided by ``chirps``), cached.

    Complex64 ``n x bins`` for complex input; for real input float32 ``n x 2 bins`` with the
    real and imaginary parts interleaved, so that the product of real rows viewed as complex64
    is the spectrum.
    """
    key = (n, lo, hi, chirps, is_complex)
    if key not in _DFT:
        k = np.arange(lo, hi)
        phase = -2.0 * np.pi * np.outer(np.arange(n), k) / n
        windowed = signal.windows.hann(n, sym=False)[:, None] * np.exp(1j * phase) / chirps
        if is_complex:
            _DFT[key] = windowed.astype(np.complex64)
        else:
            inter = np.empty((n, 2 * k.size), dtype=np.float32)
            inter[:, 0::2] = windowed.real
            inter[:, 1::2] = windowed.imag
            _DFT[key] = inter
    return _DFT[key]


def _hann(n: int) -> NDArray[np.float32]:
    """Periodic Hann window of length ``n`` (cached)."""
    if n not in _HANN:
        _HANN[n] = signal.windows.hann(n, sym=False).astype(np.float32)
    return _HANN[n]


def moving_energy(profiles: ComplexArray) -> FloatArray:
    """Energy of what moves in each range bin: variance over frames, summed over antennas.

    Subtracting each bin's mean over the frames removes the static clutter (the background);
    what remains is breathing, movement and noise.

    Parameters
    ----------
    profiles
        ``N x RX x bins`` complex range profiles.

    Returns
    -------
    numpy.ndarray
        ``bins`` energies.

    """
    p = np.asarray(profiles)
    centred = p - p.mean(axis=0)
    power = centred.real**2 + centred.imag**2
    return np.asarray(power.mean(axis=0).sum(axis=0), dtype=np.float64)


def parabolic_peak(y: ArrayLike, k: int) -> float:
    """Sub-bin offset of the peak at ``k`` from the parabola through ``y[k-1:k+2]``.

    Returns a value in [-0.5, 0.5]; 0 at the ends of ``y`` or on a flat top. With ``y`` the
    logarithm of a power spectrum this is Gaussian interpolation, nearly unbiased for a
    Hann-windowed tone (Smith JO, Serra X, PARSHL, ICMC 1987).
    """
    v = np.asarray(y, dtype=np.float64)
    if k <= 0 or k >= v.size - 1:
        return 0.0
    a, b, c = float(v[k - 1]), float(v[k]), float(v[k + 1])
    den = a - 2.0 * b + c
    if den >= 0.0:
        return 0.0
    return min(0.5, max(-0.5, 0.5 * (a - c) / den))


def _circle_moments(z: ArrayLike) -> tuple[complex, float, float, float, float, float, float]:
    """Centroid and central moments of complex points (for the algebraic circle fits)."""
    w = np.asarray(z, dtype=np.complex128)
    n = w.size
    centroid = complex(w.sum()) / n
    # Rows x, y, x^2 + y^2 of the centred points; all second moments in one product.
    rows = np.empty((3, n))
    np.subtract(w.real, centroid.real, out=rows[0])
    np.subtract(w.imag, centroid.imag, out=rows[1])
    np.multiply(rows[0], rows[0], out=rows[2])
    rows[2] += rows[1] * rows[1]
    g = (rows @ rows.T).tolist()
    return (
        centroid,
        g[0][0] / n,
        g[1][1] / n,
        g[0][1] / n,
        g[0][2] / n,
        g[1][2] / n,
        g[2][2] / n,
    )


def circle_fit_kasa(z: ArrayLike) -> tuple[complex, float]:
    r"""Kåsa's algebraic circle fit of complex points.

    Minimises :math:`\sum_i (|z_i - c|^2 - r^2)^2`, a linear least-squares problem [3]_.
    Fast and exact for noise-free points; biased towards small circles when the points cover
    a short arc.

    Parameters
    ----------
    z
        At least three complex points (an I/Q trajectory).

    Returns
    -------
    tuple
        ``(centre, radius)``; a centre of ``nan`` when the points are collinear.

    References
    ----------
    .. [3] Kåsa I. A circle fitting procedure and its error analysis. *IEEE Trans Instrum
       Meas* 25(1):8-14, 1976.

    """
    centroid, mxx, myy, mxy, mxz, myz, _ = _circle_moments(z)
    det = mxx * myy - mxy * mxy
    if det <= 1e-18 * max(mxx + myy, 1e-300) ** 2:
        return complex(math.nan, math.nan), math.nan
    cx = 0.5 * (mxz * myy - myz * mxy) / det
    cy = 0.5 * (myz * mxx - mxz * mxy) / det
    return centroid + complex(cx, cy), math.sqrt(cx * cx + cy * cy + mxx + myy)


def circle_fit_pratt(z: ArrayLike) -> tuple[complex, float]:
    """Pratt's algebraic circle fit of complex points (Newton form of Chernov & Lesort).

    Minimises the algebraic distance of :math:`A|z|^2 + B x + C y + D = 0` under Pratt's
    constraint :math:`B^2 + C^2 - 4AD = 1` [4]_, which removes most of Kåsa's bias on short
    arcs: the DC-offset estimate of arctangent demodulation when the chest moves less than
    half a wavelength.

    Parameters
    ----------
    z
        At least three complex points (an I/Q trajectory).

    Returns
    -------
    tuple
        ``(centre, radius)``; a centre of ``nan`` when the points are collinear.

    References
    ----------
    .. [4] Pratt V. Direct least-squares fitting of algebraic surfaces. *Comput Graph* 21(4):
       145-152, 1987; Chernov N, Lesort C. Least squares fitting of circles. *J Math Imaging
       Vis* 23:239-252, 2005.

    """
    centroid, mxx, myy, mxy, mxz, myz, mzz = _circle_moments(z)
    mz = mxx + myy
    cov_xy = mxx * myy - mxy * mxy
    if cov_xy <= 1e-18 * max(mz, 1e-300) ** 2:
        return complex(math.nan, math.nan), math.nan
    a2 = 4.0 * cov_xy - 3.0 * mz * mz - mzz
    a1 = mzz * mz + 4.0 * cov_xy * mz - mxz * mxz - myz * myz - mz**3
    a0 = mxz * mxz * myy + myz * myz * mxx - mzz * cov_xy - 2.0 * mxz * myz * mxy
    a0 += mz * mz * cov_xy
    x_new, y_new = 0.0, math.inf
    for _ in range(20):
        y_old = y_new
        y_new = a0 + x_new * (a1 + x_new * (a2 + 4.0 * x_new * x_new))
        if abs(y_new) > abs(y_old):
            x_new = 0.0
            break
        dy = a1 + x_new * (2.0 * a2 + 16.0 * x_new * x_new)
        if dy == 0.0:
            break
        x_old, x_new = x_new, x_new - y_new / dy
        if x_new < 0.0:
            x_new = 0.0
            break
        if abs(x_new - x_old) <= 1e-12 * abs(x_new):
            break
    det = x_new * x_new - x_new * mz + cov_xy
    cx = 0.5 * (mxz * (myy - x_new) - myz * mxy) / det
    cy = 0.5 * (myz * (mxx - x_new) - mxz * mxy) / det
    return centroid + complex(cx, cy), math.sqrt(cx * cx + cy * cy + mz + 2.0 * x_new)


def arctangent_demodulation(z: ArrayLike, centre: complex = 0j) -> FloatArray:
    r"""Unwrapped phase of an I/Q trajectory around ``centre`` (the DC offset).

    Arctangent demodulation [2]_: :math:`\varphi = \operatorname{unwrap}(\arg(z - c))`.
    Exact for any displacement as long as the phase moves less than :math:`\pi` between
    samples, unlike the small-angle approximation; it needs the DC offset ``c`` (static
    clutter in the bin) removed first, e.g. by :func:`circle_fit_pratt`.

    References
    ----------
    .. [2] Wang G et al. Application of LFMCW radars for tracking of vital signs. *IEEE Trans
       Microw Theory Tech* 62(6):1387-1399, 2014.

    """
    w = np.asarray(z, dtype=np.complex128) - centre
    return np.asarray(np.unwrap(np.angle(w)), dtype=np.float64)


def phase_to_displacement_mm(phase: ArrayLike, wavelength_m: float) -> FloatArray:
    r"""Displacement towards the radar (mm) from the IF phase: :math:`-\lambda\varphi/(4\pi)`.

    The round trip doubles the path, so one full phase turn is half a wavelength (2.5 mm at
    60 GHz); the phase grows with range, so motion towards the radar is its negative [1]_.
    """
    return np.asarray(phase, dtype=np.float64) * (-1000.0 * wavelength_m / (4.0 * math.pi))


def angle_of_arrival_deg(delta_phase: float, spacing_wl: float) -> float:
    r"""Azimuth (degrees) from the phase difference of two antennas ``spacing_wl`` apart.

    :math:`\theta = \arcsin(\Delta\varphi\,\lambda / (2\pi d))` with
    :math:`\Delta\varphi = \varphi_\mathrm{left} - \varphi_\mathrm{right}`: a target to the
    right is nearer the right antenna, so its phase there is smaller; positive angles are to
    the radar's right [1]_.
    """
    s = delta_phase / (2.0 * math.pi * spacing_wl)
    return math.degrees(math.asin(max(-1.0, min(1.0, s))))


def circularity_spectrum(
    x_left: ComplexArray,
    x_right: ComplexArray,
    angles_deg: ArrayLike,
    spacing_wl: float,
    noise_power: float = 0.0,
) -> FloatArray:
    r"""How far the output of a null-steering beamformer is from a circle, per null angle.

    For each angle :math:`\theta`, the two-antenna beamformer
    :math:`y = x_L - e^{j\psi} x_R`, :math:`\psi = 2\pi d \sin\theta`, cancels a source
    at :math:`\theta`. A breathing chest alone traces a circle in the I/Q plane (its echo has
    a constant modulus around the static offset of the bin), two chests together do not. So
    when a range bin holds two people, :math:`y` is a circle only when the null sits on one
    of them: the spectrum has two deep minima, at the two angles, and the beamformer that
    nulls one person isolates the other. This is the constant-modulus principle of blind
    beamforming (van der Veen & Paulraj 1996 [5]_) reduced to a search over one null angle,
    with the circle's centre (the static clutter) estimated rather than assumed zero. It
    needs no difference in breathing rate, only that each chest's trajectory is curved.

    Parameters
    ----------
    x_left, x_right
        Complex samples of the target bin at the left and right antennas (a few seconds).
    angles_deg
        Null angles to scan.
    spacing_wl
        Antenna spacing in wavelengths.
    noise_power
        Noise variance per antenna, if known: its contribution to the residual (which would
        otherwise make the minima shallower and push them away from each other at low SNR)
        is subtracted (the spectrum may then dip slightly below 0 at a null).

    Returns
    -------
    numpy.ndarray
        Per angle, the residual of a Kåsa circle fit, :math:`\langle(|y - c|^2 - r^2)^2\rangle
        / (4 r^4)`, about the mean squared radial residual over the squared radius (0 for a
        perfect circle). All angles are evaluated from the channels' sample moments up to
        fourth order (the moments of :math:`y` are polynomials in :math:`e^{j\psi}`), so
        each angle costs O(1).

    References
    ----------
    .. [5] van der Veen AJ, Paulraj A. An analytical constant modulus algorithm. *IEEE Trans
       Signal Process* 44(5):1136-1155, 1996.

    """
    theta = np.radians(np.asarray(angles_deg, dtype=np.float64))
    m = np.exp(2j * np.pi * spacing_wl * np.sin(theta))
    mc = m.conj()
    dl = np.asarray(x_left, dtype=np.complex128)
    dr = np.asarray(x_right, dtype=np.complex128)
    dl = dl - dl.mean()
    dr = dr - dr.mean()
    # y - mean(y) = dl - m dr, so |.|^2 = a - 2 Re(conj(m) b): every moment of y that the fit
    # needs is a polynomial in m whose coefficients are sample moments of (dl, dr, a, b).
    a = dl.real**2 + dl.imag**2 + dr.real**2 + dr.imag**2
    b = dl * dr.conj()
    v = np.stack((dl, dr, a.astype(np.complex128), b, b.conj(), np.ones_like(dl)))
    g = (v @ v.T) / dl.size  # g[i, j] = mean(v_i v_j)
    dl_, dr_, a_, b_, bc_, one = range(6)
    mz = g[a_, one].real - 2.0 * (mc * g[b_, one]).real
    d2 = g[dl_, dl_] - 2.0 * m * g[dl_, dr_] + m * m * g[dr_, dr_]
    mxx, myy, mxy = 0.5 * (mz + d2.real), 0.5 * (mz - d2.real), 0.5 * d2.imag
    dz = g[dl_, a_] - m * g[dr_, a_] - mc * g[dl_, b_] - m * g[dl_, bc_]
    dz += g[dr_, b_] + m * m * g[dr_, bc_]
    mxz, myz = dz.real, dz.imag
    mzz = g[a_, a_].real - 4.0 * (mc * g[a_, b_]).real
    mzz += 2.0 * (g[b_, bc_].real + (mc * mc * g[b_, b_]).real)
    det = mxx * myy - mxy * mxy
    det = np.where(det > 0.0, det, np.inf)
    cx = 0.5 * (mxz * myy - myz * mxy) / det
    cy = 0.5 * (myz * mxx - mxz * mxy) / det
    r2 = cx * cx + cy * cy + mxx + myy
    err = (mzz - mz * mz) - 4.0 * (cx * mxz + cy * myz)
    err += 4.0 * (cx * cx * mxx + 2.0 * cx * cy * mxy + cy * cy * myy)
    r2 = np.where(r2 > 0.0, r2, np.inf)
    out = err / (4.0 * r2 * r2)
    if noise_power > 0.0:
        # Beamformer output noise 2 sigma^2: E[e^2] gains 2 r^2 (2 sigma^2) + (2 sigma^2)^2.
        out = out - noise_power / r2 - (noise_power / r2) ** 2
    return np.asarray(np.where(np.isfinite(det), out, 1.0), dtype=np.float64)


def unwrap_phase(phase: NDArray[np.floating[Any]]) -> FloatArray:
    """``np.unwrap`` for 1-D arrays, without its generality (a hot path)."""
    d = phase[1:] - phase[:-1]
    d -= _TWO_PI * np.rint(d * (1.0 / _TWO_PI))
    out = np.empty(phase.shape, dtype=np.float64)
    out[0] = phase[0]
    np.cumsum(d, out=out[1:])
    out[1:] += phase[0]
    return out


def block_filter_matrix(
    sections: Sequence[tuple[FloatArray, FloatArray]], n: int
) -> NDArray[np.float64]:
    r"""The cascade of IIR ``sections`` over a block of ``n`` samples as one matrix.

    A linear filter with state is linear in its input and its state together: for a block
    :math:`x` of ``n`` samples and the stacked direct-form-II-transposed states :math:`s` of
    the sections (``lfilter``'s ``zi``, section by section),

    .. math:: \begin{pmatrix} y \\ s' \end{pmatrix} = M \begin{pmatrix} x \\ s
              \end{pmatrix},

    with :math:`M` of size ``(n + S) x (n + S)`` (``S`` states in all). The columns of
    :math:`M` are the filter's response to unit inputs and unit states, so one matrix product
    replaces one ``lfilter`` call per section (the same arithmetic up to rounding; Rohrer's
    state-space block filtering, e.g. Mitra SK, *Digital Signal Processing*, 4th ed., 2011,
    ch. 9).
    """
    orders = [max(len(num), len(den)) - 1 for num, den in sections]
    size = sum(orders)

    def run(x: FloatArray, state: FloatArray) -> tuple[FloatArray, FloatArray]:
        out = np.empty(size)
        pos = 0
        for (num, den), order in zip(sections, orders, strict=True):
            x, out[pos : pos + order] = signal.lfilter(num, den, x, zi=state[pos : pos + order])
            pos += order
        return np.asarray(x, dtype=np.float64), out

    matrix = np.empty((n + size, n + size))
    unit = np.eye(n + size)
    for j in range(n + size):
        y, state = run(unit[j, :n], unit[j, n:])
        matrix[:n, j] = y
        matrix[n:, j] = state
    return matrix


def breathing_bandpass(dsp: DspConfig, fs: float) -> FloatArray:
    """Second-order sections of the chain's causal breathing band-pass at frame rate ``fs``.

    A Butterworth band-pass of order ``2 x dsp.filter_order`` over ``dsp.breathing_band_hz``,
    designed by the package-wide :func:`~...dsp.bandpass_sos`, which keeps the upper edge at
    most 0.9 x Nyquist: with the default 0.6-Hz edge that moves the band only below 4/3 frames
    per second, far under the 10-20 frames per second of a vital-signs setting.
    """
    return bandpass_sos(fs, dsp.breathing_band_hz, dsp.filter_order)
