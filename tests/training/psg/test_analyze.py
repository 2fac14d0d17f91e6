"""``python -m training.psg.analyze``: breathing recordings in, JSON out."""

from __future__ import annotations

import contextlib
import csv
from datetime import UTC, datetime, timedelta
import io
import json
from pathlib import Path
import subprocess
import sys
from typing import Any

import edfio
import numpy as np
import pytest

from custom_components.radar_sleep.contracts import EPOCH_SECONDS, Stage
from custom_components.radar_sleep.radar.fmcw.capture import save_capture
from custom_components.radar_sleep.radar.fmcw.simulate import FmcwScene, SimPerson, simulate
from custom_components.radar_sleep.sleep.staging import BaselineStager
from tests.conftest import shared_data_or_skip
from tests.training.psg.recordings import NIGHT, synthetic_breathing, write_csv
from training.psg.analyze import analyze_breathing, main, read_csv

LABELS = {s.label for s in Stage}


def run(*args: str | Path) -> tuple[int, dict[str, Any] | None, str]:
    """``main`` with the arguments: exit code, parsed JSON (if any), stderr."""
    out = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main([str(a) for a in args], out=out)
    text = out.getvalue()
    return code, (json.loads(text) if text.strip() else None), err.getvalue()


@pytest.fixture(scope="module")
def night_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fs = 10.0
    x = synthetic_breathing(fs, NIGHT)
    t = 3600.0 + np.arange(x.size) / fs  # the time column need not start at 0
    return write_csv(tmp_path_factory.mktemp("analyze") / "night.csv", t, {"resp": x})


@pytest.fixture(scope="module")
def night_json(night_csv: Path, tmp_path_factory: pytest.TempPathFactory):
    epochs = tmp_path_factory.mktemp("epochs") / "epochs.csv"
    code, data, err = run(night_csv, "--start", "2024-03-01T22:00:00", "--epochs-csv", epochs)
    assert code == 0, err
    assert data is not None
    with epochs.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return data, rows


def test_csv_json_structure(night_json, night_csv: Path) -> None:
    data, _ = night_json
    assert set(data) >= {"source", "recording", "conversion", "hypnogram", "nights", "night"}
    assert data["source"] == {"file": str(night_csv), "format": "csv", "channel": "resp"}
    rec = data["recording"]
    assert rec["fs_hz"] == 10.0
    assert rec["duration_s"] == pytest.approx(50 * 60, abs=0.2)
    # --start is the instant of time 0; the first sample is at t = 3600 s.
    assert rec["start"] == "2024-03-01T23:00:00+00:00"
    assert rec["start_assumed"] is False
    hyp = data["hypnogram"]
    assert hyp["start"] == rec["start"]
    assert hyp["epoch_seconds"] == EPOCH_SECONDS
    assert len(hyp["stages"]) == 100
    assert set(hyp["stages"]) <= LABELS
    conv = data["conversion"]
    assert conv["frame_rate_hz"] == 10.0
    assert conv["breath_amplitude_mm"] == 7.0
    assert conv["valid_fraction"] == 1.0
    assert conv["clear_breathing_fraction"] > 0.5
    assert 0 < conv["movement_fraction"] < 0.1


def test_csv_night_follows_the_input(night_json) -> None:
    data, rows = night_json
    assert len(data["nights"]) == 1
    night = data["night"]
    assert night == data["nights"][0]
    start = datetime.fromisoformat(data["recording"]["start"])
    session_start = datetime.fromisoformat(night["session_start"])
    # Breathing from the first sample: the session starts within the first minutes.
    assert timedelta(0) <= session_start - start <= timedelta(minutes=6)
    metrics = night["metrics"]
    assert set(metrics) >= {"tib_min", "tst_min", "se_pct", "sol_min", "waso_min", "rem_pct"}
    assert 0 < metrics["tib_min"] <= 50
    assert 0 <= metrics["tst_min"] <= metrics["tib_min"]
    assert set(night["hypnogram"]) <= set("wldr")
    # The summary's hypnogram is the per-epoch hypnogram from its start.
    first = round((datetime.fromisoformat(night["hypnogram_start"]) - start).total_seconds() / 30)
    codes = {"wake": "w", "light": "l", "deep": "d", "rem": "r"}
    per_epoch = "".join(codes[s] for s in data["hypnogram"]["stages"])
    assert per_epoch[first : first + len(night["hypnogram"])] == night["hypnogram"]
    # The epochs CSV: one row per epoch, breathing rate as synthesised.
    assert len(rows) == 100
    regular = [float(r["breathing_rate_bpm"]) for r in rows[20:40] if r["breathing_rate_bpm"]]
    assert len(regular) >= 15
    assert np.median(regular) == pytest.approx(14.0, abs=1.0)
    slow = [float(r["breathing_rate_bpm"]) for r in rows[50:64] if r["breathing_rate_bpm"]]
    assert np.median(slow) == pytest.approx(12.0, abs=1.0)
    assert all(r["stage"] in LABELS for r in rows)


def test_runs_as_a_module() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "training.psg.analyze", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "python -m training.psg.analyze" in out.stdout


def test_json_is_strict(night_csv: Path) -> None:
    out = io.StringIO()
    assert main([str(night_csv)], out=out) == 0
    text = out.getvalue()
    assert "NaN" not in text
    assert "Infinity" not in text
    data = json.loads(text)
    assert data["recording"]["start_assumed"] is True


def test_missing_data_splits_the_night(tmp_path: Path) -> None:
    """A 25-min gap (no rows) is longer than the 20-min session end: two nights."""
    fs = 4.0
    x = synthetic_breathing(fs, [(20, 14, 0.05), (25, 14, 0.05), (20, 14, 0.05)], seed=3)
    t = np.arange(x.size) / fs
    keep = (t < 20 * 60) | (t >= 45 * 60)
    path = write_csv(tmp_path / "gap.csv", t[keep], {"resp": x[keep]})
    code, data, err = run(path)
    assert code == 0, err
    assert data is not None
    assert data["recording"]["fs_hz"] == 4.0
    assert data["conversion"]["valid_fraction"] == pytest.approx(40 / 65, abs=0.01)
    assert len(data["nights"]) == 2
    gap = data["hypnogram"]["stages"][42:88]
    assert set(gap) == {"wake"}


# -- EDF ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def night_edf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Sleep-EDF-like file: EEG at 100 Hz and a 1-Hz oro-nasal thermistor."""
    resp = synthetic_breathing(1.0, [(25, 14, 0.05)], seed=5)
    eeg = np.random.default_rng(1).normal(0.0, 20.0, size=resp.size * 100)
    edf = edfio.Edf(
        [
            edfio.EdfSignal(eeg, 100, label="EEG Fpz-Cz", physical_dimension="uV"),
            edfio.EdfSignal(resp, 1, label="Resp oro-nasal", physical_range=(0, 4096)),
        ],
        starttime=datetime(1989, 4, 24, 23, 30).time(),
        recording=edfio.Recording(startdate=datetime(1989, 4, 24).date()),
    )
    path = tmp_path_factory.mktemp("edf") / "night.edf"
    edf.write(path)
    return path


def test_edf_named_channel(night_edf: Path) -> None:
    code, data, err = run(night_edf, "--channel", "resp oro-nasal")
    assert code == 0, err
    assert data is not None
    assert data["source"]["format"] == "edf"
    assert data["source"]["channel"] == "Resp oro-nasal"
    assert data["recording"]["fs_hz"] == 1.0  # from the file
    assert data["recording"]["start"] == "1989-04-24T23:30:00+00:00"  # the file's clock
    assert data["recording"]["start_assumed"] is False
    assert len(data["hypnogram"]["stages"]) == 50
    assert data["night"] is not None


def test_edf_channel_found_without_the_option(night_edf: Path) -> None:
    code, data, err = run(night_edf)
    assert code == 0, err
    assert data is not None
    assert data["source"]["channel"] == "Resp oro-nasal"


def test_edf_unknown_channel(night_edf: Path) -> None:
    code, data, err = run(night_edf, "--channel", "Thor")
    assert code == 2
    assert data is None
    assert "no channel 'Thor'" in err
    assert "'EEG Fpz-Cz' (not breathing, 100 Hz), 'Resp oro-nasal' (airflow, 1 Hz)" in err


def test_edf_channel_chosen_as_the_loaders_choose(tmp_path: Path) -> None:
    """Several breathing channels: thoracic effort first, as for training."""
    flow = synthetic_breathing(1.0, [(12, 14, 0.05)], seed=8)
    thor = synthetic_breathing(10.0, [(12, 14, 0.05)], seed=7)
    path = tmp_path / "two.edf"
    edfio.Edf(
        [
            edfio.EdfSignal(flow, 1, label="Resp oro-nasal", physical_range=(0, 4096)),
            edfio.EdfSignal(thor, 10, label="Thor", physical_range=(0, 4096)),
            edfio.EdfSignal(np.full(flow.size, 1.0), 1, label="CPAP Flow"),
        ]
    ).write(path)
    code, data, err = run(path)
    assert code == 0, err
    assert data is not None
    assert data["source"]["channel"] == "Thor"
    assert data["recording"]["fs_hz"] == 10.0
    code, data, err = run(path, "--channel", "RESP ORO-NASAL")
    assert code == 0, err
    assert data is not None
    assert data["source"]["channel"] == "Resp oro-nasal"


def test_edf_that_is_not_edf(tmp_path: Path) -> None:
    path = tmp_path / "bad.edf"
    path.write_bytes(b"0       " + b"x" * 400)
    code, _, err = run(path)
    assert code == 2
    assert "cannot read" in err


# -- bad input ---------------------------------------------------------------------------------


def test_missing_column(night_csv: Path) -> None:
    code, data, err = run(night_csv, "--signal-column", "thorax")
    assert (code, data) == (2, None)
    assert "no column 'thorax'" in err
    assert "t_s, resp" in err
    code, _, err = run(night_csv, "--time-column", "clock")
    assert code == 2
    assert "no column 'clock'" in err


def test_no_time_column_or_ambiguous_signal(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run(path)
    assert code == 2
    assert "no time column" in err
    path.write_text("t_s,thor,abd\n0,1,2\n", encoding="utf-8")
    code, _, err = run(path)
    assert code == 2
    assert "which column is breathing" in err


def test_bad_sample_rate(tmp_path: Path) -> None:
    # Milliseconds taken for seconds: 0.01 Hz.
    x = synthetic_breathing(10.0, [(20, 14, 0.05)])
    t = np.arange(x.size) * 100.0
    path = write_csv(tmp_path / "ms.csv", t, {"resp": x})
    code, _, err = run(path)
    assert code == 2
    assert "too low for breathing" in err
    assert "seconds" in err
    # Time going backwards.
    path = tmp_path / "back.csv"
    path.write_text("t_s,resp\n0,1\n1,2\n0.5,3\n", encoding="utf-8")
    code, _, err = run(path)
    assert code == 2
    assert "not increasing at data row 3" in err
    # A frame rate the breathing band does not fit in.
    code, _, err = run(tmp_path / "ms.csv", "--frame-rate", "1")
    assert code == 2


def test_bad_values_and_files(tmp_path: Path) -> None:
    path = tmp_path / "text.csv"
    path.write_text("t_s,resp\n0,1\n0.1,high\n", encoding="utf-8")
    code, _, err = run(path)
    assert code == 2
    assert "'high' is not a number" in err
    code, _, err = run(tmp_path / "absent.csv")
    assert code == 2
    assert "no such file" in err
    short = synthetic_breathing(10.0, [(3, 14, 0.05)])
    path = write_csv(tmp_path / "short.csv", np.arange(short.size) / 10.0, {"resp": short})
    code, _, err = run(path)
    assert code == 2
    assert "too short" in err
    flat = np.full(12000, 5.0)
    path = write_csv(tmp_path / "flat.csv", np.arange(flat.size) / 10.0, {"resp": flat})
    code, _, err = run(path)
    assert code == 2
    assert "flat" in err


def test_iso_time_column(tmp_path: Path) -> None:
    x = synthetic_breathing(2.0, [(12, 14, 0.05)])
    t0 = datetime(2024, 5, 1, 23, 15, tzinfo=UTC)
    path = tmp_path / "iso.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("time,resp\n")
        for k, v in enumerate(x.tolist()):
            fh.write(f"{(t0 + timedelta(seconds=k / 2)).isoformat()},{v:.2f}\n")
    rec = read_csv(path)
    assert rec.fs == 2.0
    assert rec.start == t0
    code, data, err = run(path)
    assert code == 0, err
    assert data is not None
    assert data["recording"]["start"] == t0.isoformat()


# -- the conversion and the stage model's lookahead ---------------------------------------------


class Delayed:
    """A stage model that gives each epoch the baseline's output ``lookahead`` epochs later."""

    def __init__(self, lookahead: int) -> None:
        self.lookahead = lookahead
        self.base = BaselineStager()
        self.queue: list[np.ndarray] = []

    def reset(self) -> None:
        self.base.reset()
        self.queue.clear()

    def _push(self, p: np.ndarray) -> np.ndarray | None:
        self.queue.append(p)
        return self.queue.pop(0) if len(self.queue) > self.lookahead else None

    def step(self, x: np.ndarray) -> np.ndarray | None:
        return self._push(self.base.step(x))

    def skip(self) -> np.ndarray | None:
        self.base.skip()
        return self._push(np.array([1.0, 0.0, 0.0, 0.0]))

    def drain(self) -> list[np.ndarray]:
        out, self.queue = self.queue, []
        return out

    def dump_state(self) -> dict[str, Any]:
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        pass


def test_stages_are_final_with_a_lookahead_model() -> None:
    """With lookahead, per-epoch stages are the revised ones, not the live (lagged) ones."""
    x = synthetic_breathing(10.0, NIGHT, seed=2)
    causal = analyze_breathing(x, 10.0, stager=BaselineStager())
    delayed = analyze_breathing(x, 10.0, stager=Delayed(3))  # type: ignore[arg-type]
    assert len(set(causal.stages.tolist())) >= 2, "the night should have stage changes"
    np.testing.assert_array_equal(delayed.stages, causal.stages)
    live = np.array([int(u.stage) if u.stage is not None else 0 for u in delayed.updates])
    index = [r.index for r in delayed.records]
    assert not np.array_equal(live, delayed.stages[index]), "live stages lag by the lookahead"
    # (The summaries may start at different epochs: sleep intent follows the live stage.)
    for summary in delayed.summaries:
        first = round((summary.hypnogram_start - delayed.start).total_seconds() / EPOCH_SECONDS)
        hyp = [int(s) for s in summary.hypnogram]
        assert delayed.stages[first : first + len(hyp)].tolist() == hyp[: delayed.n_epochs - first]


# -- the real night ----------------------------------------------------------------------------


def kappa(y: np.ndarray, p: np.ndarray, k: int) -> float:
    cm = np.zeros((k, k))
    np.add.at(cm, (y, p), 1)
    n = cm.sum()
    pe = float((cm.sum(0) * cm.sum(1)).sum()) / n**2
    return float((np.trace(cm) / n - pe) / (1 - pe))


@pytest.mark.slow
def test_real_night_breathing_only() -> None:
    """Sleep-EDF SC4001's 1-Hz thermistor alone stages the night better than chance."""
    folder = shared_data_or_skip("sleep-edf-sc4001")
    summary = json.loads(shared_data_or_skip("hypnograms", "summary.json").read_text())
    info = summary["nights"]["sleep-edf-sc"]["SC4001E0"]
    lo, hi = info["first_sleep_epoch"] - 60, info["last_sleep_epoch"] + 61
    resp = np.loadtxt(folder / "resp_1hz.csv", delimiter=",", skiprows=1)[:, 1]
    labels = (folder / "hypnogram.csv").read_text(encoding="utf-8").split()[1:]
    four = {"W": 0, "N1": 1, "N2": 1, "N3": 2, "R": 3}
    ref = np.array([four.get(s, -1) for s in labels[lo:hi]])
    result = analyze_breathing(resp[lo * 30 : hi * 30], 1.0)
    dev = result.stages[: ref.size].astype(int)
    keep = ref >= 0
    assert len(result.summaries) == 1
    assert kappa((ref[keep] > 0).astype(int), (dev[keep] > 0).astype(int), 2) > 0.3  # sleep/wake
    assert kappa(ref[keep], dev[keep], 4) > 0.15


def test_a_raw_fmcw_capture_is_decoded_by_the_radar_chain(tmp_path: Path) -> None:
    cap = simulate(FmcwScene(people=(SimPerson(0.8, 10.0),), seed=3), 45.0, output="adc")
    path = tmp_path / "bedside.npz"
    save_capture(path, cap.frames, 500.0 + cap.t, cap.config)  # the capture's own clock
    code, data, _ = run(path, "--start", "2026-03-01T23:00")
    assert code == 0
    assert data is not None
    assert data["source"] == {"file": str(path), "format": "fmcw", "channel": None}
    assert data["conversion"] is None  # the radar's own frames
    assert data["recording"]["fs_hz"] == 20.0
    assert data["recording"]["duration_s"] == 45.0  # 900 frames at 20 Hz, from 0
    assert data["recording"]["start"] == "2026-03-01T23:00:00+00:00"
    assert len(data["hypnogram"]["stages"]) == 2  # 45 s: two 30-s epochs
    assert data["nights"] == []  # a session needs 5 minutes in bed
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a capture")
    code, _, err = run(broken)
    assert code == 2
    assert "radar capture" in err
