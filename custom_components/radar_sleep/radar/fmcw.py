r"""Raw 60-GHz FMCW radar (Infineon BGT60TR13C-style) signal processing, capture and replay.

A raw FMCW radar gives no vitals by itself: each frame is an array ``RX x chirps x samples``
of beat (IF) samples. This module turns batches of such frames into one
:class:`~..contracts.VitalsFrame` per frame, for every person in view, with the signal chain
of the mm-wave vital-signs literature [1]_ [2]_:

1. **Range profiles** (:func:`range_profiles`): average the chirps of a frame, remove the DC
   of each chirp, Hann window, FFT along the samples (the positive-frequency half for the
   BGT60TR13C's real ADC samples) and keep the range bins of interest. Averaging before the
   FFT is exact (window and FFT are linear) and saves ``chirps - 1`` FFTs per frame.
2. **Detection** (:func:`detect_targets`): over the last ``detection_window_s`` seconds, the
   static clutter (furniture, walls, the chip's TX-RX leakage) is removed by subtracting each
   bin's mean over the window; the remaining energy (its variance, summed over RX) peaks at
   whatever moves or breathes. Peaks more than ``detection_threshold_db`` above the median
   (the noise floor) with a minimum range separation are targets. Two people at about the
   same range but at different angles fall in the same bin; with two horizontally spaced
   antennas no beamformer resolves 20 degrees (the beam of a 2-element, half-wavelength array
   is ~60 degrees wide). A bin whose 2 x 2 spatial covariance has two significant
   eigenvalues is therefore separated blindly (:func:`circularity_spectrum`): one chest's
   echo traces a circle in the I/Q plane, two chests' echoes together do not, so the null
   angles at which a null-steering beamformer's output becomes a circle are the two
   people's angles, and each null-steering beamformer isolates the other person [5]_.
3. **Tracking** across updates by range and angle, with ids that persist.
4. **Phase demodulation** per target (:class:`FmcwProcessor`): the complex range bin of the
   target (coherently combined over RX with the principal eigenvector of its covariance, or
   the separating beamformer) moves on a circle around a static offset (clutter in the same
   bin, the body's static reflection). The offset is estimated by an algebraic circle fit
   (Pratt [4]_, or Kasa [3]_) over the last ``fit_window_s`` seconds and removed, then the
   arctangent demodulation [2]_ gives the phase, which is unwrapped (continuous across
   batches) and converted to chest displacement, :math:`d = -\lambda_c\Delta\varphi/(4\pi)`
   (the IF phase grows with range; displacement towards the radar is positive; the phase of
   a Hann-windowed bin refers to the centre of the sweep, so :math:`\lambda_c` is the
   centre wavelength).
5. **Outputs** per frame: the breathing band-pass (causal Butterworth, default 0.1-0.6 Hz,
   state kept across batches, restarted when a body movement ends so that the movement's
   artefact does not ring on) of the displacement; a **movement index** in 0..1 from the RMS
   of the displacement's second difference (the frame-to-frame change of the phase
   derivative, a high-pass that leaves breathing and heartbeat near zero and jumps when
   body movement scrambles the phase); a **signal quality** in 0..1, the breathing-band share
   of the displacement-velocity power over the last ``quality_window_s`` seconds in excess
   of the share white noise would have (0 while the body moves); the **distance** of the bin
   refined by parabolic interpolation of the log energy; the **angle of arrival**
   :math:`\theta = \arcsin(\Delta\varphi\,\lambda/(2\pi d))` from the phase difference of
   the two horizontal antennas at the target bin (of the clutter-free covariance), positive
   to the radar's right. Rates are left to the sleep pipeline (``breath_rate_bpm`` is
   ``None``).

Capture format (``.npz``, written by :func:`save_capture`, read by :func:`load_capture` and
streamed by :class:`FmcwReplaySource`):

=================  =======================================================================
``frames``         ``N x RX x chirps x samples``; ``uint16`` ADC codes, ``float32`` samples
                   (e.g. the Infineon Radar SDK's normalised floats) or ``complex64`` I/Q
``t``              ``float64``, length ``N``: each frame's time in seconds (monotonic)
``config``         0-d unicode array: the :class:`FmcwConfig` as a JSON object
``format_version`` 0-d ``int64``: :data:`FORMAT_VERSION` (1)
=================  =======================================================================

The file is an ordinary NumPy ``.npz`` (``np.load(path)`` opens it, ``allow_pickle`` is not
needed). :class:`FmcwReplaySource` reads ``frames`` incrementally, so a whole night (about
1.8 GB of ``uint16`` at the default configuration) never has to fit in memory.

References
----------
.. [1] Alizadeh M, Shaker G, De Almeida JCM, Morita PP, Safavi-Naeini S. Remote monitoring of
   human vital signs using mm-wave FMCW radar. *IEEE Access* 7:54958-54968, 2019.
.. [2] Wang G, Muñoz-Ferreras JM, Gu C, Li C, Gómez-García R. Application of linear-frequency-
   modulated continuous-wave (LFMCW) radars for tracking of vital signs. *IEEE Trans Microw
   Theory Tech* 62(6):1387-1399, 2014.
.. [3] Kåsa I. A circle fitting procedure and its error analysis. *IEEE Trans Instrum Meas*
   25(1):8-14, 1976.
.. [4] Pratt V. Direct least-squares fitting of algebraic surfaces. *Comput Graph (SIGGRAPH)*
   21(4):145-152, 1987; Chernov N, Lesort C. Least squares fitting of circles. *J Math
   Imaging Vis* 23:239-252, 2005.
.. [5] van der Veen AJ, Paulraj A. An analytical constant modulus algorithm. *IEEE Trans
   Signal Process* 44(5):1136-1155, 1996.

"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Generator
from dataclasses import asdict, dataclass, field
import json
import math
import os
from pathlib import Path
import time
from typing import Any, Literal
import zipfile

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal

from ..contracts import Capabilities, TargetVitals, VitalsFrame

FAMILY = "fmcw"
"""Device family name (as in :class:`~.protocol.DecodedMessage`)."""

CAPABILITIES = Capabilities(
    presence=True,
    respiration_waveform=True,
    breath_rate=False,
    heart_rate=False,
    distance=True,
    angle=True,
    movement=True,
    multiple_targets=True,
)
"""What the raw-FMCW signal chain delivers (rates are computed by the sleep pipeline)."""

SPEED_OF_LIGHT = 299_792_458.0
FORMAT_VERSION = 1
"""Version of the ``.npz`` capture format."""

type ComplexArray = NDArray[np.complexfloating[Any, Any]]
type FloatArray = NDArray[np.float64]


# --------------------------------------------------------------------------------------------
# Configuration


@dataclass(frozen=True, slots=True)
class FmcwConfig:
    """The radar's acquisition settings (what a capture file records).

    Defaults are a BGT60TR13C-like vital-signs setting: one TX, three RX in an L (RX1-RX3
    horizontal, RX2-RX3 vertical, half a wavelength apart), a 58-63.5 GHz sweep sampled
    with 128 real samples at 1 MHz (5.5 GHz: 2.7 cm range bins, 1.74 m unambiguous range for
    real samples), 4 chirps per frame, 20 frames per second.
    """

    start_frequency_hz: float = 58.0e9
    """RF frequency at the first ADC sample of a chirp."""
    stop_frequency_hz: float = 63.5e9
    """RF frequency at the end of the sampled part of the chirp."""
    samples_per_chirp: int = 128
    chirps_per_frame: int = 4
    frame_rate_hz: float = 20.0
    sample_rate_hz: float = 1.0e6
    """ADC sample rate."""
    rx_positions_wl: tuple[tuple[float, float], ...] = ((0.0, 0.0), (0.5, 0.5), (0.5, 0.0))
    """Receive antenna positions ``(x, z)`` in wavelengths at the centre frequency, seen from
    behind the radar: ``x`` towards the radar's right, ``z`` up."""
    azimuth_pair: tuple[int, int] | None = (0, 2)
    """Indices of the two horizontally spaced antennas used for azimuth (left, right), or
    ``None`` when the device has no horizontal pair (then ``angle_deg`` is ``None``). Swap
    the pair if a board is mounted upside down and angles come out mirrored."""

    def __post_init__(self) -> None:
        """Validate the settings."""
        if self.stop_frequency_hz == self.start_frequency_hz:
            raise ValueError("the sweep needs a bandwidth")
        if self.samples_per_chirp < 8 or self.chirps_per_frame < 1:
            raise ValueError("need >= 8 samples per chirp and >= 1 chirp per frame")
        if self.frame_rate_hz <= 0 or self.sample_rate_hz <= 0:
            raise ValueError("rates must be positive")
        if not self.rx_positions_wl:
            raise ValueError("need at least one receive antenna")
        if self.azimuth_pair is not None:
            left, right = self.azimuth_pair
            n = len(self.rx_positions_wl)
            if not (0 <= left < n and 0 <= right < n) or left == right:
                raise ValueError("azimuth_pair must name two different antennas")
            if self.rx_spacing_wl == 0.0:
                raise ValueError("the azimuth pair must be horizontally spaced")

    @property
    def bandwidth_hz(self) -> float:
        """Swept bandwidth over the sampled part of the chirp."""
        return self.stop_frequency_hz - self.start_frequency_hz

    @property
    def centre_frequency_hz(self) -> float:
        """Centre of the sampled sweep."""
        return 0.5 * (self.start_frequency_hz + self.stop_frequency_hz)

    @property
    def wavelength_m(self) -> float:
        """Wavelength at the centre frequency."""
        return SPEED_OF_LIGHT / self.centre_frequency_hz

    @property
    def chirp_slope_hz_per_s(self) -> float:
        """Frequency slope of the sampled ramp."""
        return self.bandwidth_hz * self.sample_rate_hz / self.samples_per_chirp

    @property
    def range_resolution_m(self) -> float:
        """Range-bin spacing ``c / (2 B)``."""
        return SPEED_OF_LIGHT / (2.0 * abs(self.bandwidth_hz))

    @property
    def n_rx(self) -> int:
        """Number of receive antennas."""
        return len(self.rx_positions_wl)

    @property
    def rx_spacing_wl(self) -> float:
        """Horizontal spacing of the azimuth pair in wavelengths (0 without a pair)."""
        if self.azimuth_pair is None:
            return 0.0
        left, right = self.azimuth_pair
        return self.rx_positions_wl[right][0] - self.rx_positions_wl[left][0]

    def max_range_m(self, *, real: bool = True) -> float:
        """Unambiguous range: half the bins for real samples, all of them for complex."""
        n = self.samples_per_chirp // 2 if real else self.samples_per_chirp
        return n * self.range_resolution_m

    def to_json(self) -> str:
        """The configuration as a JSON object (the capture file's ``config``)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> FmcwConfig:
        """Inverse of :meth:`to_json`; unknown keys are ignored (forward compatibility)."""
        raw = json.loads(text)
        known = set(cls.__dataclass_fields__)
        values: dict[str, Any] = {k: v for k, v in raw.items() if k in known}
        if "rx_positions_wl" in values:
            values["rx_positions_wl"] = tuple(
                (float(x), float(z)) for x, z in values["rx_positions_wl"]
            )
        pair = values.get("azimuth_pair")
        if pair is not None:
            values["azimuth_pair"] = (int(pair[0]), int(pair[1]))
        return cls(**values)


@dataclass(frozen=True, slots=True)
class DspConfig:
    """Processing settings of :class:`FmcwProcessor` (not part of a capture)."""

    min_range_m: float = 0.2
    """Nearest range searched for targets (keeps the TX-RX leakage out)."""
    max_range_m: float = 3.0
    """Farthest range searched (capped at the device's unambiguous range)."""
    update_s: float = 1.0
    """Detection, tracking and circle fit are updated every ``update_s`` of frames."""
    detection_window_s: float = 10.0
    min_detection_s: float = 2.0
    """No detection before this much data has been seen."""
    detection_threshold_db: float = 6.0
    """Moving energy above the median over range bins (the noise floor) that makes a peak."""
    min_range_separation_m: float = 0.25
    """Peaks closer in range than this are one target, unless their angles differ by at
    least ``min_angle_separation_deg``."""
    min_angle_separation_deg: float = 12.0
    sidelobe_db: float = 20.0
    """A peak within ``min_range_separation_m`` of a stronger one counts only if it is at
    most this much weaker (Hann sidelobes are 31 dB down)."""
    split_ratio: float = 0.02
    """Second over first eigenvalue of a bin's 2 x 2 spatial covariance above which the bin
    is tested for two sources."""
    min_split_s: float = 6.0
    """Shortest detection window in which a bin may be split into two sources."""
    split_circularity: float = 0.3
    """Depth (relative to the median) of the two minima of the circularity spectrum that
    split a bin into two targets."""
    max_targets: int = 4
    track_gate_m: float = 0.15
    track_gate_deg: float = 15.0
    hold_s: float = 5.0
    """A target not detected for this long is dropped."""
    fit_window_s: float = 10.0
    """Data used by the circle fit (restarted after body movement)."""
    circle_fit: Literal["pratt", "kasa"] = "pratt"
    breathing_band_hz: tuple[float, float] = (0.1, 0.6)
    filter_order: int = 2
    """Butterworth order of the breathing band-pass (a band-pass of twice this order)."""
    movement_smoothing_s: float = 0.5
    """Time constant of the mean square behind the movement index."""
    movement_floor_mm: float = 0.15
    """RMS second difference of the displacement (mm) below which the movement index is 0."""
    movement_full_mm: float = 0.8
    """RMS second difference of the displacement (mm) at which the movement index is 1."""
    movement_reset: float = 0.5
    """Movement index above which the circle fit restarts after the movement."""
    quality_window_s: float = 10.0
    """Window of the velocity powers behind the signal quality."""


# --------------------------------------------------------------------------------------------
# Small DSP functions


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
    summed = x.sum(axis=2, dtype=np.complex64 if is_complex else np.float32)
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
    return float(np.clip(0.5 * (a - c) / den, -0.5, 0.5))


def _circle_moments(z: ArrayLike) -> tuple[complex, float, float, float, float, float, float]:
    """Centroid and central moments of complex points (for the algebraic circle fits)."""
    w = np.asarray(z, dtype=np.complex128)
    centroid = complex(w.mean())
    d = w - centroid
    x, y = d.real, d.imag
    zz = x * x + y * y
    n = float(w.size)
    mxx = float(x @ x) / n
    myy = float(y @ y) / n
    mxy = float(x @ y) / n
    mxz = float(x @ zz) / n
    myz = float(y @ zz) / n
    mzz = float(zz @ zz) / n
    return centroid, mxx, myy, mxy, mxz, myz, mzz


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


# --------------------------------------------------------------------------------------------
# Detection


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
    A bin is a peak when its moving energy (:func:`moving_energy`) is a local maximum more
    than ``dsp.detection_threshold_db`` above the median over bins. Peaks are taken strongest
    first; one closer than ``dsp.min_range_separation_m`` to a target already taken is kept
    only if its angle differs by ``dsp.min_angle_separation_deg`` and it is no more than
    ``dsp.sidelobe_db`` weaker. A peak whose two horizontal antennas see two sources at
    angles at least ``dsp.min_angle_separation_deg`` apart becomes two targets
    (:func:`circularity_spectrum`). Windows shorter than ``dsp.min_split_s`` are not split.

    """
    p = np.asarray(window)
    mean = p.mean(axis=0)
    return _detect(p, mean, moving_energy(p), config=config, dsp=dsp, first_bin=first_bin)


def _detect(
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
    peaks = np.flatnonzero(is_peak) + 1
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
            offset = parabolic_peak(np.log(energy[k - 1 : k + 2]), 1)
        distance = (first_bin + k + offset) * res
        xk = p[:, :, k] - mean[:, k]
        cov = (xk.T @ xk.conj()) / n
        candidates: list[Detection] = []
        if may_split and pair is not None:
            split = _split_bin(xk, cov, pair, spacing=spacing, noise_rx=noise_rx, dsp=dsp)
            candidates = [Detection(k, distance, angle, e_k / 2, w) for angle, w in split]
        if not candidates:
            _, vec = np.linalg.eigh(cov)
            weights = np.asarray(vec[:, -1], dtype=np.complex128)
            angle = None
            if pair is not None:
                angle = angle_of_arrival_deg(float(np.angle(cov[pair[0], pair[1]])), spacing)
            candidates = [Detection(k, distance, angle, e_k, weights)]
        for cand in candidates:
            if len(accepted) < dsp.max_targets and _separate(cand, accepted, dsp, sidelobe):
                accepted.append(cand)
    return accepted


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
    :func:`circularity_spectrum` has two minima at least ``dsp.min_angle_separation_deg``
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


# --------------------------------------------------------------------------------------------
# Streaming processor


@dataclass(slots=True)
class _Track:
    """State of one tracked target across updates."""

    target_id: int
    bin: int
    distance_m: float
    angle_deg: float | None
    weights: NDArray[np.complex128]
    missed: int = 0
    """Frames since the target was last detected."""
    fit_start: int = 0
    """Global index of the first frame the circle fit may use."""
    last_phase: float | None = None
    bp_zi: FloatArray | None = None
    ms_zi: FloatArray | None = None
    tail: FloatArray | None = None
    """The last two displacement samples (for the second difference)."""
    q_hist: FloatArray | None = None
    """Velocity powers (raw, band-passed) of the last ``quality_window_s``."""
    last_breathing: float | None = None
    moving: bool = False


def _unwrap(phase: NDArray[np.floating[Any]]) -> FloatArray:
    """``np.unwrap`` for 1-D arrays, without its generality (a hot path)."""
    d = np.diff(phase)
    d -= _TWO_PI * np.round(d * (1.0 / _TWO_PI))
    out = np.empty(phase.shape, dtype=np.float64)
    out[0] = phase[0]
    np.cumsum(d, out=out[1:])
    out[1:] += phase[0]
    return out


_TWO_PI = 2.0 * math.pi


class FmcwProcessor:
    """Streaming vital-signs processor: IF frames in, one :class:`VitalsFrame` per frame out.

    Feed batches of frames (any size; typically 1-2 s) to :meth:`process`. The processor
    keeps what it needs across batches: the last ``max(detection_window_s, fit_window_s)``
    seconds of range profiles (the background for clutter removal, detection and the circle
    fit), the targets, each target's phase continuity and filter states. Detection, tracking
    and the circle fit are updated every ``dsp.update_s`` of frames, at boundaries counted
    from the first frame, so batches whose sizes are multiples of the update interval give
    the same output as one big batch. All filters are causal (``sosfilt`` with kept state).

    Per target and frame: ``respiration_mm`` is one sample of the breathing band-pass of the
    chest displacement; ``movement`` maps the RMS (over ``movement_smoothing_s``) of the
    displacement's second difference, i.e. of the change of the phase derivative from frame
    to frame, linearly from ``movement_floor_mm`` (0) to ``movement_full_mm`` (1): breathing
    and heartbeat change the derivative by hundredths of a millimetre per frame, body movement
    faster than a quarter wavelength per frame scrambles the phase and changes it by about a
    millimetre. The circle fit and the band-pass restart when a movement ends.
    ``signal_quality`` is the breathing-band fraction of the power of the displacement
    velocity over the last ``quality_window_s``, rescaled so that white noise scores 0 and a
    pure breathing signal 1, and 0 while the movement index is above ``movement_reset``.
    """

    def __init__(self, config: FmcwConfig | None = None, dsp: DspConfig | None = None) -> None:
        """Set up the filters for ``config``'s frame rate."""
        self.config = config or FmcwConfig()
        self.dsp = dsp or DspConfig()
        fs = self.config.frame_rate_hz
        band = self.dsp.breathing_band_hz
        sos = signal.butter(self.dsp.filter_order, band, "bandpass", fs=fs, output="sos")
        # sosfilt, one section at a time through lfilter (same arithmetic, less overhead).
        self._sections = [(np.asarray(sec[:3]), np.asarray(sec[3:])) for sec in sos]
        self._bp_zi = signal.sosfilt_zi(sos)
        alpha = 1.0 - math.exp(-1.0 / (self.dsp.movement_smoothing_s * fs))
        self._ms_ba = (np.array([alpha]), np.array([1.0, alpha - 1.0]))
        self._update = max(1, round(self.dsp.update_s * fs))
        self._det_frames = max(2, round(self.dsp.detection_window_s * fs))
        self._min_det = max(2, round(self.dsp.min_detection_s * fs))
        self._fit_frames = max(3, round(self.dsp.fit_window_s * fs))
        self._hold = round(self.dsp.hold_s * fs)
        self._quality_frames = max(2, round(self.dsp.quality_window_s * fs))
        # Share of white velocity noise that passes the band-pass: its noise bandwidth.
        impulse = signal.sosfilt(sos, np.r_[1.0, np.zeros(round(120 * fs))])
        self._white = float(impulse @ impulse)
        self._history = max(self._det_frames, self._fit_frames, self._update) + 1
        self._disp_scale = -1000.0 * self.config.wavelength_m / (4.0 * math.pi)
        self._bins: slice | None = None
        self._real: bool | None = None
        self.reset()

    def reset(self) -> None:
        """Forget every target and all history (a new recording)."""
        self._ring: NDArray[np.complex64] | None = None
        self._n = 0
        self._tracks: list[_Track] = []
        self._next_id = 1
        self._sums: tuple[NDArray[np.complex128], FloatArray] | None = None
        self._sum_lo = self._sum_hi = 0
        self._sum_updates = 0

    @property
    def frames_seen(self) -> int:
        """Number of frames processed since the last reset."""
        return self._n

    def process(self, frames: ArrayLike, t: ArrayLike | None = None) -> list[VitalsFrame]:
        """Process a batch of IF frames.

        Parameters
        ----------
        frames
            ``N x RX x chirps x samples`` (see :func:`range_profiles`).
        t
            Frame times in seconds (default: frame count / frame rate).

        Returns
        -------
        list of VitalsFrame
            One per input frame, in order.

        """
        x = np.asarray(frames)
        if x.ndim == 3:
            x = x[None]
        if x.ndim != 4 or x.shape[1] != self.config.n_rx:
            raise ValueError(f"frames must be N x {self.config.n_rx} x chirps x samples")
        real = not np.iscomplexobj(x)
        if self._bins is None or self._real != real:
            # First batch, or the input switched between real and complex: other bins.
            self._bins = range_bins(self.config, self.dsp, real=real)
            self._real = real
            self._ring = None
            self._sums = None
            self._tracks = []
        n_new = x.shape[0]
        if n_new == 0:
            return []
        if t is None:
            times = (self._n + np.arange(n_new)) / self.config.frame_rate_hz
        else:
            times = np.asarray(t, dtype=np.float64).reshape(-1)
            if times.size != n_new:
                raise ValueError("t must have one time per frame")
        profiles = range_profiles(x, self.config, self._bins)
        ring = self._ring
        p_all = profiles if ring is None else np.concatenate((ring, profiles))
        base = p_all.shape[0] - n_new
        g0 = self._n - base  # global index of p_all[0]
        out: list[VitalsFrame] = []
        time_list: list[float] = times.tolist()
        a = 0
        while a < n_new:
            b = min(n_new, a + self._update - (self._n + a) % self._update)
            self._chunk(p_all, base + a, base + b, g0=g0, times=time_list[a:b], out=out)
            a = b
        self._n += n_new
        self._ring = p_all[-self._history :].copy()
        return out

    # -- one update ------------------------------------------------------------------------

    def _window_sums(self, p_all: NDArray[np.complex64], b: int, g0: int) -> int:
        """Slide the running sums of the detection window to end at ``p_all[b]``.

        Keeps the sum and the sum of squared magnitudes of the profiles over the window, so
        that each update adds and removes one update's worth of frames instead of summing
        the whole window. Recomputed from scratch now and then against rounding drift.
        Returns the window start (index into ``p_all``).
        """
        g_end = g0 + b
        g_lo = max(0, g_end - self._det_frames)
        fresh = self._sums is None or self._sum_lo < g0 or self._sum_updates >= 600
        if fresh:
            w = p_all[g_lo - g0 : b].astype(np.complex128)
            self._sums = (w.sum(axis=0), (w.real**2 + w.imag**2).sum(axis=0))
            self._sum_updates = 0
        else:
            assert self._sums is not None
            s1, s2 = self._sums
            add = p_all[self._sum_hi - g0 : b].astype(np.complex128)
            drop = p_all[self._sum_lo - g0 : g_lo - g0].astype(np.complex128)
            s1 = s1 + add.sum(axis=0) - drop.sum(axis=0)
            s2 = s2 + (add.real**2 + add.imag**2).sum(axis=0)
            s2 -= (drop.real**2 + drop.imag**2).sum(axis=0)
            self._sums = (s1, s2)
            self._sum_updates += 1
        self._sum_lo, self._sum_hi = g_lo, g_end
        return g_lo - g0

    def _chunk(
        self,
        p_all: NDArray[np.complex64],
        a: int,
        b: int,
        *,
        g0: int,
        times: list[float],
        out: list[VitalsFrame],
    ) -> None:
        """Detect/track at the end of frames ``a..b`` of ``p_all`` and emit their frames."""
        assert self._bins is not None
        n = b - a
        lo = self._window_sums(p_all, b, g0)
        if g0 + b >= self._min_det and b - lo >= 2 and self._sums is not None:
            count = b - lo
            mean = self._sums[0] / count
            var = self._sums[1] / count - (mean.real**2 + mean.imag**2)
            energy = np.maximum(var, 0.0).sum(axis=0)
            dets = _detect(
                p_all[lo:b],
                mean,
                energy,
                config=self.config,
                dsp=self.dsp,
                first_bin=self._bins.start,
            )
            self._associate(dets, n, g0 + a)
        else:
            for tr in self._tracks:
                tr.missed += n
        self._tracks = [tr for tr in self._tracks if tr.missed <= self._hold]
        if not self._tracks:
            out.extend([VitalsFrame(t=t, targets=()) for t in times])
            return
        columns = [self._extract(tr, p_all, a, b, g0) for tr in self._tracks]
        rate = self.config.frame_rate_hz
        for i, t in enumerate(times):
            out.append(
                VitalsFrame(
                    t=t,
                    targets=tuple(
                        [
                            TargetVitals(
                                target_id=tid,
                                distance_m=dist,
                                angle_deg=ang,
                                respiration_mm=(resp[i],),
                                respiration_rate_hz=rate,
                                movement=mov[i],
                                signal_quality=qual[i],
                            )
                            for tid, dist, ang, resp, mov, qual in columns
                        ]
                    ),
                )
            )

    def _associate(self, dets: list[Detection], n: int, g_start: int) -> None:
        """Match detections to tracks (nearest in range and angle, gated); start new tracks."""
        free = list(self._tracks)
        for det in dets:
            best: _Track | None = None
            best_cost = math.inf
            for tr in free:
                dr = abs(det.distance_m - tr.distance_m) / self.dsp.track_gate_m
                da = 0.0
                if det.angle_deg is not None and tr.angle_deg is not None:
                    da = abs(det.angle_deg - tr.angle_deg) / self.dsp.track_gate_deg
                cost = max(dr, da)
                if cost <= 1.0 and cost < best_cost:
                    best, best_cost = tr, cost
            if best is None:
                best = _Track(
                    self._next_id,
                    det.bin,
                    det.distance_m,
                    det.angle_deg,
                    det.weights,
                    fit_start=g_start - self._fit_frames,
                )
                self._next_id += 1
                self._tracks.append(best)
            else:
                free.remove(best)
                if best.bin != det.bin or abs(np.vdot(best.weights, det.weights)) < 0.9:
                    # Another signal from now on: no movement from the switch itself.
                    best.tail = None
                best.bin, best.distance_m = det.bin, det.distance_m
                best.angle_deg, best.weights = det.angle_deg, det.weights
                best.missed = 0
        for tr in free:
            tr.missed += n
        self._tracks.sort(key=lambda tr: tr.target_id)

    def _extract(
        self, tr: _Track, p_all: NDArray[np.complex64], a: int, b: int, g0: int
    ) -> tuple[int, float, float | None, list[float], list[float], list[float]]:
        """Demodulate a track over frames ``a..b``: breathing, movement, quality."""
        dsp = self.dsp
        lo = max(0, b - self._fit_frames, tr.fit_start - g0)
        lo = min(lo, max(0, b - 2 * self._update), max(0, a - 1))
        z = p_all[lo:b, :, tr.bin].astype(np.complex128) @ tr.weights.conj()
        fit = circle_fit_kasa if dsp.circle_fit == "kasa" else circle_fit_pratt
        centre, _ = fit(z)
        if not math.isfinite(centre.real):
            centre = complex(z.mean())
        has_prev = tr.last_phase is not None and a >= 1 and a - 1 >= lo
        seg = z[a - 1 - lo :] if has_prev else z[a - lo :]
        phase = _unwrap(np.angle(seg - centre))
        if has_prev and tr.last_phase is not None:
            phase = phase[1:] + (tr.last_phase - phase[0])
        tr.last_phase = float(phase[-1])
        disp = phase * self._disp_scale
        if tr.bp_zi is None or tr.ms_zi is None:
            tr.bp_zi = self._bp_zi * disp[0]
            tr.ms_zi = np.zeros(1)
        if tr.tail is None:
            tr.tail = np.full(2, disp[0])
        # Movement: RMS of the second difference of the displacement.
        ext = np.concatenate((tr.tail, disp))
        tr.tail = ext[-2:]
        d2 = ext[2:] - 2.0 * ext[1:-1] + ext[:-2]
        ms, tr.ms_zi = signal.lfilter(*self._ms_ba, d2 * d2, zi=tr.ms_zi)
        span = dsp.movement_full_mm - dsp.movement_floor_mm
        movement = np.clip((np.sqrt(ms) - dsp.movement_floor_mm) / span, 0.0, 1.0)
        moving = movement > dsp.movement_reset
        restart = 0
        if moving.any():
            last = int(np.flatnonzero(moving)[-1])
            tr.fit_start = g0 + a + last + 1
            restart = last + 1 if last + 1 < disp.size else 0
        elif tr.moving:
            restart = 0 if disp.size == 0 else -1  # the movement ended with the last update
        tr.moving = bool(moving[-1])
        # Breathing: band-pass, restarted when a movement ends (no ringing from its artefact).
        if restart == -1:
            tr.bp_zi = self._bp_zi * disp[0]
            breathing = self._bandpass(disp, tr)
        elif restart > 0:
            head = self._bandpass(disp[:restart], tr)
            tr.bp_zi = self._bp_zi * disp[restart]
            breathing = np.concatenate((head, self._bandpass(disp[restart:], tr)))
        else:
            breathing = self._bandpass(disp, tr)
        quality = self._quality(tr, ext, breathing, moving)
        return (
            tr.target_id,
            tr.distance_m,
            tr.angle_deg,
            breathing.tolist(),
            movement.tolist(),
            quality.tolist(),
        )

    def _bandpass(self, x: FloatArray, tr: _Track) -> FloatArray:
        """Causal breathing band-pass of ``x`` with the track's filter state."""
        assert tr.bp_zi is not None
        zi_out = np.empty_like(tr.bp_zi)
        for i, (num, den) in enumerate(self._sections):
            x, zi_out[i] = signal.lfilter(num, den, x, zi=tr.bp_zi[i])
        tr.bp_zi = zi_out
        return np.asarray(x, dtype=np.float64)

    def _quality(
        self, tr: _Track, ext: FloatArray, breathing: FloatArray, moving: NDArray[np.bool_]
    ) -> FloatArray:
        """Breathing-band share of the velocity power over the last ``quality_window_s``.

        Rescaled so that white velocity noise (whose share is the band-pass's noise
        bandwidth) scores 0 and a pure breathing signal 1; 0 while the body moves.
        """
        n = breathing.size
        prev = tr.last_breathing if tr.last_breathing is not None else float(breathing[0])
        tr.last_breathing = float(breathing[-1])
        w = self._quality_frames
        powers = np.zeros((2, w + n + 1))
        if tr.q_hist is not None:
            powers[:, 1 : w + 1] = tr.q_hist
        new = powers[:, w + 1 :]
        np.subtract(ext[2:], ext[1:-1], out=new[0])
        new[1, 0] = breathing[0] - prev
        np.subtract(breathing[1:], breathing[:-1], out=new[1, 1:])
        new *= new
        tr.q_hist = powers[:, -w:].copy()
        sums = np.cumsum(powers, axis=1)
        window = sums[:, w + 1 :] - sums[:, 1 : n + 1]
        ratio = window[1] / np.maximum(window[0], 1e-30)
        white = self._white
        quality: FloatArray = np.clip((ratio - white) / (1.0 - white), 0.0, 1.0)
        quality[moving] = 0.0
        return quality


# --------------------------------------------------------------------------------------------
# Capture files and replay


@dataclass(frozen=True, slots=True)
class FmcwCapture:
    """A recorded (or simulated) sequence of IF frames."""

    frames: NDArray[np.generic]
    """``N x RX x chirps x samples`` (uint16, float32 or complex64)."""
    t: FloatArray
    config: FmcwConfig
    format_version: int = FORMAT_VERSION


_FRAME_DTYPES = (np.dtype(np.uint16), np.dtype(np.float32), np.dtype(np.complex64))


def save_capture(
    path: str | os.PathLike[str],
    frames: ArrayLike,
    t: ArrayLike,
    config: FmcwConfig,
    *,
    compress: bool = False,
) -> None:
    """Write IF frames to a ``.npz`` capture (format in the module docstring).

    ``uint16`` and ``complex64`` frames are stored as they are, anything else as ``float32``.
    Raises ``ValueError`` when the shapes disagree with ``config`` or ``t`` is not increasing.
    """
    arr = np.asarray(frames)
    if arr.dtype not in _FRAME_DTYPES:
        arr = arr.astype(np.complex64 if np.iscomplexobj(arr) else np.float32)
    expected = (config.n_rx, config.chirps_per_frame, config.samples_per_chirp)
    if arr.ndim != 4 or arr.shape[1:] != expected:
        raise ValueError(f"frames must be N x {' x '.join(map(str, expected))}, got {arr.shape}")
    times = np.asarray(t, dtype=np.float64).reshape(-1)
    if times.size != arr.shape[0]:
        raise ValueError("t must have one time per frame")
    if times.size > 1 and not np.all(np.diff(times) > 0):
        raise ValueError("frame times must increase")
    save = np.savez_compressed if compress else np.savez
    save(
        Path(path),
        frames=arr,
        t=times,
        config=np.array(config.to_json()),
        format_version=np.array(FORMAT_VERSION, dtype=np.int64),
    )


def _check_version(version: int) -> None:
    if version > FORMAT_VERSION:
        raise ValueError(f"capture format {version} is newer than this reader ({FORMAT_VERSION})")


def load_capture_config(path: str | os.PathLike[str]) -> FmcwConfig:
    """The device configuration of a capture file, without reading its frames."""
    with np.load(Path(path), allow_pickle=False) as data:
        _check_version(int(data["format_version"]))
        return FmcwConfig.from_json(str(data["config"]))


def load_capture(path: str | os.PathLike[str]) -> FmcwCapture:
    """Read a whole ``.npz`` capture into memory (see :class:`FmcwReplaySource` to stream)."""
    with np.load(Path(path), allow_pickle=False) as data:
        version = int(data["format_version"])
        _check_version(version)
        config = FmcwConfig.from_json(str(data["config"]))
        frames = data["frames"]
        times = np.asarray(data["t"], dtype=np.float64)
    return FmcwCapture(frames=frames, t=times, config=config, format_version=version)


type _Batch = tuple[FmcwConfig, NDArray[np.generic], FloatArray]

# numpy.lib.format is untyped; these are its documented signatures.
_read_magic: Callable[[Any], tuple[int, int]] = np.lib.format.read_magic
_read_header_1: Callable[[Any], tuple[tuple[int, ...], bool, np.dtype[Any]]] = (
    np.lib.format.read_array_header_1_0
)
_read_header_2: Callable[[Any], tuple[tuple[int, ...], bool, np.dtype[Any]]] = (
    np.lib.format.read_array_header_2_0
)


def iter_capture(path: str | os.PathLike[str], batch_frames: int) -> Generator[_Batch]:
    """Stream a capture in batches of ``batch_frames`` without loading ``frames`` whole.

    Yields ``(config, frames, t)`` per batch. Works for compressed and uncompressed files.
    """
    if batch_frames < 1:
        raise ValueError("batch_frames must be >= 1")
    config = load_capture_config(path)
    with np.load(Path(path), allow_pickle=False) as data:
        times = np.asarray(data["t"], dtype=np.float64)
    with zipfile.ZipFile(Path(path)) as archive, archive.open("frames.npy") as member:
        version = _read_magic(member)
        read_header = _read_header_1 if version == (1, 0) else _read_header_2
        shape, fortran, dtype = read_header(member)
        if fortran or len(shape) != 4:
            raise ValueError("frames must be a C-ordered N x RX x chirps x samples array")
        per_frame = int(np.prod(shape[1:]))
        for start in range(0, shape[0], batch_frames):
            count = min(batch_frames, shape[0] - start)
            raw = member.read(count * per_frame * dtype.itemsize)
            chunk = np.frombuffer(raw, dtype=dtype).reshape((count, *shape[1:]))
            yield config, chunk, times[start : start + count]


def decode_capture(
    path: str | os.PathLike[str], dsp: DspConfig | None = None, *, batch_s: float = 1.0
) -> list[VitalsFrame]:
    """Process a whole capture file: one :class:`VitalsFrame` per captured frame.

    What the radar command line's ``decode --family fmcw`` prints. Frames are streamed from
    the file in batches of ``batch_s`` seconds.
    """
    config = load_capture_config(path)
    processor = FmcwProcessor(config, dsp)
    out: list[VitalsFrame] = []
    for _, frames, times in iter_capture(path, max(1, round(batch_s * config.frame_rate_hz))):
        out.extend(processor.process(frames, times))
    return out


class FmcwReplaySource:
    """Replays a capture file through :class:`FmcwProcessor` as a live source.

    Frames are read and processed in batches of ``batch_s`` seconds in the executor (never in
    the event loop). ``speed`` is capture seconds per wall-clock second (1 = real time);
    ``0`` replays as fast as the CPU allows, yielding to the event loop between batches.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        speed: float = 1.0,
        batch_s: float = 1.0,
        dsp: DspConfig | None = None,
    ) -> None:
        """Configure the source; the file is opened when iteration starts."""
        if speed < 0:
            raise ValueError("speed must be >= 0")
        if batch_s <= 0:
            raise ValueError("batch_s must be > 0")
        self.path = Path(path)
        self.speed = speed
        self.batch_s = batch_s
        self.dsp = dsp

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        """Yield one :class:`VitalsFrame` per captured frame, in time order."""
        loop = asyncio.get_running_loop()
        config = await loop.run_in_executor(None, load_capture_config, self.path)
        processor = await loop.run_in_executor(None, FmcwProcessor, config, self.dsp)
        batch = max(1, round(self.batch_s * config.frame_rate_hz))
        reader = iter_capture(self.path, batch)
        sentinel = None
        wall0 = time.monotonic()
        t0: float | None = None
        try:
            while True:
                item = await loop.run_in_executor(None, next, reader, sentinel)
                if item is None:
                    break
                _, chunk, times = item
                out = await loop.run_in_executor(None, processor.process, chunk, times)
                if t0 is None and times.size:
                    t0 = float(times[0])
                for frame in out:
                    yield frame
                if self.speed > 0 and t0 is not None and times.size:
                    period = 1.0 / config.frame_rate_hz
                    ahead = (float(times[-1]) + period - t0) / self.speed
                    delay = wall0 + ahead - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                else:
                    await asyncio.sleep(0)
        finally:
            reader.close()
