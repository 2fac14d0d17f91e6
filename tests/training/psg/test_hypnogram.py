"""Hypnograms: stage labels, per-epoch arrays, the project's stage CSV."""

from __future__ import annotations

from datetime import date, datetime, time
import json

import numpy as np
import pytest

from tests.conftest import shared_data_or_skip
from tests.training.psg.recordings import START
from training.psg import RecordingError
from training.psg.hypnogram import hypnogram_from_labels, parse_stage_label
from training.psg.recording import load_hypnogram

W, N1, N2, N3, R = 0, 1, 2, 3, 4
WAKE, LIGHT, DEEP, REM = 0, 1, 2, 3


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("Sleep stage W", (W, False)),
        ("Sleep stage 1", (N1, False)),
        ("Sleep stage 2", (N2, False)),
        ("Sleep stage 3", (N3, False)),
        ("Sleep stage 4", (N3, False)),
        ("Sleep stage R", (R, False)),
        ("Sleep stage N1", (N1, False)),
        ("Sleep stage N3", (N3, False)),
        ("Sleep stage ?", (-1, False)),
        ("Movement time", (-1, True)),
        ("MT", (-1, True)),
        ("M", (-1, True)),
        ("w", (W, False)),
        ("REM", (R, False)),
        ("Stage 2 sleep", (N2, False)),
        ("R\x00\x00", (R, False)),
        ("Lights off", None),
        ("Obstructive apnea", None),
    ],
)
def test_parse_stage_label(text: str, parsed: tuple[int, bool] | None) -> None:
    assert parse_stage_label(text) == parsed


def test_parse_unknown_sleep_stage() -> None:
    with pytest.raises(RecordingError, match="unknown sleep stage 'Sleep stage Q'"):
        parse_stage_label("Sleep stage Q")


def test_hypnogram_from_labels_and_resized() -> None:
    hyp = hypnogram_from_labels(["W", "1", "2", "3", "4", "R", "MT", ""])
    np.testing.assert_array_equal(hyp.aasm, [W, N1, N2, N3, N3, R, -1, -1])
    np.testing.assert_array_equal(hyp.stages, [WAKE, LIGHT, LIGHT, DEEP, DEEP, REM, -1, -1])
    np.testing.assert_array_equal(hyp.movement, [0, 0, 0, 0, 0, 0, 1, 0])
    assert hyp.labels == ("W", "1", "2", "3", "4", "R", "MT", "")
    assert hyp.stages.dtype == np.int8
    longer = hyp.resized(10)
    assert longer.n_epochs == 10
    np.testing.assert_array_equal(longer.stages[8:], [-1, -1])
    assert longer.labels[8:] == ("", "")
    shorter = hyp.resized(3)
    np.testing.assert_array_equal(shorter.aasm, [W, N1, N2])
    assert not shorter.movement.any()
    with pytest.raises(RecordingError, match="epoch 1: unknown stage 'Z'"):
        hypnogram_from_labels(["W", "Z"])


def test_shared_hypnogram_csv() -> None:
    path = shared_data_or_skip("sleep-edf-sc4001", "hypnogram.csv")
    summary = json.loads(shared_data_or_skip("hypnograms", "summary.json").read_text())
    hyp = load_hypnogram(path)
    assert hyp.format == "csv"
    assert hyp.n_epochs == 2650
    counts = summary["nights"]["sleep-edf-sc"]["SC4001E0"]
    first, last = counts["first_sleep_epoch"], counts["last_sleep_epoch"]
    sleep = np.flatnonzero(hyp.stages > 0)
    assert (sleep[0], sleep[-1]) == (first, last)


def test_hypnogram_start_types() -> None:
    # (A smoke check that the dataclass carries naive file clocks as they are.)
    hyp = hypnogram_from_labels(["W"], start=datetime.combine(date(2001, 2, 3), time(22, 45)))
    assert hyp.start == START
