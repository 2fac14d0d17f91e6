"""Teaching: labels, what is learned from them, and the intent tracker's taught offset.

Every expected value is worked out by hand from the inputs written here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from custom_components.radar_sleep.contracts import (
    LabelKind,
    NightSummary,
    Stage,
    TeachingLabel,
)
from custom_components.radar_sleep.sleep.intent import SLEEP_CONFIRM, IntentTracker
from custom_components.radar_sleep.sleep.serialize import summary_from_dict, summary_to_dict
from custom_components.radar_sleep.sleep.teach import (
    MAX_WAKE_WEIGHT,
    add_label,
    forget_labels,
    gap_epochs,
    in_night,
    learn,
    night_instant,
    onset_error_min,
    onset_offset_min,
    taught_epochs,
    wake_weight,
    weigh_wake,
)

W, L = Stage.WAKE, Stage.LIGHT
START = datetime(2026, 11, 22, 22, 0, tzinfo=UTC)
NIGHT = NightSummary(
    night=date(2026, 11, 22),
    session_start=START - timedelta(minutes=30),
    session_end=START + timedelta(hours=8),
    intent_start=START,
    sleep_onset=START + timedelta(minutes=5),
    final_wake=None,
    hypnogram_start=START,
    hypnogram=(W,) * 10 + (L,) * 30,
    metrics=None,
    mean_breathing_rate_bpm=None,
)
"""Scored from 22:00 UTC: 10 epochs (5 min) awake, then 30 epochs (15 min) light sleep."""


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def label(kind: LabelKind, start: float | None, end: float | None = None) -> TeachingLabel:
    return TeachingLabel(
        kind, None if start is None else at(start), None if end is None else at(end)
    )


def test_night_instant_picks_the_reading_inside_the_night() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # in bed 22:30-07:00 Berlin
    # "11:20" said of a night: 23:20 on the night's date, not 11:20 the next morning.
    assert night_instant(NIGHT, time(11, 20), berlin) == datetime(
        2026, 11, 22, 23, 20, tzinfo=berlin
    )
    # "3" is 03:00 the morning after; "23:45" the night's evening.
    assert night_instant(NIGHT, time(3, 0), berlin) == datetime(2026, 11, 23, 3, 0, tzinfo=berlin)
    assert night_instant(NIGHT, time(23, 45), berlin) == datetime(
        2026, 11, 22, 23, 45, tzinfo=berlin
    )
    assert in_night(NIGHT, at(-85))  # an hour before bed
    assert not in_night(NIGHT, at(-95))


def test_add_label_replaces_a_single_kind_and_keeps_the_rest() -> None:
    night = add_label(NIGHT, label(LabelKind.READING_UNTIL, 10))
    night = add_label(night, label(LabelKind.AWAKE_AT, 20))
    night = add_label(night, label(LabelKind.AWAKE_AT, 25))
    night = add_label(night, label(LabelKind.READING_UNTIL, 12))
    assert [(x.kind, x.start) for x in night.labels] == [
        (LabelKind.AWAKE_AT, at(20)),
        (LabelKind.AWAKE_AT, at(25)),
        (LabelKind.READING_UNTIL, at(12)),
    ]
    assert forget_labels(night).labels == ()


def test_labels_survive_storage_and_old_nights_load() -> None:
    night = replace(
        add_label(NIGHT, label(LabelKind.WAS_PARTNER, 60, 90)),
        intent_detected=at(-5),
        epoch_notes="0" * 120,
    )
    assert summary_from_dict(summary_to_dict(night)) == night
    old = summary_to_dict(NIGHT)
    for key in ("labels", "intent_detected", "epoch_notes"):
        del old[key]
    assert summary_from_dict(old) == NIGHT


def test_onset_error_from_reading_until_and_fell_asleep() -> None:
    # Taught 20 min after the model's onset (22:00).
    assert onset_error_min(add_label(NIGHT, label(LabelKind.READING_UNTIL, 20))) == 20.0
    # The model's raw onset counts, not the one already shifted.
    shifted = replace(NIGHT, intent_start=at(15), intent_detected=at(0))
    assert onset_error_min(add_label(shifted, label(LabelKind.READING_UNTIL, 20))) == 20.0
    # Falling asleep at 22:10 says nothing about an onset at 22:00 ...
    assert onset_error_min(add_label(NIGHT, label(LabelKind.FELL_ASLEEP_AT, 10))) is None
    # ... but an onset after the taught sleep was too late by the difference.
    assert onset_error_min(add_label(NIGHT, label(LabelKind.FELL_ASLEEP_AT, -6))) == -6.0
    assert onset_error_min(NIGHT) is None


def test_onset_offset_is_the_median_from_two_nights() -> None:
    assert onset_offset_min([30.0]) == 0.0
    assert onset_offset_min([30.0, 20.0]) == 25.0
    assert onset_offset_min([30.0, 20.0, -100.0]) == 20.0  # one odd label barely counts
    assert onset_offset_min([200.0, 300.0]) == 90.0  # bounded


def test_taught_epochs() -> None:
    night = add_label(NIGHT, label(LabelKind.READING_UNTIL, 2))  # epochs 0-3 awake
    night = add_label(night, label(LabelKind.AWAKE_AT, 10, 11))  # epochs 20-22 awake
    night = add_label(night, label(LabelKind.FELL_ASLEEP_AT, 16))  # 32-39 asleep (to the end)
    expected = dict.fromkeys([0, 1, 2, 3, 20, 21, 22], True) | dict.fromkeys(range(32, 40), False)
    assert taught_epochs(night) == expected


def test_wake_weight_is_the_odds_ratio_of_taught_to_scored_wake() -> None:
    # Awake at 22:10 to 22:14 (epochs 20-28, 9 epochs) that the model scored light: taught
    # wake 9 of 9, scored wake 0 of 9: odds (9+1)/(0+1)=10 over (0+1)/(9+1)=0.1: 100, bounded.
    night = add_label(NIGHT, label(LabelKind.AWAKE_AT, 10, 14))
    assert wake_weight([night]) == MAX_WAKE_WEIGHT
    # Awake at 22:01 (epoch 2, scored wake) and asleep from 22:05 (epochs 10-29, scored
    # light): taught wake 1 of 21, scored wake 1 of 21: weight 1.
    night = add_label(NIGHT, label(LabelKind.AWAKE_AT, 1))
    night = add_label(night, label(LabelKind.FELL_ASLEEP_AT, 5))
    assert wake_weight([night]) == 1.0
    assert wake_weight([NIGHT]) == 1.0
    probs = weigh_wake(np.array([0.25, 0.5, 0.25, 0.0]), 2.0)
    np.testing.assert_allclose(probs, [0.4, 0.4, 0.2, 0.0])


def test_gap_epochs_are_those_starting_in_a_gap() -> None:
    # 22:02:00 to 22:04:10: epochs 4 (22:02:00) to 8 (22:04:00); 22:04:30 is outside.
    night = replace(NIGHT, gaps=((at(2), at(4) + timedelta(seconds=10)),))
    assert gap_epochs(night) == {4, 5, 6, 7, 8}
    # A gap past the scored period's end counts only the epochs it has.
    night = replace(NIGHT, gaps=((at(19), at(30)),))
    assert gap_epochs(night) == {38, 39}


def test_the_wake_weight_leaves_out_epochs_without_data() -> None:
    # Asleep from 22:05 (epochs 10-29, scored light) with the radar silent 22:05 to 22:10
    # (epochs 10-19, wake in the hypnogram for want of data): as without the gap, taught wake
    # 0 of 10 and scored wake 0 of 10, weight 1. Counting the gap: 10 of 20 scored wake,
    # odds (0+1)/(20+1) over (10+1)/(10+1): 1/21, bounded to 1/MAX_WAKE_WEIGHT.
    scored = (W,) * 20 + (L,) * 20
    night = replace(
        NIGHT,
        hypnogram=scored,
        gaps=((at(5), at(10)),),
        labels=(label(LabelKind.FELL_ASLEEP_AT, 5),),
    )
    assert wake_weight([night]) == 1.0
    assert wake_weight([replace(night, gaps=())]) == 1 / MAX_WAKE_WEIGHT


def test_learn_from_taught_nights() -> None:
    nights = [
        add_label(replace(NIGHT, night=NIGHT.night + timedelta(days=k)), label(kind, minutes))
        for k, (kind, minutes) in enumerate(
            [(LabelKind.READING_UNTIL, 30), (LabelKind.READING_UNTIL, 20)]
        )
    ]
    learned = learn([NIGHT, *nights])
    assert learned.onset_offset_min == 25.0
    assert learned.onset_offset_epochs == 50
    assert learned.taught_onsets == 2
    # Reading until 22:30 and 22:20: every epoch before them is taught awake, and both
    # hypnograms end at 22:20 (40 epochs): 40 + 40.
    assert learned.taught_epochs == 80
    assert learn([NIGHT]).onset_offset_min == 0.0


def run(tracker: IntentTracker, stages: str, score: float = 0.9) -> list[int | None]:
    """Feed epochs 0.. with low scores for 10 epochs, then ``score``, stages by letter."""
    onsets = []
    for i, code in enumerate(stages):
        stage = W if code == "w" else L
        state = tracker.step(i, 0.1 if i < 10 else score, stage)
        onsets.append(state.onset_index)
    return onsets


def test_intent_tracker_without_offset_dates_the_settling() -> None:
    tracker = IntentTracker()
    onsets = run(tracker, "w" * 30)
    assert onsets[-1] == 10
    assert tracker.detected_index == 10


@pytest.mark.parametrize("offset", [8, 12])
def test_intent_tracker_waits_for_the_taught_offset(offset: int) -> None:
    tracker = IntentTracker(onset_offset=offset)
    onsets = run(tracker, "w" * 40)
    # Settled from epoch 10; trying only from epoch 10 + offset, dated there.
    assert onsets[9 + offset] is None
    assert onsets[10 + offset] == 10 + offset
    assert tracker.onset_index == 10 + offset
    assert tracker.detected_index == 10


def test_a_short_run_of_sleep_does_not_end_the_taught_wait() -> None:
    tracker = IntentTracker(onset_offset=20)
    # Settled from 10; "sleep" at 14-16 (3 epochs) is too short; the wait ends at 30 (10 +
    # 20); sleep from 22 for 10 epochs confirms at 31 and dates the onset back to 22.
    stages = "w" * 14 + "lll" + "w" * 5 + "l" * SLEEP_CONFIRM
    onsets = run(tracker, stages)
    assert onsets[16] is None
    assert onsets[29] is None
    assert onsets[30] == 30
    assert onsets[31] == 22
    assert tracker.slept
    # The state survives a restart.
    again = IntentTracker(onset_offset=20)
    again.load_state(tracker.dump_state())
    assert (again.onset_index, again.detected_index, again.slept) == (22, 10, True)
