"""The sleep pipeline: frames in, live updates and a morning summary out.

Per frame (:meth:`SleepPipeline.push`, in the event loop): presence and O(1) appends to the
current epoch. Per 30-s epoch (:meth:`SleepPipeline.process_epoch`, in an executor): features,
session, stage, intent, and at the end of a session the :class:`~..contracts.NightSummary`.
All decisions use frame time; ``origin`` only converts it to datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
import math

import numpy as np

from ..contracts import (
    NightSummary,
    SessionState,
    SleepUpdate,
    Stage,
    VitalsFrame,
)
from .config import PipelineConfig
from .epoch import EpochInput
from .features import EpochFeatures, FeatureExtractor
from .intent import IntentTracker
from .metrics import sleep_metrics
from .models import BaselineParams, BaselineStager, StageModel, intent_score, load_baseline_params
from .presence import PresenceDetector
from .session import PRESENT_FRACTION, SessionEvent, SessionTracker

_WAKE_PROBS = (1.0, 0.0, 0.0, 0.0)
NIGHT_BOUNDARY_HOURS = 12
"""A session that starts before noon belongs to the previous calendar night."""


@dataclass(frozen=True, slots=True)
class EpochRecord:
    """What the pipeline decided about one epoch."""

    index: int
    present: bool
    stage: Stage
    probabilities: tuple[float, float, float, float]
    trying: bool
    intent_score: float | None
    breathing_rate_bpm: float | None


@dataclass(frozen=True, slots=True)
class FrameResult:
    """Outcome of one frame."""

    update: SleepUpdate | None
    """A new live state when presence changed."""
    epoch: EpochInput | None
    """An epoch that just closed, to be handed to :meth:`SleepPipeline.process_epoch`."""


@dataclass(frozen=True, slots=True)
class EpochResult:
    """Outcome of one epoch."""

    update: SleepUpdate
    features: EpochFeatures
    record: EpochRecord
    summary: NightSummary | None


class SleepPipeline:
    """Presence, session, features, stages and intent for one bed side."""

    def __init__(
        self,
        config: PipelineConfig | None = None,
        origin: datetime | None = None,
        stager: StageModel | None = None,
        params: BaselineParams | None = None,
    ) -> None:
        """``origin`` is the UTC instant of source time 0."""
        self.config = config = config or PipelineConfig()
        self.origin = origin or datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
        self.params = params or load_baseline_params()
        self.stager: StageModel = stager or BaselineStager(self.params)
        self.presence = PresenceDetector(
            config.zone, config.presence_threshold, config.presence_time_constant_s
        )
        per_min = 60 / config.epoch_seconds
        self.session = SessionTracker(
            max(1, round(config.session_start_minutes * per_min)),
            max(1, round(config.session_end_minutes * per_min)),
        )
        self.features = FeatureExtractor()
        self.intent = IntentTracker()
        self.records: list[EpochRecord] = []
        """Epochs of the current session (and of the presence run that may start one)."""
        self.summaries: list[NightSummary] = []
        self._epoch: EpochInput | None = None
        self._sleep_intent_onset: int | None = None
        self.last_update = SleepUpdate(
            t=0.0,
            time=self.origin,
            present=False,
            presence_confidence=0.0,
            in_bed=False,
            session_state=SessionState.IDLE,
            trying_to_sleep=False,
            intent_score=None,
            stage=None,
            stage_probabilities=None,
            breathing_rate_bpm=None,
            primary_user_confidence=None,
            reasons={"presence": "no data yet"},
        )

    def time_of(self, t: float) -> datetime:
        """Source time as a UTC datetime."""
        return self.origin + timedelta(seconds=t)

    # -- per frame (event loop) -------------------------------------------------------------

    def push(self, frame: VitalsFrame) -> FrameResult:
        """Fold in one frame: O(number of targets), no numpy."""
        index = math.floor(frame.t / self.config.epoch_seconds)
        closed: EpochInput | None = None
        if self._epoch is None or index != self._epoch.index:
            closed = self._epoch
            self._epoch = EpochInput(index=index, start_t=index * self.config.epoch_seconds)
        target = self.presence.best_target(frame)
        changed = self.presence.update(frame, target)
        self._epoch.add(target, self.presence.present, self.presence.confidence)
        update: SleepUpdate | None = None
        if changed:
            present = self.presence.present
            last = self.last_update
            update = replace(
                last,
                t=frame.t,
                time=self.time_of(frame.t),
                present=present,
                presence_confidence=round(self.presence.confidence, 3),
                in_bed=present and last.session_state in (SessionState.ACTIVE, SessionState.AWAY),
                reasons={
                    **last.reasons,
                    "presence": (
                        f"confidence {self.presence.confidence:.2f} "
                        f"{'>=' if present else '<'} threshold {self.config.presence_threshold}"
                    ),
                },
            )
            self.last_update = update
        return FrameResult(update, closed)

    def flush(self) -> EpochInput | None:
        """Close the open epoch (end of a recording)."""
        epoch, self._epoch = self._epoch, None
        return epoch

    # -- per epoch (executor) ---------------------------------------------------------------

    def process_epoch(self, epoch: EpochInput) -> EpochResult:
        """Features, session, stage and intent for a closed epoch."""
        feats = self.features(epoch)
        present = epoch.presence_fraction >= PRESENT_FRACTION
        step = self.session.step(epoch.index, epoch.presence_fraction)
        if step.event is SessionEvent.STARTED:
            self.intent.reset()
            self._sleep_intent_onset = None
            self.records = [r for r in self.records if r.index >= (step.start_index or 0)]
        stages = self.config.stages_available
        if present and stages:
            probs = self.stager.step(feats.vector())
            stage = Stage(int(np.argmax(probs)))
            probabilities = (
                float(probs[0]),
                float(probs[1]),
                float(probs[2]),
                float(probs[3]),
            )
            stage_reason = (
                f"{stage.label}: p={probabilities[stage]:.2f}, movement "
                f"{feats.movement_fraction:.0%}, breathing irregularity "
                + ("n/a" if feats.interval_cv is None else f"{feats.interval_cv:.2f}")
            )
        elif present:
            stage, probabilities = Stage.WAKE, _WAKE_PROBS
            stage_reason = "this device has no breathing waveform: stages unavailable"
        else:
            self.stager.reset()
            stage, probabilities, stage_reason = Stage.WAKE, _WAKE_PROBS, "wake: out of bed"

        in_session = step.state in (SessionState.ACTIVE, SessionState.AWAY) or (
            step.event is SessionEvent.ENDED
        )
        score: float | None = None
        trying = False
        intent_reason = "no session"
        if in_session and stages and step.event is not SessionEvent.ENDED:
            score = intent_score(self.params, feats.vector()) if present else 0.0
            state = self.intent.step(epoch.index, score, stage)
            trying, intent_reason = state.trying, state.reason
            if trying and self.intent.slept and self._sleep_intent_onset is None:
                self._sleep_intent_onset = state.onset_index
        record = EpochRecord(
            index=epoch.index,
            present=present,
            stage=stage,
            probabilities=probabilities,
            trying=trying,
            intent_score=score,
            breathing_rate_bpm=feats.breathing_rate_bpm if present else None,
        )
        summary: NightSummary | None = None
        if step.state is not SessionState.IDLE or step.event is SessionEvent.ENDED:
            self.records.append(record)
        if step.event is SessionEvent.ENDED:
            summary = self._summarise(step.start_index, step.end_index)
            self.summaries.append(summary)
            self.records = [r for r in self.records if r.index >= (step.end_index or 0)]
            self.intent.reset()
            if step.state is SessionState.IDLE:
                self.records = []
        elif step.state is SessionState.IDLE:
            self.records = []

        showing = step.state in (SessionState.ACTIVE, SessionState.AWAY)
        end_t = (epoch.index + 1) * self.config.epoch_seconds
        update = SleepUpdate(
            t=end_t,
            time=self.time_of(end_t),
            present=self.presence.present,
            presence_confidence=round(self.presence.confidence, 3),
            in_bed=showing and self.presence.present,
            session_state=step.state,
            trying_to_sleep=trying,
            intent_score=None if score is None else round(score, 3),
            stage=stage if showing and stages else None,
            stage_probabilities=tuple(round(p, 4) for p in probabilities)  # type: ignore[arg-type]
            if showing and stages
            else None,
            breathing_rate_bpm=None
            if feats.breathing_rate_bpm is None or not present
            else round(feats.breathing_rate_bpm, 1),
            primary_user_confidence=None
            if epoch.user_confidence is None
            else round(epoch.user_confidence, 3),
            epoch_index=epoch.index,
            reasons={
                "presence": self.last_update.reasons.get("presence", ""),
                "session": step.reason,
                "user": "the in-zone target on your side of the bed",
                "intent": intent_reason,
                "stage": stage_reason if showing else "no session",
            },
        )
        self.last_update = update
        return EpochResult(update, feats, record, summary)

    def _summarise(self, start: int | None, end: int | None) -> NightSummary:
        """The night summary of the session covering epochs ``start`` .. ``end - 1``."""
        assert start is not None
        assert end is not None
        by_index = {r.index: r for r in self.records if start <= r.index < end}
        es = self.config.epoch_seconds
        session_start = self.time_of(start * es)
        night = (
            session_start.astimezone(self.config.time_zone) - timedelta(hours=NIGHT_BOUNDARY_HOURS)
        ).date()
        rates = [r.breathing_rate_bpm for r in by_index.values() if r.breathing_rate_bpm]
        if not self.config.stages_available:
            return NightSummary(
                night=night,
                session_start=session_start,
                session_end=self.time_of(end * es),
                intent_start=None,
                sleep_onset=None,
                final_wake=None,
                hypnogram_start=session_start,
                hypnogram=(),
                metrics=None,
                mean_breathing_rate_bpm=round(float(np.mean(rates)), 2) if rates else None,
            )
        stages = [by_index[i].stage if i in by_index else Stage.WAKE for i in range(start, end)]
        sleep_idx = [start + k for k, s in enumerate(stages) if s is not Stage.WAKE]
        onset = self._sleep_intent_onset
        if onset is None:
            onset = self.intent.onset_index
        first_sleep = sleep_idx[0] if sleep_idx else None
        candidates = [i for i in (onset, first_sleep) if i is not None and i >= start]
        period_start = min(candidates) if candidates else start
        hypnogram = tuple(stages[period_start - start :])
        metrics = sleep_metrics(hypnogram, self.config.epoch_seconds)
        rates = [
            r.breathing_rate_bpm
            for r in by_index.values()
            if r.stage is not Stage.WAKE and r.breathing_rate_bpm is not None
        ]
        return NightSummary(
            night=night,
            session_start=session_start,
            session_end=self.time_of(end * es),
            intent_start=self.time_of(onset * es) if onset is not None else None,
            sleep_onset=self.time_of(first_sleep * es) if first_sleep is not None else None,
            final_wake=self.time_of((sleep_idx[-1] + 1) * es) if sleep_idx else None,
            hypnogram_start=self.time_of(period_start * es),
            hypnogram=hypnogram,
            metrics=metrics,
            mean_breathing_rate_bpm=round(float(np.mean(rates)), 2) if rates else None,
        )

    # -- offline helper ---------------------------------------------------------------------

    def run(self, frames: Iterable[VitalsFrame]) -> Iterator[EpochResult]:
        """Process a whole recording synchronously (scripts, tests, the CLI)."""
        for frame in frames:
            closed = self.push(frame).epoch
            if closed is not None:
                yield self.process_epoch(closed)
        last = self.flush()
        if last is not None:
            yield self.process_epoch(last)
