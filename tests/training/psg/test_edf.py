"""EDF / EDF+ signals and annotation hypnograms, on files the tests write."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from tests.training.psg.recordings import SLEEP_EDF_ANNOTATIONS, START, breathing, write_edf
import training.psg
from training.psg import RecordingError
from training.psg.channels import ChannelKind
from training.psg.edf import read_edf_hypnogram
from training.psg.recording import (
    list_channels,
    load_breathing,
    load_breathing_channels,
    load_hypnogram,
    load_night,
)

W, N1, N2, N3, R = 0, 1, 2, 3, 4
WAKE, LIGHT, DEEP, REM = 0, 1, 2, 3


@pytest.fixture
def psg_edf(tmp_path: Path) -> Path:
    seconds = 360
    rng = np.random.default_rng(0)
    return write_edf(
        tmp_path / "psg.edf",
        [
            ("EEG Fpz-Cz", rng.normal(0, 1, seconds * 100), 100),
            ("Resp oro-nasal", breathing(seconds, 1), 1),
            ("Abdo", breathing(seconds, 10, amp=2.0), 10),
            ("Thor", breathing(seconds, 10, amp=3.0), 10),
            ("SpO2", np.full(seconds, 9.7), 1),
        ],
        SLEEP_EDF_ANNOTATIONS,
    )


def test_edf_channels(psg_edf: Path) -> None:
    channels = list_channels(psg_edf)
    assert [(c.label, c.fs, c.kind) for c in channels] == [
        ("EEG Fpz-Cz", 100.0, None),
        ("Resp oro-nasal", 1.0, ChannelKind.AIRFLOW),
        ("Abdo", 10.0, ChannelKind.ABDOMEN),
        ("Thor", 10.0, ChannelKind.THORAX),
        ("SpO2", 1.0, None),
    ]
    assert channels[3].unit == "mV"


def test_edf_breathing_priority_and_override(psg_edf: Path) -> None:
    thor = load_breathing(psg_edf)
    assert (thor.label, thor.kind, thor.fs) == ("Thor", ChannelKind.THORAX, 10.0)
    assert thor.signal.size == 3600
    assert thor.duration_s == 360
    np.testing.assert_allclose(thor.signal, breathing(360, 10, amp=3.0), atol=1e-3)
    assert thor.start == START
    assert thor.source == psg_edf
    flow = load_breathing(psg_edf, kinds=["airflow"])
    assert (flow.label, flow.fs, flow.signal.size) == ("Resp oro-nasal", 1.0, 360)
    abdo = load_breathing(psg_edf, label="ABDO")
    assert abdo.kind is ChannelKind.ABDOMEN
    eeg = load_breathing(psg_edf, label="EEG Fpz-Cz")
    assert eeg.kind is ChannelKind.OTHER
    every = load_breathing_channels(psg_edf)
    assert [c.label for c in every] == ["Thor", "Abdo", "Resp oro-nasal"]


def test_edf_hypnogram_in_the_psg(psg_edf: Path) -> None:
    hyp = read_edf_hypnogram(psg_edf)
    assert hyp.format == "edf"
    assert hyp.start == START
    assert hyp.epoch_seconds == 30
    np.testing.assert_array_equal(hyp.aasm, [W, W, N1, N2, N2, N3, N3, N3, -1, R, -1, -1])
    np.testing.assert_array_equal(
        hyp.stages, [WAKE, WAKE, LIGHT, LIGHT, LIGHT, DEEP, DEEP, DEEP, -1, REM, -1, -1]
    )
    np.testing.assert_array_equal(np.flatnonzero(hyp.movement), [8])
    assert hyp.labels[6] == "Sleep stage 4"
    assert hyp.labels[10] == ""  # the gap
    assert hyp.labels[11] == "Sleep stage ?"
    assert hyp.scored.sum() == 9


def test_sleep_edf_style_separate_hypnogram(tmp_path: Path, psg_edf: Path) -> None:
    """Sleep-EDF ships the hypnogram as an EDF+ file of annotations only."""
    hyp_path = write_edf(tmp_path / "SC4001EC-Hypnogram.edf", [], SLEEP_EDF_ANNOTATIONS)
    hyp = load_hypnogram(hyp_path)
    assert hyp.n_epochs == 12
    night = load_night(psg_edf, hyp_path)
    assert night.breathing.label == "Thor"
    assert night.hypnogram.n_epochs == 12  # 360 s of signal
    cut = load_night(
        write_edf(tmp_path / "short.edf", [("Thor", breathing(200, 10), 10)]),
        hyp_path,
    )
    assert cut.hypnogram.n_epochs == 6
    np.testing.assert_array_equal(cut.hypnogram.aasm, [W, W, N1, N2, N2, N3])
    other = write_edf(
        tmp_path / "other.edf", [], SLEEP_EDF_ANNOTATIONS, start=datetime(2001, 2, 4, 9, 0)
    )
    with pytest.raises(RecordingError, match="not the same recording"):
        load_night(psg_edf, other)


def test_edf_aasm_labels(tmp_path: Path) -> None:
    path = write_edf(
        tmp_path / "aasm.edf",
        [],
        [(0, 30, "Sleep stage W"), (30, 30, "Sleep stage N1"), (60, 90, "Sleep stage N3")],
        start=None,
    )
    hyp = read_edf_hypnogram(path)
    np.testing.assert_array_equal(hyp.aasm, [W, N1, N3, N3, N3])
    assert hyp.start is None  # anonymised start date


def test_edf_errors(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        load_breathing(tmp_path / "absent.edf")
    bad = tmp_path / "bad.edf"
    bad.write_bytes(b"0       " + b"x" * 400)
    with pytest.raises(RecordingError, match=r"cannot read .* as EDF"):
        list_channels(bad)
    good = write_edf(tmp_path / "good.edf", [("Thor", breathing(120, 10), 10)])
    truncated = tmp_path / "truncated.edf"
    truncated.write_bytes(good.read_bytes()[:-700])
    with pytest.raises(RecordingError, match=r"cannot read .* as EDF"):
        load_breathing(truncated)
    no_breathing = write_edf(tmp_path / "eeg.edf", [("EEG C3", breathing(60, 100), 100)])
    with pytest.raises(RecordingError, match=r"no breathing channel .* 'EEG C3' \(not breathing"):
        load_breathing(no_breathing)
    with pytest.raises(RecordingError, match="no sleep-stage annotations"):
        read_edf_hypnogram(good)
    unknown = write_edf(tmp_path / "q.edf", [], [(0, 30, "Sleep stage Q")])
    with pytest.raises(RecordingError, match="unknown sleep stage"):
        read_edf_hypnogram(unknown)
    twice = write_edf(
        tmp_path / "twice.edf", [], [(0, 60, "Sleep stage W"), (30, 30, "Sleep stage 2")]
    )
    with pytest.raises(RecordingError, match="epoch 1 \\(30 s\\) is scored both"):
        read_edf_hypnogram(twice)
    off_grid = write_edf(tmp_path / "grid.edf", [], [(0, 30, "Sleep stage W"), (45, 30, "R")])
    with pytest.raises(RecordingError, match="not on the 30-s epoch grid"):
        read_edf_hypnogram(off_grid)


def test_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, psg_edf: Path) -> None:
    real = training.psg.importlib.import_module

    def fake(name: str, *args: object) -> object:
        if name == "edfio":
            raise ImportError(name)
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(training.psg.importlib, "import_module", fake)
    with pytest.raises(RecordingError, match="needs the edfio package"):
        load_breathing(psg_edf)
