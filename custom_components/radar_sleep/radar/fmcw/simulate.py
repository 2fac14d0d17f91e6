r"""An IF-level simulator of a 60-GHz FMCW radar (Infineon BGT60TR13C-like) in a bedroom.

The simulator produces what the radar's ADC delivers, frame by frame: an array
``RX x chirps x samples`` of beat (IF) samples per frame, real (the BGT60TR13C's ADC), complex
(an I/Q receiver) or 12-bit ADC codes in ``uint16``, for the device described by a
:class:`~.config.FmcwConfig`. It is the test bench of the chain (:mod:`.processor`): every
expected value in the tests comes from this module's *inputs* (a person's range, angle,
breathing rate).

Signal model
    Each scatterer at range :math:`R` and azimuth :math:`\theta` (elevation :math:`\epsilon`)
    delays the chirp by :math:`\tau_m = (2R - p_m)/c` at receive antenna :math:`m`, where
    :math:`p_m = \lambda_c (x_m \sin\theta\cos\epsilon + z_m \sin\epsilon)` is the
    antenna's path advance (positions :math:`x_m, z_m` in wavelengths at the centre frequency,
    ``FmcwConfig.rx_positions_wl``; :math:`x` to the radar's right, :math:`z` up). After
    mixing with the transmitted chirp :math:`f(t) = f_0 + S t` the IF sample :math:`n` is the
    dechirped tone

    .. math:: s_m[n] = A \exp\big(j 2\pi (f_0 \tau_m + S \tau_m n / f_s
              - S \tau_m^2 / 2)\big)

    (Stove AG, Linear FMCW radar techniques, *IEE Proc F* 139(5):343-350, 1992). The real
    output is :math:`\operatorname{Re}(s)`. Amplitudes follow the radar equation,
    :math:`A = \rho / R^2` (received power :math:`\propto R^{-4}`), with reflectivity
    :math:`\rho` relative to a chest (:math:`\rho = 1`). The IF anti-aliasing low-pass of the
    receiver is a 4th-order Butterworth magnitude at 0.9 x Nyquist, so scatterers beyond the
    unambiguous range are attenuated before they alias. All chirps of a frame see the scene
    at the frame's time (a chirp lasts ~64 us; the chest moves < 1 um in that time); they
    differ only by their noise.

People
    A person is a point scatterer at the chest, or an **extended body**: several scatterers
    (``SimPerson.scatterers``, :class:`BodyScatterer`) spread over the chest and belly, each
    moving with the person's displacement scaled by its own ``motion`` (the sternum moves
    most, the flanks less; the belly leads the chest by a fraction of a breath), as a real
    torso a few tens of centimetres wide that spans several degrees at bedside range does.
    Each scatterer sits at range ``distance_m`` minus the chest
    displacement towards the radar, which is breathing (a sinusoid of ``breath_depth_mm`` peak
    to peak at ``breath_rate_bpm``, or any waveform given as a function of time) plus a
    heartbeat-size sinusoid (0.2 mm peak to peak at 65 beats/min by default; Alizadeh et al.
    2019 report 0.1-0.5 mm) plus body-movement episodes: band-limited (< 1.5 Hz) random
    displacement with a standard deviation of ``amplitude_mm`` (20 mm by default: turning
    over), a random posture offset afterwards (a few mm) and a random change of the echo
    amplitude while the body moves.

Static clutter
    Point scatterers that do not move (bed frame, lamp, wall: :data:`DEFAULT_CLUTTER`) and the
    TX-to-RX leakage of the chip, a strong tone at a few centimetres.

Noise and SNR
    White Gaussian thermal noise, independent per sample, chirp and antenna. ``snr_db`` is the
    **per-sample IF SNR of a unit-reflectivity scatterer (a chest) at 1 m**: tone power over
    noise power at the ADC, per antenna and per chirp, before any processing gain (for a real
    signal the tone power of :math:`A\cos` is :math:`A^2/2`; for a complex one
    :math:`A^2`). The default :data:`DEFAULT_SNR_DB` is 0 dB. The 128-point Hann FFT of real
    samples adds ~16 dB (~19 dB for complex samples) and the average of 4 chirps 6 dB, so at
    the default the breathing chest at 1 m stands ~21 dB above the noise floor of the
    moving-energy profile that detection uses, ~14 dB at 1.4 m and ~10 dB at 1.6 m
    (:math:`R^{-4}`); the detector's threshold is 6 dB.

Everything random derives from ``FmcwScene.seed``: the same scene, duration and device give
the same frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from .config import SPEED_OF_LIGHT, FmcwConfig

type Output = Literal["real", "complex", "adc"]
type Waveform = Callable[[NDArray[np.float64]], NDArray[np.float64]]

DEFAULT_SNR_DB = 0.0
"""Per-sample IF SNR of a unit-reflectivity chest at 1 m (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class MovementEpisode:
    """A body movement (turning over, reaching for the phone)."""

    start_s: float
    duration_s: float
    amplitude_mm: float = 20.0
    """Standard deviation of the random chest displacement during the episode."""


@dataclass(frozen=True, slots=True)
class BodyScatterer:
    """One reflecting part of an extended body, relative to the person's chest."""

    range_offset_m: float = 0.0
    """Added to the person's ``distance_m``."""
    lateral_m: float = 0.0
    """Sideways offset (positive to the radar's right) at the person's range: it adds
    ``atan(lateral_m / distance_m)`` to the azimuth."""
    reflectivity: float = 1.0
    """Share of the person's ``reflectivity``."""
    motion: float = 1.0
    """Scale of the person's displacement (breathing, heartbeat, body movement) here."""
    lag_s: float = 0.0
    """Delay of this part's breathing behind the person's (negative: it leads)."""


def extended_chest(width_m: float = 0.2, parts: int = 3) -> tuple[BodyScatterer, ...]:
    """A torso of ``parts`` scatterers spread over ``width_m`` sideways and 2 cm in depth.

    The middle one (the sternum) moves fully, the outer ones (flanks, belly) 60-80 % and up
    to a quarter of a second apart; reflectivities are unequal, so that no two parts cancel.
    """
    if parts < 1:
        raise ValueError("a body needs at least one part")
    out = []
    for i in range(parts):
        u = 0.0 if parts == 1 else 2.0 * i / (parts - 1) - 1.0  # -1 .. 1
        out.append(
            BodyScatterer(
                range_offset_m=0.02 * abs(u),
                lateral_m=0.5 * width_m * u,
                reflectivity=1.0 / (1.0 + abs(u)) * (1.0 + 0.2 * u),
                motion=1.0 - 0.4 * abs(u) * (0.5 + 0.5 * (u > 0)),
                lag_s=0.25 * u,
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class SimPerson:
    """A person in the radar's view, seen as a point scatterer at the chest."""

    distance_m: float
    angle_deg: float = 0.0
    """Azimuth, positive to the radar's right."""
    elevation_deg: float = 0.0
    breath_rate_bpm: float = 15.0
    breath_depth_mm: float = 6.0
    """Peak-to-peak chest displacement of a breath (4-12 mm is typical, Kranjec 2014)."""
    heart_rate_bpm: float = 65.0
    heart_depth_mm: float = 0.2
    """Peak-to-peak chest displacement of a heartbeat."""
    reflectivity: float = 1.0
    """Echo amplitude at 1 m relative to the SNR reference (1 = a chest)."""
    breathing: Waveform | None = None
    """Breathing displacement (mm, towards the radar) as a function of time (s); replaces the
    sinusoid of ``breath_rate_bpm`` and ``breath_depth_mm`` when given."""
    movements: tuple[MovementEpisode, ...] = ()
    scatterers: tuple[BodyScatterer, ...] = ()
    """The parts of an extended body (:func:`extended_chest`); empty: one point at the chest.
    The ground truth (``SimulatedCapture.displacement_mm``) is the displacement of a part
    with ``motion`` 1 and no lag."""


@dataclass(frozen=True, slots=True)
class StaticScatterer:
    """Something in the room that does not move (furniture, walls)."""

    distance_m: float
    angle_deg: float = 0.0
    elevation_deg: float = 0.0
    reflectivity: float = 1.0


DEFAULT_CLUTTER: tuple[StaticScatterer, ...] = (
    StaticScatterer(0.35, -45.0, 0.0, 0.5),  # bedside lamp
    StaticScatterer(0.70, 35.0, -20.0, 4.0),  # bed frame
    StaticScatterer(1.55, -10.0, 10.0, 20.0),  # wall behind the bed
)
"""A bedside scene: a lamp, the bed frame and a wall, all stronger than a chest at their
ranges except the lamp."""


@dataclass(frozen=True, slots=True)
class FmcwScene:
    """What the radar looks at, and its noise."""

    people: tuple[SimPerson, ...] = (SimPerson(1.0),)
    clutter: tuple[StaticScatterer, ...] = DEFAULT_CLUTTER
    snr_db: float = DEFAULT_SNR_DB
    leakage: float = 30.0
    """Amplitude of the TX-to-RX leakage tone (at 5 cm), relative to a chest at 1 m."""
    seed: int = 0


@dataclass(frozen=True, slots=True)
class SimulatedCapture:
    """Simulated frames and the ground truth behind them."""

    frames: NDArray[np.generic]
    """``N x RX x chirps x samples``: float32 (real), complex64 or uint16 (ADC codes)."""
    t: NDArray[np.float64]
    """Frame times in seconds."""
    config: FmcwConfig
    scene: FmcwScene
    displacement_mm: NDArray[np.float64] = field(repr=False)
    """``people x N``: each chest's displacement towards the radar (breathing, heart, body)."""
    distance_m: NDArray[np.float64] = field(repr=False)
    """``people x N``: each chest's range."""


def _movement(
    person: SimPerson, t: NDArray[np.float64], fs: float, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Displacement (mm) and echo-gain factor of a person's body-movement episodes."""
    disp = np.zeros(t.size)
    gain = np.ones(t.size)
    offset = 0.0
    sos = signal.butter(2, min(1.5, 0.45 * fs), fs=fs, output="sos")
    for ep in person.movements:
        start = round(ep.start_s * fs)
        stop = min(t.size, round((ep.start_s + ep.duration_s) * fs))
        n = stop - start
        if n < 2 or start >= t.size:
            continue
        path = signal.sosfiltfilt(sos, rng.standard_normal(n + 64), padlen=0)[32 : 32 + n]
        path *= ep.amplitude_mm / max(float(np.std(path)), 1e-12)
        taper = signal.windows.tukey(n, 0.3)
        new_offset = offset + float(rng.normal(0.0, 4.0))
        ramp = np.linspace(0.0, 1.0, n)
        disp[start:stop] = offset + (new_offset - offset) * ramp + taper * path
        wobble = signal.sosfiltfilt(sos, rng.standard_normal(n + 64), padlen=0)[32 : 32 + n]
        wobble /= max(float(np.std(wobble)), 1e-12)
        gain[start:stop] = np.clip(1.0 + 0.4 * taper * wobble, 0.2, None)
        offset = new_offset
        disp[stop:] = offset
    return disp, gain


def _rx_advance_m(
    config: FmcwConfig, angle_deg: float, elevation_deg: float
) -> NDArray[np.float64]:
    """Path advance of each receive antenna for a direction (m, positive = shorter path)."""
    az, el = math.radians(angle_deg), math.radians(elevation_deg)
    pos = np.asarray(config.rx_positions_wl, dtype=np.float64)
    return config.wavelength_m * (
        pos[:, 0] * math.sin(az) * math.cos(el) + pos[:, 1] * math.sin(el)
    )


def _aaf_gain(config: FmcwConfig, tau: NDArray[np.float64]) -> NDArray[np.float64]:
    """Magnitude of the IF anti-aliasing filter at the beat frequency of delay ``tau``."""
    f_beat = config.chirp_slope_hz_per_s * tau
    cutoff = 0.9 * config.sample_rate_hz / 2
    return np.asarray(1.0 / np.sqrt(1.0 + (f_beat / cutoff) ** 8))


def _tones(
    config: FmcwConfig, tau: NDArray[np.float64], amplitude: NDArray[np.float64]
) -> NDArray[np.complex128]:
    """Dechirped IF tones ``... x samples`` for delays ``tau`` (any shape)."""
    n = np.arange(config.samples_per_chirp, dtype=np.float64)
    slope = config.chirp_slope_hz_per_s
    tau = tau[..., None]
    cycles = config.start_frequency_hz * tau + (slope / config.sample_rate_hz) * tau * n
    cycles = cycles - 0.5 * slope * tau**2
    gain = (amplitude * _aaf_gain(config, tau[..., 0]))[..., None]
    return np.asarray(gain * np.exp(2j * np.pi * cycles))


def simulate(
    scene: FmcwScene,
    duration_s: float,
    config: FmcwConfig | None = None,
    *,
    output: Output = "real",
) -> SimulatedCapture:
    """Simulate ``duration_s`` seconds of IF frames of ``scene``.

    Parameters
    ----------
    scene
        People, static clutter, SNR and seed.
    duration_s
        Length of the capture; frames are at ``config.frame_rate_hz`` from ``t = 0``.
    config
        The device (default :class:`~.config.FmcwConfig`).
    output
        ``"real"`` (float32 IF samples, as the BGT60TR13C's ADC after scaling), ``"complex"``
        (complex64 I/Q) or ``"adc"`` (12-bit codes around mid-scale, ``uint16``, full scale
        at 1.1 x the largest sample).

    Returns
    -------
    SimulatedCapture
        Frames ``N x RX x chirps x samples`` with their times and the ground truth.

    """
    cfg = config or FmcwConfig()
    rng = np.random.default_rng(scene.seed)
    fs = cfg.frame_rate_hz
    n_frames = round(duration_s * fs)
    t = np.arange(n_frames, dtype=np.float64) / fs
    shape = (n_frames, cfg.n_rx, cfg.samples_per_chirp)

    # Static part: clutter and leakage, the same in every frame.
    static = np.zeros(shape[1:], dtype=np.complex128)
    for sc in scene.clutter:
        tau = 2.0 * sc.distance_m - _rx_advance_m(cfg, sc.angle_deg, sc.elevation_deg)
        tau = tau / SPEED_OF_LIGHT
        amp = np.full(cfg.n_rx, sc.reflectivity / sc.distance_m**2)
        static += _tones(cfg, tau, amp)
    if scene.leakage:
        tau = np.full(cfg.n_rx, 2.0 * 0.05 / SPEED_OF_LIGHT)
        static += _tones(cfg, tau, np.full(cfg.n_rx, scene.leakage))

    # People.
    moving = np.zeros(shape, dtype=np.complex128)
    displacements = np.zeros((len(scene.people), n_frames))
    distances = np.zeros((len(scene.people), n_frames))
    for i, person in enumerate(scene.people):
        phase0 = rng.uniform(0.0, 2 * np.pi, size=2)

        def breath_at(
            tt: NDArray[np.float64], p: SimPerson = person, phase: float = float(phase0[0])
        ) -> NDArray[np.float64]:
            if p.breathing is not None:
                return np.asarray(p.breathing(tt), dtype=np.float64)
            f_b = p.breath_rate_bpm / 60.0
            return np.asarray(0.5 * p.breath_depth_mm * np.sin(2 * np.pi * f_b * tt + phase))

        f_h = person.heart_rate_bpm / 60.0
        heart = 0.5 * person.heart_depth_mm * np.sin(2 * np.pi * f_h * t + phase0[1])
        body, gain = _movement(person, t, fs, rng)
        disp = breath_at(t) + heart + body
        for part in person.scatterers or (BodyScatterer(),):
            part_disp = part.motion * (breath_at(t - part.lag_s) + heart + body)
            base = person.distance_m + part.range_offset_m
            azimuth = person.angle_deg + math.degrees(math.atan2(part.lateral_m, base))
            rng_m = base - part_disp / 1000.0
            adv = _rx_advance_m(cfg, azimuth, person.elevation_deg)
            tau = (2.0 * rng_m[:, None] - adv[None, :]) / SPEED_OF_LIGHT
            refl = person.reflectivity * part.reflectivity
            amp = (refl / rng_m**2 * gain)[:, None] * np.ones(cfg.n_rx)
            moving += _tones(cfg, tau, amp)
        displacements[i] = disp
        distances[i] = person.distance_m - disp / 1000.0

    clean = moving + static  # frames x RX x samples
    snr = 10.0 ** (scene.snr_db / 10.0)
    chirps = cfg.chirps_per_frame
    full = (n_frames, cfg.n_rx, chirps, cfg.samples_per_chirp)
    frames: NDArray[np.generic]
    if output == "complex":
        sd = math.sqrt(1.0 / (2.0 * snr))
        noise = rng.standard_normal((*full, 2), dtype=np.float32) * np.float32(sd)
        frames = clean[:, :, None, :].astype(np.complex64) + noise.view(np.complex64)[..., 0]
    else:
        sd = math.sqrt(0.5 / snr)
        real = rng.standard_normal(full, dtype=np.float32) * np.float32(sd)
        real += clean.real.astype(np.float32)[:, :, None, :]
        if output == "adc":
            full_scale = 1.1 * float(np.max(np.abs(real)))
            codes = np.round(real * (2047.0 / full_scale) + 2048.0)
            frames = np.clip(codes, 0, 4095).astype(np.uint16)
        else:
            frames = real
    return SimulatedCapture(
        frames=frames,
        t=t,
        config=cfg,
        scene=scene,
        displacement_mm=displacements,
        distance_m=distances,
    )
