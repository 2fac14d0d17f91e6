"""PSG loaders (training/loaders.py), each on files the tests write themselves."""

from __future__ import annotations

from datetime import date, datetime, time
import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import shared_data_or_skip
from training import loaders
from training.loaders import (
    DEFAULT_PRIORITY,
    ChannelInfo,
    ChannelKind,
    LoaderError,
    classify_channel,
    hypnogram_from_labels,
    list_channels,
    load_breathing,
    load_breathing_channels,
    load_hypnogram,
    load_night,
    parse_stage_label,
    read_edf_hypnogram,
    read_nsrr_xml,
    read_wfdb_hypnogram,
    select_channel,
)

edfio = pytest.importorskip("edfio")
wfdb = pytest.importorskip("wfdb")

W, N1, N2, N3, R = 0, 1, 2, 3, 4
WAKE, LIGHT, DEEP, REM = 0, 1, 2, 3
START = datetime(2001, 2, 3, 22, 45, 0)


def breathing(seconds: float, fs: float, rate_bpm: float = 15.0, amp: float = 1.0) -> np.ndarray:
    t = np.arange(round(seconds * fs)) / fs
    return amp * np.sin(2 * np.pi * rate_bpm / 60.0 * t)


# -- channel mapping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Thor", ChannelKind.THORAX),
        ("THOR RES", ChannelKind.THORAX),
        ("Chest", ChannelKind.THORAX),
        ("Effort THO", ChannelKind.THORAX),
        ("Resp (chest)", ChannelKind.THORAX),
        ("RIP Thora", ChannelKind.THORAX),
        ("Abdo", ChannelKind.ABDOMEN),
        ("ABD", ChannelKind.ABDOMEN),
        ("ABDO RES", ChannelKind.ABDOMEN),
        ("Resp (abdomen)", ChannelKind.ABDOMEN),
        ("SUM", ChannelKind.EFFORT_SUM),
        ("Resp (sum)", ChannelKind.EFFORT_SUM),
        ("Nasal Pressure", ChannelKind.NASAL_PRESSURE),
        ("NPRE", ChannelKind.NASAL_PRESSURE),
        ("Pressure", ChannelKind.NASAL_PRESSURE),
        ("Pres", ChannelKind.NASAL_PRESSURE),
        ("Flow Patient", ChannelKind.NASAL_PRESSURE),
        ("CannulaFlow", ChannelKind.NASAL_PRESSURE),
        ("Resp oro-nasal", ChannelKind.AIRFLOW),
        ("Airflow", ChannelKind.AIRFLOW),
        ("AIRFLOW", ChannelKind.AIRFLOW),
        ("Thermistor", ChannelKind.AIRFLOW),
        ("Flow", ChannelKind.AIRFLOW),
        ("Resp (nasal)", ChannelKind.AIRFLOW),
        ("CPAP Flow", None),
        ("CPAP Pressure", None),
        ("Flow Limitation", None),
        ("Pleth", None),
        ("SpO2", None),
        ("EEG Fpz-Cz", None),
        ("EMG submental", None),
        ("Temp rectal", None),
        ("Event marker", None),
        ("Snore", None),
        ("Blood pressure", None),
        ("ECG", None),
        ("", None),
    ],
)
def test_classify_channel(label: str, kind: ChannelKind | None) -> None:
    assert classify_channel(label) is kind


def test_classify_by_transducer_when_the_label_says_nothing() -> None:
    assert classify_channel("Ch 7", "Oral-nasal thermistors") is ChannelKind.AIRFLOW
    assert classify_channel("Ch 7") is None
    assert classify_channel("SpO2", "thermistor") is None  # an excluded label stays excluded


def info(i: int, label: str, fs: float) -> ChannelInfo:
    return ChannelInfo(i, label, fs, classify_channel(label))


CHANNELS = [
    info(0, "EEG C3-A2", 256),
    info(1, "Flow", 32),
    info(2, "Abdo", 32),
    info(3, "Thor", 10),
    info(4, "THOR RES", 32),
    info(5, "Pres", 32),
]


def test_select_channel_priority_and_override() -> None:
    # Thoracic effort first; the higher sample rate among two thoracic channels.
    assert select_channel(CHANNELS).label == "THOR RES"
    assert DEFAULT_PRIORITY[0] is ChannelKind.THORAX
    assert select_channel(CHANNELS, kinds=["airflow"]).label == "Flow"
    assert select_channel(CHANNELS, kinds=[ChannelKind.NASAL_PRESSURE]).label == "Pres"
    assert select_channel(CHANNELS, kinds=["effort_sum", "abdomen"]).label == "Abdo"
    # A label overrides the priority; spacing, case and punctuation do not matter.
    assert select_channel(CHANNELS, label="thor-res").index == 4
    eeg = select_channel(CHANNELS, label="eeg c3 a2")
    assert eeg.kind is ChannelKind.OTHER


def test_select_channel_errors() -> None:
    with pytest.raises(LoaderError, match="no channel 'Chest'") as err:
        select_channel(CHANNELS, label="Chest")
    assert "'THOR RES' (thorax, 32 Hz)" in str(err.value)
    with pytest.raises(LoaderError, match="no breathing channel of kind effort_sum"):
        select_channel(CHANNELS, kinds=["effort_sum"])
    with pytest.raises(LoaderError, match="channels: 'EEG C3-A2' \\(not breathing"):
        select_channel(CHANNELS[:1])
    with pytest.raises(ValueError, match="is not a valid ChannelKind"):
        select_channel(CHANNELS, kinds=["belt"])


# -- stage labels ------------------------------------------------------------------------------


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
    with pytest.raises(LoaderError, match="unknown sleep stage 'Sleep stage Q'"):
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
    with pytest.raises(LoaderError, match="epoch 1: unknown stage 'Z'"):
        hypnogram_from_labels(["W", "Z"])


# -- EDF / EDF+ --------------------------------------------------------------------------------

SLEEP_EDF_ANNOTATIONS = [
    (0, 60, "Sleep stage W"),
    (60, 30, "Sleep stage 1"),
    (90, 60, "Sleep stage 2"),
    (150, 30, "Sleep stage 3"),
    (180, 60, "Sleep stage 4"),
    (240, 30, "Movement time"),
    (270, 30, "Sleep stage R"),
    # 300-330 s: not annotated
    (330, 30, "Sleep stage ?"),
    (330, None, "Lights on"),
]
"""A Sleep-EDF-style hypnogram: R&K stages with onset and duration."""


def write_edf(
    path: Path,
    signals: list[tuple[str, np.ndarray, float]],
    annotations: list[tuple[float, float | None, str]] = (),  # type: ignore[assignment]
    start: datetime | None = START,
) -> Path:
    kwargs = {}
    if start is not None:
        kwargs = {
            "starttime": start.time(),
            "recording": edfio.Recording(startdate=start.date()),
        }
    edf = edfio.Edf(
        [
            edfio.EdfSignal(
                data,
                fs,
                label=label,
                physical_dimension="mV",
                physical_range=(-10.0, 10.0),
            )
            for label, data, fs in signals
        ],
        annotations=[edfio.EdfAnnotation(o, d, t) for o, d, t in annotations],
        **kwargs,
    )
    edf.write(path)
    return path


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
    with pytest.raises(LoaderError, match="not the same recording"):
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
    with pytest.raises(LoaderError, match="no such file"):
        load_breathing(tmp_path / "absent.edf")
    bad = tmp_path / "bad.edf"
    bad.write_bytes(b"0       " + b"x" * 400)
    with pytest.raises(LoaderError, match=r"cannot read .* as EDF"):
        list_channels(bad)
    good = write_edf(tmp_path / "good.edf", [("Thor", breathing(120, 10), 10)])
    truncated = tmp_path / "truncated.edf"
    truncated.write_bytes(good.read_bytes()[:-700])
    with pytest.raises(LoaderError, match=r"cannot read .* as EDF"):
        load_breathing(truncated)
    no_breathing = write_edf(tmp_path / "eeg.edf", [("EEG C3", breathing(60, 100), 100)])
    with pytest.raises(LoaderError, match=r"no breathing channel .* 'EEG C3' \(not breathing"):
        load_breathing(no_breathing)
    with pytest.raises(LoaderError, match="no sleep-stage annotations"):
        read_edf_hypnogram(good)
    unknown = write_edf(tmp_path / "q.edf", [], [(0, 30, "Sleep stage Q")])
    with pytest.raises(LoaderError, match="unknown sleep stage"):
        read_edf_hypnogram(unknown)
    twice = write_edf(
        tmp_path / "twice.edf", [], [(0, 60, "Sleep stage W"), (30, 30, "Sleep stage 2")]
    )
    with pytest.raises(LoaderError, match="epoch 1 \\(30 s\\) is scored both"):
        read_edf_hypnogram(twice)
    off_grid = write_edf(tmp_path / "grid.edf", [], [(0, 30, "Sleep stage W"), (45, 30, "R")])
    with pytest.raises(LoaderError, match="not on the 30-s epoch grid"):
        read_edf_hypnogram(off_grid)


def test_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, psg_edf: Path) -> None:
    real = loaders.importlib.import_module

    def fake(name: str, *args: object) -> object:
        if name == "edfio":
            raise ImportError(name)
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(loaders.importlib, "import_module", fake)
    with pytest.raises(LoaderError, match="needs the edfio package"):
        load_breathing(psg_edf)


# -- WFDB (MIT-BIH slpdb style) ----------------------------------------------------------------

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
    with pytest.raises(LoaderError, match="no WFDB annotation file"):
        read_wfdb_hypnogram(slpdb_record, extension="apn")
    with pytest.raises(LoaderError, match="no WFDB header"):
        list_channels(tmp_path / "slp00")
    (tmp_path / "junk.hea").write_text("this is not a header\n", encoding="utf-8")
    with pytest.raises(LoaderError, match="cannot read WFDB header"):
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
    with pytest.raises(LoaderError, match="no annotation starts with a sleep stage"):
        read_wfdb_hypnogram(slpdb_record, extension="ev")


# -- NSRR / Compumedics XML --------------------------------------------------------------------

NSRR_XML = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<PSGAnnotation>
<SoftwareVersion>Compumedics</SoftwareVersion>
<EpochLength>30</EpochLength>
<ScoredEvents>
<ScoredEvent><EventType/><EventConcept>Recording Start Time</EventConcept><Start>0</Start>
<Duration>330.0</Duration><ClockTime>00.00.00 22.45.00</ClockTime></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Wake|0</EventConcept>
<Start>0.0</Start><Duration>60.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Stage 1 sleep|1</EventConcept>
<Start>60.0</Start><Duration>30.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Stage 2 sleep|2</EventConcept>
<Start>90.0</Start><Duration>60.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Respiratory|Respiratory</EventType>
<EventConcept>Obstructive apnea|Obstructive Apnea</EventConcept><Start>100.2</Start>
<Duration>14.1</Duration><SignalLocation>ABDO RES</SignalLocation></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Stage 3 sleep|3</EventConcept>
<Start>150.0</Start><Duration>30.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Stage 4 sleep|4</EventConcept>
<Start>180.0</Start><Duration>30.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Movement|6</EventConcept>
<Start>210.0</Start><Duration>30.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>REM sleep|5</EventConcept>
<Start>240.0</Start><Duration>60.0</Duration></ScoredEvent>
<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Unscored|9</EventConcept>
<Start>300.0</Start><Duration>30.0</Duration></ScoredEvent>
</ScoredEvents>
</PSGAnnotation>
"""

PROFUSION_XML = """<?xml version="1.0" encoding="UTF-8"?>
<CMPStudyConfig>
<EpochLength>30</EpochLength>
<ScoredEvents/>
<SleepStages>
<SleepStage>0</SleepStage><SleepStage>0</SleepStage><SleepStage>1</SleepStage>
<SleepStage>2</SleepStage><SleepStage>3</SleepStage><SleepStage>4</SleepStage>
<SleepStage>5</SleepStage><SleepStage>9</SleepStage>
</SleepStages>
</CMPStudyConfig>
"""


def test_nsrr_xml(tmp_path: Path) -> None:
    path = tmp_path / "shhs1-200001-nsrr.xml"
    path.write_text(NSRR_XML, encoding="utf-8")
    hyp = read_nsrr_xml(path)
    assert hyp.format == "nsrr-xml"
    np.testing.assert_array_equal(hyp.aasm, [W, W, N1, N2, N2, N3, N3, -1, R, R, -1])
    np.testing.assert_array_equal(
        hyp.stages, [WAKE, WAKE, LIGHT, LIGHT, LIGHT, DEEP, DEEP, -1, REM, REM, -1]
    )
    np.testing.assert_array_equal(np.flatnonzero(hyp.movement), [7])
    assert hyp.labels[6] == "Stage 4 sleep|4"
    assert load_hypnogram(path).labels == hyp.labels


def test_compumedics_xml(tmp_path: Path) -> None:
    path = tmp_path / "profusion.xml"
    path.write_text(PROFUSION_XML, encoding="utf-8")
    hyp = load_hypnogram(path)
    assert hyp.format == "compumedics-xml"
    np.testing.assert_array_equal(hyp.aasm, [W, W, N1, N2, N3, N3, R, -1])
    assert hyp.labels[5] == "4"


def test_xml_errors(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text("<PSGAnnotation><ScoredEvents>", encoding="utf-8")
    with pytest.raises(LoaderError, match=r"cannot read .* as XML"):
        read_nsrr_xml(path)
    path.write_text("<Something><Else/></Something>", encoding="utf-8")
    with pytest.raises(LoaderError, match="neither NSRR"):
        read_nsrr_xml(path)
    path.write_text(NSRR_XML.replace("REM sleep|5", "Stage 5 sleep|7"), encoding="utf-8")
    with pytest.raises(LoaderError, match="unknown sleep stage concept 'Stage 5 sleep\\|7'"):
        read_nsrr_xml(path)
    path.write_text(NSRR_XML.replace("<Start>90.0</Start>", "<Start>ninety</Start>"), "utf-8")
    with pytest.raises(LoaderError, match="<Start> is 'ninety'"):
        read_nsrr_xml(path)
    path.write_text(PROFUSION_XML.replace("<SleepStage>5<", "<SleepStage>R<"), "utf-8")
    with pytest.raises(LoaderError, match="<SleepStage> 'R' is not a code"):
        read_nsrr_xml(path)
    with pytest.raises(LoaderError, match="no such file"):
        read_nsrr_xml(tmp_path / "absent.xml")


# -- the shared real data ----------------------------------------------------------------------


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
