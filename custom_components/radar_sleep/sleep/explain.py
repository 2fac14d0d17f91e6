"""Why an epoch got its stage, in words, and the compact notes that let a past night explain it.

The stage model decides from the epoch's features; the two a person can check against their own
memory are how much they moved and how regular their breathing was. Both differ by stage in
the same direction in every polysomnography study: wake has body movement and irregular
breathing, non-REM sleep still and increasingly regular breathing as it deepens, REM sleep
stillness (muscle atonia) with irregular breathing (Douglas NJ, White DP, Pickett CK, Weil JV,
Zwillich CW. Respiration during sleep in normal man. *Thorax* 37(11):840-844, 1982; Krieger J.
Breathing during sleep in normal subjects. *Clin Chest Med* 6(4):577-594, 1985). An epoch's
reason therefore names its movement, its breathing regularity (the coefficient of variation of
breath-to-breath intervals) and how sure the model was.

A stored night keeps three characters per epoch (:func:`encode_note`) beside its hypnogram:
enough to say why, months later, without any waveform.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..contracts import EPOCH_SECONDS, NightSummary, Stage

MOVEMENT_STEP = 0.05
"""Movement fraction per step of a note's first character."""
IRREGULARITY_STEP = 0.04
"""Breath-interval coefficient of variation per step of a note's second character."""
UNKNOWN = "-"
NOTE_LENGTH = 3

STAGE_WORDS = {Stage.WAKE: "awake", Stage.LIGHT: "light sleep", Stage.DEEP: "deep sleep"}
STAGE_WORDS[Stage.REM] = "REM sleep"


def _digit(value: float | None, step: float) -> str:
    if value is None:
        return UNKNOWN
    return str(min(9, max(0, int(value / step + 1e-9))))


def encode_note(movement: float | None, irregularity: float | None, confidence: float) -> str:
    """Three characters for one epoch: movement, breathing irregularity, confidence.

    Each is a digit 0-9 (the value's step, :data:`MOVEMENT_STEP`, :data:`IRREGULARITY_STEP`,
    tenths of probability; 9 also for anything above) or ``-`` when unknown.
    """
    return (
        _digit(movement, MOVEMENT_STEP)
        + _digit(irregularity, IRREGULARITY_STEP)
        + (_digit(confidence, 0.1))
    )


@dataclass(frozen=True, slots=True)
class EpochNote:
    """One epoch's note, decoded: the lower end of each value's step."""

    movement: float | None
    irregularity: float | None
    confidence: float | None


def decode_note(note: str) -> EpochNote:
    """Inverse of :func:`encode_note` (to the step's lower end)."""

    def value(char: str, step: float) -> float | None:
        return None if char == UNKNOWN else int(char) * step

    return EpochNote(
        value(note[0], MOVEMENT_STEP),
        value(note[1], IRREGULARITY_STEP),
        value(note[2], 0.1),
    )


def movement_words(movement: float | None) -> str:
    """How much the sleeper moved in the epoch, in words."""
    if movement is None:
        return "movement unknown"
    if movement < 0.05:
        return "lying still"
    if movement < 0.15:
        return "moving a little"
    if movement < 0.35:
        return "moving now and then"
    return "moving a lot"


def breathing_words(irregularity: float | None) -> str:
    """How regular the breathing was, in words."""
    if irregularity is None:
        return "breathing not measured"
    if irregularity < 0.08:
        return "very regular breathing"
    if irregularity < 0.16:
        return "regular breathing"
    if irregularity < 0.24:
        return "somewhat irregular breathing"
    return "irregular breathing"


def confidence_words(confidence: float | None) -> str:
    """How sure the stage model was."""
    if confidence is None:
        return ""
    if confidence >= 0.8:
        return "sure"
    if confidence >= 0.6:
        return "fairly sure"
    return "unsure, a close call"


def stage_reason(
    stage: Stage, movement: float | None, irregularity: float | None, confidence: float | None
) -> str:
    """Why an epoch was called ``stage``: "light sleep: lying still, regular breathing (sure)"."""
    sure = confidence_words(confidence)
    tail = f" ({sure})" if sure else ""
    return (
        f"{STAGE_WORDS[stage]}: {movement_words(movement)}, {breathing_words(irregularity)}{tail}"
    )


@dataclass(frozen=True, slots=True)
class EpochExplanation:
    """A stored night's epoch and why it got its stage."""

    start: datetime
    stage: Stage
    reason: str
    """The stage and why: "light sleep: lying still, regular breathing (sure)"."""
    because: str | None
    """Only why ("lying still, regular breathing (sure)"); ``None`` for a night stored
    without its epochs' notes."""


def epoch_at(night: NightSummary, when: datetime) -> int | None:
    """Index in ``night.hypnogram`` of the epoch holding ``when`` (``None``: outside it)."""
    k = int((when - night.hypnogram_start).total_seconds() // EPOCH_SECONDS)
    return k if 0 <= k < len(night.hypnogram) else None


def explain_epoch(night: NightSummary, index: int) -> EpochExplanation:
    """Why epoch ``index`` of the night's hypnogram got its stage (from its stored note)."""
    stage = night.hypnogram[index]
    start = night.hypnogram_start + timedelta(seconds=index * EPOCH_SECONDS)
    notes = night.epoch_notes
    if len(notes) < (index + 1) * NOTE_LENGTH:
        return EpochExplanation(start, stage, f"{STAGE_WORDS[stage]} (no details stored)", None)
    note = decode_note(notes[index * NOTE_LENGTH : (index + 1) * NOTE_LENGTH])
    reason = stage_reason(stage, note.movement, note.irregularity, note.confidence)
    return EpochExplanation(start, stage, reason, reason.split(": ", 1)[1])
