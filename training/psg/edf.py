"""EDF / EDF+ recordings: breathing signals and annotation hypnograms, through ``edfio``.

European Data Format (Kemp B et al., *Electroencephalogr Clin Neurophysiol* 82:391-393,
1992; EDF+: Kemp B, Olivan J, *Clin Neurophysiol* 114:1755-1761, 2003): signals, and EDF+
annotations as hypnograms (Sleep-EDF's ``*-Hypnogram.edf`` files: ``Sleep stage
W/1/2/3/4/R/?``, ``Movement time``; AASM labels ``Sleep stage N1`` ...). This is the one EDF
reader of the project: the training loaders and the ``analyze`` tool both read through it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
import warnings

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import EPOCH_SECONDS
from training.psg import RecordingError, require
from training.psg.channels import ChannelInfo, classify_channel
from training.psg.hypnogram import Hypnogram, from_intervals, parse_stage_label

type FloatArray = NDArray[np.float64]

EDF_SUFFIXES = frozenset({".edf", ".rec", ".bdf"})


def is_edf(path: Path) -> bool:
    """Whether ``path`` names an EDF/EDF+ (or BDF) file, by its suffix."""
    return path.suffix.lower() in EDF_SUFFIXES


def read_edf(path: Path, *, require_continuous: bool = False) -> Any:
    """The ``edfio.Edf`` of ``path``, its signals loaded lazily.

    A truncated file is an error, not a guess. ``require_continuous`` also refuses a
    discontinuous EDF+ (EDF+D), whose samples are not on one time axis.
    """
    if not path.is_file():
        raise RecordingError(f"no such file: {path}")
    edfio = require("edfio")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # truncated files: fail, do not guess
            edf = edfio.read_edf(path, lazy_load_data=True)
            continuous = bool(edf.is_continuous)
    except (ValueError, OSError, UnicodeDecodeError, UserWarning, IndexError) as err:
        raise RecordingError(f"cannot read {path} as EDF/EDF+: {err}") from err
    if require_continuous and not continuous:
        raise RecordingError(f"{path} is a discontinuous EDF+ (EDF+D): export it as continuous")
    return edf


def edf_start(edf: Any) -> datetime | None:
    """Instant of the first sample (the file's clock, naive), ``None`` when anonymised."""
    try:
        start: datetime = edf.startdatetime
    except ValueError, AttributeError:  # anonymised ("X") or unparseable dates
        return None
    return start


def list_edf_channels(path: Path) -> tuple[ChannelInfo, ...]:
    """Every signal of an EDF/EDF+ file, with its breathing kind."""
    edf = read_edf(path)
    return tuple(
        ChannelInfo(
            index=i,
            label=str(s.label).strip(),
            fs=float(s.sampling_frequency),
            kind=classify_channel(str(s.label), str(s.transducer_type)),
            unit=str(s.physical_dimension).strip(),
            transducer=str(s.transducer_type).strip(),
        )
        for i, s in enumerate(edf.signals)
    )


def read_edf_samples(
    path: Path, info: ChannelInfo, *, require_continuous: bool = False
) -> tuple[FloatArray, datetime | None]:
    """The samples of channel ``info`` (physical unit) and the instant of the first."""
    edf = read_edf(path, require_continuous=require_continuous)
    try:
        data = np.asarray(edf.signals[info.index].data, dtype=np.float64)
    except (ValueError, OSError) as err:
        raise RecordingError(f"cannot read channel {info.label!r} of {path}: {err}") from err
    return data, edf_start(edf)


def read_edf_hypnogram(path: str | Path, *, epoch_seconds: int = EPOCH_SECONDS) -> Hypnogram:
    """Sleep stages from the annotations of an EDF+ file (a hypnogram file or the PSG itself).

    Stage annotations are those :func:`parse_stage_label` recognises (``Sleep stage W``,
    ``Sleep stage 4``, ``Sleep stage N2``, ``Sleep stage ?``, ``Movement time``, ...), each
    with its onset and duration; other annotations (lights off, events) are ignored.

    Raises
    ------
    RecordingError
        Unreadable file, no stage annotation, an unknown ``Sleep stage X``, a stage off the
        epoch grid, or an epoch scored twice differently.

    """
    path = Path(path)
    edf = read_edf(path)
    intervals = []
    try:
        annotations = list(edf.annotations)
    except (ValueError, IndexError) as err:
        raise RecordingError(f"cannot read the annotations of {path}: {err}") from err
    for ann in annotations:
        parsed = parse_stage_label(str(ann.text))
        if parsed is None:
            continue
        code, moving = parsed
        duration = None if ann.duration is None else float(ann.duration)
        intervals.append((float(ann.onset), duration, str(ann.text).strip(), code, moving))
    if not intervals:
        texts = sorted({str(a.text) for a in annotations})[:8]
        raise RecordingError(
            f"{path}: no sleep-stage annotations (annotations: {', '.join(texts) or 'none'})"
        )
    return from_intervals(intervals, epoch_seconds, path, "edf", edf_start(edf))
