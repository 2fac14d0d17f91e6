"""A physics-based simulator of a bedroom night, as a bedside radar sees it.

The scene: the radar stands on a bedside table (or at the headboard) at chest height. The user
goes to bed, reads, watches TV or uses the phone for a while (``pre_sleep``), lies down, turns
the light off and tries to sleep, falls asleep, sleeps
through a night whose hypnogram comes from :mod:`.hypnogram_model` (fitted to expert-scored
nights), gets up once for the bathroom, wakes in the morning, lies awake for a few minutes and
leaves. A partner on the far side of the bed has their own schedule, breathing and movements;
a pet may sleep at the foot of the bed for a while.

Each person's chest displacement is synthesised breath by breath with the per-stage rate,
depth, irregularity, sighs and body movements of :mod:`.physiology`; the radar adds range-
dependent noise, posture-dependent gain and movement artefacts. Output is a stream of
:class:`~..contracts.VitalsFrame` at ``frame_rate_hz`` with the ground truth alongside, and is
fully deterministic for a seed. Nothing here depends on wall-clock time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
import itertools
import math
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..contracts import EPOCH_SECONDS, BedSide, RadarPosition, Stage, TargetVitals, VitalsFrame
from .hypnogram import sample_sleep_period
from .physiology import (
    CHEST_DEPTH_MM,
    PET_DEPTH_MM,
    PET_RATE_BPM,
    POSTURE,
    RESTING_RATE_BPM,
    Activity,
    BreathingPhysiology,
    PhysiologyVariation,
)

type PreSleep = Literal["reading", "tv", "phone", "mixed"]
type DeviceIds = Literal["stable", "reused"]

ABSENT = -1
"""Activity code of an epoch in which the person is not in bed."""

USER_ID, PARTNER_ID, PET_ID = 1, 2, 3

FRAMES_PER_BLOCK = 3000
"""Frames made at a time by :meth:`BedroomSimulator.frames` (five minutes at 10 Hz)."""

# Bed geometry in metres, seen from above: x across the bed from the sleepers' left edge,
# y down the bed from the headboard. The radar stands at chest height.
_BED_WIDTH = 1.6
_CHEST_Y = 0.45
_RADAR_POSE: dict[RadarPosition, tuple[tuple[float, float], tuple[float, float]]] = {
    "left_table": ((-0.25, _CHEST_Y), (1.0, 0.0)),
    "right_table": ((_BED_WIDTH + 0.25, _CHEST_Y), (-1.0, 0.0)),
    "headboard": ((_BED_WIDTH / 2, -0.35), (0.0, 1.0)),
}
_MAX_RANGE_M = 3.0
_HALF_FOV_DEG = 60.0


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """What the simulated bedroom looks like. Every random draw derives from ``seed``."""

    seed: int = 0
    frame_rate_hz: float = 10.0
    user_side: BedSide = "left"
    radar_position: RadarPosition = "left_table"
    partner: bool = True
    pet: bool = False
    bathroom_trip: bool = True
    single_antenna: bool = False
    """A device without angle of arrival (``angle_deg`` is ``None``)."""
    noise_mm: float = 0.15
    """Radar displacement noise (SD) at 1 m; grows with the square of the range."""
    reading_minutes: tuple[float, float] = (10.0, 45.0)
    """Range of time spent awake in bed (on the ``pre_sleep`` activity) before trying to
    sleep."""
    pre_sleep: PreSleep = "reading"
    """What the user does in bed before lying down to sleep: ``reading`` (page turns),
    ``tv`` (semi-reclined, still, talking and laughing now and then), ``phone`` (propped up,
    head down, small hand movements all the time) or ``mixed`` (two or three spells of
    different ones, drawn from a stream of their own). The night is otherwise the same for a
    seed: the user's and the partner's schedules and hypnograms do not depend on it (the
    breath-by-breath signals are other draws of the same physiology)."""
    still_minutes: float = 0.0
    """Minutes the user then lies still and awake, the light still on (thinking, listening),
    before really trying to sleep: to the radar much like trying to sleep, so an intent
    model dates "lights off" too early; the user can teach the tracker otherwise. Counted in
    the time awake before the intent onset; no random draw (0: the same night as without
    it)."""

    # Scenario options for primary-user tracking (docs/pipeline.md, "Primary user"). Their
    # random draws come from a stream of their own: the defaults give the same night as
    # without them.
    partner_first: bool = False
    """The partner goes to bed 15-60 min before the user (needs ``partner``)."""
    partner_stays: bool = False
    """The partner stays in bed 20-90 min after the user gets up (needs ``partner``)."""
    partner_moves_over: bool = False
    """Whenever the user is out of bed after having been in it (bathroom trip, morning), the
    partner rolls over towards the middle, into the user's half (chest 15-30 cm from the
    user's place), 0.5-3 min after the user left; back to their side 2-10 s after the user
    returns (needs ``partner``)."""
    pet_takes_spot: bool = False
    """The pet is on the bed around the bathroom trip (from 5-30 min before to 10-60 min
    after it) and lies down in the user's warm place while the user is away, going back to
    the foot of the bed when the user returns (needs ``pet`` and ``bathroom_trip``)."""
    device_ids: DeviceIds = "stable"
    """``stable``: each body keeps one target id all night (:data:`USER_ID`, ...).
    ``reused``: as many devices do, a target gets the lowest free id (from 1) whenever the
    device acquires it, after an absence and after a move (tracking is lost while someone
    rolls over), so ids say nothing about who is who; :meth:`BedroomSimulator.owner` maps
    them back."""
    single_target: bool = False
    """A device that reports one target only (like an MR60BHA2's breathing target), always
    with id 1: the nearest body, switching to another only when that one is 10 cm nearer or
    the current one is lost. :meth:`BedroomSimulator.owner` says whom it reports."""
    variation: PhysiologyVariation = field(default_factory=PhysiologyVariation)
    """The people's breathing and movement and the sensor away from the population figures
    (:class:`.physiology.PhysiologyVariation`; the pet keeps its own). The default draws
    nothing: the same night as without it."""


@dataclass(frozen=True, slots=True)
class PersonTruth:
    """One person's night, epoch by epoch."""

    name: str
    target_id: int
    activity: NDArray[np.int8]
    """:class:`.physiology.Activity` per epoch, ``ABSENT`` when not in bed."""

    @property
    def in_bed(self) -> NDArray[np.bool_]:
        """Whether the person is in bed, per epoch."""
        in_bed: NDArray[np.bool_] = self.activity != ABSENT
        return in_bed


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """What really happened in the simulated night (seconds from the scene's start)."""

    n_epochs: int
    user: PersonTruth
    partner: PersonTruth | None
    pet: PersonTruth | None
    bed_enter_s: float
    intent_s: float
    """Lights off: the end of the pre-sleep activity (reading, TV, phone), when the user lies
    down to sleep."""
    sleep_onset_s: float
    final_wake_s: float
    """End of the last sleep epoch."""
    bed_exit_s: float
    bathroom_trip_s: tuple[float, float] | None
    epoch_seconds: int = EPOCH_SECONDS

    @property
    def duration_s(self) -> float:
        """Length of the scene."""
        return float(self.n_epochs * self.epoch_seconds)

    @property
    def user_stages(self) -> NDArray[np.int8]:
        """The user's four-class stage per epoch (:class:`~..contracts.Stage`), -1 if absent."""
        return activity_to_stage(self.user.activity)


def activity_to_stage(activity: NDArray[np.int8]) -> NDArray[np.int8]:
    """Map activities to four-class stages; awake activities are wake, absent is -1."""
    table = np.array(
        [Stage.WAKE, Stage.LIGHT, Stage.LIGHT, Stage.DEEP, Stage.REM]
        + [Stage.WAKE] * (len(Activity) - int(Activity.REM) - 1),
        dtype=np.int8,
    )
    out = np.full(activity.shape, ABSENT, dtype=np.int8)
    present = activity != ABSENT
    out[present] = table[activity[present]]
    return out


@dataclass(slots=True)
class _Signals:
    """A person's per-sample radar view over the whole scene."""

    present: NDArray[np.bool_]
    displacement: NDArray[np.float64]
    movement: NDArray[np.float64]
    quality: NDArray[np.float64]
    distance: NDArray[np.float64]
    angle: NDArray[np.float64]
    device_id: NDArray[np.int32] | None = None
    """Per-frame target id when ids are not stable (-1 while not reported)."""


def _minutes_to_epochs(minutes: float) -> int:
    return max(1, round(minutes * 60 / EPOCH_SECONDS))


_PRE_SLEEP_ACTIVITY: dict[str, Activity] = {
    "reading": Activity.READING,
    "tv": Activity.TV,
    "phone": Activity.PHONE,
}


def _pre_sleep_activities(config: SimulatorConfig, epochs: int) -> list[int]:
    """The user's activity per epoch from getting into bed to lying down to sleep.

    ``mixed`` splits the time into two or three spells (each at least 2 min) of different
    activities in random order, from a stream of its own (``[seed, 2]``).
    """
    if config.pre_sleep in _PRE_SLEEP_ACTIVITY:
        return [int(_PRE_SLEEP_ACTIVITY[config.pre_sleep])] * epochs
    if config.pre_sleep != "mixed":
        raise ValueError(f"unknown pre_sleep activity {config.pre_sleep!r}")
    rng = np.random.default_rng([config.seed, 2])
    spells = min(int(rng.integers(2, 4)), max(1, epochs // 4))
    cuts = sorted(int(c) for c in rng.choice(np.arange(4, epochs - 3), spells - 1, replace=False))
    cuts = [c for i, c in enumerate(cuts) if i == 0 or c - cuts[i - 1] >= 4]
    kinds = [int(k) for k in rng.permutation(list(_PRE_SLEEP_ACTIVITY.values()))]
    out: list[int] = []
    for kind, (a, b) in zip(kinds, itertools.pairwise([0, *cuts, epochs]), strict=False):
        out += [kind] * (b - a)
    return out


def _user_schedule(
    rng: np.random.Generator, config: SimulatorConfig
) -> tuple[list[int], dict[str, int], tuple[int, int] | None]:
    """The user's activity per epoch, and the epoch indices of the night's landmarks."""
    pre = int(rng.integers(4, 13))
    reading = _minutes_to_epochs(rng.uniform(*config.reading_minutes))
    # Sleep onset latency of healthy adults: median about 10-15 min, right-skewed (Ohayon et
    # al., Sleep 27(7):1255, 2004).
    sol = _minutes_to_epochs(float(np.clip(rng.lognormal(math.log(12.0), 0.6), 1.0, 60.0)))
    period = [int(c) for c in sample_sleep_period(rng)]
    still = _minutes_to_epochs(config.still_minutes) if config.still_minutes > 0 else 0
    trip: tuple[int, int] | None = None
    if config.bathroom_trip and len(period) > 60:
        lo, hi = int(0.4 * len(period)), int(0.85 * len(period))
        at = int(rng.integers(lo, hi))
        away = _minutes_to_epochs(rng.uniform(3.0, 8.0))
        back = int(rng.integers(2, 9))
        insert = [int(Activity.WAKE)] * 2 + [ABSENT] * away + [int(Activity.WAKE)] * back
        trip_start = pre + reading + still + sol + at + 2
        trip = (trip_start, trip_start + away)
        period = period[:at] + insert + [int(Activity.N1)] + period[at:]
    after = _minutes_to_epochs(rng.uniform(2.0, 20.0))
    morning = int(Activity.READING) if rng.random() < 0.5 else int(Activity.WAKE)
    acts = (
        [ABSENT] * pre
        + _pre_sleep_activities(config, reading)
        + [int(Activity.WAKE)] * (still + sol)
        + period
        + [morning] * after
    )
    marks = {
        "enter": pre,
        "intent": pre + reading + still,
        "onset": pre + reading + still + sol,
        "final_wake": pre + reading + still + sol + len(period),
        "exit": len(acts),
    }
    return acts, marks, trip


def _partner_schedule(rng: np.random.Generator, enter: int, leave: int) -> list[int]:
    """The partner's activity from ``enter`` to ``leave`` (epochs), with their own sleep."""
    total = leave - enter
    reading = _minutes_to_epochs(rng.uniform(0.0, 25.0))
    sol = _minutes_to_epochs(float(np.clip(rng.lognormal(math.log(10.0), 0.6), 1.0, 45.0)))
    after = _minutes_to_epochs(rng.uniform(1.0, 10.0))
    spt = total - reading - sol - after
    if spt < 60:
        return [int(Activity.READING)] * total
    period = [int(c) for c in sample_sleep_period(rng, spt_epochs=spt)]
    acts = (
        [int(Activity.READING)] * reading
        + [int(Activity.WAKE)] * sol
        + period
        + [int(Activity.WAKE)] * after
    )
    return acts[:total] + [int(Activity.WAKE)] * (total - len(acts))


@dataclass(frozen=True, slots=True)
class _Move:
    """A body leaves its place from frame ``start`` to ``stop`` for the chest position x, y."""

    start: int
    stop: int
    x: float
    y: float


def _home_x(side: BedSide) -> float:
    """Across-the-bed chest position of a sleeper on ``side``."""
    return 0.4 if side == "left" else _BED_WIDTH - 0.4


def _away_runs(
    user: NDArray[np.int8], other: NDArray[np.int8], first: int
) -> list[tuple[int, int]]:
    """Runs of epochs (start, stop) from ``first`` on with the user out of bed, ``other`` in."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for ep in range(first, len(user) + 1):
        alone = ep < len(user) and user[ep] == ABSENT and other[ep] != ABSENT
        if alone and start is None:
            start = ep
        elif not alone and start is not None:
            runs.append((start, ep))
            start = None
    return runs


def _reuse_ids(signals: list[tuple[int, _Signals]]) -> None:
    """Device ids as many radars assign them: the lowest free id whenever a body is acquired."""
    n = signals[0][1].present.size
    edges = {0}
    for _, sig in signals:
        edges.update((np.flatnonzero(np.diff(sig.present.astype(np.int8))) + 1).tolist())
    events = sorted(edges)
    ids = [np.full(n, -1, dtype=np.int32) for _ in signals]
    current: list[int | None] = [None] * len(signals)
    for i, k in enumerate(events):
        end = events[i + 1] if i + 1 < len(events) else n
        for p, (_, sig) in enumerate(signals):
            if not sig.present[k]:
                current[p] = None
        for p, (_, sig) in enumerate(signals):
            if sig.present[k] and current[p] is None:
                used = {c for c in current if c is not None}
                current[p] = min(set(range(1, len(signals) + 2)) - used)
            assigned = current[p]
            if assigned is not None:
                ids[p][k:end] = assigned
    for (_, sig), device_id in zip(signals, ids, strict=True):
        sig.device_id = device_id


def _report_nearest(signals: list[tuple[int, _Signals]]) -> None:
    """A single-target device: it reports the nearest body as target 1 (10-cm hysteresis)."""
    n = signals[0][1].present.size
    present = [sig.present.tolist() for _, sig in signals]
    distance = [sig.distance.tolist() for _, sig in signals]
    people = range(len(signals))
    chosen = [-1] * n
    current = -1
    for k in range(n):
        here = [p for p in people if present[p][k]]
        if not here:
            current = -1
            continue
        nearest = min(here, key=lambda p: distance[p][k])
        lost = current < 0 or not present[current][k]
        if lost or distance[nearest][k] < distance[current][k] - 0.10:
            current = nearest
        chosen[k] = current
    reported = np.array(chosen)
    for p, (_, sig) in enumerate(signals):
        sig.present = reported == p
        sig.device_id = np.where(sig.present, 1, -1).astype(np.int32)


@dataclass(slots=True)
class _Vocal:
    """Remarks and laughs of one person (breath by breath, see :func:`_vocal_breath`)."""

    remark: int = 0
    """Breaths left of the current remark."""
    laughs: list[tuple[float, float, float, float]] = field(default_factory=list)
    """Fits of laughter: start (s), length (s), lung-volume drop (mm), movement energy."""


def _vocal_breath(
    rng: np.random.Generator,
    phys: BreathingPhysiology,
    vocal: _Vocal,
    *,
    t: float,
    period: float,
    depth: float,
) -> tuple[float, float, float]:
    """One breath of an activity with remarks and laughs: ``(period, depth, inspiration)``.

    A remark is 2-5 breaths of speech breathing: brief inspirations (12-20 % of the breath)
    and long, uneven expirations, inspired a little deeper (Hixon et al. 1973; Winkworth et al.
    1995). A fit of laughter (1.5-6 s, Filippelli et al. 2001) follows a deep breath and is
    appended to ``vocal.laughs``.
    """
    if vocal.remark == 0 and rng.random() < phys.vocal_per_hour * period / 3600.0:
        if rng.random() < phys.laugh_fraction:
            length = float(np.clip(rng.normal(3.7, 1.5), 1.5, 6.0))
            drop = depth * float(rng.uniform(0.6, 1.2))
            vocal.laughs.append((t + 0.5 * period, length, drop, float(rng.uniform(0.1, 0.3))))
            return period + length, depth * float(rng.uniform(1.3, 2.0)), 0.15
        vocal.remark = int(rng.integers(2, 6))
    if vocal.remark == 0:
        return period, depth, 0.4
    vocal.remark -= 1
    period *= float(rng.uniform(0.7, 1.8))
    depth *= float(rng.uniform(1.0, 1.6))
    return period, depth, float(rng.uniform(0.12, 0.2))


def _postures(
    rng: np.random.Generator,
    activity: NDArray[np.int8],
    per_epoch: int,
    n: int,
    *,
    movement: NDArray[np.float64],
    artefact: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Chest height (m) and radar gain factor per frame for activities with a posture.

    Each spell of such an activity (:data:`.physiology.POSTURE`) draws its own height and gain;
    where the posture changes with the person in bed (sitting up for the TV, lying down to
    sleep) the body moves for 3-8 s (a gross movement) while chest and gain pass from one to
    the other.
    """
    n_ep = len(activity)
    height, view = np.zeros(n_ep), np.ones(n_ep)
    start = 0
    for ep in range(1, n_ep + 1):
        if ep < n_ep and activity[ep] == activity[start]:
            continue
        act = int(activity[start])
        if act != ABSENT and Activity(act) in POSTURE:
            posture = POSTURE[Activity(act)]
            height[start:ep] = rng.uniform(*posture.raised_m)
            view[start:ep] = rng.uniform(*posture.gain)
        start = ep
    raised = np.repeat(height, per_epoch)[:n]
    gain = np.repeat(view, per_epoch)[:n]
    for ep in range(1, n_ep):
        both_in = activity[ep - 1] != ABSENT and activity[ep] != ABSENT
        if not both_in or (height[ep], view[ep]) == (height[ep - 1], view[ep - 1]):
            continue
        k0 = ep * per_epoch
        k1 = min(k0 + round(float(rng.uniform(3.0, 8.0)) * per_epoch / EPOCH_SECONDS), n)
        if k1 <= k0:
            continue
        w = np.linspace(0.0, 1.0, k1 - k0)
        raised[k0:k1] = height[ep - 1] + w * (height[ep] - height[ep - 1])
        gain[k0:k1] = view[ep - 1] + w * (view[ep] - view[ep - 1])
        energy = float(rng.uniform(0.5, 1.0))
        movement[k0:k1] = np.maximum(movement[k0:k1], energy)
        k = np.arange(k1 - k0) * EPOCH_SECONDS / per_epoch
        amp = energy * float(rng.uniform(5.0, 15.0))
        freqs = rng.uniform(0.2, 1.5, size=3)
        wobble = sum(np.sin(2 * np.pi * f * k + rng.uniform(0, 6.3)) for f in freqs)
        artefact[k0:k1] += amp * wobble / 3.0
    return raised, gain


def _contact_channel(
    var: PhysiologyVariation,
    chest: NDArray[np.float64],
    artefact: NDArray[np.float64],
    fs: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Breathing and movement artefact as a contact sensor records them instead of a radar.

    ``belt``: respiratory inductance plethysmography follows the chest's volume change
    (Cohn MA et al., Respiratory inductive plethysmography, *Adv Cardiol* 21:98-103, 1978);
    a body movement stretches the belt, so its artefact is about twice a radar's.
    ``airflow``: an oro-nasal thermistor responds to the temperature of the air, roughly the
    flow (the volume's derivative) through a first-order lag of ``airflow_tau_s`` (Farre R,
    Montserrat JM, Rotger M, Ballester E, Navajas D. Accuracy of thermistors and thermocouples
    as flow-measuring devices for detecting hypopnoeas. *Eur Respir J* 11:179-182, 1998); it is
    scaled to the breath's size (times its typical period, 4 s) and a movement disturbs it
    far less than it disturbs a chest sensor.
    """
    if var.channel == "belt":
        return chest, 2.0 * artefact
    flow = np.gradient(chest) * fs * 4.0 / (2.0 * math.pi)
    alpha = 1.0 / (1.0 + var.airflow_tau_s * fs)
    out = np.empty_like(flow)
    level = 0.0
    for k, value in enumerate(flow):
        level += alpha * (value - level)
        out[k] = level
    return out, 0.2 * artefact


def _geometry(
    radar: RadarPosition, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Range (m) and azimuth (degrees, positive to the radar's right) of chest positions."""
    (rx, ry), (fx, fy) = _RADAR_POSE[radar]
    vx, vy = x - rx, y - ry
    ahead = vx * fx + vy * fy
    right = vx * fy - vy * fx
    return np.hypot(vx, vy), np.degrees(np.arctan2(right, ahead))


class BedroomSimulator:
    """One simulated night: ground truth plus the frames a radar would produce.

    >>> sim = BedroomSimulator(SimulatorConfig(seed=3))
    >>> frames = sim.frames()   # iterator of VitalsFrame, deterministic for the seed
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        """Draw the night (cheap: about 0.2 s for a 10-hour scene)."""
        self.config = config = config or SimulatorConfig()
        rng = np.random.default_rng(config.seed)
        extra = np.random.default_rng([config.seed, 1])  # scenario options only
        user_acts, marks, trip = _user_schedule(rng, config)
        lead = 0
        if config.partner and config.partner_first:
            lead = _minutes_to_epochs(extra.uniform(15.0, 60.0))
            user_acts = [ABSENT] * lead + user_acts
            marks = {key: value + lead for key, value in marks.items()}
            trip = None if trip is None else (trip[0] + lead, trip[1] + lead)
        n_epochs = marks["exit"] + _minutes_to_epochs(45.0)

        partner_acts: list[int] | None = None
        if config.partner:
            p_enter = int(np.clip(marks["enter"] + rng.integers(-80, 60), 0, marks["exit"] - 120))
            p_leave = int(marks["exit"] + rng.integers(-80, 100))
            if config.partner_first:
                p_enter = marks["enter"] - lead
            if config.partner_stays:
                p_leave = marks["exit"] + _minutes_to_epochs(extra.uniform(20.0, 90.0))
            p_leave = max(p_leave, p_enter + 180)
            n_epochs = max(n_epochs, p_leave + _minutes_to_epochs(45.0))
            partner_acts = [ABSENT] * p_enter + _partner_schedule(rng, p_enter, p_leave)
        pet_acts: list[int] | None = None
        if config.pet:
            start = int(rng.integers(marks["intent"], marks["final_wake"] - 60))
            length = _minutes_to_epochs(rng.uniform(40.0, 180.0))
            if config.pet_takes_spot and trip is not None:
                start = trip[0] - _minutes_to_epochs(extra.uniform(5.0, 30.0))
                length = trip[1] + _minutes_to_epochs(extra.uniform(10.0, 60.0)) - start
            pet_acts = [ABSENT] * start + [int(Activity.N2)] * length

        def padded(acts: list[int]) -> NDArray[np.int8]:
            arr = np.full(n_epochs, ABSENT, dtype=np.int8)
            arr[: min(len(acts), n_epochs)] = acts[:n_epochs]
            return arr

        self.truth = GroundTruth(
            n_epochs=n_epochs,
            user=PersonTruth("user", USER_ID, padded(user_acts)),
            partner=PersonTruth("partner", PARTNER_ID, padded(partner_acts))
            if partner_acts is not None
            else None,
            pet=PersonTruth("pet", PET_ID, padded(pet_acts)) if pet_acts is not None else None,
            bed_enter_s=marks["enter"] * EPOCH_SECONDS,
            intent_s=marks["intent"] * EPOCH_SECONDS,
            sleep_onset_s=marks["onset"] * EPOCH_SECONDS,
            final_wake_s=marks["final_wake"] * EPOCH_SECONDS,
            bed_exit_s=marks["exit"] * EPOCH_SECONDS,
            bathroom_trip_s=(trip[0] * EPOCH_SECONDS, trip[1] * EPOCH_SECONDS) if trip else None,
        )
        other_side: BedSide = "right" if config.user_side == "left" else "left"
        partner_moves, pet_moves = self._moves(extra, marks["enter"], trip)
        self._signals: list[tuple[int, _Signals]] = [
            (USER_ID, self._person(rng, self.truth.user.activity, config.user_side, False)),
        ]
        if self.truth.partner is not None:
            self._signals.append(
                (
                    PARTNER_ID,
                    self._person(
                        rng,
                        self.truth.partner.activity,
                        other_side,
                        False,
                        moves=partner_moves,
                        extra=extra,
                    ),
                )
            )
        if self.truth.pet is not None:
            self._signals.append(
                (
                    PET_ID,
                    self._person(
                        rng, self.truth.pet.activity, None, True, moves=pet_moves, extra=extra
                    ),
                )
            )
        if config.single_target:
            _report_nearest(self._signals)
        elif config.device_ids == "reused":
            _reuse_ids(self._signals)

    def _moves(
        self, extra: np.random.Generator, enter: int, trip: tuple[int, int] | None
    ) -> tuple[list[_Move], list[_Move]]:
        """The partner's and the pet's moves into the user's place while the user is away."""
        config, truth = self.config, self.truth
        fs = config.frame_rate_hz
        per_epoch = round(EPOCH_SECONDS * fs)
        user_x = _home_x(config.user_side)
        toward_middle = 1.0 if config.user_side == "left" else -1.0
        partner_moves: list[_Move] = []
        if truth.partner is not None and config.partner_moves_over:
            for first, stop in _away_runs(truth.user.activity, truth.partner.activity, enter):
                k0 = first * per_epoch + round(float(extra.uniform(30.0, 180.0)) * fs)
                k1 = stop * per_epoch + round(float(extra.uniform(2.0, 10.0)) * fs)
                x = user_x + toward_middle * float(extra.uniform(0.15, 0.30))
                if k0 < stop * per_epoch:
                    partner_moves.append(_Move(k0, k1, x, _CHEST_Y))
        pet_moves: list[_Move] = []
        if truth.pet is not None and config.pet_takes_spot and trip is not None:
            k0 = trip[0] * per_epoch + round(float(extra.uniform(20.0, 120.0)) * fs)
            x = user_x + float(extra.normal(0.0, 0.03))
            pet_moves.append(_Move(k0, trip[1] * per_epoch, x, _CHEST_Y + 0.05))
        return partner_moves, pet_moves

    def owner(self, frame_index: int, target_id: int) -> int | None:
        """Whose body a target of frame ``frame_index`` is (:data:`USER_ID`, ...), or ``None``."""
        for person_id, sig in self._signals:
            if not sig.present[frame_index]:
                continue
            device_id = person_id if sig.device_id is None else int(sig.device_id[frame_index])
            if device_id == target_id:
                return person_id
        return None

    @property
    def n_frames(self) -> int:
        """Number of frames in the scene."""
        return round(self.truth.duration_s * self.config.frame_rate_hz)

    def _person(
        self,
        rng: np.random.Generator,
        activity: NDArray[np.int8],
        side: BedSide | None,
        pet: bool,
        *,
        moves: list[_Move] | None = None,
        extra: np.random.Generator | None = None,
    ) -> _Signals:
        """Synthesize one person's (or the pet's) chest displacement and radar view.

        ``moves`` (drawn from ``extra``) take the body elsewhere for a while: it rolls over in
        3-6 s (a gross movement), stays, and rolls back.
        """
        fs = self.config.frame_rate_hz
        n = self.n_frames
        per_epoch = round(EPOCH_SECONDS * fs)
        rate_mu, rate_sd = PET_RATE_BPM if pet else RESTING_RATE_BPM
        depth_mu, depth_sd = PET_DEPTH_MM if pet else CHEST_DEPTH_MM
        rate0 = float(np.clip(rng.normal(rate_mu, rate_sd), 9.0, 35.0))
        depth0 = float(np.clip(rng.normal(depth_mu, depth_sd), 0.5, 12.0))
        var = self.config.variation
        body = PhysiologyVariation() if pet else var
        if body.resting_rate_bpm is not None:
            rate0 = body.resting_rate_bpm
        if body.chest_depth_mm is not None:
            depth0 = body.chest_depth_mm
        table = body.table()
        duration = n / fs

        # Breath by breath: durations and depths with AR(1)-correlated irregularity.
        onsets: list[float] = []
        periods: list[float] = []
        depths: list[float] = []
        insps: list[float] = []
        vocal = _Vocal()
        t, e_rate, e_depth = 0.0, 0.0, 0.0
        sigh_pause = 0.0
        while t < duration:
            ep = min(int(t // EPOCH_SECONDS), len(activity) - 1)
            act = int(activity[ep])
            phys = table[Activity(act if act != ABSENT else Activity.WAKE)]
            e_rate = 0.5 * e_rate + 0.866 * rng.standard_normal()
            e_depth = 0.6 * e_depth + 0.8 * rng.standard_normal()
            period = 60.0 / (rate0 * phys.rate_factor) * math.exp(phys.rate_cv * e_rate)
            depth = depth0 * phys.depth_factor * math.exp(phys.depth_cv * e_depth)
            if sigh_pause > 0.0:
                onsets.append(t)
                periods.append(sigh_pause)
                depths.append(0.0)
                insps.append(0.4)
                t += sigh_pause
                sigh_pause = 0.0
                continue
            if rng.random() < phys.sighs_per_hour * period / 3600.0:
                depth *= 2.2
                period *= 1.5
                sigh_pause = float(rng.uniform(3.0, 8.0))
            insp = 0.4
            if phys.vocal_per_hour > 0.0:
                period, depth, insp = _vocal_breath(
                    rng, phys, vocal, t=t, period=period, depth=depth
                )
            onsets.append(t)
            periods.append(period)
            depths.append(depth)
            insps.append(insp)
            t += period
        on = np.asarray(onsets)
        per = np.asarray(periods)
        dep = np.asarray(depths)
        ts = np.arange(n) / fs
        idx = np.searchsorted(on, ts, side="right") - 1
        phase = (ts - on[idx]) / per[idx]
        # Inspiration takes 40 % of a breath; less in speech (only nights with remarks).
        ti: float | NDArray[np.float64] = 0.4
        if any(i != 0.4 for i in insps):
            ti = np.asarray(insps)[idx]
        shape = np.where(
            phase < ti,
            (1.0 - np.cos(np.pi * phase / ti)) / 2.0,
            (1.0 + np.cos(np.pi * (phase - ti) / (1.0 - ti))) / 2.0,
        )
        chest = dep[idx] * shape
        for start_s, length_s, drop, _ in vocal.laughs:
            # Filippelli et al. 2001: expiratory efforts at about 4.6 Hz, lung volume falls
            # well below its resting level and recovers with the next breaths.
            k0, k1 = round(start_s * fs), min(round((start_s + length_s) * fs), n)
            u = np.arange(k1 - k0) / max(k1 - k0, 1)
            pulses = 0.5 + 0.5 * np.cos(2 * np.pi * 4.6 * np.arange(k1 - k0) / fs)
            chest[k0:k1] -= drop * np.sin(np.pi * u) ** 0.5 * (0.8 + 0.2 * pulses)

        # Body movements, posture changes (position and radar gain) and their artefacts.
        movement = np.zeros(n)
        artefact = np.zeros(n)
        x0 = 0.8 if side is None else (0.4 if side == "left" else _BED_WIDTH - 0.4)
        y0 = 1.55 if pet else _CHEST_Y
        pos_x = np.full(n, x0)
        pos_y = np.full(n, y0)
        gain = np.ones(n)
        cur_x, cur_y, cur_gain = x0, y0, float(rng.uniform(0.7, 1.1))
        last_change = 0
        for ep, act in enumerate(activity):
            if act == ABSENT:
                continue
            phys = table[Activity(int(act))]
            gross_rate = 6.0 if pet else phys.gross_movements_per_hour
            n_gross = rng.poisson(gross_rate * EPOCH_SECONDS / 3600.0)
            n_twitch = rng.poisson(phys.twitches_per_hour * EPOCH_SECONDS / 3600.0)
            base = ep * per_epoch
            for _ in range(int(n_gross)):
                start = base + int(rng.integers(0, per_epoch))
                length = int(np.clip(rng.lognormal(math.log(4.0), 0.6), 1.0, 20.0) * fs)
                stop = min(start + length, n)
                energy = float(rng.uniform(0.35, 1.0))
                movement[start:stop] = np.maximum(movement[start:stop], energy)
                k = np.arange(stop - start) / fs
                freqs = rng.uniform(0.2, 1.5, size=3)
                amp = energy * float(rng.uniform(3.0, 15.0))
                wobble = sum(np.sin(2 * np.pi * f * k + rng.uniform(0, 6.3)) for f in freqs)
                artefact[start:stop] += amp * wobble / 3.0
                # A posture change: the chest moves a few cm and the radar's view of it changes.
                pos_x[last_change:start] = cur_x
                pos_y[last_change:start] = cur_y
                gain[last_change:start] = cur_gain
                last_change = start
                cur_x = float(np.clip(cur_x + rng.normal(0.0, 0.04), x0 - 0.15, x0 + 0.15))
                cur_y = float(np.clip(cur_y + rng.normal(0.0, 0.03), y0 - 0.1, y0 + 0.1))
                cur_gain = float(np.clip(cur_gain * rng.uniform(0.7, 1.4), 0.4, 1.3))
            for _ in range(int(n_twitch)):
                start = base + int(rng.integers(0, per_epoch))
                stop = min(start + int(rng.uniform(0.3, 1.0) * fs), n)
                energy = float(rng.uniform(0.05, 0.2))
                movement[start:stop] = np.maximum(movement[start:stop], energy)
                artefact[start:stop] += rng.normal(0.0, 0.4)
            if phys.fidgets_per_hour > 0.0:
                n_fidget = rng.poisson(phys.fidgets_per_hour * EPOCH_SECONDS / 3600.0)
                for _ in range(int(n_fidget)):
                    # Hands and arms in front of the chest: a couple of seconds of small,
                    # quick (0.5-3 Hz) motion, seen as low movement energy.
                    start = base + int(rng.integers(0, per_epoch))
                    length = int(np.clip(rng.lognormal(math.log(2.0), 0.5), 0.5, 8.0) * fs)
                    stop = min(start + length, n)
                    energy = float(rng.uniform(0.12, 0.35))
                    movement[start:stop] = np.maximum(movement[start:stop], energy)
                    k = np.arange(stop - start) / fs
                    amp = energy * float(rng.uniform(2.0, 6.0))
                    freq, phase0 = float(rng.uniform(0.5, 3.0)), float(rng.uniform(0.0, 6.3))
                    artefact[start:stop] += amp * np.sin(2 * np.pi * freq * k + phase0)
        pos_x[last_change:] = cur_x
        pos_y[last_change:] = cur_y
        gain[last_change:] = cur_gain
        for start_s, length_s, _, energy in vocal.laughs:
            k0, k1 = round(start_s * fs), min(round((start_s + length_s) * fs), n)
            movement[k0:k1] = np.maximum(movement[k0:k1], energy)  # shoulders and belly shake
        raised: NDArray[np.float64] | None = None
        if any(Activity(int(a)) in POSTURE for a in np.unique(activity) if a != ABSENT):
            raised, view = _postures(
                rng, activity, per_epoch, n, movement=movement, artefact=artefact
            )
            gain = gain * view
        rolling = np.zeros(n, dtype=np.bool_)
        for move in moves or ():
            assert extra is not None
            length = round(float(extra.uniform(3.0, 6.0)) * fs)
            weight = np.zeros(n)
            stop_in = min(move.start + length, n)
            weight[move.start : stop_in] = np.linspace(0.0, 1.0, length)[: stop_in - move.start]
            weight[stop_in : move.stop] = 1.0
            stop_out = min(move.stop + length, n)
            if move.stop < n:
                weight[move.stop : stop_out] = np.linspace(1.0, 0.0, length)[: stop_out - move.stop]
            pos_x += weight * (move.x - pos_x)
            pos_y += weight * (move.y - pos_y)
            for a, b in ((move.start, stop_in), (move.stop, stop_out)):
                if a >= b:
                    continue
                energy = float(extra.uniform(0.6, 1.0))
                movement[a:b] = np.maximum(movement[a:b], energy)
                k = np.arange(b - a) / fs
                artefact[a:b] += energy * 8.0 * np.sin(2 * np.pi * 0.7 * k)
                rolling[a:b] = True

        distance, angle = _geometry(self.config.radar_position, pos_x, pos_y)
        if raised is not None:
            distance = np.hypot(distance, raised)  # propped up: the chest is above the radar
        distance = distance + rng.normal(0.0, 0.01, size=n)
        angle = angle + rng.normal(0.0, 1.0, size=n)
        noise_sd = self.config.noise_mm * var.noise_scale * np.maximum(distance, 0.3) ** 2
        drift = np.cumsum(rng.normal(0.0, var.drift_mm, size=n))
        if var.channel != "radar":
            chest, artefact = _contact_channel(var, chest, artefact, fs)
            noise_sd = np.full(n, self.config.noise_mm * var.noise_scale)
        displacement = gain * chest + artefact + drift + rng.normal(0.0, 1.0, size=n) * noise_sd
        snr_quality = (gain * depth0) / (gain * depth0 + 4.0 * noise_sd)
        if var.sensor_gain != 1.0:
            displacement = displacement * var.sensor_gain
        if var.movement_gain != 1.0:
            movement = np.clip(movement * var.movement_gain, 0.0, 1.0)
        quality = np.clip(snr_quality * (1.0 - movement), 0.0, 1.0)

        present_epochs = activity != ABSENT
        detected = (distance <= _MAX_RANGE_M) & (np.abs(angle) <= _HALF_FOV_DEG)
        present = np.repeat(present_epochs, per_epoch)[:n] & detected
        if self.config.device_ids == "reused" and not self.config.single_target:
            present &= ~rolling  # the device loses a body while it rolls over
        return _Signals(present, displacement, movement, quality, distance, angle)

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[VitalsFrame]:
        """Yield the scene's frames ``start`` .. ``stop`` (indices), at ``frame_rate_hz``.

        The signals become Python numbers a block of :data:`FRAMES_PER_BLOCK` frames at a time,
        so that a night's frames never exist as Python objects all at once.
        """
        stop = self.n_frames if stop is None else min(stop, self.n_frames)
        for block in range(start, stop, FRAMES_PER_BLOCK):
            yield from self._block_frames(block, min(block + FRAMES_PER_BLOCK, stop))

    def _block_frames(self, start: int, stop: int) -> Iterator[VitalsFrame]:
        """The frames ``start`` .. ``stop``, from the signals' values rounded as a radar reports."""
        fs = self.config.frame_rate_hz
        single = self.config.single_antenna
        window = slice(start, stop)
        people = []
        for target_id, sig in self._signals:
            lists: dict[str, list[Any]] = {
                "d": np.round(sig.displacement[window], 4).tolist(),
                "m": np.round(sig.movement[window], 3).tolist(),
                "q": np.round(sig.quality[window], 3).tolist(),
                "r": np.round(sig.distance[window], 3).tolist(),
                "a": np.round(sig.angle[window], 1).tolist(),
                "p": sig.present[window].tolist(),
            }
            if sig.device_id is not None:
                lists["id"] = sig.device_id[window].tolist()
            people.append((target_id, lists["p"], lists))
        for j in range(stop - start):
            targets = tuple(
                TargetVitals(
                    target_id=int(lists["id"][j]) if "id" in lists else target_id,
                    distance_m=lists["r"][j],
                    angle_deg=None if single else lists["a"][j],
                    respiration_mm=(lists["d"][j],),
                    respiration_rate_hz=fs,
                    movement=lists["m"][j],
                    signal_quality=lists["q"][j],
                )
                for target_id, present, lists in people
                if present[j]
            )
            yield VitalsFrame(t=(start + j) / fs, targets=targets)
