"""The semi-Markov sleep-period model: sampling contract, parameter file, and realism.

Realism is checked twice: against literature ranges for healthy adults (no data needed) and,
when ../shared/data is present, against the real Sleep-EDF-SC nights with the same
``architecture_stats``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from custom_components.radar_sleep.contracts import Stage
from custom_components.radar_sleep.simulation.hypnogram import (
    PARAMS_FILE,
    STAGE_LABELS,
    AasmStage,
    HypnogramModel,
    load_default_model,
    sample_sleep_period,
    to_four_class,
)
from training.fit.hypnogram import (
    architecture_stats,
    fit_reference_model,
    load_hypnogram_csv,
    load_source_nights,
    main_sleep_period,
)

HYPNOGRAMS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hypnograms"
"""Real expert-scored hypnograms (read-only, never copied into the repository)."""

N_SIM = 200

W, N1, N2, N3, R = (int(s) for s in AasmStage)

# Sleep-EDF-SC pooled stage % of TST (data README) and the tolerance on each, in percentage
# points. The tolerance is about the 95 % bootstrap half-width of the 39-night pooled value
# (resampling nights: N1 +-1.5, N2 +-2.9, N3 +-3.0, R +-1.6 pp) plus the sampling noise of
# 200 simulated nights (about half of that again), rounded up.
SLEEP_EDF_PCT = {"pct_n1": 8.2, "pct_n2": 52.3, "pct_n3": 16.8, "pct_r": 22.7}
PCT_TOLERANCE = {"pct_n1": 2.5, "pct_n2": 4.0, "pct_n3": 4.0, "pct_r": 3.0}


def _require_data() -> Path:
    if not (HYPNOGRAMS / "summary.json").is_file():
        pytest.skip(f"real hypnograms not available: {HYPNOGRAMS} is absent")
    return HYPNOGRAMS


@pytest.fixture(scope="module")
def simulated() -> list[np.ndarray]:
    return [sample_sleep_period(np.random.default_rng(seed)) for seed in range(N_SIM)]


@pytest.fixture(scope="module")
def sim_stats(simulated: list[np.ndarray]) -> dict[str, float]:
    return architecture_stats(simulated)


# ---------------------------------------------------------------------------------------------
# Sampling contract
# ---------------------------------------------------------------------------------------------


def test_sampling_is_deterministic_for_a_seed() -> None:
    a = sample_sleep_period(np.random.default_rng(1234))
    b = sample_sleep_period(np.random.default_rng(1234))
    c = sample_sleep_period(np.random.default_rng(1235))
    assert np.array_equal(a, b)
    assert not np.array_equal(a[: min(a.size, c.size)], c[: min(a.size, c.size)])


def test_sleep_periods_start_and_end_with_sleep(simulated: list[np.ndarray]) -> None:
    for codes in simulated:
        assert codes.dtype == np.int8
        assert codes.min() >= W
        assert codes.max() <= R
        assert codes[0] in (N1, N2), "sleep starts in light sleep"
        assert codes[-1] != W
        assert 4 * 120 <= codes.size <= 11 * 120, "SPT clipped to 4-11 h"
    assert any((codes == W).any() for codes in simulated), "no WASO at all is unrealistic"


def test_given_spt_is_respected() -> None:
    rng = np.random.default_rng(7)
    for n in (1, 2, 37, 960):
        codes = sample_sleep_period(rng, spt_epochs=n)
        assert codes.size == n
        assert codes[0] != W
        assert codes[-1] != W
    with pytest.raises(ValueError, match="positive"):
        sample_sleep_period(rng, spt_epochs=0)


def test_to_four_class() -> None:
    stages = to_four_class(np.array([W, N1, N2, N3, R, N2], dtype=np.int8))
    assert stages.tolist() == [
        Stage.WAKE,
        Stage.LIGHT,
        Stage.LIGHT,
        Stage.DEEP,
        Stage.REM,
        Stage.LIGHT,
    ]
    with pytest.raises(ValueError, match=r"0\.\.4"):
        to_four_class(np.array([N2, -1]))


# ---------------------------------------------------------------------------------------------
# Parameter file
# ---------------------------------------------------------------------------------------------


def test_shipped_parameters_round_trip() -> None:
    model = load_default_model()
    assert load_default_model() is model, "cached"
    data = model.to_dict()
    assert HypnogramModel.from_dict(data).to_dict() == data
    assert json.loads(model.to_json()) == data
    assert PARAMS_FILE.read_text(encoding="utf-8") == model.to_json(), "canonical form"
    assert model.n_nights >= 30


def test_shipped_parameters_are_probabilities() -> None:
    model = load_default_model()
    assert model.initial_stage_probs[W] == 0
    trans = model.transition_probs
    assert np.allclose(trans.sum(axis=-1), 1.0, atol=1e-4)
    for stage in AasmStage:
        assert np.all(trans[:, stage, stage] == 0), "no self transitions between bouts"
    assert np.all(trans[:, :R, R] == 0), "entry into REM is the separate REM-entry table"
    assert np.all((model.rem_entry_probs >= 0) & (model.rem_entry_probs <= 1))
    non_rem = [W, N1, N2, N3]
    assert np.allclose(model.duration_probs[:, non_rem].sum(axis=-1), 1.0, atol=1e-4)
    assert np.allclose(model.rem_duration_probs.sum(axis=-1), 1.0, atol=1e-4)
    # The cycle mechanism: REM right after REM (resumption) and after ~1 h are likelier than
    # 15-45 min after REM (refractory period), for N2 after the first REM episode.
    n2_after = model.rem_entry_probs[1:, N2]
    gap_edges = np.asarray(model.rem_gap_edges_min)
    refractory = n2_after[:, np.searchsorted(gap_edges, 15, side="right")]
    later = n2_after[:, np.searchsorted(gap_edges, 60, side="right")]
    assert np.all(n2_after[:, 0] > 5 * refractory)
    assert np.all(later > 5 * refractory)


def test_bad_parameters_are_rejected() -> None:
    data = load_default_model().to_dict()
    with pytest.raises(ValueError, match="format"):
        HypnogramModel.from_dict({**data, "format_version": 99})
    with pytest.raises(ValueError, match="shape"):
        HypnogramModel.from_dict({**data, "transition_probs": data["transition_probs"][:-1]})
    with pytest.raises(ValueError, match="wake"):
        HypnogramModel.from_dict({**data, "initial_stage_probs": [0.5, 0.5, 0, 0, 0]})


# ---------------------------------------------------------------------------------------------
# Loading, cropping and statistics on hand-made nights
# ---------------------------------------------------------------------------------------------


def test_load_hypnogram_csv(tmp_path: Path) -> None:
    path = tmp_path / "night.csv"
    path.write_text("stage\nW\nN1\nN2\nN3\nR\n?\n", encoding="utf-8")
    assert load_hypnogram_csv(path).tolist() == [W, N1, N2, N3, R, -1]
    path.write_text("stage\nW\nS4\n", encoding="utf-8")
    with pytest.raises(ValueError, match="S4"):
        load_hypnogram_csv(path)


def test_main_sleep_period_drops_a_nap() -> None:
    nap = [N1] * 10 + [N2] * 20
    night = [N1] * 4 + [N2] * 300 + [W] * 10 + [R] * 40
    codes = np.array([W] * 50 + nap + [W] * 121 + [W] * 5 + night + [W] * 30, dtype=np.int8)
    period = main_sleep_period(codes)
    assert period.tolist() == night
    start = 50 + len(nap) + 126
    explicit = main_sleep_period(
        codes, first_sleep_epoch=start, last_sleep_epoch=start + len(night) - 1
    )
    assert explicit.tolist() == night
    assert main_sleep_period(np.zeros(20, dtype=np.int8)).size == 0


def test_architecture_stats_of_a_handmade_night() -> None:
    # 0-59 min: N1 2, N2 38, N3 60, N2 20 epochs; then a REM episode of 10 + 4 R epochs
    # split by 1 min of wake; 40 min of N2; a second REM episode of 20 epochs; a final N2.
    night = (
        [W] * 6  # sleep latency: cropped away
        + [N1] * 2
        + [N2] * 38
        + [N3] * 60
        + [N2] * 20
        + [R] * 10
        + [W] * 2
        + [R] * 4
        + [N2] * 80
        + [R] * 20
        + [N2] * 10
        + [W] * 9  # final awakening: cropped away
    )
    stats = architecture_stats([np.array(night, dtype=np.int8)])
    tst_epochs = 2 + 38 + 60 + 20 + 10 + 4 + 80 + 20 + 10
    assert stats["n_nights"] == 1
    assert stats["tst_median_min"] == tst_epochs / 2
    assert stats["spt_median_min"] == (tst_epochs + 2) / 2
    assert stats["waso_median_min"] == 1.0
    assert stats["awakenings_per_night"] == 1
    assert stats["pct_r"] == pytest.approx(100 * 34 / tst_epochs)
    assert stats["pct_n3"] == pytest.approx(100 * 60 / tst_epochs)
    assert stats["rem_latency_median_min"] == (2 + 38 + 60 + 20) / 2
    assert stats["rem_episodes_per_night"] == 2
    assert stats["cycle_median_min"] == (10 + 2 + 4 + 80) / 2
    assert stats["rem_episode_first_median_min"] == 7.0
    assert stats["rem_episode_last_median_min"] == 10.0
    assert stats["n3_last_third_pct"] == 0.0
    assert stats["n3_first_third_pct"] > 50.0
    assert stats["trans_N3_N2"] == pytest.approx(1 / 60)
    assert stats["trans_R_W"] == pytest.approx(1 / 34)
    for a in STAGE_LABELS:
        assert sum(stats[f"trans_{a}_{b}"] for b in STAGE_LABELS) == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------------
# Realism against the literature (no data needed)
# ---------------------------------------------------------------------------------------------


def test_simulated_architecture_matches_healthy_adults(sim_stats: dict[str, float]) -> None:
    """Simulated nights have the architecture of healthy young adults.

    References: Ohayon MM, Carskadon MA, Guilleminault C, Vitiello MV. Meta-analysis of
    quantitative sleep parameters from childhood to old age in healthy individuals. Sleep
    2004;27(7):1255-73 (adults of 20-40 y: N2 ~50 %, SWS 15-20 %, REM 20-25 %, N1 < 10 %,
    REM latency 70-90 min, sleep efficiency > 90 %); Carskadon MA, Dement WC, Normal human
    sleep, in Principles and Practice of Sleep Medicine (NREM-REM cycle of ~90 min, 70-120
    min; SWS in the first third, REM in the last third of the night); and the Sleep-EDF-SC
    pooled values in ../shared/data/hypnograms/README.md: N1 8.2, N2 52.3, N3 16.8,
    R 22.7 % of TST.
    """
    pct = {k: sim_stats[k] for k in SLEEP_EDF_PCT}
    assert max(pct, key=pct.__getitem__) == "pct_n2", "N2 is the largest stage"
    for key, reference in SLEEP_EDF_PCT.items():
        assert abs(pct[key] - reference) <= PCT_TOLERANCE[key], (key, pct[key], reference)
    assert sum(pct.values()) == pytest.approx(100.0)
    assert sim_stats["n3_first_third_pct"] > 2 * sim_stats["n3_last_third_pct"]
    assert sim_stats["rem_last_third_pct"] > 1.5 * sim_stats["rem_first_third_pct"]
    assert 50 <= sim_stats["rem_latency_median_min"] <= 120
    assert 70 <= sim_stats["cycle_median_min"] <= 120
    assert 3 <= sim_stats["rem_episodes_per_night"] <= 6
    assert sim_stats["rem_episode_last_median_min"] > sim_stats["rem_episode_first_median_min"]
    assert sim_stats["sleep_efficiency_pct"] >= 88
    assert sim_stats["waso_median_min"] <= 40
    assert 360 <= sim_stats["spt_median_min"] <= 540


def test_awakenings_are_mostly_brief(simulated: list[np.ndarray]) -> None:
    """Most awakenings inside the sleep period last a minute or two (Sleep-EDF: median 1 min)."""
    runs: list[int] = []
    for codes in simulated:
        wake = np.concatenate(([0], (codes == W).astype(np.int8), [0]))
        edges = np.flatnonzero(np.diff(wake))
        runs.extend((edges[1::2] - edges[::2]).tolist())
    assert len(runs) > 5 * N_SIM
    assert np.median(runs) <= 4, "median awakening <= 2 min"
    assert np.mean(np.asarray(runs) >= 10) < 0.2, "few awakenings of 5 min or more"


# ---------------------------------------------------------------------------------------------
# Against the real nights (skipped without ../shared/data)
# ---------------------------------------------------------------------------------------------


def test_fit_reproduces_the_shipped_parameters() -> None:
    data = _require_data()
    shipped = json.loads(PARAMS_FILE.read_text(encoding="utf-8"))
    assert fit_reference_model(data).to_dict() == shipped


def test_own_nap_rule_matches_the_data_summary() -> None:
    data = _require_data()
    summary = json.loads((data / "summary.json").read_text(encoding="utf-8"))
    for night, info in summary["nights"]["sleep-edf-sc"].items():
        codes = load_hypnogram_csv(data / "sleep-edf-sc" / f"{night}.csv")
        expected = codes[info["first_sleep_epoch"] : info["last_sleep_epoch"] + 1]
        assert np.array_equal(main_sleep_period(codes), expected), night


def test_simulated_architecture_matches_sleep_edf(sim_stats: dict[str, float]) -> None:
    """Simulated vs real Sleep-EDF-SC figures, both from ``architecture_stats``.

    Tolerances are about the 95 % bootstrap half-width of each real figure over its 39
    nights (REM latency median 64-93 min, cycle median 89-100 min, N3 in the first third
    26-37 %, last third 3-8 %, WASO median 12-30 min, TST median 412-449 min, REM episodes
    3.8-4.5 per night), widened a little for the noise of 200 simulated nights.
    """
    real = architecture_stats(list(load_source_nights(_require_data(), "sleep-edf-sc").values()))
    assert real["n_nights"] == 39
    tolerance = {
        **PCT_TOLERANCE,
        "rem_latency_median_min": 15.0,
        "cycle_median_min": 10.0,
        "n3_first_third_pct": 6.0,
        "n3_last_third_pct": 3.0,
        "rem_first_third_pct": 4.0,
        "rem_last_third_pct": 4.0,
        "waso_median_min": 10.0,
        "tst_median_min": 30.0,
        "spt_median_min": 30.0,
        "rem_episodes_per_night": 0.75,
        "awakenings_per_night": 3.0,
    }
    for key, tol in tolerance.items():
        assert abs(sim_stats[key] - real[key]) <= tol, (key, sim_stats[key], real[key])
    for a in STAGE_LABELS:
        for b in STAGE_LABELS:
            key = f"trans_{a}_{b}"
            assert abs(sim_stats[key] - real[key]) <= 0.02, (key, sim_stats[key], real[key])


def test_patients_differ_from_the_model(sim_stats: dict[str, float]) -> None:
    """The model is normative: the sleep-apnea sources are further from it than Sleep-EDF."""
    data = _require_data()
    keys = ("pct_n1", "pct_r", "waso_median_min", "awakenings_per_night")

    def distance(stats: dict[str, float]) -> float:
        return sum(abs(stats[k] - sim_stats[k]) / max(sim_stats[k], 1.0) for k in keys)

    healthy = distance(architecture_stats(list(load_source_nights(data, "sleep-edf-sc").values())))
    for source in ("ucddb", "slpdb"):
        patients = architecture_stats(list(load_source_nights(data, source).values()))
        assert distance(patients) > 3 * healthy, source
