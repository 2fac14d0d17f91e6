"""Settings of the raw-FMCW chain: the acquisition (what a capture records) and the processing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
import json
from typing import Any, Literal

SPEED_OF_LIGHT = 299_792_458.0


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
    """Processing settings of :class:`~.processor.FmcwProcessor` (not part of a capture)."""

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
    body_width_m: float = 0.35
    """Sources of a split bin closer sideways than this may be parts of one body."""
    body_correlation: float = 0.8
    """Cross-correlation of the two sources' displacements above which a split bin stays one
    target: two parts of one body (:func:`~.detection.detect_in_window`)."""
    body_max_lag_s: float = 0.5
    """Largest delay between the two sources' displacements searched for that correlation
    (the belly may lead or lag the chest)."""
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
