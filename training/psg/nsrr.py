"""NSRR and Compumedics Profusion XML hypnograms.

NSRR XML (National Sleep Research Resource; Zhang GQ et al., *J Am Med Inform Assoc*
25:1351-1358, 2018): ``ScoredEvents`` with ``EventConcept`` ``Wake|0``, ``Stage 1 sleep|1`` ...
``REM sleep|5``, ``Start`` and ``Duration`` in seconds; and the Compumedics Profusion layout,
``<SleepStages>`` with one ``<SleepStage>`` code per epoch.
"""

from __future__ import annotations

import math
from pathlib import Path
import xml.etree.ElementTree as ET

import numpy as np

from custom_components.radar_sleep.contracts import EPOCH_SECONDS
from custom_components.radar_sleep.simulation.hypnogram import UNSCORED, AasmStage
from training.psg import RecordingError
from training.psg.hypnogram import Hypnogram, from_intervals, make_hypnogram

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
        raise RecordingError(f"{source}: <{tag}> is {text!r}, not a number") from None


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
    RecordingError
        Not XML, neither layout, unknown stage concepts or bad numbers.

    """
    path = Path(path)
    if not path.is_file():
        raise RecordingError(f"no such file: {path}")
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError, UnicodeDecodeError) as err:
        raise RecordingError(f"cannot read {path} as XML: {err}") from err
    epoch = _xml_float(root, ".//EpochLength", path)
    epoch_seconds = EPOCH_SECONDS if math.isnan(epoch) else round(epoch)
    if epoch_seconds <= 0:
        raise RecordingError(f"{path}: epoch length {epoch!r}")

    stages = root.find(".//SleepStages")
    if stages is not None and root.find(".//ScoredEvent") is None:
        labels = []
        codes = []
        for node in stages.iter("SleepStage"):
            text = (node.text or "").strip()
            try:
                codes.append(int(text))
            except ValueError:
                raise RecordingError(f"{path}: <SleepStage> {text!r} is not a code") from None
            labels.append(text)
        if not codes:
            raise RecordingError(f"{path}: <SleepStages> is empty")
        aasm = np.array([_PROFUSION_CODES.get(c, UNSCORED) for c in codes], dtype=np.int8)
        movement = np.zeros(aasm.size, dtype=np.bool_)
        return make_hypnogram(
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
        raise RecordingError(f"{path}: neither NSRR <ScoredEvent>s nor Compumedics <SleepStages>")
    intervals = []
    for ev in events:
        concept = (ev.findtext("EventConcept") or "").strip()
        etype = (ev.findtext("EventType") or "").strip().lower()
        name, _, code = concept.partition("|")
        code = code.strip() or _NSRR_TEXT.get(name.strip().lower(), "")
        if "stage" not in etype and _NSRR_TEXT.get(name.strip().lower()) is None:
            continue  # respiratory events, arousals, desaturations, ...
        if code not in _NSRR_CODES:
            raise RecordingError(f"{path}: unknown sleep stage concept {concept!r}")
        value, moving = _NSRR_CODES[code]
        onset = _xml_float(ev, "Start", path)
        duration = _xml_float(ev, "Duration", path)
        intervals.append(
            (onset, None if math.isnan(duration) else duration, concept, int(value), moving)
        )
    if not intervals:
        raise RecordingError(f"{path}: no sleep-stage events among {len(events)} scored events")
    return from_intervals(intervals, epoch_seconds, path, "nsrr-xml", None)
