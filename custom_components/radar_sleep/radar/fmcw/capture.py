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

A file that cannot be read as such a capture (not a zip, a damaged member, a missing array, a
configuration that is not valid JSON or not valid, shapes that disagree with it, times that are
not finite and increasing, a newer format) raises :class:`CaptureError` and nothing else. The
zip CRC-32 of each array is the capture's checksum: a capture has no per-frame checksum, so a
damaged file is refused whole, and :func:`iter_capture` checks the CRC of ``frames`` before it
yields the first batch.

Every reader here also takes a **folder** recorded by Infineon's Radar SDK, ``ifxdaq`` or
Radar Fusion GUI (``config.json``, ``meta.json``, ``radar.npy``; :mod:`.infineon`), so such a
recording replays and decodes as it is, without conversion.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import dataclass
import os
from pathlib import Path
import struct
from typing import Any
import zipfile
import zlib

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ...contracts import VitalsFrame
from .config import DspConfig, FmcwConfig
from .dsp import FloatArray
from .infineon import frame_times, is_recording, load_recording_config, load_recording_frames
from .processor import FmcwProcessor

FORMAT_VERSION = 1
"""Version of the ``.npz`` capture format."""
_CRC_CHUNK_BYTES = 1 << 20


class CaptureError(ValueError):
    """A file that cannot be read as a capture (see the module docstring)."""


@contextmanager
def _reading(path: str | os.PathLike[str]) -> Generator[None]:
    """Turn whatever a damaged file makes the readers raise into :class:`CaptureError`.

    A missing or unreadable file (``FileNotFoundError``, ``PermissionError``, ...) stays an
    ``OSError``: the file is not damaged, it is not there.
    """
    try:
        yield
    except CaptureError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        AttributeError,
        struct.error,
        EOFError,
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        OverflowError,
        MemoryError,
        NotImplementedError,
    ) as err:
        raise CaptureError(f"{Path(path).name}: {err or type(err).__name__}") from err
    except OSError as err:
        if isinstance(err, FileNotFoundError | PermissionError | IsADirectoryError):
            raise
        raise CaptureError(f"{Path(path).name}: {err}") from err


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
        raise CaptureError(f"capture format {version} is newer than this reader ({FORMAT_VERSION})")


def _config(data: Any) -> FmcwConfig:
    """The configuration of an open capture (format version checked)."""
    _check_version(int(data["format_version"]))
    text = data["config"]
    if text.dtype.kind != "U" or text.ndim != 0:
        raise CaptureError("config is not a JSON text")
    return FmcwConfig.from_json(str(text))


def _times(raw: Any, n_frames: int) -> FloatArray:
    times = np.asarray(raw, dtype=np.float64)
    if times.shape != (n_frames,):
        raise CaptureError(f"t holds {times.size} times for {n_frames} frames")
    if not np.all(np.isfinite(times)) or np.any(np.diff(times) <= 0):
        raise CaptureError("frame times must be finite and increase")
    return times


def _check_frames(shape: tuple[int, ...], dtype: np.dtype[Any], config: FmcwConfig) -> None:
    expected = (config.n_rx, config.chirps_per_frame, config.samples_per_chirp)
    if len(shape) != 4 or tuple(shape[1:]) != expected:
        raise CaptureError(f"frames are {shape}, not N x {' x '.join(map(str, expected))}")
    if dtype not in _FRAME_DTYPES:
        raise CaptureError(f"frames of type {dtype} (uint16, float32 or complex64 expected)")


def _check_npz(path: str | os.PathLike[str]) -> None:
    """Refuse a file that is not a ``.npz`` (zip) archive before ``np.load`` reads it.

    ``np.load`` takes any other file for a pickle and refuses it with advice about loading
    pickles unsafely, which says nothing useful about a wrong file.
    """
    if Path(path).is_file() and not zipfile.is_zipfile(path):
        raise CaptureError(f"{Path(path).name} is not a NumPy .npz file")


def load_capture_config(path: str | os.PathLike[str]) -> FmcwConfig:
    """The device configuration of a capture file (or recording folder), without its frames."""
    if is_recording(path):
        with _reading(path):
            return load_recording_config(path)
    _check_npz(path)
    with _reading(path), np.load(Path(path), allow_pickle=False) as data:
        return _config(data)


def load_capture(path: str | os.PathLike[str]) -> FmcwCapture:
    """Read a whole capture into memory (:class:`~.replay.FmcwReplaySource` streams)."""
    if is_recording(path):
        with _reading(path):
            config, mapped = load_recording_frames(path)
            frames = np.array(mapped)
        return FmcwCapture(frames, frame_times(config, 0, frames.shape[0]), config)
    _check_npz(path)
    with _reading(path), np.load(Path(path), allow_pickle=False) as data:
        version = int(data["format_version"])
        config = _config(data)
        frames = data["frames"]
        _check_frames(frames.shape, frames.dtype, config)
        times = _times(data["t"], frames.shape[0])
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


def _check_crc(archive: zipfile.ZipFile, name: str) -> None:
    """Read member ``name`` once to its end, which checks its CRC-32 (``BadZipFile`` if not)."""
    with archive.open(name) as member:
        while member.read(_CRC_CHUNK_BYTES):
            pass


def iter_capture(path: str | os.PathLike[str], batch_frames: int) -> Generator[_Batch]:
    """Stream a capture in batches of ``batch_frames`` without loading ``frames`` whole.

    Yields ``(config, frames, t)`` per batch. Works for compressed and uncompressed files and
    for recording folders. The CRC-32 of a file's ``frames`` is checked (one streaming read)
    before the first batch.
    """
    if batch_frames < 1:
        raise ValueError("batch_frames must be >= 1")
    if is_recording(path):
        with _reading(path):
            config, mapped = load_recording_frames(path)
        for start in range(0, mapped.shape[0], batch_frames):
            chunk = np.array(mapped[start : start + batch_frames])
            yield config, chunk, frame_times(config, start, chunk.shape[0])
        return
    with _reading(path):
        config = load_capture_config(path)
        with np.load(Path(path), allow_pickle=False) as data:
            raw_times = np.asarray(data["t"])
        with zipfile.ZipFile(Path(path)) as archive:
            _check_crc(archive, "frames.npy")
            with archive.open("frames.npy") as member:
                version = _read_magic(member)
                read_header = _read_header_1 if version == (1, 0) else _read_header_2
                shape, fortran, dtype = read_header(member)
                if fortran:
                    raise CaptureError("frames must be a C-ordered array")
                _check_frames(shape, dtype, config)
                times = _times(raw_times, shape[0])
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
