"""Run the sleep pipeline on a breathing recording (CSV or EDF), as a radar would see it.

Sleep researchers have polysomnography with a breathing channel (respiratory inductance
plethysmography belts, nasal pressure, an oro-nasal thermistor) and expert stages; Radar Sleep
sees chest displacement and body movement only. This tool turns a breathing recording into
the :class:`~custom_components.radar_sleep.contracts.VitalsFrame` stream a bedside radar would
produce (:func:`~training.psg.view.breathing_view`) and runs the runtime
:class:`~custom_components.radar_sleep.sleep.SleepPipeline` on it, so that anyone can check
the pipeline on their own recordings::

    python -m training.psg.analyze night.csv --start 2024-03-01T22:10
    python -m training.psg.analyze night.edf --channel "Resp chest"
    python -m training.psg.analyze bedside.npz

A raw-FMCW radar capture (Radar Sleep's ``.npz``, or a recording folder of Infineon's Radar
SDK, ifxdaq or Radar Fusion GUI) is decoded by the radar's own signal chain
(:func:`~custom_components.radar_sleep.radar.fmcw.capture.decode_capture`) and its frames go
to the pipeline as they are (:func:`analyze_capture`).

EDF files are read by :mod:`training.psg.edf`; without ``--channel`` the breathing channel is
chosen as the training loaders choose it (:func:`training.psg.channels.select_channel`:
thoracic effort first). Missing samples (NaN, gaps in a CSV's time column longer than
:data:`MAX_GAP_S`) give frames without a target: the radar sees nobody. After the recording
ends the stream continues without a target until the session closes, so that the night's
summary is produced.

Radar Sleep is a wellness tool: its stages are estimates from breathing and movement, not a
polysomnographic or diagnostic scoring (see ``docs/analyze.md``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator, Sequence
import csv
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
import json
import math
from pathlib import Path
import sys
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.contracts import (
    NightSummary,
    SessionState,
    SleepUpdate,
    Stage,
    VitalsFrame,
)
from custom_components.radar_sleep.sleep.config import PipelineConfig
from custom_components.radar_sleep.sleep.features import MOVEMENT_FRAME_LEVEL, EpochFeatures
from custom_components.radar_sleep.sleep.pipeline import EpochRecord, SleepPipeline
from custom_components.radar_sleep.sleep.serialize import summary_to_dict
from custom_components.radar_sleep.sleep.staging import BaselineParams, StageModel
from training.psg import RecordingError
from training.psg.edf import is_edf
from training.psg.recording import load_breathing
from training.psg.view import (
    BREATH_AMPLITUDE_MM,
    DEFAULT_FRAME_RATE_HZ,
    DISTANCE_M,
    BreathingView,
    breathing_view,
)

type FloatArray = NDArray[np.float64]

MAX_GAP_S = 10.0
"""A gap in a CSV's time column longer than this is missing data (no target)."""
MIN_DURATION_S = 600.0
"""Shortest recording analysed: a session needs 5 minutes, the features 90 s of context."""
TIME_COLUMNS = ("t_s", "t", "time", "time_s", "seconds", "timestamp")
"""Time columns recognised when ``--time-column`` is not given."""


# -- running the pipeline -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """The pipeline's account of a breathing recording, epoch by epoch and night by night.

    Epoch ``k`` covers ``[start + 30 k, start + 30 (k + 1))``: the grid starts at the first
    sample.
    """

    start: datetime
    """UTC instant of the first sample (the start of epoch 0)."""
    fs: float
    """Sample rate of the input."""
    duration_s: float
    epoch_seconds: int
    stages: NDArray[np.int8]
    """Final :class:`~custom_components.radar_sleep.contracts.Stage` per epoch (wake where
    nobody was in view): each session's summary hypnogram inside it, the pipeline's records
    elsewhere."""
    probabilities: FloatArray
    """Epochs x 4: wake, light, deep, REM, as last revised (with a lookahead model, the last
    ``lookahead`` epochs of a session get their stage, not their probabilities, when it
    closes)."""
    present: NDArray[np.bool_]
    """Epochs with breathing in view for at least half the epoch."""
    in_session: NDArray[np.bool_]
    """Epochs inside a session (in bed, or briefly away, during one)."""
    records: tuple[EpochRecord, ...]
    """The pipeline's final record of each epoch it processed (revised by the stage model's
    lookahead), in the order of ``features`` and ``updates``."""
    features: tuple[EpochFeatures, ...]
    updates: tuple[SleepUpdate, ...]
    """The live state after each epoch (with the reason for each decision)."""
    summaries: tuple[NightSummary, ...]
    """One per session, in order."""
    view: BreathingView | None = field(repr=False)
    """The frames the pipeline saw, as arrays (``None`` for a radar capture)."""

    @property
    def n_epochs(self) -> int:
        """Number of epochs covering the recording."""
        return int(self.stages.size)

    @property
    def labels(self) -> list[str]:
        """Stage labels per epoch (``wake|light|deep|rem``)."""
        return [Stage(int(s)).label for s in self.stages]

    def epoch_start(self, index: int) -> datetime:
        """Start of epoch ``index``."""
        return self.start + timedelta(seconds=index * self.epoch_seconds)

    @property
    def main_summary(self) -> NightSummary | None:
        """The night with the most sleep (the longest session when none has any)."""
        if not self.summaries:
            return None
        return max(
            self.summaries,
            key=lambda s: (
                s.metrics.tst_min if s.metrics is not None else 0.0,
                (s.session_end - s.session_start).total_seconds(),
            ),
        )


def analyze_breathing(
    breathing: NDArray[np.floating[Any]] | Sequence[float],
    fs: float,
    start: datetime | None = None,
    *,
    config: PipelineConfig | None = None,
    stager: StageModel | None = None,
    params: BaselineParams | None = None,
    frame_rate_hz: float = DEFAULT_FRAME_RATE_HZ,
    amplitude_mm: float = BREATH_AMPLITUDE_MM,
    distance_m: float = DISTANCE_M,
) -> AnalysisResult:
    """Run the runtime sleep pipeline on a breathing recording.

    Parameters
    ----------
    breathing, fs
        The breathing channel (any unit, NaN where missing) and its sample rate.
    start
        Instant of the first sample; a naive datetime is taken as UTC (so that times print as
        the recording's own clock). ``None``: the pipeline's default origin.
    config, stager, params
        Passed to :class:`~custom_components.radar_sleep.sleep.SleepPipeline`;
        ``stager=None`` is the shipped stage model (the trained one where it is installed,
        else the baseline HMM).
    frame_rate_hz, amplitude_mm
        See :func:`breathing_view`.
    distance_m
        Range reported for the sleeper; must lie in ``config``'s user zone.

    Returns
    -------
    AnalysisResult
        Final stages per epoch: a model with a lookahead of ``L`` epochs stages each epoch
        ``L`` epochs later, and the result holds those revised stages, not the live ones.

    Raises
    ------
    RecordingError
        See :func:`breathing_view`; also a ``distance_m`` outside the user zone.

    """
    config = config or PipelineConfig()
    if not config.zone.contains(distance_m, None):
        raise RecordingError(f"distance {distance_m} m is outside the configured user zone")
    view = breathing_view(breathing, fs, frame_rate_hz=frame_rate_hz, amplitude_mm=amplitude_mm)
    last = float(view.t[-1]) if view.t.size else 0.0
    duration = float(np.asarray(breathing).size / fs)
    return _analyze_frames(
        view.frames(distance_m=distance_m),
        last,
        duration,
        fs,
        start,
        config=config,
        stager=stager,
        params=params,
        view=view,
    )


def analyze_capture(
    path: str | Path,
    start: datetime | None = None,
    *,
    config: PipelineConfig | None = None,
    stager: StageModel | None = None,
    params: BaselineParams | None = None,
) -> AnalysisResult:
    """Run the runtime sleep pipeline on a raw-FMCW radar capture.

    ``path`` is a Radar Sleep ``.npz`` capture or an Infineon Radar SDK / ifxdaq / Radar
    Fusion GUI recording folder; it is decoded by the radar's signal chain, exactly as Home
    Assistant's replay source does, and every target goes to the pipeline (which picks the
    sleeper in its user zone). Frame times are counted from the first frame. ``fs`` of the
    result is the frame rate.

    Raises
    ------
    RecordingError
        The capture cannot be read or has no frames.

    """
    from custom_components.radar_sleep.radar.fmcw.capture import (  # noqa: PLC0415 - DSP
        decode_capture,
        load_capture_config,
    )

    try:
        device = load_capture_config(path)
        frames = decode_capture(path)
    except (OSError, ValueError, KeyError, EOFError) as err:
        raise RecordingError(f"cannot read the radar capture {path}: {err}") from err
    if not frames:
        raise RecordingError(f"the radar capture {path} has no frames")
    t0 = frames[0].t
    period = 1.0 / device.frame_rate_hz
    frames = [replace(f, t=f.t - t0) for f in frames]
    return _analyze_frames(
        frames,
        frames[-1].t,
        frames[-1].t + period,
        device.frame_rate_hz,
        start,
        config=config or PipelineConfig(),
        stager=stager,
        params=params,
        view=None,
    )


def is_radar_capture(path: Path) -> bool:
    """Whether ``path`` is a raw-FMCW capture (an ``.npz`` file or a recording folder)."""
    return path.is_dir() or path.suffix.lower() == ".npz"


def _analyze_frames(
    frames: Iterable[VitalsFrame],
    last: float,
    duration: float,
    fs: float,
    start: datetime | None,
    *,
    config: PipelineConfig,
    stager: StageModel | None,
    params: BaselineParams | None,
    view: BreathingView | None,
) -> AnalysisResult:
    """The pipeline over ``frames`` (source time from 0), then nobody until sessions close."""
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    pipeline = SleepPipeline(config, start, stager=stager, params=params)
    origin = pipeline.origin
    es = config.epoch_seconds
    n_epochs = max(1, math.ceil(duration / es - 1e-9))

    def stream() -> Iterator[VitalsFrame]:
        yield from frames
        # Nobody in view after the end, until the session has closed (summary).
        tail = config.session_end_minutes * 60.0 + 2 * es
        for k in range(1, math.ceil(tail) + 1):
            yield VitalsFrame(t=last + k, targets=())

    present = np.zeros(n_epochs, dtype=np.bool_)
    in_session = np.zeros(n_epochs, dtype=np.bool_)
    order: list[int] = []
    final: dict[int, EpochRecord] = {}
    features: list[EpochFeatures] = []
    updates: list[SleepUpdate] = []
    # A stage model with lookahead L stages epoch k only L epochs later, by revising the
    # pipeline's record of it: keep the latest version of every record, not the live one.
    recent = pipeline.stager.lookahead + 2
    for result in pipeline.run(stream()):
        k = result.record.index
        final[k] = result.record
        for revised in pipeline.records[-recent:]:
            final[revised.index] = revised
        if not 0 <= k < n_epochs:
            continue
        order.append(k)
        present[k] = result.record.present
        in_session[k] = result.update.session_state in (SessionState.ACTIVE, SessionState.AWAY)
        features.append(result.features)
        updates.append(result.update)
    records = tuple(final[k] for k in order)
    stages = np.zeros(n_epochs, dtype=np.int8)
    probs = np.zeros((n_epochs, 4))
    probs[:, 0] = 1.0
    for rec in records:
        stages[rec.index] = int(rec.stage)
        probs[rec.index] = rec.probabilities
    # The summaries hold every session's final stages, including those the stage model gave
    # only when the session closed (its lookahead drained).
    for summary in pipeline.summaries:
        first = round((summary.hypnogram_start - origin).total_seconds() / es)
        for j, stage in enumerate(summary.hypnogram):
            if 0 <= first + j < n_epochs:
                stages[first + j] = int(stage)
    return AnalysisResult(
        start=origin,
        fs=float(fs),
        duration_s=duration,
        epoch_seconds=es,
        stages=stages,
        probabilities=probs,
        present=present,
        in_session=in_session,
        records=records,
        features=tuple(features),
        updates=tuple(updates),
        summaries=tuple(pipeline.summaries),
        view=view,
    )


# -- reading files --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recording:
    """A breathing channel read from a file."""

    signal: FloatArray
    fs: float
    channel: str
    source: Path
    format: str
    """``csv`` or ``edf``."""
    start: datetime | None = None
    """Instant of the first sample, when the file says."""
    t0_s: float = 0.0
    """Time-column value of the first sample (CSV)."""


def _parse_time(values: list[str], column: str) -> tuple[FloatArray, datetime | None]:
    """Seconds (relative to 0) or ISO timestamps (relative to the first, which is returned)."""
    try:
        return np.array([float(v) for v in values]), None
    except ValueError:
        pass
    try:
        stamps = [datetime.fromisoformat(v.strip()) for v in values]
    except ValueError as err:
        raise RecordingError(
            f"time column {column!r} is neither seconds nor ISO times: {err}"
        ) from err
    first = stamps[0]
    return np.array([(s - first).total_seconds() for s in stamps]), first


def _uniform(t: FloatArray, x: FloatArray, column: str) -> tuple[FloatArray, float]:
    """Samples on a uniform grid at the median sample interval; gaps become NaN."""
    if t.size < 2:
        raise RecordingError("the recording has fewer than two samples")
    dt = np.diff(t)
    bad = np.flatnonzero(~(dt > 0))
    if bad.size:
        row = int(bad[0]) + 2
        raise RecordingError(f"time column {column!r} is not increasing at data row {row}")
    step = float(np.median(dt))
    fs = 1.0 / step
    # Snap to 6 significant digits (a time column printed with rounding).
    fs = float(f"{fs:.6g}")
    if np.all(np.abs(dt - 1.0 / fs) <= 1e-6 * max(1.0, float(t[-1]))):
        return x, fs
    grid = t[0] + np.arange(math.floor((t[-1] - t[0]) * fs) + 1) / fs
    finite = np.isfinite(x)
    if np.count_nonzero(finite) < 2:
        raise RecordingError("the breathing signal has no valid samples")
    out = np.interp(grid, t[finite], x[finite])
    right = np.clip(np.searchsorted(t, grid, side="left"), 1, t.size - 1)
    gap = (t[right] - t[right - 1]) > MAX_GAP_S
    out[gap] = np.nan
    return out, fs


def read_csv(
    path: Path, time_column: str | None = None, signal_column: str | None = None
) -> Recording:
    """A breathing column with its time column (seconds or ISO timestamps) from a CSV file.

    Without ``time_column`` the first of :data:`TIME_COLUMNS` present is used; without
    ``signal_column`` the only other column. Empty cells are missing samples.
    """
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise RecordingError(f"{path} is empty")
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise RecordingError(f"cannot read {path}: {err}") from err
    names = [h.strip() for h in header]
    listed = ", ".join(names)
    if time_column is None:
        time_column = next((c for c in TIME_COLUMNS if c in names), None)
        if time_column is None:
            raise RecordingError(f"no time column in {path} (columns: {listed}); use --time-column")
    elif time_column not in names:
        raise RecordingError(f"no column {time_column!r} in {path} (columns: {listed})")
    if signal_column is None:
        others = [c for c in names if c != time_column]
        if len(others) != 1:
            raise RecordingError(
                f"which column is breathing? (columns: {listed}); use --signal-column"
            )
        signal_column = others[0]
    elif signal_column not in names:
        raise RecordingError(f"no column {signal_column!r} in {path} (columns: {listed})")
    ti, si = names.index(time_column), names.index(signal_column)
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if any(len(r) <= max(ti, si) for r in rows):
        raise RecordingError(f"{path} has rows with missing cells")
    t, start = _parse_time([r[ti] for r in rows], time_column)
    values = np.empty(len(rows))
    for k, r in enumerate(rows):
        cell = r[si].strip()
        try:
            values[k] = float(cell) if cell else math.nan
        except ValueError:
            raise RecordingError(
                f"column {signal_column!r}, data row {k + 1}: {cell!r} is not a number"
            ) from None
    if not np.all(np.isfinite(t)):
        raise RecordingError(f"time column {time_column!r} has missing values")
    x, fs = _uniform(t, values, time_column)
    return Recording(
        signal=x,
        fs=fs,
        channel=signal_column,
        source=path,
        format="csv",
        start=start,
        t0_s=float(t[0]) if t.size else 0.0,
    )


def read_edf(path: Path, channel: str | None = None) -> Recording:
    """The breathing channel of an EDF/EDF+ file (:func:`training.psg.recording.load_breathing`).

    ``channel`` names it (case, spacing and punctuation do not matter); without it the channel
    is chosen by :data:`training.psg.channels.DEFAULT_PRIORITY`. A discontinuous EDF+ (EDF+D)
    is refused.
    """
    breathing = load_breathing(path, label=channel, require_continuous=True)
    return Recording(
        signal=breathing.signal,
        fs=breathing.fs,
        channel=breathing.label,
        source=path,
        format="edf",
        start=breathing.start,
    )


def read_recording(
    path: Path,
    channel: str | None = None,
    time_column: str | None = None,
    signal_column: str | None = None,
) -> Recording:
    """A CSV or EDF breathing recording (by the file's suffix; CSV unless ``.edf``/``.rec``)."""
    if not path.is_file():
        raise RecordingError(f"no such file: {path}")
    if is_edf(path):
        return read_edf(path, channel)
    return read_csv(path, time_column, signal_column or channel)


# -- output ---------------------------------------------------------------------------------------


def result_to_dict(result: AnalysisResult, recording: Recording | None = None) -> dict[str, Any]:
    """JSON types: source, conversion, hypnogram per epoch, and each night's summary."""
    view = result.view
    main = result.main_summary
    out: dict[str, Any] = {}
    if recording is not None:
        out["source"] = {
            "file": str(recording.source),
            "format": recording.format,
            "channel": recording.channel,
        }
    out["recording"] = {
        "start": result.start.isoformat(),
        "fs_hz": result.fs,
        "duration_s": round(result.duration_s, 3),
    }
    out["conversion"] = (
        None  # a radar capture: the radar's own frames, no conversion
        if view is None
        else {
            "frame_rate_hz": view.frame_rate_hz,
            "scale_mm_per_unit": view.scale_mm,
            "breath_amplitude_mm": view.breath_amplitude_mm,
            "clear_breathing_fraction": round(view.periodic_fraction, 4),
            "valid_fraction": round(float(np.mean(view.valid)), 4),
            "movement_fraction": round(float(np.mean(view.movement > MOVEMENT_FRAME_LEVEL)), 4),
        }
    )
    out["hypnogram"] = {
        "start": result.start.isoformat(),
        "epoch_seconds": result.epoch_seconds,
        "stages": result.labels,
    }
    out["nights"] = [summary_to_dict(s) for s in result.summaries]
    out["night"] = None if main is None else summary_to_dict(main)
    return out


EPOCH_COLUMNS = (
    "epoch",
    "start",
    "stage",
    "p_wake",
    "p_light",
    "p_deep",
    "p_rem",
    "present",
    "in_session",
    "trying_to_sleep",
    "intent_score",
    "breathing_rate_bpm",
    "movement_fraction",
    "movement_max",
    "interval_cv",
    "amplitude_mm",
    "amplitude_cv",
)
"""Columns of ``--epochs-csv``."""


def write_epochs_csv(result: AnalysisResult, path: Path) -> None:
    """One row per epoch: stage, probabilities, session, intent and the main features."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(EPOCH_COLUMNS)
        by_index = {
            r.index: (r, f, u)
            for r, f, u in zip(result.records, result.features, result.updates, strict=True)
        }

        def num(value: float | None, digits: int = 4) -> str:
            return "" if value is None else f"{value:.{digits}g}"

        for k in range(result.n_epochs):
            p = result.probabilities[k]
            row: list[str] = [
                str(k),
                result.epoch_start(k).isoformat(),
                Stage(int(result.stages[k])).label,
                *(f"{float(v):.4f}" for v in p),
                str(int(result.present[k])),
                str(int(result.in_session[k])),
            ]
            if k in by_index:
                rec, feat, upd = by_index[k]
                row += [
                    str(int(upd.trying_to_sleep)),
                    num(rec.intent_score),
                    num(rec.breathing_rate_bpm),
                    num(feat.movement_fraction),
                    num(feat.movement_max),
                    num(feat.interval_cv),
                    num(feat.amplitude_mm),
                    num(feat.amplitude_cv),
                ]
            else:
                row += ["0"] + [""] * 7
            writer.writerow(row)


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by ``None`` (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _parse_start(text: str) -> datetime:
    """An ISO 8601 date-time; naive times are taken as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as err:
        raise RecordingError(f"--start: {err}") from err
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Entry point of ``python -m training.psg.analyze``; the exit code."""
    ana = argparse.ArgumentParser(
        prog="python -m training.psg.analyze",
        description="Stage a breathing recording (CSV or EDF) with Radar Sleep's sleep pipeline.",
    )
    ana.add_argument(
        "file", type=Path, help="CSV, EDF, or a raw-FMCW capture (.npz, Infineon folder)"
    )
    ana.add_argument("--channel", help="EDF channel label (CSV: the breathing column)")
    ana.add_argument("--time-column", help=f"CSV time column (default: one of {TIME_COLUMNS})")
    ana.add_argument("--signal-column", help="CSV breathing column (default: the other one)")
    ana.add_argument("--start", help="ISO time of the first sample (CSV: of time 0); naive = UTC")
    ana.add_argument("--epochs-csv", type=Path, help="also write one row per epoch here")
    ana.add_argument("--frame-rate", type=float, default=DEFAULT_FRAME_RATE_HZ)
    args = ana.parse_args(argv)

    if is_radar_capture(args.file):
        return _main_capture(args.file, args.start, args.epochs_csv, out)
    try:
        recording = read_recording(args.file, args.channel, args.time_column, args.signal_column)
        start = recording.start
        if args.start is not None:
            start = _parse_start(args.start) + timedelta(seconds=recording.t0_s)
        result = analyze_breathing(
            recording.signal, recording.fs, start, frame_rate_hz=args.frame_rate
        )
        if args.epochs_csv is not None:
            write_epochs_csv(result, args.epochs_csv)
    except (RecordingError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    data = result_to_dict(result, recording)
    data["recording"]["start_assumed"] = start is None
    out.write(json.dumps(_finite(data), allow_nan=False) + "\n")
    return 0


def _main_capture(path: Path, start_text: str | None, epochs_csv: Path | None, out: TextIO) -> int:
    """``main`` for a raw-FMCW capture (an ``.npz`` file or an Infineon recording folder)."""
    try:
        start = None if start_text is None else _parse_start(start_text)
        result = analyze_capture(path, start)
        if epochs_csv is not None:
            write_epochs_csv(result, epochs_csv)
    except (RecordingError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    data = result_to_dict(result)
    data = {"source": {"file": str(path), "format": "fmcw", "channel": None}, **data}
    data["recording"]["start_assumed"] = start is None
    out.write(json.dumps(_finite(data), allow_nan=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
