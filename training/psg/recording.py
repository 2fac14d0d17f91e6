"""A PSG recording in any supported format: its channels, breathing, hypnogram, and a night.

Dispatches by the file's suffix to :mod:`.edf` (``.edf``/``.rec``/``.bdf``), :mod:`.wfdb`
(a WFDB record or any of its files), :mod:`.nsrr` (``.xml``) and the stage CSV
(:func:`~.hypnogram.read_csv_hypnogram`), and aligns a breathing channel with its expert
hypnogram (:func:`load_night`). Breathing channels are chosen as :mod:`.channels` says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from training.psg import RecordingError
from training.psg.channels import (
    DEFAULT_PRIORITY,
    BreathingChannel,
    ChannelInfo,
    ChannelKind,
    select_channel,
)
from training.psg.edf import (
    EDF_SUFFIXES,
    is_edf,
    list_edf_channels,
    read_edf_hypnogram,
    read_edf_samples,
)
from training.psg.hypnogram import ON_GRID_TOLERANCE_S, Hypnogram, read_csv_hypnogram
from training.psg.nsrr import read_nsrr_xml
from training.psg.wfdb import list_wfdb_channels, read_wfdb_hypnogram, read_wfdb_samples

type FloatArray = NDArray[np.float64]


def list_channels(path: str | Path) -> tuple[ChannelInfo, ...]:
    """Every signal of an EDF/EDF+ file or a WFDB record, with its breathing kind."""
    path = Path(path)
    if is_edf(path):
        return list_edf_channels(path)
    return list_wfdb_channels(path)


def _read_samples(
    path: Path, info: ChannelInfo, *, require_continuous: bool = False
) -> tuple[FloatArray, datetime | None]:
    if is_edf(path):
        return read_edf_samples(path, info, require_continuous=require_continuous)
    return read_wfdb_samples(path, info)


def load_breathing(
    path: str | Path,
    *,
    label: str | None = None,
    kinds: Iterable[ChannelKind | str] | None = None,
    require_continuous: bool = False,
) -> BreathingChannel:
    """The breathing channel of an EDF/EDF+ file or a WFDB record (see :func:`select_channel`).

    ``path`` is an ``.edf``/``.rec``/``.bdf`` file, or a WFDB record (its name, or any of its
    files: ``slp01a``, ``slp01a.hea``). Samples are in the file's physical unit.
    ``require_continuous`` refuses a discontinuous EDF+ (EDF+D) rather than reading its
    records as one stretch (the ``analyze`` tool needs one time axis).

    Raises
    ------
    RecordingError
        Unreadable file, no breathing channel (the message lists the channels), or no channel
        ``label``.

    """
    path = Path(path)
    channels = list_channels(path)
    info = select_channel(channels, label=label, kinds=kinds)
    data, start = _read_samples(path, info, require_continuous=require_continuous)
    if data.size == 0:
        raise RecordingError(f"channel {info.label!r} of {path} has no samples")
    if not info.fs > 0 or not math.isfinite(info.fs):
        raise RecordingError(f"channel {info.label!r} of {path} has sample rate {info.fs!r}")
    return BreathingChannel(
        signal=data,
        fs=info.fs,
        kind=info.kind or ChannelKind.OTHER,
        label=info.label,
        unit=info.unit,
        source=path,
        start=start,
    )


def load_breathing_channels(path: str | Path) -> tuple[BreathingChannel, ...]:
    """Every recognised breathing channel, in :data:`DEFAULT_PRIORITY` order."""
    path = Path(path)
    channels = list_channels(path)
    rank = {k: i for i, k in enumerate(DEFAULT_PRIORITY)}
    found = sorted(
        (ch for ch in channels if ch.kind is not None),
        key=lambda ch: (rank[ch.kind] if ch.kind is not None else 99, -ch.fs, ch.index),
    )
    out = []
    for info in found:
        data, start = _read_samples(path, info)
        assert info.kind is not None
        out.append(BreathingChannel(data, info.fs, info.kind, info.label, info.unit, path, start))
    return tuple(out)


def load_hypnogram(path: str | Path) -> Hypnogram:
    """A hypnogram in any of the formats above, by the file's suffix.

    ``.xml``: NSRR/Compumedics; ``.edf``/``.rec``/``.bdf``: EDF+ annotations; ``.csv``: the
    stage CSV; ``.st`` or anything else: a WFDB record's ``.st`` annotations.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return read_nsrr_xml(path)
    if suffix in EDF_SUFFIXES:
        return read_edf_hypnogram(path)
    if suffix == ".csv":
        return read_csv_hypnogram(path)
    return read_wfdb_hypnogram(path)


# =============================================================================================
# A night: breathing + hypnogram
# =============================================================================================


@dataclass(frozen=True, slots=True)
class PsgNight:
    """A breathing channel with its expert hypnogram on the same epoch grid."""

    breathing: BreathingChannel
    hypnogram: Hypnogram
    """Cut or padded (unscored) to the whole epochs of the breathing channel."""


def load_night(
    signal_path: str | Path,
    hypnogram_path: str | Path | None = None,
    *,
    label: str | None = None,
    kinds: Iterable[ChannelKind | str] | None = None,
) -> PsgNight:
    """The breathing channel of a PSG and its hypnogram, aligned epoch for epoch.

    ``hypnogram_path`` defaults to the signal file itself: the EDF+ annotations of an EDF
    file, the ``.st`` annotations of a WFDB record. The hypnogram is cut or padded to
    ``floor(duration / epoch)`` epochs of the breathing channel; both start at the start of
    the recording (files whose clocks say otherwise are rejected).
    """
    breathing = load_breathing(signal_path, label=label, kinds=kinds)
    source = Path(hypnogram_path) if hypnogram_path is not None else Path(signal_path)
    if hypnogram_path is None and not is_edf(source):
        hyp = read_wfdb_hypnogram(source)
    else:
        hyp = load_hypnogram(source)
    if (
        hyp.start is not None
        and breathing.start is not None
        and abs((hyp.start - breathing.start).total_seconds()) > ON_GRID_TOLERANCE_S
    ):
        raise RecordingError(
            f"{source} starts at {hyp.start.isoformat()}, the signal at "
            f"{breathing.start.isoformat()}: they are not the same recording"
        )
    n = math.floor(breathing.duration_s / hyp.epoch_seconds + 1e-9)
    return PsgNight(breathing, hyp.resized(n))
