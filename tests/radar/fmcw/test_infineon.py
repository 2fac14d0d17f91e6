"""Infineon Radar SDK / ifxdaq / Radar Fusion GUI recordings read as captures (infineon.py).

The reader's tests write small recording folders; the test on the real BGT60TR13C recording
(``../shared/data/radar/bgt60tr13c-ifxdaq``, never copied into the project) skips with the
reason when it is not there.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from custom_components.radar_sleep.radar.cli import main as radar_cli
from custom_components.radar_sleep.radar.fmcw.capture import (
    decode_capture,
    iter_capture,
    load_capture,
    load_capture_config,
)
from custom_components.radar_sleep.radar.fmcw.config import FmcwConfig
from custom_components.radar_sleep.radar.fmcw.infineon import find_recording
from custom_components.radar_sleep.radar.fmcw.processor import FmcwProcessor
from custom_components.radar_sleep.radar.fmcw.replay import FmcwReplaySource
from custom_components.radar_sleep.radar.fmcw.simulate import FmcwScene, SimPerson, simulate
from tests.conftest import shared_data_or_skip

from .scenes import assert_same_frames, spectral_rate_bpm


def shape(**changes: Any) -> dict[str, Any]:
    """A ``fmcw_single_shape`` as the recording's (BGT60TR13C, 3 RX, 8 x 64 at 2 MHz)."""
    base: dict[str, Any] = {
        "aaf_cutoff_Hz": 500000,
        "chirp_repetition_time_s": 0.0005911249900236726,
        "end_frequency_Hz": 63500000000,
        "frame_repetition_time_s": 0.07726884633302689,
        "hp_cutoff_Hz": 80000,
        "if_gain_dB": 23,
        "mimo_mode": "off",
        "num_chirps_per_frame": 8,
        "num_samples_per_chirp": 64,
        "rx_antennas": [1, 2, 3],
        "sample_rate_Hz": 2000000,
        "start_frequency_Hz": 58000000000,
        "tx_antennas": [1],
        "tx_power_level": 31,
    }
    base.update(changes)
    return base


def write_recording(
    root: Path,
    frames: np.ndarray,
    fmcw_shape: dict[str, Any],
    device: str = "RadarIfxAvian_00",
    description: str = "BGT60TR13C FMCW Radar Sensor",
) -> Path:
    """A recording folder as ifxdaq writes it; returns the recording folder."""
    folder = root / device
    folder.mkdir(parents=True)
    config = {"device_config": {"fmcw_single_shape": fmcw_shape}}
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    meta = {"adc_resolution": 12, "description": description}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / "format.version").write_text("1.0.0", encoding="utf-8")
    np.save(folder / "radar.npy", frames)
    (root / "meta.json").write_text(json.dumps({"ifxdaq_version": "1.0.0"}), encoding="utf-8")
    return root


def test_settings_map_onto_the_fmcw_config(tmp_path: Path) -> None:
    frames = np.full((3, 3, 8, 64), 2048, dtype=np.uint16)
    root = write_recording(tmp_path / "rec", frames, shape())
    config = load_capture_config(root)
    assert config.start_frequency_hz == 58.0e9
    assert config.stop_frequency_hz == 63.5e9
    assert config.samples_per_chirp == 64
    assert config.chirps_per_frame == 8
    assert config.sample_rate_hz == 2.0e6
    assert config.frame_rate_hz == pytest.approx(12.9418, abs=1e-4)  # 1 / 77.27 ms
    assert config.rx_positions_wl == ((0.0, 0.0), (0.5, 0.5), (0.5, 0.0))
    assert config.azimuth_pair == (0, 2)  # RX1 left, RX3 right
    # The device folder, the recording folder and a folder holding the recording all work.
    assert load_capture_config(root / "RadarIfxAvian_00") == config
    assert load_capture_config(tmp_path) == config
    # RX3 and RX2 only (the vertical pair): no azimuth.
    two = write_recording(tmp_path / "vertical", frames[:, :2], shape(rx_antennas=[3, 2]))
    vertical = load_capture_config(two)
    assert vertical.rx_positions_wl == ((0.5, 0.0), (0.5, 0.5))
    assert vertical.azimuth_pair is None
    # Another board: its antenna geometry is unknown, so no angles.
    other = write_recording(tmp_path / "atr24c", frames, shape(), description="BGT60ATR24C")
    assert load_capture_config(other).azimuth_pair is None


def test_frames_stream_with_times_from_the_frame_period(tmp_path: Path) -> None:
    cap = simulate(FmcwScene(people=(SimPerson(0.4, 10.0),), seed=2), 6.0, output="adc")
    c = cap.config
    ifx_shape = shape(
        num_samples_per_chirp=c.samples_per_chirp,
        num_chirps_per_frame=c.chirps_per_frame,
        sample_rate_Hz=c.sample_rate_hz,
        frame_repetition_time_s=1.0 / c.frame_rate_hz,
    )
    root = write_recording(tmp_path / "sim", cap.frames, ifx_shape)
    assert load_capture_config(root) == c
    batches = list(iter_capture(root, 7))
    assert [b[1].shape[0] for b in batches] == [7] * 17 + [1]
    assert np.array_equal(np.concatenate([b[1] for b in batches]), cap.frames)
    assert np.concatenate([b[2] for b in batches]) == pytest.approx(cap.t)  # k / 20 Hz
    whole = load_capture(root)
    assert np.array_equal(whole.frames, cap.frames)
    assert_same_frames(decode_capture(root), FmcwProcessor(c).process(cap.frames, cap.t))


async def test_a_recording_folder_replays(tmp_path: Path) -> None:
    cap = simulate(FmcwScene(people=(SimPerson(0.5, -5.0),), seed=4), 4.0, output="adc")
    c = cap.config
    ifx_shape = shape(
        num_samples_per_chirp=c.samples_per_chirp,
        num_chirps_per_frame=c.chirps_per_frame,
        sample_rate_Hz=c.sample_rate_hz,
        frame_repetition_time_s=0.05,
    )
    root = write_recording(tmp_path / "rec", cap.frames, ifx_shape)
    frames = [f async for f in FmcwReplaySource(root, speed=0).frames()]
    assert [f.t for f in frames] == pytest.approx(cap.t.tolist())
    assert_same_frames(frames, FmcwProcessor(c).process(cap.frames, cap.t))


@pytest.mark.parametrize(
    ("changes", "frames_shape", "message"),
    [
        pytest.param({"mimo_mode": "tdm", "tx_antennas": [1, 2]}, (2, 3, 8, 64), "transmit"),
        pytest.param({"num_samples_per_chirp": 128}, (2, 3, 8, 64), "configuration says"),
        pytest.param({"frame_repetition_time_s": 0}, (2, 3, 8, 64), "positive"),
        pytest.param({"sample_rate_Hz": "fast"}, (2, 3, 8, 64), "not a number"),
    ],
)
def test_unsupported_or_inconsistent_recordings_are_refused(
    tmp_path: Path, changes: dict[str, Any], frames_shape: tuple[int, ...], message: str
) -> None:
    root = write_recording(tmp_path / "bad", np.zeros(frames_shape, np.uint16), shape(**changes))
    with pytest.raises(ValueError, match=message):
        load_capture_config(root)


def test_folders_that_are_not_one_recording(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an Infineon recording"):
        find_recording(tmp_path)
    frames = np.zeros((2, 3, 8, 64), np.uint16)
    write_recording(tmp_path / "two", frames, shape(), device="RadarIfxAvian_00")
    write_recording(tmp_path / "two", frames, shape(), device="RadarIfxAvian_01")
    with pytest.raises(ValueError, match="several radar devices"):
        find_recording(tmp_path / "two")
    other = tmp_path / "other" / "RadarIfxAvian_00"
    other.mkdir(parents=True)
    (other / "config.json").write_text('{"device_config": {"fmcw_multi_shape": {}}}')
    np.save(other / "radar.npy", frames)
    with pytest.raises(ValueError, match="fmcw_single_shape"):
        load_capture_config(other)
    out = io.StringIO()
    assert radar_cli(["decode", "--family", "fmcw", str(tmp_path / "two")], out=out) == 2


def test_decode_prints_a_recording_folder(tmp_path: Path) -> None:
    cap = simulate(FmcwScene(people=(SimPerson(0.4),), seed=5), 3.0, output="adc")
    c = cap.config
    ifx_shape = shape(
        num_samples_per_chirp=c.samples_per_chirp,
        num_chirps_per_frame=c.chirps_per_frame,
        sample_rate_Hz=c.sample_rate_hz,
        frame_repetition_time_s=0.05,
    )
    root = write_recording(tmp_path / "rec", cap.frames, ifx_shape)
    out = io.StringIO()
    assert radar_cli(["decode", "--family", "fmcw", str(root)], out=out) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 60 + 1
    assert lines[-1]["summary"]["frames"] == 60
    assert lines[0] == {"family": "fmcw", "type": "frame", "t": 0.0, "targets": []}


def test_the_real_recording_is_one_person_breathing() -> None:
    """19.8 s of a BGT60TR13C at 0.33 m: one target, breathing 13-16 times a minute.

    The recording's README: a strong return at range bins 11-13 (0.30-0.36 m at 2.7 cm per
    bin) whose raw slow-time phase peaks at 0.25 Hz (15 per minute). Its chest, about 10 cm
    wide at that range (17 degrees), was split into two targets before the one-body test.
    """
    real = shared_data_or_skip("radar", "bgt60tr13c-ifxdaq")
    config = load_capture_config(real)
    assert config == FmcwConfig(
        samples_per_chirp=64,
        chirps_per_frame=8,
        frame_rate_hz=1.0 / 0.07726884633302689,
        sample_rate_hz=2.0e6,
    )
    frames = decode_capture(real)
    assert len(frames) == 256
    with_target = [f for f in frames if f.targets]
    assert len(with_target) >= 256 - round(2.0 * config.frame_rate_hz)  # after detection
    assert all(len(f.targets) == 1 for f in with_target), "one person, one target"
    assert len({f.targets[0].target_id for f in with_target}) == 1
    distance = np.median([f.targets[0].distance_m for f in with_target])
    assert distance == pytest.approx(0.33, abs=0.03)
    resp = np.array([f.targets[0].respiration_mm[0] for f in with_target])
    assert 13.0 <= spectral_rate_bpm(resp, config.frame_rate_hz) <= 16.0
