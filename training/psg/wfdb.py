"""WFDB records (PhysioNet) with MIT-BIH Polysomnographic Database-style ``.st`` stages.

WFDB (Goldberger AL et al., *Circulation* 101:e215-e220, 2000) through the ``wfdb`` package:
signals, and ``.st`` annotations, one per 30-s epoch, ``aux_note`` = stage (``W 1 2 3 4 R
MT``) followed by event codes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import EPOCH_SECONDS
from training.psg import RecordingError, require
from training.psg.channels import ChannelInfo, classify_channel
from training.psg.hypnogram import Hypnogram, from_intervals, parse_stage_label

type FloatArray = NDArray[np.float64]

WFDB_SUFFIXES = frozenset({".hea", ".dat", ".st", ".atr", ".apn"})


def wfdb_record(path: Path) -> Path:
    """The record name (no suffix) of a WFDB path given as the record or one of its files."""
    if path.suffix.lower() in WFDB_SUFFIXES:
        return path.with_suffix("")
    return path


def wfdb_header(record: Path) -> Any:
    """The header of a WFDB record (``wfdb.Record`` without samples)."""
    wfdb = require("wfdb")
    if not record.with_suffix(".hea").is_file():
        raise RecordingError(f"no WFDB header {record.with_suffix('.hea')}")
    try:
        return wfdb.rdheader(str(record))
    except (ValueError, OSError, IndexError) as err:
        raise RecordingError(f"cannot read WFDB header of {record}: {err}") from err


def list_wfdb_channels(path: Path) -> tuple[ChannelInfo, ...]:
    """Every signal of a WFDB record (its name or any of its files), with its breathing kind."""
    record = wfdb_record(path)
    header = wfdb_header(record)
    names = list(header.sig_name or [])
    spf = list(header.samps_per_frame or [1] * len(names))
    units = list(header.units or [""] * len(names))
    return tuple(
        ChannelInfo(
            index=i,
            label=str(name).strip(),
            fs=float(header.fs) * int(spf[i]),
            kind=classify_channel(str(name)),
            unit=str(units[i]).strip(),
        )
        for i, name in enumerate(names)
    )


def read_wfdb_samples(path: Path, info: ChannelInfo) -> tuple[FloatArray, datetime | None]:
    """The samples of channel ``info`` (physical unit) and the instant of the first."""
    wfdb = require("wfdb")
    record = wfdb_record(path)
    try:
        rec = wfdb.rdrecord(str(record), channels=[info.index], smooth_frames=False)
    except (ValueError, OSError, IndexError) as err:
        raise RecordingError(f"cannot read channel {info.label!r} of {record}: {err}") from err
    if rec.e_p_signal is not None:
        data = np.asarray(rec.e_p_signal[0], dtype=np.float64)
    else:
        data = np.asarray(rec.p_signal[:, 0], dtype=np.float64)
    start = rec.base_datetime if isinstance(rec.base_datetime, datetime) else None
    return data, start


def read_wfdb_hypnogram(
    path: str | Path, *, extension: str = "st", epoch_seconds: int = EPOCH_SECONDS
) -> Hypnogram:
    """Sleep stages from a WFDB annotation file (MIT-BIH slpdb ``.st`` style).

    Each annotation marks the epoch starting at its sample; the first word of its ``aux_note``
    is the stage (``W 1 2 3 4 R MT``, also ``M``; NUL padding is removed) and the rest are
    event codes (``H OA X CA L A ...``), kept in :attr:`Hypnogram.events`. Epochs before the
    first annotation, or between annotations, are unscored.

    Raises
    ------
    RecordingError
        Missing or unreadable files, no stage annotation, or an epoch scored twice differently.

    """
    wfdb = require("wfdb")
    record = wfdb_record(Path(path))
    ann_path = record.with_suffix(f".{extension}")
    if not ann_path.is_file():
        raise RecordingError(f"no WFDB annotation file {ann_path}")
    try:
        ann = wfdb.rdann(str(record), extension)
    except (ValueError, OSError, IndexError, TypeError) as err:
        raise RecordingError(f"cannot read {ann_path}: {err}") from err
    fs = ann.fs
    start = None
    if fs is None and record.with_suffix(".hea").is_file():
        header = wfdb_header(record)
        fs = header.fs
        start = header.base_datetime if isinstance(header.base_datetime, datetime) else None
    if fs is None or not float(fs) > 0:
        raise RecordingError(f"{ann_path}: no sample rate (and no header {record}.hea)")
    fs = float(fs)
    notes = list(ann.aux_note or [""] * len(ann.sample))
    intervals = []
    events: dict[int, tuple[str, ...]] = {}
    for sample, note in zip(ann.sample, notes, strict=True):
        words = str(note).replace("\x00", " ").split()
        if not words:
            continue
        parsed = parse_stage_label(words[0])
        if parsed is None:
            continue
        onset = float(sample) / fs
        intervals.append((onset, float(epoch_seconds), words[0], *parsed))
        events[round(onset / epoch_seconds)] = tuple(words[1:])
    if not intervals:
        raise RecordingError(f"{ann_path}: no annotation starts with a sleep stage")
    hyp = from_intervals(intervals, epoch_seconds, ann_path, "wfdb", start)
    per_epoch = tuple(events.get(k, ()) for k in range(hyp.n_epochs))
    return replace(hyp, events=per_epoch)
