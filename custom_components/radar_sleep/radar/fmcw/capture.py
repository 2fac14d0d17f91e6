"""Raw-FMCW capture files: writing, reading and streaming recorded IF frames.

Capture format (``.npz``, written by :func:`save_capture`, read by :func:`load_capture` and
streamed by :class:`~.replay.FmcwReplaySource`):

=================  =======================================================================
``frames``         ``N x RX x chirps x samples``; ``uint16`` ADC codes, ``float32`` samples
                   (e.g. the Infineon Radar SDK's normalised floats) or ``complex64`` I/Q
``t``              ``float64``, length ``N``: each frame's time in seconds (monotonic)
``config``         0-d unicode array: the :class:`~.config.FmcwConfig` as a JSON object
``format_version`` 0-d ``int64``: :data:`FORMAT_VERSION` (1)
=================  =======================================================================

The file is an ordinary NumPy ``.npz`` (``np.load(path)`` opens it, ``allow_pickle`` is not
needed). :class:`~.replay.FmcwReplaySource` reads ``frames`` incrementally, so a whole night (about
1.8 GB of ``uint16`` at the default configuration) never has to fit in memory.

Every reader here also takes a **folder** recorded by Infineon's Radar SDK, ``ifxdaq`` or
Radar Fusion GUI (``config.json``, ``meta.json``, ``radar.npy``; :mod:`.infineon`), so such a
recording replays and decodes as it is, without conversion.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
import os
from pathlib import Path
from typing import Any
import zipfile

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ...contracts import VitalsFrame
from .config import DspConfig, FmcwConfig
from .dsp import FloatArray
from .infineon import frame_times, is_recording, load_recording_config, load_recording_frames
from .processor import FmcwProcessor

FORMAT_VERSION = 1
"""Version of the ``.npz`` capture format."""


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
    """The device configuration of a capture file (or recording folder), without its frames."""
    if is_recording(path):
        return load_recording_config(path)
    with np.load(Path(path), allow_pickle=False) as data:
        _check_version(int(data["format_version"]))
        return FmcwConfig.from_json(str(data["config"]))


def load_capture(path: str | os.PathLike[str]) -> FmcwCapture:
    """Read a whole capture into memory (:class:`~.replay.FmcwReplaySource` streams)."""
    if is_recording(path):
        config, mapped = load_recording_frames(path)
        frames = np.array(mapped)
        return FmcwCapture(frames, frame_times(config, 0, frames.shape[0]), config)
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

    Yields ``(config, frames, t)`` per batch. Works for compressed and uncompressed files and
    for recording folders.
    """
    if batch_frames < 1:
        raise ValueError("batch_frames must be >= 1")
    if is_recording(path):
        config, mapped = load_recording_frames(path)
        for start in range(0, mapped.shape[0], batch_frames):
            chunk = np.array(mapped[start : start + batch_frames])
            yield config, chunk, frame_times(config, start, chunk.shape[0])
        return
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
    """Process a whole capture (file or recording folder): one ``VitalsFrame`` per frame.

    What the radar command line's ``decode --family fmcw`` prints. Frames are streamed from
    the file in batches of ``batch_s`` seconds.
    """
    config = load_capture_config(path)
    processor = FmcwProcessor(config, dsp)
    out: list[VitalsFrame] = []
    for _, frames, times in iter_capture(path, max(1, round(batch_s * config.frame_rate_hz))):
        out.extend(processor.process(frames, times))
    return out
