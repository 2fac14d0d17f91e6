"""Raw-FMCW capture files (radar/fmcw/capture.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from custom_components.radar_sleep.radar.fmcw.capture import (
    FORMAT_VERSION,
    CaptureError,
    decode_capture,
    iter_capture,
    load_capture,
    load_capture_config,
    save_capture,
)
from custom_components.radar_sleep.radar.fmcw.processor import FmcwProcessor
from custom_components.radar_sleep.radar.fmcw.simulate import (
    FmcwScene,
    Output,
    SimPerson,
    simulate,
)

from .scenes import assert_same_frames


@pytest.mark.parametrize("output", ["adc", "real", "complex"])
def test_capture_round_trip(tmp_path: Path, output: Output) -> None:
    cap = simulate(FmcwScene(people=(SimPerson(0.9, 10.0),), seed=3), 5.0, output=output)
    path = tmp_path / "night.npz"
    save_capture(path, cap.frames, cap.t, cap.config)
    loaded = load_capture(path)
    assert loaded.format_version == FORMAT_VERSION
    assert loaded.config == cap.config
    assert loaded.frames.dtype == cap.frames.dtype
    assert np.array_equal(loaded.frames, cap.frames)
    assert np.array_equal(loaded.t, cap.t)
    with np.load(path) as raw:  # an ordinary npz, readable without this package
        assert set(raw.files) == {"frames", "t", "config", "format_version"}
    batches = list(iter_capture(path, 7))
    assert [b[1].shape[0] for b in batches] == [7] * 14 + [2]
    assert np.array_equal(np.concatenate([b[1] for b in batches]), cap.frames)
    assert np.array_equal(np.concatenate([b[2] for b in batches]), cap.t)
    assert_same_frames(decode_capture(path), FmcwProcessor(cap.config).process(cap.frames, cap.t))


def test_capture_compressed_and_invalid(tmp_path: Path) -> None:
    cap = simulate(FmcwScene(seed=1), 1.0, output="adc")
    path = tmp_path / "small.npz"
    save_capture(path, cap.frames, cap.t, cap.config, compress=True)
    assert np.array_equal(np.concatenate([b[1] for b in iter_capture(path, 8)]), cap.frames)
    with pytest.raises(ValueError, match="frames must be"):
        save_capture(path, cap.frames[:, :2], cap.t, cap.config)
    with pytest.raises(ValueError, match="increase"):
        save_capture(path, cap.frames, cap.t[::-1], cap.config)
    future = tmp_path / "future.npz"
    np.savez(
        future,
        frames=cap.frames,
        t=cap.t,
        config=np.array(cap.config.to_json()),
        format_version=np.array(FORMAT_VERSION + 1),
    )
    with pytest.raises(CaptureError, match="newer"):
        load_capture(future)


def test_damaged_frames_are_refused_before_the_first_batch(tmp_path: Path) -> None:
    """One flipped bit in the last frame: the zip CRC fails, and no batch comes out at all."""
    cap = simulate(FmcwScene(seed=1), 1.0, output="adc")
    path = tmp_path / "damaged.npz"
    save_capture(path, cap.frames, cap.t, cap.config)
    data = bytearray(path.read_bytes())
    last = data.rfind(cap.frames[-1].tobytes())
    assert last > 0
    data[last + 5] ^= 0x10
    path.write_bytes(bytes(data))
    reader = iter_capture(path, 1)
    with pytest.raises(CaptureError, match="CRC"):
        next(reader)
    with pytest.raises(CaptureError, match="CRC"):
        load_capture(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"t": "reversed"}, "increase"),
        ({"t": "nan"}, "finite"),
        ({"t": "short"}, "times for"),
        ({"frames": "one rx"}, "frames are"),
        ({"frames": "int32"}, "type int32"),
        ({"config": "not json"}, "Expecting value"),
        ({"config": "number"}, "JSON text"),
        ({"config": "a list"}, "bad.npz"),
    ],
)
def test_inconsistent_capture_is_refused(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    cap = simulate(FmcwScene(seed=1), 0.5, output="adc")
    arrays = {
        "frames": cap.frames,
        "t": cap.t,
        "config": np.array(cap.config.to_json()),
        "format_version": np.array(FORMAT_VERSION),
    }
    edits = {
        "reversed": cap.t[::-1],
        "nan": np.where(np.arange(cap.t.size) == 3, np.nan, cap.t),
        "short": cap.t[:-1],
        "one rx": cap.frames[:, :1],
        "int32": cap.frames.astype(np.int32),
        "not json": np.array(""),
        "a list": np.array("[1, 2]"),
        "number": np.array(3.0),
    }
    arrays |= {key: edits[value] for key, value in change.items()}
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(CaptureError, match=message):
        load_capture(path)
    with pytest.raises(CaptureError, match=message):
        list(iter_capture(path, 4))


def test_a_file_that_is_not_a_capture_is_named_as_such(tmp_path: Path) -> None:
    """Any other file (here a text file) is refused as not a ``.npz``, not as a pickle."""
    path = tmp_path / "notes.txt"
    path.write_text("bedtime 23:10\n")
    for read in (load_capture, load_capture_config, lambda p: list(iter_capture(p, 4))):
        with pytest.raises(CaptureError) as err:
            read(path)
        assert str(err.value) == "notes.txt is not a NumPy .npz file"


def test_missing_file_is_not_a_damaged_capture(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_capture(tmp_path / "nowhere.npz")
