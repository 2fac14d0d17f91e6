"""The smart alarm's policy over many held-out simulated nights.

    .venv/bin/python -m training.evaluate alarm [--nights 500] [--first-seed 20000]
        [--seeds 20000-20139,40000-40359] [--window 30] [--spread 120] [--jobs 2]
        [--cached-only] [--params FILE] [--adapted N]

With ``--adapted N`` each night is staged as by a tracker whose stage model adapted to, and
tuned on, the ``N`` nights before it at the same frame rate (:func:`adapted_on`): the smart
alarm as a user sees it after their first nights.

Nights are those of :mod:`training.datasets` (the runtime pipeline's own epoch features
with the simulator's ground truth), seeds ``first_seed .. first_seed + nights - 1`` (default
the validation seeds 20000 and up), or the ranges of ``--seeds``; the smart-alarm
evaluation's seeds are 20000 and up and 40000 and up (``training/README.md``), never used to
fit the policy (:mod:`training.fit.alarm` uses the training seeds 10000-10099) nor the stage
model. Missing nights are simulated and cached (slow: about 30 s each per core);
``--cached-only`` skips them instead.

Per night:

* the runtime's default stage model (:func:`~custom_components.radar_sleep.sleep.pipeline.
  default_stager`: the trained network of ``sleep/staging/model_files/``, or the baseline HMM
  when chosen) is replayed over the night's epochs exactly as the pipeline steps it
  (``step`` for present epochs, ``skip`` out of bed inside a session, ``reset`` outside one;
  with a lookahead the live update shows the last stage that came out), and a
  :class:`~custom_components.radar_sleep.contracts.SleepUpdate` is built per epoch: stage and
  probabilities, ``movement`` (feature ``movement_fraction``), ``in_bed`` (present and in a
  session) and ``breathing_rate_bpm = 15 * (1 + rate_rel)``: the features hold the rate only
  relative to the night's running median, and the policy's breathing-change test is relative
  to the recent median too, so the constant 15 does not change any decision;
* the set time (deadline) is drawn with the night's own generator (``seed``) on an epoch
  boundary in the last ``--spread`` minutes of the true sleep period, so that the whole
  window lies inside it (the window ends at the latest at the final wake, the last epoch with
  ``intent == 1``, and starts after lights-off);
* the alarm's window opens ``--window`` minutes before the deadline and the policy gets the
  updates of the epochs completing inside it, as the Home Assistant alarm hands them over;
  a trigger on the update of epoch ``i`` (completed at ``30 (i + 1)`` s) wakes the user at the
  start of epoch ``i + 1``, so the *true* stage at waking is that of epoch ``i + 1``; without
  a trigger the alarm rings at the deadline (epoch ``D``).

Figures: % of nights woken in true light sleep among the nights whose window holds at least
one true light epoch (goal >= 95 %), % woken in light sleep over all nights (and in light
sleep or awake), minutes of sleep gained versus waking at the first epoch of the window the
stage model calls light (the naive smart alarm; the deadline if it never does) and versus the
first true light epoch (an oracle), trigger reasons, triggers at or after the set time (must
be 0), deadline rings. Two references for the light-sleep figure: the same nights judged by
the last epoch before the alarm (the epoch the policy acted on) instead of the epoch the user
is woken in, and a *causal oracle* that knows the true stage of every epoch so far but not the
next one (wake at the first epoch truly light for ``r`` epochs, the best ``r`` of 1-10): the
ceiling of a perfect stage model, which :mod:`training.evaluate.ceiling` also measures on the real
expert hypnograms. A readable table first; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import hashlib
import json
from multiprocessing import get_context
from pathlib import Path
import sys
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from custom_components.radar_sleep.alarm_core.policy import (
    AlarmPolicyParams,
    SmartAlarmPolicy,
    TriggerReason,
    default_params,
)
from custom_components.radar_sleep.contracts import (
    EPOCH_SECONDS,
    SessionState,
    SleepUpdate,
    Stage,
)
from custom_components.radar_sleep.simulation.scenarios import (
    ALARM_TRAINING_NIGHTS,
    TRAIN_SEEDS,
    VALID_SEEDS,
    night_config,
)
from custom_components.radar_sleep.sleep.learning.adaptation import StageAdaptation
from custom_components.radar_sleep.sleep.pipeline import default_stager
from custom_components.radar_sleep.sleep.staging.network import MODEL_DIR
from training.datasets import CACHE, Night, nights, parse_seeds
from training.evaluate.ceiling import oracle_ring, runs

ORIGIN = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
"""Source time 0 of every night (as the pipeline's default origin)."""
WAKE_PROBS = np.array([1.0, 0.0, 0.0, 0.0])
BREATHING_SCALE_BPM = 15.0
GOAL_LIGHT_PCT = 95.0
LIGHT = int(Stage.LIGHT)
ORACLE_RUNS = tuple(range(1, 11))


def stage_model_name() -> str:
    """Which stage model :func:`default_stager` gives (for the report)."""
    stager = default_stager()
    name = type(stager).__name__
    model = getattr(stager, "model", None)
    meta = getattr(model, "meta", None)
    if meta is not None:
        name += f" {meta.name} {meta.version} (lookahead {meta.lookahead}"
        weights = MODEL_DIR / f"{meta.name}.npz"
        if weights.exists():
            name += (
                f", {weights.name} sha256 {hashlib.sha256(weights.read_bytes()).hexdigest()[:12]}"
            )
        name += ")"
    return name


def replay_stages(
    night: Night, adaptation: StageAdaptation | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    """Live stage probabilities per epoch, stepping the default stage model as the pipeline.

    Row ``i`` is what the update of epoch ``i`` shows (wake outside presence); with a
    sequence step, also the network's own probabilities behind them (``None`` without one).
    ``adaptation``: what the stage model learned from earlier nights (:func:`adapted_on`).
    """
    stager = default_stager()
    adapt = getattr(stager, "adapt", None)
    if adaptation is not None and adapt is not None:
        adapt(adaptation)
    stager.reset()
    lookahead = stager.lookahead
    last = WAKE_PROBS
    out = np.tile(WAKE_PROBS, (len(night.x), 1))
    own = out.copy()
    with_own = False
    for i in range(len(night.x)):
        probs: NDArray[np.float64] | None
        if night.present[i]:
            probs = stager.step(night.x[i])
        elif night.in_session[i]:
            probs = stager.skip()
        else:
            stager.reset()
            probs = None
        if lookahead > 0 and probs is not None:
            last = probs
        if night.present[i]:
            out[i] = probs if lookahead == 0 and probs is not None else last
            network = getattr(stager, "network_probabilities", None)
            if lookahead == 0 and network is not None:
                own[i], with_own = network, True
    return out, own if with_own else None


def make_updates(
    night: Night, probs: NDArray[np.float64], network: NDArray[np.float64] | None = None
) -> list[SleepUpdate]:
    """The pipeline's live update of every epoch.

    Only the fields the policy reads, rounded as the pipeline rounds them; ``network``: the
    network's own probabilities before its sequence step (:func:`replay_stages`).
    """
    updates = []
    for i in range(len(night.x)):
        end_t = float((i + 1) * EPOCH_SECONDS)
        showing = bool(night.in_session[i])
        present = bool(night.present[i])
        p = tuple(round(float(v), 4) for v in probs[i])
        own = None if network is None else tuple(round(float(v), 4) for v in network[i])
        rate_rel = night.x[i, 4]
        movement = night.x[i, 0]
        updates.append(
            SleepUpdate(
                t=end_t,
                time=ORIGIN + timedelta(seconds=end_t),
                present=present,
                presence_confidence=1.0 if present else 0.0,
                in_bed=showing and present,
                session_state=SessionState.ACTIVE if showing else SessionState.IDLE,
                trying_to_sleep=bool(night.intent[i]),
                intent_score=None,
                stage=Stage(int(np.argmax(probs[i]))) if showing else None,
                stage_probabilities=p if showing else None,  # type: ignore[arg-type]
                breathing_rate_bpm=None
                if not present or np.isnan(rate_rel)
                else round(BREATHING_SCALE_BPM * (1.0 + float(rate_rel)), 1),
                primary_user_confidence=None,
                epoch_index=i,
                network_probabilities=own if showing and present else None,  # type: ignore[arg-type]
                movement=round(float(movement), 3)
                if present and showing and not np.isnan(movement)
                else None,
            )
        )
    return updates


@dataclass(frozen=True, slots=True)
class Window:
    """One alarm: the deadline epoch ``deadline`` and the window's first epoch ``start``."""

    start: int
    deadline: int


def final_wake(night: Night) -> int | None:
    """Index of the epoch after the last ``intent == 1`` epoch (the final wake)."""
    idx = np.nonzero(night.intent == 1)[0]
    return int(idx[-1]) + 1 if len(idx) else None


def draw_window(
    night: Night, rng: np.random.Generator, window_min: float, spread_min: float
) -> Window | None:
    """A deadline in the last ``spread_min`` of the sleep period, window before final wake."""
    end = final_wake(night)
    if end is None:
        return None
    first = int(np.nonzero(night.intent == 1)[0][0])
    per_min = 60 // EPOCH_SECONDS
    w = round(window_min * per_min)
    lo = max(end - round(spread_min * per_min), first + w)
    if lo > end:
        return None
    deadline = int(rng.integers(lo, end + 1))
    return Window(deadline - w, deadline)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one night's alarm."""

    seed: int
    deadline: int
    ring: int
    """Epoch at whose start the user is woken (the deadline epoch for a deadline ring)."""
    reason: str
    true_stage: int
    window_has_light: bool
    naive_ring: int
    """Ring epoch of the naive alarm (first epoch called light; else the deadline)."""
    naive_true_stage: int
    oracle_ring: int
    """First true light epoch of the window (the deadline without one)."""
    acted_stage: int
    """True stage of the epoch whose update triggered (``ring - 1``; deadline epoch - 1 for
    a deadline ring)."""
    late: bool
    """Triggered at or after the set time (a policy bug)."""
    oracle_light: tuple[bool, ...]
    """Causal oracle ceiling: woken in light sleep by the rule "wake at the first epoch of
    the window that has truly been light for ``r`` epochs" (the deadline without one), for
    ``r`` in :data:`ORACLE_RUNS` (``scripts/evaluate ceiling`` on real hypnograms)."""
    explanation: str


def window_times(window: Window) -> tuple[float, float]:
    """The window's start and deadline in POSIX seconds."""
    ws = ORIGIN + timedelta(seconds=window.start * EPOCH_SECONDS)
    dl = ORIGIN + timedelta(seconds=window.deadline * EPOCH_SECONDS)
    return ws.timestamp(), dl.timestamp()


def run_night(
    night: Night,
    updates: list[SleepUpdate],
    window: Window,
    params: AlarmPolicyParams | None = None,
) -> Outcome:
    """Replay the window through a fresh policy."""
    policy = SmartAlarmPolicy(params)
    policy.start_window(*window_times(window))
    dl = ORIGIN + timedelta(seconds=window.deadline * EPOCH_SECONDS)
    ring, reason, late, explanation = window.deadline, TriggerReason.DEADLINE.value, False, ""
    naive: int | None = None
    # Updates completing inside [window start, deadline): epochs start-1 .. deadline-2.
    for i in range(window.start - 1, window.deadline - 1):
        update = updates[i]
        if naive is None and update.in_bed and update.stage is Stage.LIGHT:
            naive = i + 1
        decision = policy.observe(update)
        if decision.trigger:
            late = update.time >= dl
            ring, explanation = i + 1, decision.explanation
            reason = decision.reason.value if decision.reason else "?"
            break
        explanation = decision.explanation
    if naive is None:
        for i in range(window.start - 1, window.deadline - 1):  # after the policy's trigger
            update = updates[i]
            if update.in_bed and update.stage is Stage.LIGHT:
                naive = i + 1
                break
    true = night.stage[window.start : window.deadline]
    light_at = np.nonzero(true == LIGHT)[0]
    naive_ring = window.deadline if naive is None else naive
    truly = night.stage == LIGHT
    run = runs(truly)
    oracle_light = [
        bool(truly[oracle_ring(run, window.start, window.deadline, r)]) for r in ORACLE_RUNS
    ]
    return Outcome(
        seed=night.seed,
        deadline=window.deadline,
        ring=ring,
        reason=reason,
        true_stage=int(night.stage[ring]),
        acted_stage=int(night.stage[ring - 1]),
        window_has_light=bool(len(light_at)),
        naive_ring=naive_ring,
        naive_true_stage=int(night.stage[naive_ring]),
        oracle_ring=window.start + int(light_at[0]) if len(light_at) else window.deadline,
        late=late,
        oracle_light=tuple(oracle_light),
        explanation=explanation,
    )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A night with its live updates and its alarm window."""

    night: Night
    updates: list[SleepUpdate]
    window: Window


def prepare(
    night: Night,
    window_min: float,
    spread_min: float,
    draws: int = 1,
    adaptation: StageAdaptation | None = None,
) -> list[Prepared]:
    """Stage the night and draw ``draws`` alarm windows from its seed.

    ``adaptation``: what the stage model learned from earlier nights, if any.
    """
    rng = np.random.default_rng(night.seed)
    windows = [draw_window(night, rng, window_min, spread_min) for _ in range(draws)]
    if all(w is None for w in windows):
        return []
    updates = make_updates(night, *replay_stages(night, adaptation))
    return [Prepared(night, updates, w) for w in windows if w is not None]


def adapted_on(seeds: tuple[int, ...]) -> StageAdaptation:
    """The stage model's adaptation learned from the cached nights ``seeds``.

    As a tracker learns it night by night; the network is tuned once, on all of them, as
    after the last.
    """
    adaptation = StageAdaptation()
    for i, seed in enumerate(seeds):
        night = Night.load(CACHE / f"{seed}.npz")
        adaptation.add_night(night.x[night.present], tune=i == len(seeds) - 1)
    return adaptation


def _prepare_seed(
    seed: int, window_min: float, spread_min: float, draws: int, learn: tuple[int, ...] = ()
) -> list[Prepared]:
    adaptation = adapted_on(learn) if learn else None
    return prepare(Night.load(CACHE / f"{seed}.npz"), window_min, spread_min, draws, adaptation)


def prepare_seeds(
    seeds: list[int],
    window_min: float,
    spread_min: float,
    draws: int = 1,
    jobs: int = 2,
    *,
    adapted: int = 0,
) -> list[Prepared]:
    """:func:`prepare` for cached nights ``seeds`` (in ``jobs`` processes).

    ``adapted`` > 0: each night is staged as by a tracker that learned from the ``adapted``
    nights before it in ``seeds`` at the same frame rate (the last ones for the first
    nights), as if they were one user's radar.
    """
    groups: dict[float, list[int]] = {}
    for seed in seeds:
        groups.setdefault(night_config(seed).frame_rate_hz, []).append(seed)

    def learn(seed: int) -> tuple[int, ...]:
        if adapted <= 0:
            return ()
        group = groups[night_config(seed).frame_rate_hz]
        k = group.index(seed)
        return tuple(group[(k - j) % len(group)] for j in range(adapted, 0, -1))

    args = [(s, window_min, spread_min, draws, learn(s)) for s in seeds]
    if jobs <= 1:
        chunks = [_prepare_seed(*a) for a in args]
    else:
        with get_context("forkserver").Pool(jobs) as pool:
            chunks = pool.starmap(_prepare_seed, args, chunksize=8)
    return [p for chunk in chunks for p in chunk]


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    """Every figure of the report."""
    n = len(outcomes)
    minutes = EPOCH_SECONDS / 60
    offered = [o for o in outcomes if o.window_has_light]
    light = [o for o in outcomes if o.true_stage == LIGHT]
    gained = np.array([(o.ring - o.naive_ring) * minutes for o in outcomes])
    gained_oracle = np.array([(o.ring - o.oracle_ring) * minutes for o in outcomes])
    reasons = Counter(o.reason for o in outcomes)
    triggered = [o for o in outcomes if o.reason != TriggerReason.DEADLINE.value]

    def pct(k: int, total: int) -> float | None:
        return round(100 * k / total, 2) if total else None

    oracle = [sum(o.oracle_light[j] for o in offered) for j in range(len(ORACLE_RUNS))]
    best = int(np.argmax(oracle)) if offered else 0

    return {
        "nights": n,
        "nights_skipped": None,
        "nights_window_with_light": len(offered),
        "light_when_offered_pct": pct(sum(o.true_stage == LIGHT for o in offered), len(offered)),
        "light_when_offered_last_epoch_pct": pct(
            sum(o.acted_stage == LIGHT for o in offered), len(offered)
        ),
        "oracle_light_when_offered_pct": pct(oracle[best], len(offered)) if offered else None,
        "oracle_run": ORACLE_RUNS[best],
        "light_overall_pct": pct(len(light), n),
        "light_or_wake_overall_pct": pct(sum(o.true_stage in (0, LIGHT) for o in outcomes), n),
        "light_among_triggers_pct": pct(
            sum(o.true_stage == LIGHT for o in triggered), len(triggered)
        ),
        "light_among_triggers_staged_epoch_pct": pct(
            sum(o.acted_stage == LIGHT for o in triggered), len(triggered)
        ),
        "light_among_deadline_rings_pct": pct(
            sum(o.true_stage == LIGHT for o in outcomes if o not in triggered),
            len(outcomes) - len(triggered),
        ),
        "deep_at_wake_pct": pct(sum(o.true_stage == int(Stage.DEEP) for o in outcomes), n),
        "rem_at_wake_pct": pct(sum(o.true_stage == int(Stage.REM) for o in outcomes), n),
        "naive_light_when_offered_pct": pct(
            sum(o.naive_true_stage == LIGHT for o in offered), len(offered)
        ),
        "gained_vs_first_detected_min_median": round(float(np.median(gained)), 2) if n else None,
        "gained_vs_first_detected_min_mean": round(float(np.mean(gained)), 2) if n else None,
        "gained_vs_first_true_light_min_median": round(float(np.median(gained_oracle)), 2)
        if n
        else None,
        "gained_vs_first_true_light_min_mean": round(float(np.mean(gained_oracle)), 2)
        if n
        else None,
        "before_deadline_min_mean": round(
            float(np.mean([(o.deadline - o.ring) * minutes for o in outcomes])), 2
        )
        if n
        else None,
        "trigger_light_sleep": reasons.get(TriggerReason.LIGHT_SLEEP.value, 0),
        "trigger_wakeable_event": reasons.get(TriggerReason.WAKEABLE_EVENT.value, 0),
        "deadline_rings": reasons.get(TriggerReason.DEADLINE.value, 0),
        "triggers_after_set_time": sum(o.late for o in outcomes),
    }


def evaluate(prepared: list[Prepared], params: AlarmPolicyParams | None = None) -> list[Outcome]:
    """The policy over every prepared window."""
    return [run_night(p.night, p.updates, p.window, params) for p in prepared]


def table(figures: dict[str, Any]) -> str:
    """The figures as a Markdown table."""
    rows = [
        ("Stage model", figures["stage_model"]),
        (
            "Nights evaluated (window minutes)",
            f"{figures['nights']} of {figures['nights_requested']} ({figures['window_min']})",
        ),
        ("Nights without a sleep period to set an alarm in", figures["nights_skipped"]),
        ("Nights whose window holds true light sleep", figures["nights_window_with_light"]),
        (
            "Woken in light sleep when the window offers it (goal >= 95 %)",
            f"{figures['light_when_offered_pct']} %",
        ),
        (
            "  judged by the last epoch before the alarm instead",
            f"{figures['light_when_offered_last_epoch_pct']} %",
        ),
        (
            "  naive alarm (first epoch called light)",
            f"{figures['naive_light_when_offered_pct']} %",
        ),
        (
            "  causal oracle: first epoch truly light for r epochs (best r)",
            f"{figures['oracle_light_when_offered_pct']} % (r = {figures['oracle_run']})",
        ),
        ("Woken in light sleep, all nights", f"{figures['light_overall_pct']} %"),
        ("Woken in light sleep or awake, all nights", f"{figures['light_or_wake_overall_pct']} %"),
        (
            "  when the policy triggered / when the set time rang",
            f"{figures['light_among_triggers_pct']} % / "
            f"{figures['light_among_deadline_rings_pct']} %",
        ),
        (
            "  triggers whose staged epoch (the one before waking) was light",
            f"{figures['light_among_triggers_staged_epoch_pct']} %",
        ),
        (
            "Woken in deep / REM sleep",
            f"{figures['deep_at_wake_pct']} % / {figures['rem_at_wake_pct']} %",
        ),
        (
            "Sleep gained vs first detected light epoch, median / mean",
            f"{figures['gained_vs_first_detected_min_median']} / "
            f"{figures['gained_vs_first_detected_min_mean']} min",
        ),
        (
            "Sleep gained vs first true light epoch, median / mean",
            f"{figures['gained_vs_first_true_light_min_median']} / "
            f"{figures['gained_vs_first_true_light_min_mean']} min",
        ),
        ("Woken before the set time, mean", f"{figures['before_deadline_min_mean']} min"),
        (
            "Triggers: light sleep / wakeable event / deadline ring",
            f"{figures['trigger_light_sleep']} / {figures['trigger_wakeable_event']} / "
            f"{figures['deadline_rings']}",
        ),
        ("Triggers at or after the set time (must be 0)", figures["triggers_after_set_time"]),
    ]
    lines = ["| Figure | Value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)


BY_RATE_FIGURES = (
    "nights",
    "light_when_offered_pct",
    "naive_light_when_offered_pct",
    "oracle_light_when_offered_pct",
    "gained_vs_first_detected_min_mean",
    "deadline_rings",
    "triggers_after_set_time",
)
"""Figures repeated per device frame rate (seeds from 30000 are 1, 2 and 5-Hz devices)."""


def rate_table(figures: dict[str, Any]) -> str:
    """The per-frame-rate figures as a Markdown table ("" with one frame rate)."""
    rates = sorted(
        {k.split("_")[1] for k in figures if k.startswith("rate_")},
        key=lambda r: -float(r.removesuffix("hz")),
    )
    if not rates:
        return ""
    lines = [
        "| Device frame rate | Nights | Woken in light sleep (offered) | Naive alarm | "
        "Causal oracle | Gained vs naive, mean | Deadline rings | After the set time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rates:
        v = [figures[f"rate_{r}_{k}"] for k in BY_RATE_FIGURES]
        lines.append(
            f"| {r.removesuffix('hz')} Hz | {v[0]} | {v[1]} % | {v[2]} % | {v[3]} % | {v[4]} min "
            f"| {v[5]} | {v[6]} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Evaluate the policy; print the tables and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nights", type=int, default=500)
    parser.add_argument("--first-seed", type=int, default=VALID_SEEDS)
    parser.add_argument(
        "--seeds", help="comma-separated seed ranges A-B (inclusive); overrides the two above"
    )
    parser.add_argument("--window", type=float, default=30.0, help="window minutes")
    parser.add_argument("--spread", type=float, default=120.0, help="deadline spread minutes")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cached-only", action="store_true", help="skip nights not simulated")
    parser.add_argument("--params", type=Path, help="policy parameters JSON (default: shipped)")
    parser.add_argument(
        "--adapted",
        type=int,
        default=0,
        help="stage each night as a tracker adapted on the N nights before it (0: as shipped)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    seeds = (
        parse_seeds(args.seeds)
        if args.seeds
        else list(range(args.first_seed, args.first_seed + args.nights))
    )
    requested = len(seeds)
    if any(TRAIN_SEEDS <= s < TRAIN_SEEDS + ALARM_TRAINING_NIGHTS for s in seeds):
        print(
            f"note: seeds {TRAIN_SEEDS}-{TRAIN_SEEDS + ALARM_TRAINING_NIGHTS - 1} are the policy's"
            " training nights",
            file=sys.stderr,
        )
    if args.cached_only:
        seeds = [s for s in seeds if (CACHE / f"{s}.npz").exists()]
    else:
        nights(seeds, args.jobs)  # simulate and cache the missing ones
    params = (
        AlarmPolicyParams.from_dict(json.loads(args.params.read_text()))
        if args.params
        else default_params()
    )
    prepared = prepare_seeds(seeds, args.window, args.spread, 1, args.jobs, adapted=args.adapted)
    outcomes = evaluate(prepared, params)
    figures: dict[str, Any] = {
        "stage_model": stage_model_name(),
        "seeds": args.seeds or f"{args.first_seed}-{args.first_seed + args.nights - 1}",
        "window_min": args.window,
        "adapted_on_nights": args.adapted,
        **summarise(outcomes),
        "nights_requested": requested,
        "nights_available": len(seeds),
    }
    figures["nights_skipped"] = len(seeds) - len(prepared)
    by_rate: dict[float, list[Outcome]] = {}
    for o in outcomes:
        by_rate.setdefault(night_config(o.seed).frame_rate_hz, []).append(o)
    if len(by_rate) > 1:
        for rate, group in sorted(by_rate.items(), reverse=True):
            part = summarise(group)
            for key in BY_RATE_FIGURES:
                figures[f"rate_{rate:g}hz_{key}"] = part[key]
    figures["params_fitted"] = params.fitted
    figures["goal_met"] = bool(
        figures["light_when_offered_pct"] is not None
        and figures["light_when_offered_pct"] >= GOAL_LIGHT_PCT
        and figures["triggers_after_set_time"] == 0
    )
    figures["seconds"] = round(time.monotonic() - started, 1)
    print(table(figures))
    if extra := rate_table(figures):
        print()
        print(extra)
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
