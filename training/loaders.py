"""Loaders for polysomnography (PSG): breathing channels and expert hypnograms.

So that anyone with access to polysomnography can retrain and check Radar Sleep on it, this
module reads the formats sleep researchers have and returns typed, unit-carrying data:

* **EDF / EDF+** (European Data Format, Kemp B et al., *Electroencephalogr Clin Neurophysiol*
  82:391-393, 1992; EDF+: Kemp B, Olivan J, *Clin Neurophysiol* 114:1755-1761, 2003) through
  ``edfio``: signals, and EDF+ annotations as hypnograms (Sleep-EDF's ``*-Hypnogram.edf``
  files: ``Sleep stage W/1/2/3/4/R/?``, ``Movement time``; AASM labels ``Sleep stage N1`` ...).
* **WFDB** records (PhysioNet; Goldberger AL et al., *Circulation* 101:e215-e220, 2000)
  through ``wfdb``, with MIT-BIH Polysomnographic Database-style ``.st`` annotations: one per
  30-s epoch, ``aux_note`` = stage (``W 1 2 3 4 R MT``) followed by event codes.
* **NSRR XML** hypnograms (National Sleep Research Resource; Zhang GQ et al., *J Am Med
  Inform Assoc* 25:1351-1358, 2018): ``ScoredEvents`` with ``EventConcept`` ``Wake|0``,
  ``Stage 1 sleep|1`` ... ``REM sleep|5``, ``Start`` and ``Duration`` in seconds; and the
  Compumedics Profusion layout, ``<SleepStages>`` with one ``<SleepStage>`` code per epoch.
* The project's own one-column ``stage`` CSV (``../shared/data/hypnograms``).

Hypnograms come as :class:`Hypnogram`: per 30-s epoch from the start of the recording, the
AASM stage (R&K S3 and S4 merged into N3, Iber C et al., *The AASM Manual for the Scoring of
Sleep and Associated Events*, 2007), its four-class :class:`~custom_components.radar_sleep.
contracts.Stage` (N1 + N2 = light), and the scorer's label as written; unscored, artefact and
movement-time epochs are -1 in both arrays (movement time is flagged in ``movement``).

Breathing channels are found by label (:func:`classify_channel`, :data:`CHANNEL_RULES`) and
chosen in the documented :data:`DEFAULT_PRIORITY` (thoracic effort first: a radar sees chest
displacement), which ``kinds=`` reorders and ``label=`` overrides.

Training-only code: ``edfio`` and ``wfdb`` are imported when a file of theirs is read, and the
runtime never imports this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
import importlib
import math
from pathlib import Path
import re
from types import ModuleType
from typing import Any
import warnings
import xml.etree.ElementTree as ET

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import EPOCH_SECONDS
from custom_components.radar_sleep.simulation.hypnogram import (
    STAGE_LABELS,
    UNSCORED,
    AasmStage,
    to_four_class,
)
from training.fit.hypnogram import load_hypnogram_csv

__all__ = [
    "CHANNEL_RULES",
    "DEFAULT_PRIORITY",
    "BreathingChannel",
    "ChannelInfo",
    "ChannelKind",
    "Hypnogram",
    "LoaderError",
    "PsgNight",
    "classify_channel",
    "hypnogram_from_labels",
    "list_channels",
    "load_breathing",
    "load_breathing_channels",
    "load_hypnogram",
    "load_night",
    "parse_stage_label",
    "read_csv_hypnogram",
    "read_edf_hypnogram",
    "read_nsrr_xml",
    "read_wfdb_hypnogram",
    "select_channel",
]

type FloatArray = NDArray[np.float64]
type Int8Array = NDArray[np.int8]

EDF_SUFFIXES = frozenset({".edf", ".rec", ".bdf"})
WFDB_SUFFIXES = frozenset({".hea", ".dat", ".st", ".atr", ".apn"})
ON_GRID_TOLERANCE_S = 1.0
"""A stage annotation whose onset is further than this from the 30-s grid is rejected."""


class LoaderError(ValueError):
    """A file cannot be read as what it was asked for (with the reason, for the user)."""


# =============================================================================================
# Channels
# =============================================================================================


class ChannelKind(StrEnum):
    """What a breathing channel measures."""

    THORAX = "thorax"
    """Thoracic respiratory effort: inductance plethysmography (RIP) or piezo belt."""
    ABDOMEN = "abdomen"
    """Abdominal respiratory effort (RIP or piezo belt)."""
    EFFORT_SUM = "effort_sum"
    """Sum of the thoracic and abdominal RIP belts (calibrated or not)."""
    NASAL_PRESSURE = "nasal_pressure"
    """Nasal cannula pressure (a flow surrogate, proportional to flow squared)."""
    AIRFLOW = "airflow"
    """Oro-nasal thermistor or thermocouple airflow (temperature of the breath)."""
    OTHER = "other"
    """A channel chosen by label that none of the rules recognises."""

    @property
    def is_effort(self) -> bool:
        """Whether this is a belt (chest or abdominal wall movement, like a radar)."""
        return self in (ChannelKind.THORAX, ChannelKind.ABDOMEN, ChannelKind.EFFORT_SUM)


DEFAULT_PRIORITY: tuple[ChannelKind, ...] = (
    ChannelKind.THORAX,
    ChannelKind.EFFORT_SUM,
    ChannelKind.ABDOMEN,
    ChannelKind.NASAL_PRESSURE,
    ChannelKind.AIRFLOW,
)
"""Which breathing channel to use when several are recorded, best first.

A bedside radar measures the displacement of the chest wall facing it, so the thoracic belt
is the closest analogue, then the RIP sum (chest plus abdomen, also what a radar aimed lower
sees), then the abdominal belt. Nasal pressure and thermistor airflow measure the air, not the
body: their timing follows the breathing but their amplitude does not follow chest excursion,
and a thermistor's slow response smooths breath-to-breath detail (Farré R et al., *Eur Respir
J* 11:179-182, 1998). Within a kind, the highest sample rate wins, then file order.
"""

_EXCLUDE = re.compile(
    r"\b(?:c?pap|bipap|epap|ipap|leak|spo2|sao2|sat|pulse|pr|hr|ecg|ekg|eeg|eog|emg|snore"
    r"|snoring|position|pos|limit\w*|event\w*|marker|mask|tidal|minute|vent\w*|light|temp\w*"
    r"|ox\w*|pleth|ppg|pco2|etco2|co2|chin|leg|mic|blood|bp|abp|eso\w*|pes)\b"
)
"""Labels that are not a breathing waveform even if they name one (``CPAP Flow``, ``Flow
Limitation``, ``Pleth`` = photoplethysmogram, ``Snore``, ``Temp rectal``, ...)."""

CHANNEL_RULES: tuple[tuple[ChannelKind, re.Pattern[str]], ...] = (
    (
        ChannelKind.NASAL_PRESSURE,
        re.compile(
            r"\b(?:nasal ?pres\w*|npre\w*|n ?press\w*|pres|press|pressure|cannula\w*|cann"
            r"|flow patient|pflow|ptaf|nasal cannula)\b"
        ),
    ),
    (
        ChannelKind.EFFORT_SUM,
        re.compile(r"\b(?:sum|rip ?sum|xsum|resp ?sum|effort ?sum)\b"),
    ),
    (
        ChannelKind.THORAX,
        re.compile(r"\b(?:thor\w*|tho|thx|chest|rib ?cage|resp ?chest|effort ?tho\w*)\b"),
    ),
    (
        ChannelKind.ABDOMEN,
        re.compile(r"\b(?:abd\w*|abdo\w*|belly|effort ?abd\w*)\b"),
    ),
    (
        ChannelKind.AIRFLOW,
        re.compile(
            r"\b(?:air ?flow|flow|oro ?nasal|oronasal|nasal oral|oral nasal|nasal|oral"
            r"|therm\w*|thermocouple|resp|respiration|breath\w*)\b"
        ),
    ),
)
"""Label rules on the normalised label (lower case, runs of other characters as one space),
tried in order; the first match gives the kind. Pressure comes before the generic ``flow``
(``Flow Patient`` is a cannula pressure signal), belts before ``resp`` (``Resp (chest)``).
Examples: ``Thor``, ``THOR RES``, ``Chest``, ``Effort THO``, ``Resp (chest)`` -> thorax;
``Abdo``, ``ABD``, ``ABDO RES``, ``Resp (abdomen)`` -> abdomen; ``SUM``, ``Resp (sum)`` ->
effort sum; ``Nasal Pressure``, ``NPRE``, ``Pres``, ``Pressure``, ``Flow Patient``,
``CannulaFlow`` -> nasal pressure; ``Resp oro-nasal``, ``Airflow``, ``Flow``, ``Thermistor``,
``Resp (nasal)`` -> airflow."""


def _normalise(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", label.lower()).strip()


def classify_channel(label: str, transducer: str = "") -> ChannelKind | None:
    """The breathing kind of a channel from its label (or, failing that, its transducer).

    Returns ``None`` for channels that are not breathing (EEG, SpO2, CPAP pressure, ...) or
    not recognised; see :data:`CHANNEL_RULES`.
    """
    name = _normalise(label)
    if not name or _EXCLUDE.search(name):
        return None
    texts = [name]
    device = _normalise(transducer)
    if device and not _EXCLUDE.search(device):
        texts.append(device)
    for text in texts:
        for kind, rule in CHANNEL_RULES:
            if rule.search(text):
                return kind
    return None


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A channel of a recording, before its samples are read."""

    index: int
    label: str
    fs: float
    """Sample rate (Hz)."""
    kind: ChannelKind | None
    """Breathing kind (:func:`classify_channel`), ``None`` if not a breathing channel."""
    unit: str = ""
    transducer: str = ""


@dataclass(frozen=True, slots=True)
class BreathingChannel:
    """One breathing channel's samples, in the file's physical unit."""

    signal: FloatArray
    fs: float
    """Sample rate (Hz)."""
    kind: ChannelKind
    label: str
    unit: str = ""
    source: Path | None = None
    start: datetime | None = None
    """Instant of the first sample (the file's clock, naive), when the file says."""

    @property
    def duration_s(self) -> float:
        """Length of the recording."""
        return self.signal.size / self.fs


def select_channel(
    channels: Sequence[ChannelInfo],
    *,
    label: str | None = None,
    kinds: Iterable[ChannelKind | str] | None = None,
) -> ChannelInfo:
    """The breathing channel to use: ``label`` if given, else the first kind of ``kinds``.

    ``kinds`` defaults to :data:`DEFAULT_PRIORITY`; within a kind the highest sample rate wins,
    then file order. ``label`` is matched case-insensitively, ignoring spacing and punctuation,
    and may name any channel (its kind is then :attr:`ChannelKind.OTHER` if unrecognised).

    Raises
    ------
    LoaderError
        No such label, or no channel of the wanted kinds (the message lists the channels).

    """
    listed = _listing(channels)
    if label is not None:
        wanted = _normalise(label)
        for ch in channels:
            if _normalise(ch.label) == wanted:
                return ch if ch.kind is not None else replace(ch, kind=ChannelKind.OTHER)
        raise LoaderError(f"no channel {label!r} (channels: {listed})")
    order = [ChannelKind(k) for k in (kinds if kinds is not None else DEFAULT_PRIORITY)]
    for kind in order:
        found = [ch for ch in channels if ch.kind is kind]
        if found:
            return max(found, key=lambda ch: (ch.fs, -ch.index))
    wanted_kinds = ", ".join(str(k) for k in order)
    raise LoaderError(f"no breathing channel of kind {wanted_kinds} (channels: {listed})")


def _listing(channels: Sequence[ChannelInfo]) -> str:
    if not channels:
        return "none"
    return ", ".join(
        f"{ch.label!r} ({ch.kind or 'not breathing'}, {ch.fs:g} Hz)" for ch in channels
    )


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise LoaderError(
            f"reading this file needs the {name} package: pip install -r training/requirements.txt"
        ) from None


def _is_edf(path: Path) -> bool:
    return path.suffix.lower() in EDF_SUFFIXES


def _wfdb_record(path: Path) -> Path:
    """The record name (no suffix) of a WFDB path given as the record or one of its files."""
    if path.suffix.lower() in WFDB_SUFFIXES:
        return path.with_suffix("")
    return path


def _read_edf(path: Path) -> Any:
    if not path.is_file():
        raise LoaderError(f"no such file: {path}")
    edfio = _import("edfio")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # truncated files: fail, do not guess
            return edfio.read_edf(path, lazy_load_data=True)
    except (ValueError, OSError, UnicodeDecodeError, UserWarning, IndexError) as err:
        raise LoaderError(f"cannot read {path} as EDF/EDF+: {err}") from err


def _edf_start(edf: Any) -> datetime | None:
    try:
        start: datetime = edf.startdatetime
    except ValueError, AttributeError:  # anonymised ("X") or unparseable dates
        return None
    return start


def _wfdb_header(record: Path) -> Any:
    wfdb = _import("wfdb")
    if not record.with_suffix(".hea").is_file():
        raise LoaderError(f"no WFDB header {record.with_suffix('.hea')}")
    try:
        return wfdb.rdheader(str(record))
    except (ValueError, OSError, IndexError) as err:
        raise LoaderError(f"cannot read WFDB header of {record}: {err}") from err


def list_channels(path: str | Path) -> tuple[ChannelInfo, ...]:
    """Every signal of an EDF/EDF+ file or a WFDB record, with its breathing kind."""
    path = Path(path)
    if _is_edf(path):
        edf = _read_edf(path)
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
    record = _wfdb_record(path)
    header = _wfdb_header(record)
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


def _read_samples(path: Path, info: ChannelInfo) -> tuple[FloatArray, datetime | None]:
    if _is_edf(path):
        edf = _read_edf(path)
        try:
            data = np.asarray(edf.signals[info.index].data, dtype=np.float64)
        except (ValueError, OSError) as err:
            raise LoaderError(f"cannot read channel {info.label!r} of {path}: {err}") from err
        return data, _edf_start(edf)
    wfdb = _import("wfdb")
    record = _wfdb_record(path)
    try:
        rec = wfdb.rdrecord(str(record), channels=[info.index], smooth_frames=False)
    except (ValueError, OSError, IndexError) as err:
        raise LoaderError(f"cannot read channel {info.label!r} of {record}: {err}") from err
    if rec.e_p_signal is not None:
        data = np.asarray(rec.e_p_signal[0], dtype=np.float64)
    else:
        data = np.asarray(rec.p_signal[:, 0], dtype=np.float64)
    start = rec.base_datetime if isinstance(rec.base_datetime, datetime) else None
    return data, start


def load_breathing(
    path: str | Path,
    *,
    label: str | None = None,
    kinds: Iterable[ChannelKind | str] | None = None,
) -> BreathingChannel:
    """The breathing channel of an EDF/EDF+ file or a WFDB record (see :func:`select_channel`).

    ``path`` is an ``.edf``/``.rec``/``.bdf`` file, or a WFDB record (its name, or any of its
    files: ``slp01a``, ``slp01a.hea``). Samples are in the file's physical unit.

    Raises
    ------
    LoaderError
        Unreadable file, no breathing channel (the message lists the channels), or no channel
        ``label``.

    """
    path = Path(path)
    channels = list_channels(path)
    info = select_channel(channels, label=label, kinds=kinds)
    data, start = _read_samples(path, info)
    if data.size == 0:
        raise LoaderError(f"channel {info.label!r} of {path} has no samples")
    if not info.fs > 0 or not math.isfinite(info.fs):
        raise LoaderError(f"channel {info.label!r} of {path} has sample rate {info.fs!r}")
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


# =============================================================================================
# Hypnograms
# =============================================================================================


@dataclass(frozen=True, slots=True)
class Hypnogram:
    """Expert sleep stages, one per epoch from the start of the recording.

    Epoch ``k`` covers ``[k * epoch_seconds, (k + 1) * epoch_seconds)`` of the recording.
    """

    stages: Int8Array
    """Four-class :class:`~custom_components.radar_sleep.contracts.Stage` (wake 0, light 1,
    deep 2, REM 3); -1 for unscored, artefact and movement-time epochs."""
    aasm: Int8Array
    """The five-class original: :class:`~custom_components.radar_sleep.simulation.hypnogram.
    AasmStage` (W 0, N1 1, N2 2, N3 3, R 4; R&K S3 and S4 are N3); -1 as in ``stages``."""
    labels: tuple[str, ...]
    """The scorer's label per epoch as in the file (``"4"``, ``"Sleep stage 4"``,
    ``"Stage 4 sleep|4"``); ``""`` where the file has none."""
    movement: NDArray[np.bool_]
    """Epochs scored as movement time (``MT``, ``Movement time``, NSRR ``Movement|6``)."""
    epoch_seconds: int = EPOCH_SECONDS
    source: Path | None = None
    format: str = ""
    """``edf``, ``wfdb``, ``nsrr-xml``, ``compumedics-xml`` or ``csv``."""
    start: datetime | None = None
    """Start of epoch 0 (the file's clock, naive), when the file says."""
    events: tuple[tuple[str, ...], ...] | None = field(default=None, repr=False)
    """Per-epoch event codes after the stage (WFDB ``.st``: ``H OA X ...``), if any."""

    @property
    def n_epochs(self) -> int:
        """Number of epochs."""
        return int(self.stages.size)

    @property
    def scored(self) -> NDArray[np.bool_]:
        """Epochs with a sleep stage."""
        out: NDArray[np.bool_] = self.aasm >= 0
        return out

    def resized(self, n_epochs: int) -> Hypnogram:
        """The first ``n_epochs`` epochs, padded with unscored epochs if there are fewer."""
        if n_epochs < 0:
            raise ValueError("n_epochs must not be negative")
        pad = max(0, n_epochs - self.n_epochs)

        def fit(a: NDArray[Any], fill: object) -> NDArray[Any]:
            return np.concatenate([a[:n_epochs], np.full(pad, fill, dtype=a.dtype)])

        events = None
        if self.events is not None:
            events = tuple(self.events[:n_epochs]) + ((),) * pad
        return replace(
            self,
            stages=fit(self.stages, UNSCORED),
            aasm=fit(self.aasm, UNSCORED),
            labels=tuple(self.labels[:n_epochs]) + ("",) * pad,
            movement=fit(self.movement, False),
            events=events,
        )


_RK_CODES: dict[str, int] = {
    "w": AasmStage.W,
    "wake": AasmStage.W,
    "1": AasmStage.N1,
    "s1": AasmStage.N1,
    "n1": AasmStage.N1,
    "2": AasmStage.N2,
    "s2": AasmStage.N2,
    "n2": AasmStage.N2,
    "3": AasmStage.N3,
    "s3": AasmStage.N3,
    "n3": AasmStage.N3,
    "4": AasmStage.N3,
    "s4": AasmStage.N3,
    "n4": AasmStage.N3,
    "r": AasmStage.R,
    "rem": AasmStage.R,
    "sr": AasmStage.R,
}
_MOVEMENT_WORDS = frozenset({"mt", "m", "movement", "movement time"})
_UNSCORED_WORDS = frozenset({"?", "unscored", "unknown", "artifact", "artefact", "indeterminate"})
_STAGE_PREFIX = re.compile(r"^(?:sleep[ _]?stage|stage)[ _]*", re.IGNORECASE)
_NSRR_SUFFIX = re.compile(r"\s*(?:sleep)?\s*$", re.IGNORECASE)


def parse_stage_label(text: str) -> tuple[int, bool] | None:
    """AASM code and movement flag of a stage label; ``None`` if it is not a stage label.

    Understands R&K (``W 1 2 3 4 R MT``) and AASM (``N1 N2 N3 R``) labels, alone or as
    ``Sleep stage X`` / ``Stage X``; S3 and S4 give N3; ``?``, ``MT``, ``Movement time``,
    ``unscored`` give -1 (movement flagged). Case and surrounding space do not matter.

    Raises
    ------
    LoaderError
        ``Sleep stage X`` / ``Stage X`` with an ``X`` that is no stage.

    """
    raw = text.replace("\x00", "").strip()
    prefixed = _STAGE_PREFIX.match(raw) is not None
    word = _STAGE_PREFIX.sub("", raw).strip().lower()
    word = _NSRR_SUFFIX.sub("", word) if prefixed else word
    if word in _RK_CODES:
        return int(_RK_CODES[word]), False
    if word in _MOVEMENT_WORDS:
        return UNSCORED, True
    if word in _UNSCORED_WORDS:
        return UNSCORED, False
    if prefixed:
        raise LoaderError(f"unknown sleep stage {text!r}")
    return None


def hypnogram_from_labels(
    labels: Sequence[str],
    *,
    epoch_seconds: int = EPOCH_SECONDS,
    source: Path | None = None,
    format: str = "",
    start: datetime | None = None,
    events: tuple[tuple[str, ...], ...] | None = None,
) -> Hypnogram:
    """A :class:`Hypnogram` from one label per epoch (``""`` = unscored)."""
    aasm = np.full(len(labels), UNSCORED, dtype=np.int8)
    movement = np.zeros(len(labels), dtype=np.bool_)
    for k, label in enumerate(labels):
        if not label:
            continue
        parsed = parse_stage_label(label)
        if parsed is None:
            raise LoaderError(f"{source or 'hypnogram'}: epoch {k}: unknown stage {label!r}")
        aasm[k], movement[k] = parsed
    return _hypnogram(
        aasm,
        movement,
        tuple(labels),
        epoch_seconds=epoch_seconds,
        source=source,
        format=format,
        start=start,
        events=events,
    )


def _hypnogram(
    aasm: Int8Array,
    movement: NDArray[np.bool_],
    labels: tuple[str, ...],
    *,
    epoch_seconds: int,
    source: Path | None,
    format: str,
    start: datetime | None,
    events: tuple[tuple[str, ...], ...] | None = None,
) -> Hypnogram:
    scored = aasm >= 0
    stages = np.full(aasm.size, UNSCORED, dtype=np.int8)
    stages[scored] = to_four_class(aasm[scored])
    return Hypnogram(
        stages=stages,
        aasm=aasm.astype(np.int8),
        labels=labels,
        movement=movement,
        epoch_seconds=epoch_seconds,
        source=source,
        format=format,
        start=start,
        events=events,
    )


def _from_intervals(
    intervals: Sequence[tuple[float, float | None, str, int, bool]],
    epoch_seconds: int,
    source: Path,
    format: str,
    start: datetime | None,
) -> Hypnogram:
    """Epochs from stage intervals ``(onset_s, duration_s or None, label, code, movement)``.

    An interval covers the epochs from its onset to its end (a missing or zero duration: one
    epoch); onsets are on the epoch grid (within :data:`ON_GRID_TOLERANCE_S`). Epochs covered
    by two different stages are an error; epochs covered by none are unscored.
    """
    if not intervals:
        raise LoaderError(f"{source}: no sleep-stage annotations")
    spans = []
    for onset, duration, label, code, moving in intervals:
        if not math.isfinite(onset) or onset < 0:
            raise LoaderError(f"{source}: stage {label!r} has onset {onset!r}")
        first = round(onset / epoch_seconds)
        if abs(first * epoch_seconds - onset) > ON_GRID_TOLERANCE_S:
            raise LoaderError(
                f"{source}: stage {label!r} at {onset:g} s is not on the {epoch_seconds}-s "
                "epoch grid of the recording"
            )
        if duration is None or duration <= 0:
            count = 1
        else:
            if not math.isfinite(duration):
                raise LoaderError(f"{source}: stage {label!r} has duration {duration!r}")
            count = max(1, round(duration / epoch_seconds))
        spans.append((first, count, label, code, moving))
    n = max(first + count for first, count, *_ in spans)
    aasm = np.full(n, UNSCORED, dtype=np.int8)
    movement = np.zeros(n, dtype=np.bool_)
    labels = [""] * n
    for first, count, label, code, moving in spans:
        for k in range(first, first + count):
            if labels[k] and (aasm[k], movement[k]) != (code, moving):
                raise LoaderError(
                    f"{source}: epoch {k} ({k * epoch_seconds} s) is scored both "
                    f"{labels[k]!r} and {label!r}"
                )
            aasm[k], movement[k], labels[k] = code, moving, label
    return _hypnogram(
        aasm,
        movement,
        tuple(labels),
        epoch_seconds=epoch_seconds,
        source=source,
        format=format,
        start=start,
    )


def read_edf_hypnogram(path: str | Path, *, epoch_seconds: int = EPOCH_SECONDS) -> Hypnogram:
    """Sleep stages from the annotations of an EDF+ file (a hypnogram file or the PSG itself).

    Stage annotations are those :func:`parse_stage_label` recognises (``Sleep stage W``,
    ``Sleep stage 4``, ``Sleep stage N2``, ``Sleep stage ?``, ``Movement time``, ...), each
    with its onset and duration; other annotations (lights off, events) are ignored.

    Raises
    ------
    LoaderError
        Unreadable file, no stage annotation, an unknown ``Sleep stage X``, a stage off the
        epoch grid, or an epoch scored twice differently.

    """
    path = Path(path)
    edf = _read_edf(path)
    intervals = []
    try:
        annotations = list(edf.annotations)
    except (ValueError, IndexError) as err:
        raise LoaderError(f"cannot read the annotations of {path}: {err}") from err
    for ann in annotations:
        parsed = parse_stage_label(str(ann.text))
        if parsed is None:
            continue
        code, moving = parsed
        duration = None if ann.duration is None else float(ann.duration)
        intervals.append((float(ann.onset), duration, str(ann.text).strip(), code, moving))
    if not intervals:
        texts = sorted({str(a.text) for a in annotations})[:8]
        raise LoaderError(
            f"{path}: no sleep-stage annotations (annotations: {', '.join(texts) or 'none'})"
        )
    return _from_intervals(intervals, epoch_seconds, path, "edf", _edf_start(edf))


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
    LoaderError
        Missing or unreadable files, no stage annotation, or an epoch scored twice differently.

    """
    wfdb = _import("wfdb")
    record = _wfdb_record(Path(path))
    ann_path = record.with_suffix(f".{extension}")
    if not ann_path.is_file():
        raise LoaderError(f"no WFDB annotation file {ann_path}")
    try:
        ann = wfdb.rdann(str(record), extension)
    except (ValueError, OSError, IndexError, TypeError) as err:
        raise LoaderError(f"cannot read {ann_path}: {err}") from err
    fs = ann.fs
    start = None
    if fs is None and record.with_suffix(".hea").is_file():
        header = _wfdb_header(record)
        fs = header.fs
        start = header.base_datetime if isinstance(header.base_datetime, datetime) else None
    if fs is None or not float(fs) > 0:
        raise LoaderError(f"{ann_path}: no sample rate (and no header {record}.hea)")
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
        raise LoaderError(f"{ann_path}: no annotation starts with a sleep stage")
    hyp = _from_intervals(intervals, epoch_seconds, ann_path, "wfdb", start)
    per_epoch = tuple(events.get(k, ()) for k in range(hyp.n_epochs))
    return replace(hyp, events=per_epoch)


_NSRR_CODES = {
    "0": (AasmStage.W, False),
    "1": (AasmStage.N1, False),
    "2": (AasmStage.N2, False),
    "3": (AasmStage.N3, False),
    "4": (AasmStage.N3, False),
    "5": (AasmStage.R, False),
    "6": (UNSCORED, True),
    "9": (UNSCORED, False),
}
"""NSRR ``EventConcept`` codes after the ``|`` (``Stage 4 sleep|4`` is R&K S4 = N3)."""
_NSRR_TEXT = {
    "wake": "0",
    "stage 1 sleep": "1",
    "stage 2 sleep": "2",
    "stage 3 sleep": "3",
    "stage 4 sleep": "4",
    "rem sleep": "5",
    "movement": "6",
    "unscored": "9",
}
_PROFUSION_CODES = {0: AasmStage.W, 1: AasmStage.N1, 2: AasmStage.N2, 3: AasmStage.N3}
_PROFUSION_CODES |= {4: AasmStage.N3, 5: AasmStage.R}
"""Compumedics Profusion ``SleepStage`` codes; any other code is unscored."""


def _xml_float(node: ET.Element, tag: str, source: Path) -> float:
    text = node.findtext(tag)
    try:
        return float(text) if text is not None else math.nan
    except ValueError:
        raise LoaderError(f"{source}: <{tag}> is {text!r}, not a number") from None


def read_nsrr_xml(path: str | Path) -> Hypnogram:
    """Sleep stages from an NSRR XML annotation file or a Compumedics Profusion XML file.

    NSRR: every ``ScoredEvent`` whose ``EventType`` mentions stages (or whose concept is a
    stage), with ``EventConcept`` ``Wake|0``, ``Stage 1 sleep|1`` ... ``Stage 4 sleep|4``,
    ``REM sleep|5`` (``Movement|6``, ``Unscored|9``), and ``Start``/``Duration`` in seconds
    from the start of the recording. Profusion: ``<SleepStages>`` holding one
    ``<SleepStage>`` code per epoch (0 W, 1-4 S1-S4, 5 REM, others unscored). The epoch length
    is the file's ``<EpochLength>`` (default 30 s).

    Raises
    ------
    LoaderError
        Not XML, neither layout, unknown stage concepts or bad numbers.

    """
    path = Path(path)
    if not path.is_file():
        raise LoaderError(f"no such file: {path}")
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError, UnicodeDecodeError) as err:
        raise LoaderError(f"cannot read {path} as XML: {err}") from err
    epoch = _xml_float(root, ".//EpochLength", path)
    epoch_seconds = EPOCH_SECONDS if math.isnan(epoch) else round(epoch)
    if epoch_seconds <= 0:
        raise LoaderError(f"{path}: epoch length {epoch!r}")

    stages = root.find(".//SleepStages")
    if stages is not None and root.find(".//ScoredEvent") is None:
        labels = []
        codes = []
        for node in stages.iter("SleepStage"):
            text = (node.text or "").strip()
            try:
                codes.append(int(text))
            except ValueError:
                raise LoaderError(f"{path}: <SleepStage> {text!r} is not a code") from None
            labels.append(text)
        if not codes:
            raise LoaderError(f"{path}: <SleepStages> is empty")
        aasm = np.array([_PROFUSION_CODES.get(c, UNSCORED) for c in codes], dtype=np.int8)
        movement = np.zeros(aasm.size, dtype=np.bool_)
        return _hypnogram(
            aasm,
            movement,
            tuple(labels),
            epoch_seconds=epoch_seconds,
            source=path,
            format="compumedics-xml",
            start=None,
        )

    events = root.findall(".//ScoredEvent")
    if not events:
        raise LoaderError(f"{path}: neither NSRR <ScoredEvent>s nor Compumedics <SleepStages>")
    intervals = []
    for ev in events:
        concept = (ev.findtext("EventConcept") or "").strip()
        etype = (ev.findtext("EventType") or "").strip().lower()
        name, _, code = concept.partition("|")
        code = code.strip() or _NSRR_TEXT.get(name.strip().lower(), "")
        if "stage" not in etype and _NSRR_TEXT.get(name.strip().lower()) is None:
            continue  # respiratory events, arousals, desaturations, ...
        if code not in _NSRR_CODES:
            raise LoaderError(f"{path}: unknown sleep stage concept {concept!r}")
        value, moving = _NSRR_CODES[code]
        onset = _xml_float(ev, "Start", path)
        duration = _xml_float(ev, "Duration", path)
        intervals.append(
            (onset, None if math.isnan(duration) else duration, concept, int(value), moving)
        )
    if not intervals:
        raise LoaderError(f"{path}: no sleep-stage events among {len(events)} scored events")
    return _from_intervals(intervals, epoch_seconds, path, "nsrr-xml", None)


def read_csv_hypnogram(path: str | Path) -> Hypnogram:
    """The project's one-column ``stage`` CSV (``W N1 N2 N3 R ?``; ``../shared/data``)."""
    path = Path(path)
    if not path.is_file():
        raise LoaderError(f"no such file: {path}")
    try:
        codes = load_hypnogram_csv(path)
    except (ValueError, OSError, UnicodeDecodeError) as err:
        raise LoaderError(f"cannot read {path} as a stage CSV: {err}") from err
    labels = tuple("?" if c < 0 else STAGE_LABELS[c] for c in codes.tolist())
    movement = np.zeros(codes.size, dtype=np.bool_)
    return _hypnogram(
        codes, movement, labels, epoch_seconds=EPOCH_SECONDS, source=path, format="csv", start=None
    )


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
    if hypnogram_path is None and not _is_edf(source):
        hyp = read_wfdb_hypnogram(source)
    else:
        hyp = load_hypnogram(source)
    if (
        hyp.start is not None
        and breathing.start is not None
        and abs((hyp.start - breathing.start).total_seconds()) > ON_GRID_TOLERANCE_S
    ):
        raise LoaderError(
            f"{source} starts at {hyp.start.isoformat()}, the signal at "
            f"{breathing.start.isoformat()}: they are not the same recording"
        )
    n = math.floor(breathing.duration_s / hyp.epoch_seconds + 1e-9)
    return PsgNight(breathing, hyp.resized(n))
