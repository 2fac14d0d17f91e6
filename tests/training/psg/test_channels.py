"""Breathing channels: what each label measures and which one is used."""

from __future__ import annotations

import pytest

from training.psg import RecordingError
from training.psg.channels import (
    DEFAULT_PRIORITY,
    ChannelInfo,
    ChannelKind,
    classify_channel,
    select_channel,
)


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
    with pytest.raises(RecordingError, match="no channel 'Chest'") as err:
        select_channel(CHANNELS, label="Chest")
    assert "'THOR RES' (thorax, 32 Hz)" in str(err.value)
    with pytest.raises(RecordingError, match="no breathing channel of kind effort_sum"):
        select_channel(CHANNELS, kinds=["effort_sum"])
    with pytest.raises(RecordingError, match="channels: 'EEG C3-A2' \\(not breathing"):
        select_channel(CHANNELS[:1])
    with pytest.raises(ValueError, match="is not a valid ChannelKind"):
        select_channel(CHANNELS, kinds=["belt"])
