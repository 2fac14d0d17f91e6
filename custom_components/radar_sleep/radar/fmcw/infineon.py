"""Recordings of Infineon's Radar SDK, ``ifxdaq`` and Radar Fusion GUI, read as captures.

These tools write one folder per recording::

    BGT60TR13C_record_20260106-151615/
        meta.json                    date, host and ifxdaq version (not needed)
        RadarIfxAvian_00/            one folder per radar device
            config.json              {"device_config": {"fmcw_single_shape": {...}}}
            meta.json                {"description": "BGT60TR13C FMCW Radar Sensor", ...}
            format.version           "1.0.0"
            radar.npy                frames x RX x chirps x samples (uint16 12-bit ADC codes)

:func:`find_recording` accepts the recording folder (with exactly one device folder), the
device folder itself, or a folder holding one recording folder. :func:`ifx_config` maps the
device's ``fmcw_single_shape`` onto :class:`~.config.FmcwConfig`:

==========================  ===========================================================
``start_frequency_Hz``      ``start_frequency_hz``
``end_frequency_Hz``        ``stop_frequency_hz`` (the SDK's ramp lasts exactly the
                            sampling time, ``num_samples_per_chirp / sample_rate_Hz``)
``sample_rate_Hz``          ``sample_rate_hz``
``num_samples_per_chirp``   ``samples_per_chirp``
``num_chirps_per_frame``    ``chirps_per_frame``
``frame_repetition_time_s`` ``frame_rate_hz = 1 / frame_repetition_time_s``
``rx_antennas``             ``rx_positions_wl``: the BGT60TR13C's L of receive antennas
                            (RX1 and RX3 horizontal, RX3 and RX2 vertical, half a
                            wavelength apart); ``azimuth_pair`` = (RX1, RX3) when both
                            were recorded, else none (no angles). Other boards (the
                            device ``meta.json`` ``description``) are read without angles
==========================  ===========================================================

A recording with several transmit antennas (``mimo_mode`` other than ``off``) interleaves
their chirps and is refused, as are other chirp shapes. The recording has no frame times:
frame ``k`` is at ``k * frame_repetition_time_s``. ``radar.npy`` is read memory-mapped, so a
whole night never has to fit in memory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .config import FmcwConfig

DATA_FILE = "radar.npy"
CONFIG_FILE = "config.json"
META_FILE = "meta.json"

BGT60TR13C_RX_WL: dict[int, tuple[float, float]] = {
    1: (0.0, 0.0),
    2: (0.5, 0.5),
    3: (0.5, 0.0),
}
"""Receive antenna (1-based, as the SDK numbers them) -> position ``(x, z)`` in wavelengths."""


def _is_device_folder(path: Path) -> bool:
    return (path / DATA_FILE).is_file() and (path / CONFIG_FILE).is_file()


def is_recording(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder (rather than a ``.npz`` capture file)."""
    return Path(path).is_dir()


def find_recording(path: str | os.PathLike[str]) -> Path:
    """The device folder of a recording (the folder holding ``config.json`` and ``radar.npy``).

    ``path`` is that folder, the recording folder above it, or a folder holding one recording.

    Raises ``FileNotFoundError`` when ``path`` is not a folder and ``ValueError`` when it holds
    no device folder, or several (name the one to use).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"no recording folder at {folder}")
    if _is_device_folder(folder):
        return folder
    devices = sorted(
        p.parent
        for pattern in (f"*/{DATA_FILE}", f"*/*/{DATA_FILE}")
        for p in folder.glob(pattern)
        if _is_device_folder(p.parent)
    )
    if not devices:
        raise ValueError(
            f"{folder} is not an Infineon recording: no {CONFIG_FILE} and {DATA_FILE} in it "
            "or in a device folder inside it"
        )
    if len(devices) > 1:
        names = ", ".join(str(p.relative_to(folder)) for p in devices)
        raise ValueError(f"{folder} holds several radar devices ({names}); give one of them")
    return devices[0]


def _number(shape: dict[str, Any], key: str) -> float:
    try:
        value = float(shape[key])
    except KeyError:
        raise ValueError(f"{CONFIG_FILE} has no {key}") from None
    except TypeError, ValueError:
        raise ValueError(f"{CONFIG_FILE}: {key} is not a number") from None
    return value


def ifx_config(raw: dict[str, Any], device: str = "BGT60TR13C") -> FmcwConfig:
    """:class:`~.config.FmcwConfig` of a parsed ``config.json`` (mapping in the module doc).

    ``device`` is the device folder's ``meta.json`` ``description``; the antenna geometry
    (and so the angles) is known for the BGT60TR13C only.
    """
    shapes = raw.get("device_config", raw)
    if not isinstance(shapes, dict) or "fmcw_single_shape" not in shapes:
        kinds = ", ".join(shapes) if isinstance(shapes, dict) else type(shapes).__name__
        raise ValueError(f"only fmcw_single_shape recordings are supported (found {kinds})")
    shape = shapes["fmcw_single_shape"]
    mimo = str(shape.get("mimo_mode", "off"))
    tx = list(shape.get("tx_antennas", [1]))
    if mimo != "off" or len(tx) != 1:
        raise ValueError(f"recordings with several transmit antennas are not supported ({mimo})")
    rx = [int(a) for a in shape.get("rx_antennas", [])]
    if not rx or len(set(rx)) != len(rx):
        raise ValueError(f"{CONFIG_FILE}: rx_antennas must list the receive antennas")
    frame_time = _number(shape, "frame_repetition_time_s")
    if frame_time <= 0:
        raise ValueError(f"{CONFIG_FILE}: frame_repetition_time_s must be positive")
    if "TR13C" in device.upper() and all(a in BGT60TR13C_RX_WL for a in rx):
        positions = tuple(BGT60TR13C_RX_WL[a] for a in rx)
        pair = (rx.index(1), rx.index(3)) if 1 in rx and 3 in rx else None
    else:  # another board: no known geometry, so no angles
        positions = tuple((0.5 * i, 0.0) for i in range(len(rx)))
        pair = None
    return FmcwConfig(
        start_frequency_hz=_number(shape, "start_frequency_Hz"),
        stop_frequency_hz=_number(shape, "end_frequency_Hz"),
        samples_per_chirp=int(_number(shape, "num_samples_per_chirp")),
        chirps_per_frame=int(_number(shape, "num_chirps_per_frame")),
        frame_rate_hz=1.0 / frame_time,
        sample_rate_hz=_number(shape, "sample_rate_Hz"),
        rx_positions_wl=positions,
        azimuth_pair=pair,
    )


def load_recording_config(path: str | os.PathLike[str]) -> FmcwConfig:
    """The :class:`~.config.FmcwConfig` of a recording folder, checked against its data."""
    config, _ = _open(path)
    return config


def load_recording_frames(path: str | os.PathLike[str]) -> tuple[FmcwConfig, NDArray[Any]]:
    """The configuration and the (memory-mapped) ``N x RX x chirps x samples`` frames."""
    return _open(path)


def frame_times(config: FmcwConfig, start: int, count: int) -> NDArray[np.float64]:
    """Times of frames ``start .. start + count`` (s): the recording has none of its own."""
    return (start + np.arange(count, dtype=np.float64)) / config.frame_rate_hz


def _open(path: str | os.PathLike[str]) -> tuple[FmcwConfig, NDArray[Any]]:
    device = find_recording(path)
    try:
        raw = json.loads((device / CONFIG_FILE).read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{device / CONFIG_FILE} is not JSON: {err}") from err
    if not isinstance(raw, dict):
        raise ValueError(f"{device / CONFIG_FILE} is not a JSON object")  # noqa: TRY004 - bad file
    description = "BGT60TR13C"  # what ifxdaq records; a device meta.json may say otherwise
    meta_path = device / META_FILE
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            meta = {}
        if isinstance(meta, dict) and isinstance(meta.get("description"), str):
            description = meta["description"]
    config = ifx_config(raw, description)
    frames = np.load(device / DATA_FILE, mmap_mode="r", allow_pickle=False)
    expected = (config.n_rx, config.chirps_per_frame, config.samples_per_chirp)
    if frames.ndim != 4 or tuple(frames.shape[1:]) != expected:
        raise ValueError(
            f"{DATA_FILE} is {frames.shape}, the configuration says N x "
            + " x ".join(map(str, expected))
        )
    if not (
        np.issubdtype(frames.dtype, np.integer)
        or np.issubdtype(frames.dtype, np.floating)
        or np.issubdtype(frames.dtype, np.complexfloating)
    ):
        raise ValueError(f"{DATA_FILE} holds {frames.dtype}, not radar samples")
    return config, frames
