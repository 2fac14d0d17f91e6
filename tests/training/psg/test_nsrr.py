"""NSRR and Compumedics Profusion XML hypnograms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from training.psg import RecordingError
from training.psg.nsrr import read_nsrr_xml
from training.psg.recording import load_hypnogram

W, N1, N2, N3, R = 0, 1, 2, 3, 4
WAKE, LIGHT, DEEP, REM = 0, 1, 2, 3

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
    with pytest.raises(RecordingError, match=r"cannot read .* as XML"):
        read_nsrr_xml(path)
    path.write_text("<Something><Else/></Something>", encoding="utf-8")
    with pytest.raises(RecordingError, match="neither NSRR"):
        read_nsrr_xml(path)
    path.write_text(NSRR_XML.replace("REM sleep|5", "Stage 5 sleep|7"), encoding="utf-8")
    with pytest.raises(RecordingError, match="unknown sleep stage concept 'Stage 5 sleep\\|7'"):
        read_nsrr_xml(path)
    path.write_text(NSRR_XML.replace("<Start>90.0</Start>", "<Start>ninety</Start>"), "utf-8")
    with pytest.raises(RecordingError, match="<Start> is 'ninety'"):
        read_nsrr_xml(path)
    path.write_text(PROFUSION_XML.replace("<SleepStage>5<", "<SleepStage>R<"), "utf-8")
    with pytest.raises(RecordingError, match="<SleepStage> 'R' is not a code"):
        read_nsrr_xml(path)
    with pytest.raises(RecordingError, match="no such file"):
        read_nsrr_xml(tmp_path / "absent.xml")
