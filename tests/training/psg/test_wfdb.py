"""WFDB records with MIT-BIH slpdb-style .st stages, on records the tests write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import wfdb

from tests.training.psg.recordings import breathing
from training.psg import RecordingError
from training.psg.channels import ChannelKind
from training.psg.recording import list_channels, load_breathing, load_hypnogram, load_night
from training.psg.wfdb import read_wfdb_hypnogram

W, N1, N2, N3, R = 0, 1, 2, 3, 4
WAKE, LIGHT, DEEP, REM = 0, 1, 2, 3

FS = 250
SLPDB_NOTES = ["1 H", "2 OA X", "MT", "3", "4 L", "R\x00\x00", "W CA", "M"]
"""The first epoch has no annotation (as in slp14, slp16 ...); NUL padding as in slp41."""


@pytest.fixture
def slpdb_record(tmp_path: Path) -> Path:
    seconds = 9 * 30
    n = seconds * FS
    rng = np.random.default_rng(1)
    signals = np.column_stack(
        [
            rng.normal(0, 0.1, n),
            breathing(seconds, FS, amp=0.5),
            breathing(seconds, FS, amp=0.8),
            rng.normal(0, 10, n),
        ]
    )
    wfdb.wrsamp(
        "slp99",
        fs=FS,
        units=["mV", "l", "l", "uV"],
        sig_name=["ECG", "Resp (nasal)", "Resp (chest)", "EEG (C4-A1)"],
        p_signal=signals,
        fmt=["16"] * 4,
        write_dir=str(tmp_path),
    )
    samples = (np.arange(1, 1 + len(SLPDB_NOTES)) * 30 * FS).astype(np.int64)
    wfdb.wrann(
        "slp99",
        "st",
        samples,
        symbol=['"'] * len(SLPDB_NOTES),
        aux_note=SLPDB_NOTES,
        fs=FS,
        write_dir=str(tmp_path),
    )
    return tmp_path / "slp99"


def test_wfdb_channels(slpdb_record: Path) -> None:
    channels = list_channels(slpdb_record)
    assert [(c.label, c.kind) for c in channels] == [
        ("ECG", None),
        ("Resp (nasal)", ChannelKind.AIRFLOW),
        ("Resp (chest)", ChannelKind.THORAX),
        ("EEG (C4-A1)", None),
    ]
    assert {c.fs for c in channels} == {250.0}
    # Any of the record's files names the record.
    assert list_channels(slpdb_record.with_suffix(".hea")) == channels


def test_wfdb_breathing(slpdb_record: Path) -> None:
    chest = load_breathing(slpdb_record)
    assert (chest.label, chest.kind, chest.fs, chest.unit) == ("Resp (chest)", "thorax", 250, "l")
    np.testing.assert_allclose(chest.signal, breathing(270, FS, amp=0.8), atol=1e-3)
    nasal = load_breathing(slpdb_record.with_suffix(".dat"), kinds=["airflow"])
    assert nasal.label == "Resp (nasal)"


def test_wfdb_st_hypnogram(slpdb_record: Path) -> None:
    hyp = read_wfdb_hypnogram(slpdb_record)
    assert hyp.format == "wfdb"
    np.testing.assert_array_equal(hyp.aasm, [-1, N1, N2, -1, N3, N3, R, W, -1])
    np.testing.assert_array_equal(hyp.stages, [-1, LIGHT, LIGHT, -1, DEEP, DEEP, REM, WAKE, -1])
    np.testing.assert_array_equal(np.flatnonzero(hyp.movement), [3, 8])
    assert hyp.labels == ("", "1", "2", "MT", "3", "4", "R", "W", "M")
    assert hyp.events is not None
    assert hyp.events[1] == ("H",)
    assert hyp.events[2] == ("OA", "X")
    assert hyp.events[0] == ()
    assert load_hypnogram(slpdb_record.with_suffix(".st")).labels == hyp.labels
    night = load_night(slpdb_record)
    assert night.breathing.kind is ChannelKind.THORAX
    assert night.hypnogram.n_epochs == 9


def test_wfdb_errors(slpdb_record: Path, tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no WFDB annotation file"):
        read_wfdb_hypnogram(slpdb_record, extension="apn")
    with pytest.raises(RecordingError, match="no WFDB header"):
        list_channels(tmp_path / "slp00")
    (tmp_path / "junk.hea").write_text("this is not a header\n", encoding="utf-8")
    with pytest.raises(RecordingError, match="cannot read WFDB header"):
        load_breathing(tmp_path / "junk")
    wfdb.wrann(
        "slp99",
        "ev",
        np.array([7500, 15000]),
        symbol=['"', '"'],
        aux_note=["OA", "H"],
        fs=FS,
        write_dir=str(tmp_path),
    )
    with pytest.raises(RecordingError, match="no annotation starts with a sleep stage"):
        read_wfdb_hypnogram(slpdb_record, extension="ev")
