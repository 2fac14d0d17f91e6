"""The bedroom simulator: scene, determinism, and breathing per stage as the literature says."""

from __future__ import annotations

from dataclasses import replace
import itertools

import numpy as np
from numpy.typing import NDArray
import pytest

from custom_components.radar_sleep.contracts import Stage
from custom_components.radar_sleep.dsp import breath_stats
from custom_components.radar_sleep.simulation.bedroom import (
    ABSENT,
    PARTNER_ID,
    PET_ID,
    USER_ID,
    BedroomSimulator,
    SimulatorConfig,
)
from custom_components.radar_sleep.simulation.physiology import PHYSIOLOGY, Activity


@pytest.fixture(scope="module")
def sim() -> BedroomSimulator:
    return BedroomSimulator(SimulatorConfig(seed=11, pet=True))


def test_scene_order(sim: BedroomSimulator) -> None:
    t = sim.truth
    assert 0 < t.bed_enter_s < t.intent_s < t.sleep_onset_s < t.final_wake_s < t.bed_exit_s
    assert t.bed_exit_s < t.duration_s
    assert t.bathroom_trip_s is not None
    trip_start, trip_end = t.bathroom_trip_s
    assert t.sleep_onset_s < trip_start < trip_end < t.final_wake_s
    user = t.user.activity
    epoch = 30
    assert (user[: int(t.bed_enter_s) // epoch] == ABSENT).all()
    assert (user[int(t.bed_enter_s) // epoch : int(t.intent_s) // epoch] == Activity.READING).all()
    assert (user[int(trip_start) // epoch : int(trip_end) // epoch] == ABSENT).all()
    assert (user[int(t.bed_exit_s) // epoch :] == ABSENT).all()
    stages = t.user_stages
    asleep = stages[int(t.sleep_onset_s) // epoch : int(t.final_wake_s) // epoch]
    assert set(np.unique(asleep)) >= {Stage.LIGHT, Stage.DEEP, Stage.REM}
    assert t.partner is not None
    assert t.partner.in_bed.any()
    assert t.pet is not None
    assert t.pet.in_bed.sum() >= 80


def test_deterministic_for_a_seed() -> None:
    a = BedroomSimulator(SimulatorConfig(seed=5))
    b = BedroomSimulator(SimulatorConfig(seed=5))
    c = BedroomSimulator(SimulatorConfig(seed=6))
    assert np.array_equal(a.truth.user.activity, b.truth.user.activity)
    start = int(a.truth.sleep_onset_s * 10)
    fa = list(a.frames(start, start + 200))
    assert fa == list(b.frames(start, start + 200))
    assert not np.array_equal(a.truth.user.activity, c.truth.user.activity)


def test_frames_carry_targets_where_they_are(sim: BedroomSimulator) -> None:
    fs = sim.config.frame_rate_hz
    for t_s, expected in [
        (sim.truth.bed_enter_s - 60, set()),
        (sim.truth.sleep_onset_s + 600, {USER_ID}),
    ]:
        frame = next(sim.frames(int(t_s * fs), int(t_s * fs) + 1))
        ids = {target.target_id for target in frame.targets}
        partner_in = (
            sim.truth.partner is not None and sim.truth.partner.activity[int(t_s) // 30] >= 0
        )
        pet_in = sim.truth.pet is not None and sim.truth.pet.activity[int(t_s) // 30] >= 0
        assert ids == expected | ({PARTNER_ID} if partner_in else set()) | (
            {PET_ID} if pet_in else set()
        )
    frame = next(sim.frames(int((sim.truth.sleep_onset_s + 600) * fs)))
    user = next(t for t in frame.targets if t.target_id == USER_ID)
    assert 0.3 < user.distance_m < 1.0
    assert user.angle_deg is not None
    assert user.respiration_rate_hz == fs
    assert len(user.respiration_mm) == 1
    assert 0 <= user.movement <= 1
    assert 0 <= user.signal_quality <= 1
    partner = [t for t in frame.targets if t.target_id == PARTNER_ID]
    for p in partner:
        assert p.distance_m > 1.1  # the far side of the bed


def test_single_antenna_has_no_angle() -> None:
    sim = BedroomSimulator(SimulatorConfig(seed=2, single_antenna=True))
    start = int(sim.truth.sleep_onset_s * 10)
    frames = list(sim.frames(start, start + 50))
    assert all(t.angle_deg is None for f in frames for t in f.targets)
    assert any(f.targets for f in frames)


def _user_breathing_by_activity(seeds: range) -> dict[Activity, list[tuple[float, float, float]]]:
    """Clean (movement-free) 90-s windows of the user's displacement, summarised per activity."""
    out: dict[Activity, list[tuple[float, float, float]]] = {a: [] for a in Activity}
    for seed in seeds:
        sim = BedroomSimulator(replace(SimulatorConfig(seed=seed), partner=False))
        sig = sim._signals[0][1]
        acts = sim.truth.user.activity
        per = 300
        for ep in range(2, len(acts) - 1, 3):
            window = acts[ep - 2 : ep + 1]
            if window[0] == ABSENT or not (window == window[0]).all():
                continue
            seg = slice((ep - 2) * per, (ep + 1) * per)
            if sig.movement[seg].max() > 0:
                continue
            stats = breath_stats(sig.displacement[seg], 10.0)
            if stats is not None:
                out[Activity(int(window[0]))].append(
                    (stats.rate_bpm, stats.interval_cv, stats.amplitude)
                )
    return out


def test_breathing_per_stage_within_cited_ranges() -> None:
    """Rates 10-20/min in every stage; regularity N3 > N2 > wake, REM irregular; REM shallower.

    Ranges from the sources in simulation/physiology.py: Douglas et al. 1982 (rate), Gould et al.
    1988 and Long et al. 2014 (regularity), Kranjec et al. 2014 (4-12 mm chest displacement).
    """
    data = _user_breathing_by_activity(range(20, 26))
    med = {a: np.median(np.array(v), axis=0) for a, v in data.items() if len(v) >= 10}
    for a in (Activity.WAKE, Activity.N2, Activity.N3, Activity.REM):
        assert a in med, f"too few clean windows of {a.name}"
        rate, _, amplitude = med[a]
        assert 10.0 <= rate <= 20.0, (a.name, rate)
        assert 2.0 <= amplitude <= 12.0, (a.name, amplitude)
    cv = {a: med[a][1] for a in med}
    assert cv[Activity.N3] < cv[Activity.N2] < cv[Activity.WAKE]
    assert cv[Activity.REM] > 1.5 * cv[Activity.N2]
    assert 0.15 <= cv[Activity.WAKE] <= 0.35
    assert cv[Activity.N3] <= 0.12
    assert med[Activity.REM][2] < med[Activity.N2][2]  # REM tidal depth is lower
    assert med[Activity.REM][0] > med[Activity.N3][0]  # and its rate a little higher


def test_movements_per_stage_follow_the_literature() -> None:
    """Body movements: most in wake, rare in N2, nearly absent in N3 (Wilde-Frenz 1983)."""
    rates = {a: p.gross_movements_per_hour for a, p in PHYSIOLOGY.items()}
    assert rates[Activity.READING] > rates[Activity.WAKE] > rates[Activity.N1]
    assert rates[Activity.N1] > rates[Activity.N2] > rates[Activity.N3]
    sim = BedroomSimulator(SimulatorConfig(seed=31, partner=False))
    sig = sim._signals[0][1]
    acts = np.repeat(sim.truth.user.activity, 300)[: sig.movement.size]
    moving = sig.movement > 0.3
    frac = {
        a: moving[acts == a].mean()
        for a in (Activity.WAKE, Activity.N2, Activity.N3)
        if (acts == a).any()
    }
    assert frac[Activity.WAKE] > frac[Activity.N2] > frac.get(Activity.N3, 0.0) - 1e-12


def test_partner_and_user_breathe_independently(sim: BedroomSimulator) -> None:
    user = sim._signals[0][1].displacement
    partner = sim._signals[1][1].displacement
    n = 36_000
    corr = np.corrcoef(user[-n:], partner[-n:])[0, 1]
    assert abs(corr) < 0.3
    assert list(itertools.islice(sim.frames(), 3))  # the scene yields frames from t=0


PRE_SLEEP = {"reading": Activity.READING, "tv": Activity.TV, "phone": Activity.PHONE}


@pytest.fixture(scope="module")
def variants() -> dict[tuple[int, str], BedroomSimulator]:
    """The same seeds with every pre-sleep activity (no partner: the user's signals only)."""
    return {
        (seed, pre): BedroomSimulator(SimulatorConfig(seed=seed, partner=False, pre_sleep=pre))
        for seed in range(40, 46)
        for pre in (*PRE_SLEEP, "mixed")
    }


def _pre_sleep_epochs(sim: BedroomSimulator) -> NDArray[np.int8]:
    t = sim.truth
    return t.user.activity[int(t.bed_enter_s) // 30 : int(t.intent_s) // 30]


def test_pre_sleep_activity_fills_bed_entry_to_intent(
    variants: dict[tuple[int, str], BedroomSimulator],
) -> None:
    """Ground truth: the chosen activity from getting into bed to lying down (intent onset)."""
    for (_, pre), sim in variants.items():
        acts = _pre_sleep_epochs(sim)
        t = sim.truth
        assert acts.size == round((t.intent_s - t.bed_enter_s) / 30) > 0
        assert t.user.activity[int(t.intent_s) // 30] == Activity.WAKE  # trying to sleep
        assert (t.user_stages[int(t.bed_enter_s) // 30 : int(t.sleep_onset_s) // 30] == 0).all()
        if pre in PRE_SLEEP:
            assert (acts == PRE_SLEEP[pre]).all(), pre
        else:
            assert set(acts.tolist()) <= {int(a) for a in PRE_SLEEP.values()}
            spells = 1 + int(np.count_nonzero(np.diff(acts)))
            assert 2 <= spells <= 3
            run_lengths = np.diff(np.flatnonzero(np.diff(np.r_[-1, acts, -1]) != 0))
            assert run_lengths.min() >= 4  # spells of at least 2 minutes


def test_pre_sleep_changes_nothing_but_the_user_before_intent(
    variants: dict[tuple[int, str], BedroomSimulator],
) -> None:
    """Same seed, same night: schedules and hypnograms do not depend on pre_sleep."""
    for seed in range(40, 46):
        base = variants[(seed, "reading")].truth
        for pre in ("tv", "phone", "mixed"):
            t = variants[(seed, pre)].truth
            assert (t.bed_enter_s, t.intent_s, t.sleep_onset_s, t.bed_exit_s) == (
                base.bed_enter_s,
                base.intent_s,
                base.sleep_onset_s,
                base.bed_exit_s,
            )
            start = int(t.intent_s) // 30
            assert np.array_equal(t.user.activity[start:], base.user.activity[start:])
    a = BedroomSimulator(SimulatorConfig(seed=12, pre_sleep="tv"))
    b = BedroomSimulator(SimulatorConfig(seed=12))
    assert a.truth.partner is not None
    assert b.truth.partner is not None
    assert np.array_equal(a.truth.partner.activity, b.truth.partner.activity)


@pytest.mark.parametrize(
    "config",
    [
        SimulatorConfig(seed=4),
        SimulatorConfig(seed=11, pet=True, device_ids="reused", partner_moves_over=True),
        SimulatorConfig(seed=9, radar_position="headboard", user_side="right", single_target=True),
    ],
)
def test_default_pre_sleep_is_reading_unchanged(config: SimulatorConfig) -> None:
    """The default night is the reading night, frame for frame (seeds keep their nights)."""
    assert config.pre_sleep == "reading"
    a = BedroomSimulator(config)
    b = BedroomSimulator(replace(config, pre_sleep="reading"))
    assert np.array_equal(a.truth.user.activity, b.truth.user.activity)
    for (ida, sa), (idb, sb) in zip(a._signals, b._signals, strict=True):
        assert ida == idb
        for name in ("present", "displacement", "movement", "quality", "distance", "angle"):
            assert np.array_equal(getattr(sa, name), getattr(sb, name)), name
    start = int(a.truth.bed_enter_s * 10)
    assert list(a.frames(start, start + 600)) == list(b.frames(start, start + 600))


def test_unknown_pre_sleep_is_rejected() -> None:
    with pytest.raises(ValueError, match="pre_sleep"):
        BedroomSimulator(replace(SimulatorConfig(seed=1), pre_sleep="knitting"))  # type: ignore[arg-type]


def _movement_events(sim: BedroomSimulator, activity: Activity) -> tuple[float, float, float]:
    """Movement events per hour, moving fraction and median event peak during ``activity``."""
    sig = sim._signals[0][1]
    acts = np.repeat(sim.truth.user.activity, 300)[: sig.movement.size]
    movement = np.where(acts == activity, sig.movement, 0.0)
    moving = (movement > 0.1).astype(np.int8)
    starts = np.flatnonzero(np.diff(moving) == 1) + 1
    stops = np.flatnonzero(np.diff(moving) == -1) + 1
    peaks = [float(movement[a:b].max()) for a, b in zip(starts, stops, strict=False)]
    hours = float((acts == activity).sum()) / 36_000
    return starts.size / hours, float(moving[acts == activity].mean()), float(np.median(peaks))


def test_pre_sleep_movements_follow_the_physiology_table(
    variants: dict[tuple[int, str], BedroomSimulator],
) -> None:
    """TV: fewer, smaller movements than reading; phone: many more, but small (hands).

    Expected event rates are the table's gross movements + fidgets + laughs per hour
    (simulation/physiology.py: Wilde-Frenz 1983, Borger et al. 2019, Filippelli et al. 2001).
    """
    measured: dict[Activity, tuple[float, float, float]] = {}
    for pre, activity in PRE_SLEEP.items():
        stats = np.array([_movement_events(variants[(s, pre)], activity) for s in range(40, 46)])
        measured[activity] = (
            float(stats[:, 0].mean()),
            float(stats[:, 1].mean()),
            float(np.median(stats[:, 2])),
        )
    table = {
        a: p.gross_movements_per_hour + p.fidgets_per_hour + p.vocal_per_hour * p.laugh_fraction
        for a, p in PHYSIOLOGY.items()
    }
    for activity, (rate, _, _) in measured.items():
        assert 0.7 * table[activity] <= rate <= 1.3 * table[activity], (activity.name, rate)
    tv, reading, phone = Activity.TV, Activity.READING, Activity.PHONE
    assert table[tv] < table[reading] < table[phone]
    assert measured[tv][0] < measured[reading][0] < measured[phone][0]
    assert measured[tv][1] < measured[reading][1]  # TV: the stillest
    # Most TV and phone movements are fidgets (energy 0.12-0.35), reading's gross (0.35-1).
    assert PHYSIOLOGY[phone].fidgets_per_hour > PHYSIOLOGY[phone].gross_movements_per_hour
    assert measured[phone][2] < 0.35 <= measured[reading][2]
    assert measured[tv][2] < measured[reading][2]


def test_tv_and_phone_breathe_awake_and_lie_down_at_intent(
    variants: dict[tuple[int, str], BedroomSimulator],
) -> None:
    """Awake breathing (faster and less regular than N2) and a posture change at lights off."""
    for pre in ("tv", "phone"):
        activity = PRE_SLEEP[pre]
        phys, n2 = PHYSIOLOGY[activity], PHYSIOLOGY[Activity.N2]
        assert phys.rate_factor > n2.rate_factor
        assert phys.rate_cv > n2.rate_cv
        stats: dict[int, list[tuple[float, float]]] = {int(activity): [], int(Activity.N2): []}
        for seed in range(40, 46):
            sim = variants[(seed, pre)]
            sig = sim._signals[0][1]
            acts = sim.truth.user.activity
            for ep in range(2, len(acts), 3):
                window = acts[ep - 2 : ep + 1]
                if int(window[0]) not in stats or not (window == window[0]).all():
                    continue
                seg = slice((ep - 2) * 300, (ep + 1) * 300)
                s = breath_stats(sig.displacement[seg], 10.0, sig.movement[seg])
                if s is not None:
                    stats[int(window[0])].append((s.rate_bpm, s.interval_cv))
            # Lying down to sleep: a gross movement (3-8 s) right at the intent onset.
            k = int(sim.truth.intent_s * 10)
            assert sig.movement[k : k + 80].max() >= 0.5
        awake = np.median(np.array(stats[int(activity)]), axis=0)
        asleep = np.median(np.array(stats[int(Activity.N2)]), axis=0)
        assert awake[0] > asleep[0], pre  # rate
        assert awake[1] > 1.5 * asleep[1], pre  # breath-to-breath irregularity
        assert 10.0 <= awake[0] <= 22.0
