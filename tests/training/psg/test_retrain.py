"""Retraining on a folder of polysomnography: EDF+, Sleep-EDF pairs, WFDB, NSRR XML.

The recordings are written here: breathing segments of known rate and regularity with the
stage of each segment as the hypnogram (awake and restless, light, deep, REM, awake).
"""

from __future__ import annotations

from dataclasses import replace
import json
from pathlib import Path
import pickle
import subprocess
import sys

import numpy as np
import onnxruntime as ort
import pytest
import wfdb

from custom_components.radar_sleep.sleep.staging.network import (
    EngineStager,
    load_model,
    numpy_forward,
)
from tests.training.psg.recordings import NIGHT, synthetic_breathing, write_edf
from training import ROOT
from training.psg import retrain
from training.psg.retrain import NightSource, Options, discover, extract, extract_all, main

FS = 10.0
NIGHT_STAGES = ["W", "2", "3", "R", "W"]
"""The R&K stage of each segment of :data:`NIGHT` (awake, light, deep, REM, awake)."""
EPOCHS = [
    stage
    for (minutes, _, _), stage in zip(NIGHT, NIGHT_STAGES, strict=True)
    for _ in range(minutes * 2)
]
"""100 epochs: 16 W, 30 N2, 20 N3, 20 R, 14 W."""
TINY = ("--hidden", "8", "--max-iter", "5")
"""A tiny network, a few epochs: the tests check the command, not the model."""
SC4001 = Path("/work/shared/data/sleep-edf-sc4001")


def _signal(seed: int) -> np.ndarray:
    """50 minutes of breathing in volts-like units (within the EDF's +-10 range)."""
    return (synthetic_breathing(FS, NIGHT, seed=seed) - 2048.0) / 1000.0


def _annotations() -> list[tuple[float, float | None, str]]:
    return [(30.0 * k, 30.0, f"Sleep stage {s}") for k, s in enumerate(EPOCHS)]


def write_edf_night(path: Path, seed: int) -> Path:
    """An EDF+ file with a thoracic belt, an EEG and its own stage annotations."""
    eeg = np.random.default_rng(seed).normal(0.0, 1.0, round(len(EPOCHS) * 30 * 100))
    return write_edf(
        path, [("Resp chest", _signal(seed), FS), ("EEG Fpz-Cz", eeg, 100.0)], _annotations()
    )


def write_sleep_edf_pair(folder: Path, name: str, seed: int) -> Path:
    """Sleep-EDF style: ``<name>E0-PSG.edf`` (airflow) and ``<name>EC-Hypnogram.edf``."""
    write_edf(folder / f"{name}E0-PSG.edf", [("Resp oro-nasal", _signal(seed), FS)])
    return write_edf(folder / f"{name}EC-Hypnogram.edf", [], _annotations())


def write_wfdb_night(folder: Path, name: str, seed: int) -> Path:
    """An MIT-BIH slpdb-style record: ``Resp (chest)`` and ``.st`` stages per epoch.

    As in slpdb's slp14, the first epoch has no annotation (unscored).
    """
    x = _signal(seed)
    wfdb.wrsamp(
        name,
        fs=FS,
        units=["l"],
        sig_name=["Resp (chest)"],
        p_signal=x[:, None],
        fmt=["16"],
        write_dir=str(folder),
    )
    wfdb.wrann(
        name,
        "st",
        (np.arange(1, len(EPOCHS)) * 30 * FS).astype(np.int64),
        symbol=['"'] * (len(EPOCHS) - 1),
        aux_note=EPOCHS[1:],
        fs=FS,
        write_dir=str(folder),
    )
    return folder / name


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four nights of four subjects in three formats."""
    root = tmp_path_factory.mktemp("psg")
    (root / "edf").mkdir()
    (root / "wfdb").mkdir()
    write_edf_night(root / "edf" / "night-a.edf", seed=1)
    write_sleep_edf_pair(root / "edf", "SC4021", seed=2)
    write_wfdb_night(root / "wfdb", "slp01a", seed=3)
    write_wfdb_night(root / "wfdb", "slp02a", seed=4)
    (root / "wfdb" / "README.txt").write_text("not a recording\n", encoding="utf-8")
    return root


def test_discover_pairs_and_subjects(folder: Path, tmp_path: Path) -> None:
    sources, skipped = discover(folder)
    by_name = {s.name: s for s in sources}
    assert sorted(by_name) == ["night-a", "sc4021e0", "slp01a", "slp02a"]
    assert skipped == []
    assert by_name["night-a"].hypnogram is None  # its own EDF+ annotations
    assert by_name["sc4021e0"].hypnogram == folder / "edf" / "SC4021EC-Hypnogram.edf"
    assert by_name["slp01a"].signal == folder / "wfdb" / "slp01a"
    assert {s.subject for s in sources} == {"night-a", "sc402", "slp01", "slp02"}
    # NSRR: the harmonised XML beside an SHHS EDF, the visit number not part of the subject.
    (tmp_path / "shhs1-200001.edf").write_bytes((folder / "edf" / "night-a.edf").read_bytes())
    for suffix in ("-profusion.xml", "-nsrr.xml"):
        (tmp_path / f"shhs1-200001{suffix}").write_text("<x/>", encoding="utf-8")
    (tmp_path / "orphan.hea").write_text("orphan 1 10 100\n", encoding="utf-8")
    write_edf(tmp_path / "eeg-only.edf", [("EEG Fpz-Cz", np.zeros(6000), 100.0)])
    (shhs,), skipped = discover(tmp_path)
    assert shhs.hypnogram == tmp_path / "shhs1-200001-nsrr.xml"
    assert shhs.subject == "200001"
    assert skipped == [
        f"{tmp_path / 'orphan'}: no hypnogram (.st, .xml)",
        f"{tmp_path / 'eeg-only.edf'}: no breathing channel "
        "(channels: 'EEG Fpz-Cz' (not breathing, 100 Hz))",
    ]


def test_extract_labels_and_channel(folder: Path) -> None:
    sources, _ = discover(folder)
    night = extract(next(s for s in sources if s.name == "slp01a"))
    # The pipeline closes one epoch per 30 s of frames: 100 epochs, none beyond.
    assert night.x.shape[0] == len(EPOCHS)
    expected = np.array([{"W": 0, "2": 1, "3": 2, "R": 3}[s] for s in EPOCHS], dtype=np.int8)
    expected[0] = -1  # not annotated
    np.testing.assert_array_equal(night.stage, expected)
    # Regular breathing of a sleeper in bed: present for most of the night.
    assert night.present[20:80].all()
    # A margin of 5 minutes keeps the sleep period (epochs 16..85) and 10 epochs either side.
    cut = extract(next(s for s in sources if s.name == "slp01a"), Options(margin_min=5.0))
    np.testing.assert_array_equal(cut.stage[:80], expected[6:86])


DASK_SCRIPT = """
import sys
import numpy as np
from distributed import LocalCluster
from training.psg.retrain import discover, extract_all

sources = [s for s in discover(__import__("pathlib").Path(sys.argv[1]))[0]
           if s.name in ("night-a", "slp02a")]
with LocalCluster(n_workers=1, processes=False, host="127.0.0.1", protocol="tcp://",
                  dashboard_address=None) as cluster:
    nights = extract_all(sources, scheduler=cluster.scheduler_address)
np.savez(sys.argv[2], **{f"{k}{i}": getattr(n, k) for i, n in enumerate(nights)
                         for k in ("x", "stage", "present")})
"""
"""A one-worker Dask cluster on the loopback interface, in its own process (its threads
outlive a test), extracting two nights through ``--scheduler``'s code path."""


def test_dask_cluster_gives_the_local_features(folder: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "dask.npz"
    # The cluster's process starts first and works while the same nights are extracted here.
    with subprocess.Popen(
        [sys.executable, "-c", DASK_SCRIPT, str(folder), str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    ) as cluster:
        sources, _ = discover(folder)
        local = extract_all([s for s in sources if s.name in ("night-a", "slp02a")], jobs=2)
        output, _ = cluster.communicate(timeout=120)
    assert cluster.returncode == 0, output.decode(errors="replace")
    with np.load(out) as remote:
        for i, night in enumerate(local):
            assert not isinstance(night, str)
            np.testing.assert_array_equal(remote[f"x{i}"], night.x)
            np.testing.assert_array_equal(remote[f"stage{i}"], night.stage)
            np.testing.assert_array_equal(remote[f"present{i}"], night.present)


def test_unreadable_night_is_reported_not_fatal(tmp_path: Path) -> None:
    bad = NightSource(tmp_path / "missing.edf", None, "x", "missing")
    (got,) = extract_all([bad])
    assert isinstance(got, str)
    assert "missing.edf" in got


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 5 iterations
@pytest.mark.filterwarnings("ignore:Got `batch_size`:UserWarning")  # a fold's early-stop set
def test_retrain_end_to_end(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model"
    figures = main([str(folder), "--out", str(out), "--folds", "2", "--jobs", "1", *TINY])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == figures
    assert figures["nights"] == 4
    assert figures["subjects"] == 4
    assert figures["folds"] == 2
    assert figures["simulated_nights"] == 0
    for key in ("kappa_4class", "kappa_sleep_wake", "seconds", "scored_epochs"):
        assert key in figures
    assert -1.0 <= figures["kappa_4class"] <= 1.0
    assert -1.0 <= figures["kappa_sleep_wake"] <= 1.0
    # Every scored, present epoch of the four nights is predicted once, when held out.
    assert figures["four_class"]["epochs"] == figures["scored_epochs"]
    assert set(figures["four_class"]["stages"]) == {"wake", "light", "deep", "rem"}
    assert set(figures["sleep_wake"]["stages"]) == {"wake", "sleep"}
    nights = {n["name"]: n for n in figures["per_night"]}
    assert sorted(nights) == ["night-a", "sc4021e0", "slp01a", "slp02a"]
    assert sum(n["epochs"] for n in nights.values()) == figures["scored_epochs"]

    # The runtime loads the exported model; both backends compute the same function.
    model = load_model(out / "stage.npz")
    assert model.meta.kind == "stage"
    assert model.meta.lookahead == 0
    assert model.meta.version == "stage-psg-1.0.0-L0"
    assert sorted(model.meta.training["recordings"]) == ["night-a", "sc4021e0", "slp01a", "slp02a"]
    x = np.random.default_rng(0).normal(size=(3, model.meta.input_size)).astype(np.float32)
    session = ort.InferenceSession(str(out / "stage.onnx"), providers=["CPUExecutionProvider"])
    (onnx_p,) = session.run(None, {"x": x})
    np.testing.assert_allclose(onnx_p, numpy_forward(model, x), atol=1e-5)
    stager = EngineStager(model, backend="numpy")
    night = extract(discover(folder)[0][0])
    probs = [stager.step(night.x[i]) for i in range(len(night.x))]
    assert probs[-1] is not None
    assert np.isclose(float(np.sum(probs[-1])), 1.0, atol=1e-5)


def test_shipped_model_directory_is_not_the_default(folder: Path) -> None:
    with pytest.raises(SystemExit):
        main([str(folder)])  # --out is required


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sleep_edf_sc4001_end_to_end(tmp_path: Path) -> None:
    """SC4001 (a test night: never selected or tuned on) as an EDF+ through the command.

    Checks only that a real recording runs end to end; its figures are not goals.
    """
    resp, hyp = SC4001 / "resp_1hz.csv", SC4001 / "hypnogram.csv"
    if not (resp.is_file() and hyp.is_file()):
        pytest.skip(f"Sleep-EDF SC4001 not found in {SC4001} (see docs on the shared data)")
    signal = np.loadtxt(resp, delimiter=",", skiprows=1)[:, 1]
    labels = hyp.read_text(encoding="utf-8").split()[1:]
    rk = {"W": "W", "N1": "1", "N2": "2", "N3": "3", "R": "R"}
    notes = [(30.0 * k, 30.0, f"Sleep stage {rk[s]}") for k, s in enumerate(labels)]
    lo, hi = float(signal.min()), float(signal.max())
    folder = tmp_path / "sc"
    folder.mkdir()
    write_edf(
        folder / "SC4001E0-PSG.edf", [("Resp oro-nasal", signal, 1.0)], physical_range=(lo, hi)
    )
    write_edf(folder / "SC4001EC-Hypnogram.edf", [], notes)
    out = tmp_path / "model"
    figures = main([str(folder), "--out", str(out), "--jobs", "1", "--max-iter", "20"])
    assert figures["nights"] == 1
    assert figures["subjects"] == 1
    assert figures["folds"] == 0  # one subject: nothing to cross-validate on
    # Sleep from epoch 1021 to 1741 of the 2650, plus 30 minutes (60 epochs) either side:
    # 841 epochs, most of them with the sleeper in view.
    assert 700 < figures["scored_epochs"] <= 841
    assert load_model(out / "stage.npz").meta.kind == "stage"


def test_options_are_picklable() -> None:
    options = replace(Options(), kinds=("thorax",))
    assert pickle.loads(pickle.dumps(options)) == options
    assert retrain.subject_of("sc4112e0") == "sc411"
