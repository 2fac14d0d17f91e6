"""Breathing channels of a polysomnography recording: what each label measures, which to use.

Breathing channels are found by label (:func:`classify_channel`, :data:`CHANNEL_RULES`) and
chosen in the documented :data:`DEFAULT_PRIORITY` (thoracic effort first: a radar sees chest
displacement), which ``kinds=`` reorders and ``label=`` overrides (:func:`select_channel`).
The EDF and WFDB readers and the ``analyze`` tool all choose channels this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
import re

import numpy as np
from numpy.typing import NDArray

from training.psg import RecordingError

type FloatArray = NDArray[np.float64]


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


def normalise(label: str) -> str:
    """Lower case, runs of other characters as one space (how labels are compared)."""
    return re.sub(r"[^a-z0-9]+", " ", label.lower()).strip()


def classify_channel(label: str, transducer: str = "") -> ChannelKind | None:
    """The breathing kind of a channel from its label (or, failing that, its transducer).

    Returns ``None`` for channels that are not breathing (EEG, SpO2, CPAP pressure, ...) or
    not recognised; see :data:`CHANNEL_RULES`.
    """
    name = normalise(label)
    if not name or _EXCLUDE.search(name):
        return None
    texts = [name]
    device = normalise(transducer)
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
    RecordingError
        No such label, or no channel of the wanted kinds (the message lists the channels).

    """
    listed = listing(channels)
    if label is not None:
        wanted = normalise(label)
        for ch in channels:
            if normalise(ch.label) == wanted:
                return ch if ch.kind is not None else replace(ch, kind=ChannelKind.OTHER)
        raise RecordingError(f"no channel {label!r} (channels: {listed})")
    order = [ChannelKind(k) for k in (kinds if kinds is not None else DEFAULT_PRIORITY)]
    for kind in order:
        found = [ch for ch in channels if ch.kind is kind]
        if found:
            return max(found, key=lambda ch: (ch.fs, -ch.index))
    wanted_kinds = ", ".join(str(k) for k in order)
    raise RecordingError(f"no breathing channel of kind {wanted_kinds} (channels: {listed})")


def listing(channels: Sequence[ChannelInfo]) -> str:
    """The channels for an error message: label, kind and sample rate of each."""
    if not channels:
        return "none"
    return ", ".join(
        f"{ch.label!r} ({ch.kind or 'not breathing'}, {ch.fs:g} Hz)" for ch in channels
    )
