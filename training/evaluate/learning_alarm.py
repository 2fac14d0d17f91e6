"""Whether the smart alarm learns each user's preferred moment from their implicit feedback.

    .venv/bin/python -m training.evaluate.learning_alarm [--quick] [--users 16]
        [--mornings 200]

Simulated users with differing preferences live 14 mornings each with the smart alarm, which
learns from what they do (snoozes, how long until they leave the bed, dismissing it before it
rings: :mod:`custom_components.radar_sleep.alarm_core.learning`); then the policy with what it
learned is run over held-out mornings and its mean trigger compared with the shipped policy's
and with each user's preference.

**Mornings.** A sleep period sampled from the shipped hypnogram model
(:func:`~custom_components.radar_sleep.simulation.hypnogram.sample_sleep_period`, the
simulator's own, fitted to expert-scored nights), followed by wake; the set time on an epoch
in its last two hours and a 30-min window before it, as :mod:`training.evaluate.alarm` places
them. The stage network is stood in for by a noisy classifier of the true stage (logits
``STAGE_SIGNAL * onehot(true) + AR(1) noise``, 83 % epoch accuracy), followed, as in the
runtime, by the shipped sequence step (a forward filter over the night; 90 % epoch accuracy
after it, printed): the updates carry both, as the pipeline's do, since the smart alarm's
light-sleep moments read both; the
movement fraction is 0.5 in wake epochs and 0.02 in sleep (so waking up is a wakeable event),
and the breathing rate is steady: running the trained network over fully simulated radar
nights takes about 30 s per night per core, and what is measured here is the learning, not the
staging. A trigger on the update of epoch ``i`` wakes the user at the start of epoch ``i + 1``,
whose true stage the user model sees; without a trigger the alarm rings at the set time.

**Users** (:data:`USERS`), each defined by a *preferred lead* ``o*`` (minutes before the set
time they like to be woken at the earliest light sleep) and a behaviour consistent with it:

* ``snoozer`` (``o* = 5``): woken more than 3 min earlier than ``o*`` they snooze (9 min, once
  per 9 min too early, at least once); otherwise up in 1 min from light sleep, 4 min from
  another stage;
* ``riser`` (``o* = 30``, the whole window): up in half a minute whenever woken in light sleep,
  12 min from deep or REM sleep; awake in bed for two epochs in a row inside the window before
  the alarm rang, they get up and dismiss it;
* ``neutral`` (no preference): up after 3 min whenever and however woken; snoozes 10 % of the
  mornings at random.

**Preference, precisely.** The policy moves its trigger only through the learned patience
factor, so a user's *preferred trigger* is the closest the policy can come to ``o*``: among
the factors ``exp(k)``, ``k`` in ``-3, -2.75, ..., 3`` (the learning's bound), the one whose
mean trigger over the held-out mornings (minutes before the set time) is closest to ``o*``;
the preferred trigger is that mean. For the neutral user it is the shipped policy's (factor 1):
their behaviour does not depend on when or in which stage they are woken.

**Figures.** ``alarm_learning.fraction_of_way``: for each user with a preference,
``(learned - shipped) / (preferred - shipped)`` of the mean trigger (minutes before the set
time over the held-out mornings; ``learned`` averaged over ``--users`` simulated users of the
kind, each with their own 14 mornings), the smallest over the users (goal >= 0.5).
``alarm_learning.after_set_time``: triggers at or after the set time over every morning run
(the learning mornings, the grid and the held-out ones; must be 0). ``alarm_learning.<user>.*``:
the shipped, preferred and learned mean triggers, the learned factor (mean), the fraction of
the way, and the signals seen in the 14 mornings. The neutral user's
``alarm_learning.neutral.shift_min`` (learned minus shipped) says how far noise alone moves it.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import json
import math
import sys
import time

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.alarm_core.learning import (
    BOUND,
    AlarmLearning,
    Signal,
)
from custom_components.radar_sleep.alarm_core.policy import SmartAlarmPolicy
from custom_components.radar_sleep.contracts import (
    EPOCH_SECONDS,
    SessionState,
    SleepUpdate,
    Stage,
)
from custom_components.radar_sleep.simulation.hypnogram import (
    load_default_model,
    sample_sleep_period,
    to_four_class,
)
from custom_components.radar_sleep.sleep.staging.sequence import (
    ForwardFilter,
    load_sequence_params,
)

ORIGIN = datetime(2026, 1, 1, 22, 0, tzinfo=UTC)
PER_MIN = 60 // EPOCH_SECONDS
WINDOW_MIN = 30
SPREAD_MIN = 120
NIGHTS = 14
SNOOZE_MIN = 9.0
STAGE_SIGNAL = 2.2
NOISE_SD = 1.1
NOISE_AR = 0.6
GRID = tuple(round(float(k), 2) for k in np.arange(-BOUND, BOUND + 1e-9, 0.25))
HELD_OUT_SEED = 900_000
LEARNING_SEED = 100_000


@dataclass(frozen=True, slots=True)
class Morning:
    """One simulated alarm morning: the true stages and the policy's inputs."""

    stages: NDArray[np.int8]
    """True stage of every epoch of the window and the set time's epoch (``W + 1``)."""
    updates: list[SleepUpdate]
    """The update of every epoch completing inside the window (``W``)."""
    window_start: float
    deadline: float


def stand_in_probabilities(
    truth: NDArray[np.int8], rng: np.random.Generator
) -> NDArray[np.float64]:
    """A noisy classifier of the true stage (see the module docstring)."""
    n = len(truth)
    noise = np.empty((n, 4))
    noise[0] = rng.normal(0, NOISE_SD, 4)
    shock = math.sqrt(1 - NOISE_AR**2)
    for i in range(1, n):
        noise[i] = NOISE_AR * noise[i - 1] + shock * rng.normal(0, NOISE_SD, 4)
    logits = noise + STAGE_SIGNAL * np.eye(4)[truth]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def sequence_step(own: NDArray[np.float64]) -> NDArray[np.float64]:
    """The stand-in's probabilities through the shipped stage model's sequence step.

    The forward filter of :mod:`~custom_components.radar_sleep.sleep.staging.sequence`, over
    the whole night from its first epoch, as the runtime runs it over the network's.
    """
    step = ForwardFilter(load_sequence_params())
    return np.array([step.step(p) for p in own])


def make_morning(seed: int) -> Morning:
    """A morning of ``seed`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    spt = to_four_class(sample_sleep_period(rng, load_default_model()))
    night = np.concatenate([spt, np.zeros(20, dtype=np.int8)])  # the final wake after it
    end = len(spt)  # the first epoch of the final wake
    w = WINDOW_MIN * PER_MIN
    lo = max(end - SPREAD_MIN * PER_MIN, w + 1)
    deadline = int(rng.integers(lo, end + 1))
    start = deadline - w
    own = stand_in_probabilities(night, rng)
    probs = sequence_step(own)
    updates = []
    for i in range(start - 1, deadline - 1):
        end_t = float((i + 1) * EPOCH_SECONDS)
        p = tuple(round(float(v), 4) for v in probs[i])
        q = tuple(round(float(v), 4) for v in own[i])
        updates.append(
            SleepUpdate(
                t=end_t,
                time=ORIGIN + timedelta(seconds=end_t),
                present=True,
                presence_confidence=1.0,
                in_bed=True,
                session_state=SessionState.ACTIVE,
                trying_to_sleep=True,
                intent_score=None,
                stage=Stage(int(np.argmax(probs[i]))),
                stage_probabilities=p,  # type: ignore[arg-type]
                network_probabilities=q,  # type: ignore[arg-type]
                breathing_rate_bpm=15.0,
                primary_user_confidence=None,
                epoch_index=i,
                movement=0.5 if night[i] == Stage.WAKE else 0.02,
            )
        )
    t0 = ORIGIN.timestamp()
    return Morning(
        stages=night[start - 1 : deadline + 1],
        updates=updates,
        window_start=t0 + start * EPOCH_SECONDS,
        deadline=t0 + deadline * EPOCH_SECONDS,
    )


@dataclass(frozen=True, slots=True)
class Ring:
    """Where the policy woke the user in a morning."""

    offset_min: float
    """Minutes before the set time (0: the set time rang)."""
    stage: int
    """True stage woken from."""
    early: bool
    late: bool
    """Triggered at or after the set time (must never happen)."""
    self_woke_at: float | None = None
    """Minutes before the set time the user got up by themselves before it rang."""


type SelfWake = Callable[[NDArray[np.int8]], bool]


def run_morning(
    policy: SmartAlarmPolicy, morning: Morning, self_wake: SelfWake | None = None
) -> Ring:
    """The policy over the morning's window (the user may get up before it rings)."""
    policy.start_window(morning.window_start, morning.deadline)
    for k, update in enumerate(morning.updates):
        # ``stages[k]`` is the epoch of update ``k``; ``stages[k + 1]`` the next one.
        if self_wake is not None and self_wake(morning.stages[: k + 1]):
            offset = (morning.deadline - update.time.timestamp()) / 60
            return Ring(0.0, int(morning.stages[k]), False, False, self_woke_at=offset)
        decision = policy.observe(update)
        if decision.trigger:
            ts = update.time.timestamp()
            return Ring(
                (morning.deadline - ts) / 60,
                int(morning.stages[k + 1]),
                True,
                ts >= morning.deadline,
            )
    return Ring(0.0, int(morning.stages[-1]), False, False)


@dataclass(frozen=True, slots=True)
class UserModel:
    """A simulated user: their preference and how they react to the alarm."""

    name: str
    preferred_lead_min: float | None
    respond: Callable[[Ring, np.random.Generator], tuple[int, float]]
    """(snoozes, minutes from the first ring to out of bed)."""
    self_wake: SelfWake | None = None


def _snoozer(ring: Ring, rng: np.random.Generator) -> tuple[int, float]:
    too_early = ring.offset_min - (5.0 + 3.0)
    if too_early > 0:
        snoozes = max(1, math.ceil(too_early / SNOOZE_MIN))
        return snoozes, snoozes * SNOOZE_MIN + 1.0
    return 0, 1.0 if ring.stage == Stage.LIGHT else 4.0


def _riser(ring: Ring, rng: np.random.Generator) -> tuple[int, float]:
    return 0, 0.5 if ring.stage == Stage.LIGHT else 12.0


def _riser_wakes(stages: NDArray[np.int8]) -> bool:
    return len(stages) >= 2 and bool(np.all(stages[-2:] == Stage.WAKE))


def _neutral(ring: Ring, rng: np.random.Generator) -> tuple[int, float]:
    snoozes = int(rng.random() < 0.1)
    return snoozes, snoozes * SNOOZE_MIN + 3.0


USERS = (
    UserModel("snoozer", 5.0, _snoozer),
    UserModel("riser", float(WINDOW_MIN), _riser, _riser_wakes),
    UserModel("neutral", None, _neutral),
)


def live(
    user: UserModel, mornings: list[Morning], rng: np.random.Generator, policy: SmartAlarmPolicy
) -> tuple[AlarmLearning, list[Ring], Counter[str]]:
    """``user`` lives ``mornings`` with a learning alarm.

    Fed to the learning as the Home Assistant alarm records them: the ring, the snoozes, the
    dismissal and the first epoch out of bed.
    """
    learning = AlarmLearning()
    rings: list[Ring] = []
    signals: Counter[str] = Counter()
    for morning in mornings:
        policy.set_patience(learning.factor, learning.because())
        ring = run_morning(policy, morning, user.self_wake)
        rings.append(ring)
        dl = morning.deadline
        if ring.self_woke_at is not None:
            lesson = learning.on_dismiss(
                dl, dl - 60 * ring.self_woke_at, by="user", before_ring=True
            )
        else:
            rang = dl - 60 * ring.offset_min
            learning.on_ring(dl, rang, early=ring.early)
            snoozes, get_up = user.respond(ring, rng)
            for _ in range(snoozes):
                learning.on_snooze()
            up = rang + 60 * get_up
            learning.on_dismiss(dl, up - 15, by="user", before_ring=False)
            # the first epoch out of bed ends on the next epoch boundary
            lesson = learning.on_epoch(
                up + EPOCH_SECONDS - (up - rang) % EPOCH_SECONDS, in_bed=False
            )
        signals[lesson.signal.value if lesson else Signal.NONE.value] += 1
    return learning, rings, signals


def mean_trigger(
    policy: SmartAlarmPolicy, mornings: list[Morning], factor: float
) -> tuple[float, int]:
    """Mean minutes before the set time the policy with ``factor`` rings; triggers past it."""
    policy.set_patience(factor)
    rings = [run_morning(policy, m) for m in mornings]
    return float(np.mean([r.offset_min for r in rings])), sum(r.late for r in rings)


def stand_in_accuracy(mornings: list[Morning]) -> float:
    """Epoch accuracy of the stand-in stage model over the mornings' windows."""
    hits = total = 0
    for m in mornings:
        for k, u in enumerate(m.updates):
            hits += int(u.stage == m.stages[k])
            total += 1
    return hits / total if total else float("nan")


def measure(quick: bool = False, jobs: int = 2) -> dict[str, float | int]:
    """Every figure (``quick``: a few users and mornings, seconds).

    ``jobs`` is unused: the whole measure takes well under a minute in one process.
    """
    del jobs
    n_users, n_held = (2, 30) if quick else (16, 200)
    return _measure(n_users, n_held)


def _measure(n_users: int, n_held: int) -> dict[str, float | int]:
    held = [make_morning(HELD_OUT_SEED + i) for i in range(n_held)]
    policy = SmartAlarmPolicy()
    shipped, late = mean_trigger(policy, held, 1.0)
    grid: dict[float, float] = {}
    for k in GRID:
        grid[k], bad = mean_trigger(policy, held, math.exp(k))
        late += bad
    out: dict[str, float | int] = {
        "alarm_learning.shipped_mean_trigger_min": round(shipped, 2),
        "alarm_learning.stand_in_stage_accuracy": round(stand_in_accuracy(held), 3),
        "alarm_learning.held_out_mornings": n_held,
        "alarm_learning.users_per_kind": n_users,
        "alarm_learning.nights": NIGHTS,
    }
    fractions = []
    for u_index, user in enumerate(USERS):
        if user.preferred_lead_min is None:
            preferred = shipped
            best_k = 0.0
        else:
            target = user.preferred_lead_min
            best_k = min(GRID, key=lambda k: (abs(grid[k] - target), abs(k)))
            preferred = grid[best_k]
        learned_means, kappas = [], []
        signals: Counter[str] = Counter()
        for r in range(n_users):
            base = LEARNING_SEED + 10_000 * u_index + 100 * r
            mornings = [make_morning(base + i) for i in range(NIGHTS)]
            rng = np.random.default_rng(base)
            learning, rings, seen = live(user, mornings, rng, policy)
            late += sum(x.late for x in rings)
            signals.update(seen)
            kappas.append(learning.kappa)
            mean, bad = mean_trigger(policy, held, learning.factor)
            learned_means.append(mean)
            late += bad
        learned = float(np.mean(learned_means))
        key = f"alarm_learning.{user.name}"
        out[f"{key}.preferred_lead_min"] = (
            user.preferred_lead_min if user.preferred_lead_min is not None else -1
        )
        out[f"{key}.preferred_trigger_min"] = round(preferred, 2)
        out[f"{key}.preferred_patience"] = round(math.exp(best_k), 3)
        out[f"{key}.learned_trigger_min"] = round(learned, 2)
        out[f"{key}.learned_patience_mean"] = round(float(np.mean(np.exp(kappas))), 3)
        for s in Signal:
            out[f"{key}.signals_{s.value}"] = signals.get(s.value, 0)
        if user.preferred_lead_min is None:
            out[f"{key}.shift_min"] = round(learned - shipped, 2)
            continue
        way = preferred - shipped
        fraction = (learned - shipped) / way if abs(way) > 1e-9 else 1.0
        per_user = [(m - shipped) / way if abs(way) > 1e-9 else 1.0 for m in learned_means]
        out[f"{key}.fraction_of_way"] = round(fraction, 3)
        out[f"{key}.fraction_of_way_worst_user"] = round(min(per_user), 3)
        fractions.append(fraction)
    out["alarm_learning.fraction_of_way"] = round(min(fractions), 3)
    out["alarm_learning.after_set_time"] = late
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the figures, the last line one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--users", type=int, help="simulated users of each kind")
    parser.add_argument("--mornings", type=int, help="held-out mornings")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.users or args.mornings:
        quick_users, quick_held = (2, 30) if args.quick else (16, 200)
        figures = _measure(args.users or quick_users, args.mornings or quick_held)
    else:
        figures = measure(quick=args.quick)
    figures["alarm_learning.seconds"] = round(time.monotonic() - started, 1)
    for key, value in figures.items():
        print(f"{key:55s} {value}", file=sys.stderr)
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
