"""Expert hypnograms: the :class:`Hypnogram` type, stage labels, and the project's stage CSV.

Hypnograms come as :class:`Hypnogram`: per 30-s epoch from the start of the recording, the
AASM stage (R&K S3 and S4 merged into N3, Iber C et al., *The AASM Manual for the Scoring of
Sleep and Associated Events*, 2007), its four-class :class:`~custom_components.radar_sleep.
contracts.Stage` (N1 + N2 = light), and the scorer's label as written; unscored, artefact and
movement-time epochs are -1 in both arrays (movement time is flagged in ``movement``). The
format readers (:mod:`.edf`, :mod:`.wfdb`, :mod:`.nsrr`) build them with
:func:`from_intervals` or :func:`make_hypnogram`; :func:`read_csv_hypnogram` reads the
project's one-column ``stage`` CSV (``../shared/data/hypnograms``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
import math
from pathlib import Path
import re
from typing import Any

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
from training.psg import RecordingError

type Int8Array = NDArray[np.int8]

ON_GRID_TOLERANCE_S = 1.0
"""A stage annotation whose onset is further than this from the 30-s grid is rejected."""


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
    RecordingError
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
        raise RecordingError(f"unknown sleep stage {text!r}")
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
            raise RecordingError(f"{source or 'hypnogram'}: epoch {k}: unknown stage {label!r}")
        aasm[k], movement[k] = parsed
    return make_hypnogram(
        aasm,
        movement,
        tuple(labels),
        epoch_seconds=epoch_seconds,
        source=source,
        format=format,
        start=start,
        events=events,
    )


def make_hypnogram(
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
    """A :class:`Hypnogram` from AASM codes per epoch (its four-class stages derived)."""
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


def from_intervals(
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
        raise RecordingError(f"{source}: no sleep-stage annotations")
    spans = []
    for onset, duration, label, code, moving in intervals:
        if not math.isfinite(onset) or onset < 0:
            raise RecordingError(f"{source}: stage {label!r} has onset {onset!r}")
        first = round(onset / epoch_seconds)
        if abs(first * epoch_seconds - onset) > ON_GRID_TOLERANCE_S:
            raise RecordingError(
                f"{source}: stage {label!r} at {onset:g} s is not on the {epoch_seconds}-s "
                "epoch grid of the recording"
            )
        if duration is None or duration <= 0:
            count = 1
        else:
            if not math.isfinite(duration):
                raise RecordingError(f"{source}: stage {label!r} has duration {duration!r}")
            count = max(1, round(duration / epoch_seconds))
        spans.append((first, count, label, code, moving))
    n = max(first + count for first, count, *_ in spans)
    aasm = np.full(n, UNSCORED, dtype=np.int8)
    movement = np.zeros(n, dtype=np.bool_)
    labels = [""] * n
    for first, count, label, code, moving in spans:
        for k in range(first, first + count):
            if labels[k] and (aasm[k], movement[k]) != (code, moving):
                raise RecordingError(
                    f"{source}: epoch {k} ({k * epoch_seconds} s) is scored both "
                    f"{labels[k]!r} and {label!r}"
                )
            aasm[k], movement[k], labels[k] = code, moving, label
    return make_hypnogram(
        aasm,
        movement,
        tuple(labels),
        epoch_seconds=epoch_seconds,
        source=source,
        format=format,
        start=start,
    )


def read_csv_hypnogram(path: str | Path) -> Hypnogram:
    """The project's one-column ``stage`` CSV (``W N1 N2 N3 R ?``; ``../shared/data``)."""
    path = Path(path)
    if not path.is_file():
        raise RecordingError(f"no such file: {path}")
    try:
        codes = load_hypnogram_csv(path)
    except (ValueError, OSError, UnicodeDecodeError) as err:
        raise RecordingError(f"cannot read {path} as a stage CSV: {err}") from err
    labels = tuple("?" if c < 0 else STAGE_LABELS[c] for c in codes.tolist())
    movement = np.zeros(codes.size, dtype=np.bool_)
    return make_hypnogram(
        codes, movement, labels, epoch_seconds=EPOCH_SECONDS, source=path, format="csv", start=None
    )
