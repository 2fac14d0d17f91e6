"""The contracts are frozen, typed and carry what DESIGN.md says."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields
from datetime import UTC, date, datetime

import pytest

from custom_components.radar_sleep.contracts import (
    REASON_KEYS,
    NightSummary,
    SleepUpdate,
    Stage,
    TargetVitals,
    VitalsFrame,
)
from custom_components.radar_sleep.sleep import sleep_metrics
from custom_components.radar_sleep.sleep.serialize import summary_from_dict, summary_to_dict


def test_frames_are_frozen() -> None:
    target = TargetVitals(1, 0.7, None, (0.1, 0.2), 20.0, 0.0, 0.9)
    frame = VitalsFrame(t=1.5, targets=(target,))
    with pytest.raises(FrozenInstanceError):
        frame.t = 2.0  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        target.distance_m = 1.0  # type: ignore[misc]
    assert frame.device_presence is None
    assert target.breath_rate_bpm is None
    assert target.heart_rate_bpm is None


def test_update_and_summary_fields_match_design() -> None:
    update_fields = {f.name for f in fields(SleepUpdate)}
    assert {
        "present",
        "presence_confidence",
        "in_bed",
        "session_state",
        "trying_to_sleep",
        "intent_score",
        "stage",
        "stage_probabilities",
        "breathing_rate_bpm",
        "primary_user_confidence",
        "reasons",
    } <= update_fields
    summary_fields = {f.name for f in fields(NightSummary)}
    assert {
        "hypnogram",
        "session_start",
        "session_end",
        "intent_start",
        "metrics",
        "mean_breathing_rate_bpm",
        "room_temperature_c",
        "room_humidity_pct",
        "room_illuminance_lx",
    } <= summary_fields


def test_stage_labels() -> None:
    assert [s.label for s in Stage] == ["wake", "light", "deep", "rem"]


def test_summary_round_trips_through_json_types() -> None:
    hyp = (Stage.WAKE, Stage.LIGHT, Stage.DEEP, Stage.REM, Stage.WAKE)
    t0 = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)
    summary = NightSummary(
        night=date(2026, 11, 20),
        session_start=t0,
        session_end=t0.replace(hour=23),
        intent_start=t0,
        sleep_onset=None,
        final_wake=None,
        hypnogram_start=t0,
        hypnogram=hyp,
        metrics=sleep_metrics(hyp),
        mean_breathing_rate_bpm=14.2,
    )
    data = summary_to_dict(summary)
    assert data["hypnogram"] == "wldrw"
    assert summary_from_dict(data) == summary
    with pytest.raises(ValueError, match="substring not found"):
        summary_from_dict({**data, "hypnogram": "wxyz"})


def test_reason_keys_are_the_stored_strings() -> None:
    """Reasons are stored in snapshots and shown as attributes: their keys never change."""
    assert REASON_KEYS == ("presence", "session", "user", "intent", "stage")
