"""Why an epoch got its stage: the words, and the notes a stored night keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from custom_components.radar_sleep.contracts import NightSummary, Stage
from custom_components.radar_sleep.sleep.explain import (
    decode_note,
    encode_note,
    epoch_at,
    explain_epoch,
    stage_reason,
)


@pytest.mark.parametrize(
    ("movement", "irregularity", "confidence", "note"),
    [
        (0.0, 0.05, 0.93, "019"),  # 0/0.05 = 0; 0.05/0.04 = 1.25 -> 1; 0.93 -> 9
        (0.12, 0.30, 0.61, "276"),  # 2.4 -> 2; 7.5 -> 7; 6.1 -> 6
        (0.80, None, 1.0, "9-9"),  # beyond the last step: 9; unknown: -
        (None, 0.0, 0.05, "-00"),
    ],
)
def test_encode_note(
    movement: float | None, irregularity: float | None, confidence: float, note: str
) -> None:
    assert encode_note(movement, irregularity, confidence) == note


def test_decode_note_gives_each_step_lower_end() -> None:
    note = decode_note("276")
    assert note.movement == pytest.approx(0.10)
    assert note.irregularity == pytest.approx(0.28)
    assert note.confidence == pytest.approx(0.6)
    assert decode_note("-0-").movement is None


@pytest.mark.parametrize(
    ("stage", "movement", "irregularity", "confidence", "reason"),
    [
        (Stage.DEEP, 0.0, 0.05, 0.93, "deep sleep: lying still, very regular breathing (sure)"),
        (
            Stage.LIGHT,
            0.05,
            0.10,
            0.7,
            "light sleep: moving a little, regular breathing (fairly sure)",
        ),
        (
            Stage.REM,
            0.0,
            0.2,
            0.55,
            "REM sleep: lying still, somewhat irregular breathing (unsure, a close call)",
        ),
        (Stage.WAKE, 0.4, 0.3, None, "awake: moving a lot, irregular breathing"),
        (Stage.WAKE, 0.2, None, 0.8, "awake: moving now and then, breathing not measured (sure)"),
    ],
)
def test_stage_reason(
    stage: Stage,
    movement: float,
    irregularity: float | None,
    confidence: float | None,
    reason: str,
) -> None:
    assert stage_reason(stage, movement, irregularity, confidence) == reason


START = datetime(2026, 11, 23, 1, 59, tzinfo=UTC)
NIGHT = NightSummary(
    night=date(2026, 11, 22),
    session_start=START,
    session_end=START + timedelta(minutes=2),
    intent_start=None,
    sleep_onset=None,
    final_wake=None,
    hypnogram_start=START,
    hypnogram=(Stage.LIGHT, Stage.LIGHT, Stage.WAKE, Stage.DEEP),
    metrics=None,
    mean_breathing_rate_bpm=None,
    epoch_notes="039" + "028" + "789",
)
"""Four epochs from 01:59 UTC; the last one's note is cut short (a damaged file)."""


def test_explain_a_stored_epoch() -> None:
    assert epoch_at(NIGHT, START + timedelta(seconds=65)) == 2
    assert epoch_at(NIGHT, START - timedelta(seconds=1)) is None
    assert epoch_at(NIGHT, START + timedelta(minutes=2)) is None
    # Epoch 2 (02:00 UTC): note "789": moving a lot (0.35), irregular (0.32), sure (0.9).
    explained = explain_epoch(NIGHT, 2)
    assert explained.start == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert explained.stage is Stage.WAKE
    assert explained.reason == "awake: moving a lot, irregular breathing (sure)"
    assert explained.because == "moving a lot, irregular breathing (sure)"
    # Epoch 0: "039": still, regular (0.12), sure.
    assert explain_epoch(NIGHT, 0).reason == "light sleep: lying still, regular breathing (sure)"
    assert explain_epoch(NIGHT, 3).reason == "deep sleep (no details stored)"
    assert explain_epoch(NIGHT, 3).because is None
