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
import logging
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..contracts import (
    REASON_INTENT,
    REASON_PRESENCE,
    REASON_SESSION,
    REASON_STAGE,
    REASON_USER,
    NightSummary,
    SessionState,
    SleepUpdate,
    Stage,
    TargetVitals,
    VitalsFrame,
)
from .config import PipelineConfig
from .epoch import EpochInput
from .explain import NOTE_LENGTH, encode_note, stage_reason as explain_stage
from .features import EpochFeatures, FeatureExtractor
from .intent import IntentTracker
from .learning import UserLearning
from .metrics import sleep_metrics
from .presence import RELEASE_FRACTION, PresenceDetector
from .room import RoomSample, room_stats
from .serialize import update_from_dict, update_to_dict
from .session import (
    IN_BED_REASONS,
    PRESENT_FRACTION,
    SessionEvent,
    SessionStep,
    SessionTracker,
)
from .staging import (
    BaselineParams,
    BaselineStager,
    EngineStager,
    IntentModel,
    ModelFamily,
    StageModel,
    intent_score,
    load_baseline_params,
)
from .staging.network import Backend
from .teach import TeachingAdaptation, weigh_wake

_LOGGER = logging.getLogger(__name__)

_WAKE_PROBS = (1.0, 0.0, 0.0, 0.0)
STATE_VERSION = 1
"""Layout version of :meth:`SleepPipeline.snapshot`."""
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
    movement: float | None = None
    """Fraction of the epoch with movement (what explains its stage, with ``irregularity``)."""
    irregularity: float | None = None
    """Coefficient of variation of the epoch's breath intervals."""


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


RUNTIME_BACKEND: Backend = "numpy"
"""The networks' backend in the pipeline: numpy, even where onnxruntime is installed. One row
per 30-s epoch costs numpy microseconds, and onnxruntime would add about 29 MB of resident
memory to Home Assistant (its import and two sessions; docs/pipeline.md). The two agree within
1e-5 on probabilities (``tests/sleep/staging/test_network.py``); training and evaluation may
still ask for onnxruntime."""


def default_stager(
    params: BaselineParams | None = None, kind: ModelFamily = "network"
) -> StageModel:
    """The stage model of family ``kind``: the shipped trained network or the baseline HMM.

    ``params`` are the baseline model's (the shipped ones when ``None``); the network's
    files must be present for ``network``. The network runs on numpy (:data:`RUNTIME_BACKEND`).
    """
    if kind == "network":
        return EngineStager(backend=RUNTIME_BACKEND)
    return BaselineStager(params)


def default_intent_model(kind: ModelFamily = "network") -> IntentModel | None:
    """The shipped trained intent network, or ``None`` for the baseline logistic score."""
    if kind == "network":
        return IntentModel(backend=RUNTIME_BACKEND)
    return None


class SleepPipeline:
    """Presence, session, features, stages and intent for one bed side."""

    def __init__(
        self,
        config: PipelineConfig | None = None,
        origin: datetime | None = None,
        stager: StageModel | None = None,
        params: BaselineParams | None = None,
        intent_model: IntentModel | None = None,
        *,
        stage_family: ModelFamily = "network",
        intent_family: ModelFamily = "network",
        learning: UserLearning | None = None,
    ) -> None:
        """``origin`` is the UTC instant of source time 0.

        ``learning``: what is learned from the user's nights (:mod:`.learning`); it watches
        every epoch, learns when a night ends, and its presence threshold (when
        ``config.learn_presence_threshold``) and stage adaptation are used from then on.

        ``stager`` and ``intent_model`` default to the models of ``stage_family`` and
        ``intent_family`` (:func:`default_stager`, :func:`default_intent_model`): by default
        the shipped trained networks (:mod:`.staging.network`).
        """
        self.config = config = config or PipelineConfig()
        self.origin = origin or datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
        self.params = params or load_baseline_params()
        self.stage_family = stage_family
        self.intent_family = intent_family
        self.stager: StageModel = stager or default_stager(self.params, stage_family)
        self.intent_model: IntentModel | None = (
            intent_model if intent_model is not None else default_intent_model(intent_family)
        )
        self._last_probs: NDArray[np.float64] = np.array(_WAKE_PROBS)
        self._network_probs: tuple[float, float, float, float] | None = None
        """The stage network's own probabilities of the last epoch (before its sequence step),
        for the live update."""
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
        self.room: dict[int, RoomSample] = {}
        """The room sensors' readings of the epochs in :attr:`records` (by epoch number; an
        epoch without any reading has none)."""
        self.summaries: list[NightSummary] = []
        self._epoch: EpochInput | None = None
        self._sleep_intent_onset: int | None = None
        self._sleep_intent_detected: int | None = None
        self.teaching = TeachingAdaptation()
        """What the user's teaching adapted (:meth:`set_teaching`)."""
        self.last_t: float | None = None
        """Source time of the last frame pushed."""
        self.followed: TargetVitals | None = None
        """The target taken for the user in the last frame pushed (diagnostics: where the radar
        sees them), ``None`` when none was."""
        self.targets_seen = 0
        """How many targets the last frame pushed held."""
        self.last_update = self.idle_update(0.0, {REASON_PRESENCE: "no data yet"})
        self.learning = learning
        self.apply_learning()

    def apply_learning(self) -> None:
        """Use what :attr:`learning` has learned (after set-up, a restore, a reset of it).

        Without learning, or before anything is learned, the pipeline is as configured.
        """
        threshold = self.config.presence_threshold
        adaptation = None
        if self.learning is not None:
            adaptation = self.learning.adaptation
            learned = self.learning.calibration.presence_threshold()
            if self.config.learn_presence_threshold and learned is not None:
                threshold = learned
        self.presence.threshold = threshold
        adapt = getattr(self.stager, "adapt", None)
        if adapt is not None:
            adapt(adaptation)

    def set_teaching(self, adaptation: TeachingAdaptation) -> None:
        """Use what was learned from the user's teaching from the next epoch on."""
        self.teaching = adaptation
        self.intent.onset_offset = adaptation.onset_offset_epochs

    def idle_update(self, t: float, reasons: dict[str, str]) -> SleepUpdate:
        """The live state with nobody tracked and no session, at source time ``t``."""
        return SleepUpdate(
            t=t,
            time=self.time_of(t),
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
            reasons=reasons,
        )

    def time_of(self, t: float) -> datetime:
        """Source time as a UTC datetime."""
        return self.origin + timedelta(seconds=t)

    # -- per frame (event loop) -------------------------------------------------------------

    def push(self, frame: VitalsFrame) -> FrameResult:
        """Fold in one frame: O(number of targets), no numpy."""
        self.last_t = frame.t
        index = math.floor(frame.t / self.config.epoch_seconds)
        closed: EpochInput | None = None
        if self._epoch is None or index != self._epoch.index:
            closed = self._epoch
            self._epoch = EpochInput(index=index, start_t=index * self.config.epoch_seconds)
        tracker = self.presence.tracker
        target = tracker.choose(frame)
        self.followed, self.targets_seen = target, len(frame.targets)
        changed = self.presence.update(frame, target)
        self._epoch.add(target, self.presence.present, self.presence.confidence, tracker.verdict)
        update: SleepUpdate | None = None
        if changed:
            present = self.presence.present
            last = self.last_update
            in_bed = present and last.session_state in (SessionState.ACTIVE, SessionState.AWAY)
            reasons = {**last.reasons, REASON_PRESENCE: self._presence_reason()}
            if in_bed != last.in_bed and last.session_state in (
                SessionState.ACTIVE,
                SessionState.AWAY,
            ):
                reasons[REASON_SESSION] = IN_BED_REASONS[in_bed]
            update = replace(
                last,
                t=frame.t,
                time=self.time_of(frame.t),
                present=present,
                presence_confidence=round(self.presence.confidence, 3),
                in_bed=in_bed,
                reasons=reasons,
            )
            self.last_update = update
        return FrameResult(update, closed)

    def flush(self) -> EpochInput | None:
        """Close the open epoch (end of a recording)."""
        epoch, self._epoch = self._epoch, None
        return epoch

    # -- per epoch (executor) ---------------------------------------------------------------

    def process_epoch(self, epoch: EpochInput, room: RoomSample | None = None) -> EpochResult:
        """Features, session, stage and intent for a closed epoch.

        ``room`` is what the room sensors read as the epoch closed (kept with the epoch's
        record, for the night's room statistics).
        """
        feats = self.features(epoch)
        present = epoch.presence_fraction >= PRESENT_FRACTION
        step = self._session_step(epoch)
        stage, probabilities, stage_reason = self._stage(epoch.index, feats, present, step)
        score, trying, intent_reason = self._intent(epoch.index, feats, present, step, stage)
        if self.learning is not None:
            self.learning.observe(
                feats,
                epoch.confidence_sum / epoch.n_frames if epoch.n_frames else 0.0,
                present=present,
                in_session=step.state is not SessionState.IDLE,
                stage=stage if present and self.config.stages_available else None,
            )
        record = EpochRecord(
            index=epoch.index,
            present=present,
            stage=stage,
            probabilities=probabilities,
            trying=trying,
            intent_score=score,
            breathing_rate_bpm=feats.breathing_rate_bpm if present else None,
            movement=feats.movement_fraction if present else None,
            irregularity=feats.interval_cv if present else None,
        )
        summary = self._keep_record(epoch.index, record, step, room)
        update = self._epoch_update(
            epoch,
            feats,
            step,
            record,
            {
                REASON_PRESENCE: self.last_update.reasons.get(REASON_PRESENCE, ""),
                REASON_SESSION: step.reason,
                REASON_USER: epoch.user_reason,
                REASON_INTENT: intent_reason,
                REASON_STAGE: stage_reason,
            },
        )
        self.last_update = update
        return EpochResult(update, feats, record, summary)

    def _session_step(self, epoch: EpochInput) -> SessionStep:
        """Advance the session; a session that starts begins a new intent search."""
        step = self.session.step(epoch.index, epoch.presence_fraction)
        if step.event is SessionEvent.STARTED:
            self.intent.reset()
            self._sleep_intent_onset = None
            self._sleep_intent_detected = None
            self.records = [r for r in self.records if r.index >= (step.start_index or 0)]
            self._prune_room()
        return step

    def _stage(
        self, index: int, feats: EpochFeatures, present: bool, step: SessionStep
    ) -> tuple[Stage, tuple[float, float, float, float], str]:
        """Step the stage model; the epoch's stage, probabilities and reason.

        With a lookahead, the stage model's output is an earlier epoch's, given to its record
        (:meth:`_revise`); the live stage is then the last one known.
        """
        stages = self.config.stages_available
        lookahead = self.stager.lookahead
        out: NDArray[np.float64] | None = None
        if present and stages:
            out = self.stager.step(feats.vector())
        elif stages and step.state is not SessionState.IDLE:
            out = self.stager.skip()
        elif stages:
            self.stager.reset()
        if out is not None:
            out = weigh_wake(out, self.teaching.wake_weight)
        self._network_probs = None
        if present and stages:
            if lookahead == 0:
                assert out is not None
                probs = out
                network = getattr(self.stager, "network_probabilities", None)
                if network is not None:
                    weighed = weigh_wake(network, self.teaching.wake_weight)
                    net = [round(float(p), 4) for p in weighed]
                    self._network_probs = (net[0], net[1], net[2], net[3])
            else:
                # Stage of this epoch arrives `lookahead` epochs later; until then the last
                # known stage stands in (and is what the live update shows).
                if out is not None:
                    self._revise(index - lookahead, out)
                probs = self._last_probs
            stage = Stage(int(np.argmax(probs)))
            probabilities = (
                float(probs[0]),
                float(probs[1]),
                float(probs[2]),
                float(probs[3]),
            )
            stage_reason = explain_stage(
                stage, feats.movement_fraction, feats.interval_cv, probabilities[stage]
            ) + ("" if lookahead == 0 else f" (epoch {index - lookahead}, lookahead)")
        elif present:
            stage, probabilities = Stage.WAKE, _WAKE_PROBS
            stage_reason = "this device has no breathing waveform: stages unavailable"
        else:
            if out is not None and lookahead > 0:
                self._revise(index - lookahead, out)
            stage, probabilities, stage_reason = Stage.WAKE, _WAKE_PROBS, "wake: out of bed"
        return stage, probabilities, stage_reason

    def _intent(
        self, index: int, feats: EpochFeatures, present: bool, step: SessionStep, stage: Stage
    ) -> tuple[float | None, bool, str]:
        """Score sleep intent and follow its change points: score, trying, reason.

        The intent model sees every epoch (it keeps its context across them); the change-point
        search only the epochs of a running session.
        """
        in_session = step.state in (SessionState.ACTIVE, SessionState.AWAY) or (
            step.event is SessionEvent.ENDED
        )
        score: float | None = None
        trying = False
        intent_reason = "no session"
        model_score = self._intent_score(feats.vector() if present else None, step.state)
        if in_session and self.config.stages_available and step.event is not SessionEvent.ENDED:
            score = model_score if present else 0.0
            state = self.intent.step(index, score, stage)
            trying, intent_reason = state.trying, state.reason
            if trying and self.intent.slept and self._sleep_intent_onset is None:
                self._sleep_intent_onset = state.onset_index
                self._sleep_intent_detected = self.intent.detected_index
        return score, trying, intent_reason

    def _keep_record(
        self, index: int, record: EpochRecord, step: SessionStep, room: RoomSample | None = None
    ) -> NightSummary | None:
        """Keep the session's records (and room readings); at its end, the night's summary."""
        summary: NightSummary | None = None
        if step.state is not SessionState.IDLE or step.event is SessionEvent.ENDED:
            self.records.append(record)
            if room is not None and not room.empty:
                self.room[index] = room
        if step.event is SessionEvent.ENDED:
            lookahead = self.stager.lookahead
            for k, late in enumerate(self.stager.drain()):
                self._revise(index - lookahead + 1 + k, weigh_wake(late, self.teaching.wake_weight))
            summary = self._summarise(step.start_index, step.end_index)
            self.summaries.append(summary)
            self._learn_from_night()
            self.records = [r for r in self.records if r.index >= (step.end_index or 0)]
            self.intent.reset()
            if step.state is SessionState.IDLE:
                self.records = []
        elif step.state is SessionState.IDLE:
            self.records = []
        self._prune_room()
        return summary

    def _learn_from_night(self) -> None:
        """Learn from the night that just ended (with :attr:`learning`).

        A failure is logged and learning is skipped for that night: the night's summary,
        already kept, is not lost with it.
        """
        if self.learning is None:
            return
        try:
            self.learning.night_ended()
            self.apply_learning()
        except Exception:  # whatever the learning raises, the night is kept
            _LOGGER.exception("Learning from the night that ended failed; the night is kept")

    def _prune_room(self) -> None:
        """Drop the room readings of epochs no longer in :attr:`records`."""
        if not self.room:
            return
        first = self.records[0].index if self.records else math.inf
        if min(self.room) < first:
            self.room = {i: r for i, r in self.room.items() if i >= first}

    def _epoch_update(
        self,
        epoch: EpochInput,
        feats: EpochFeatures,
        step: SessionStep,
        record: EpochRecord,
        reasons: dict[str, str],
    ) -> SleepUpdate:
        """The live state at the end of ``epoch`` (stage and movement only in a session)."""
        showing = step.state in (SessionState.ACTIVE, SessionState.AWAY)
        stages = self.config.stages_available
        present = record.present
        score = record.intent_score
        end_t = (epoch.index + 1) * self.config.epoch_seconds
        if not showing:
            reasons[REASON_STAGE] = "no session"
        reasons[REASON_PRESENCE] = self._presence_reason()
        in_bed = showing and self.presence.present
        if showing and in_bed != (step.state is SessionState.ACTIVE):
            # The session is decided on the epoch's share of presence, In bed on the presence
            # at its end: where they differ, the reason says what In bed shows.
            reasons[REASON_SESSION] = IN_BED_REASONS[in_bed]
        return SleepUpdate(
            t=end_t,
            time=self.time_of(end_t),
            present=self.presence.present,
            presence_confidence=round(self.presence.confidence, 3),
            in_bed=in_bed,
            session_state=step.state,
            trying_to_sleep=record.trying,
            intent_score=None if score is None else round(score, 3),
            stage=record.stage if showing and stages else None,
            stage_probabilities=tuple(round(p, 4) for p in record.probabilities)  # type: ignore[arg-type]
            if showing and stages
            else None,
            breathing_rate_bpm=None
            if feats.breathing_rate_bpm is None or not present
            else round(feats.breathing_rate_bpm, 1),
            primary_user_confidence=None
            if epoch.user_confidence is None
            else round(epoch.user_confidence, 3),
            epoch_index=epoch.index,
            network_probabilities=self._network_probs if showing and stages else None,
            movement=round(feats.movement_fraction, 3) if present and showing else None,
            reasons=reasons,
        )

    def _presence_reason(self) -> str:
        """Why presence is on or off, with the confidence as it is now (as the update shows it)."""
        confidence = round(self.presence.confidence, 3)
        threshold = self.presence.threshold
        if not self.presence.present:
            return f"confidence {confidence:.2f} < threshold {threshold}"
        if confidence >= threshold:
            return f"confidence {confidence:.2f} >= threshold {threshold}"
        release = RELEASE_FRACTION * threshold
        return f"confidence {confidence:.2f}, still above the release level {release:.2f}"

    def _intent_score(self, x: NDArray[np.float64] | None, state: SessionState) -> float:
        """Intent score of this epoch (the trained model keeps its context across epochs)."""
        if self.intent_model is None:
            return 0.0 if x is None else intent_score(self.params, x)
        if x is None and state is SessionState.IDLE:
            self.intent_model.reset()
            return 0.0
        return self.intent_model.score(x)

    def _revise(self, index: int, probs: NDArray[np.float64]) -> None:
        """Give epoch ``index`` its stage once its lookahead has passed."""
        self._last_probs = probs
        for k in range(len(self.records) - 1, -1, -1):
            record = self.records[k]
            if record.index == index:
                if record.present:
                    stage = Stage(int(np.argmax(probs)))
                    p = (float(probs[0]), float(probs[1]), float(probs[2]), float(probs[3]))
                    self.records[k] = replace(record, stage=stage, probabilities=p)
                return
            if record.index < index:
                return

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
        gaps = self._gaps(start, end, by_index.keys())
        if not self.config.stages_available:
            # No stages: the room is recorded over the epochs in bed instead of asleep.
            in_bed = [i for i, r in sorted(by_index.items()) if r.present]
            room = room_stats(self.room, in_bed, None)
            return room.apply(
                NightSummary(
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
                    gaps=gaps,
                )
            )
        stages = [by_index[i].stage if i in by_index else Stage.WAKE for i in range(start, end)]
        sleep_idx = [start + k for k, s in enumerate(stages) if s is not Stage.WAKE]
        onset, detected = self._sleep_intent_onset, self._sleep_intent_detected
        if onset is None:
            onset, detected = self.intent.onset_index, self.intent.detected_index
        first_sleep = sleep_idx[0] if sleep_idx else None
        candidates = [i for i in (onset, first_sleep) if i is not None and i >= start]
        period_start = min(candidates) if candidates else start
        hypnogram = tuple(stages[period_start - start :])
        notes = "".join(
            _note(by_index.get(i), stage) for i, stage in enumerate(hypnogram, period_start)
        )
        metrics = sleep_metrics(
            hypnogram,
            self.config.epoch_seconds,
            [i not in by_index for i in range(period_start, end)],
        )
        rates = [
            r.breathing_rate_bpm
            for r in by_index.values()
            if r.stage is not Stage.WAKE and r.breathing_rate_bpm is not None
        ]
        room = room_stats(self.room, sleep_idx, first_sleep)
        return room.apply(
            NightSummary(
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
                intent_detected=self.time_of(detected * es)
                if detected is not None and detected != onset
                else None,
                epoch_notes=notes,
                gaps=gaps,
            )
        )

    def _gaps(
        self, start: int, end: int, seen: Iterable[int]
    ) -> tuple[tuple[datetime, datetime], ...]:
        """The stretches of epochs ``start`` .. ``end - 1`` that were never processed."""
        es = self.config.epoch_seconds
        have = set(seen)
        gaps: list[tuple[datetime, datetime]] = []
        first: int | None = None
        for i in range(start, end + 1):
            if i < end and i not in have:
                first = i if first is None else first
            elif first is not None:
                gaps.append((self.time_of(first * es), self.time_of(i * es)))
                first = None
        return tuple(gaps)

    # -- persistence ------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The night in progress as JSON types: what a restart needs to carry on.

        Holds the session's epochs and decisions, every component's running state (presence,
        session, intent, the stage model's context, the feature baseline) and the last live
        update. The open (incomplete) epoch is not included: a restart loses at most it.
        """
        return {
            "version": STATE_VERSION,
            "origin": self.origin.isoformat(),
            "last_t": self.last_t,
            "records": [
                [
                    r.index,
                    r.present,
                    int(r.stage),
                    list(r.probabilities),
                    r.trying,
                    r.intent_score,
                    r.breathing_rate_bpm,
                    r.movement,
                    r.irregularity,
                ]
                for r in self.records
            ],
            "room": [[i, *r.as_list()] for i, r in sorted(self.room.items())],
            "sleep_intent_onset": self._sleep_intent_onset,
            "sleep_intent_detected": self._sleep_intent_detected,
            "presence": self.presence.dump_state(),
            "user": self.presence.tracker.dump_state(),
            "session": self.session.dump_state(),
            "intent": self.intent.dump_state(),
            "stager": self.stager.dump_state(),
            "intent_model": None if self.intent_model is None else self.intent_model.dump_state(),
            "last_probs": self._last_probs.tolist(),
            "features": self.features.dump_state(),
            "last_update": update_to_dict(self.last_update),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`snapshot` (same configuration; source time as before).

        Raises ``ValueError`` (or ``KeyError``/``TypeError``) for a snapshot of another
        layout; the pipeline is then unchanged.
        """
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"night state version {state.get('version')} != {STATE_VERSION}")
        records = [_record_from_list(item) for item in state["records"]]
        room = {int(item[0]): RoomSample.from_list(item[1:4]) for item in state.get("room") or ()}
        origin = datetime.fromisoformat(state["origin"])
        last_update = update_from_dict(state["last_update"])
        # Build every part first, so that bad data leaves the pipeline as it was.
        fresh = SleepPipeline(
            self.config,
            origin,
            stager=self.stager,
            params=self.params,
            intent_model=self.intent_model,
            stage_family=self.stage_family,
            intent_family=self.intent_family,
            learning=self.learning,
        )
        fresh.presence.load_state(state["presence"])
        fresh.presence.tracker.load_state(state.get("user"))
        fresh.session.load_state(state["session"])
        fresh.intent.load_state(state["intent"])
        fresh.features.load_state(state["features"])
        self.stager.reset()
        self.stager.load_state(state["stager"])
        if self.intent_model is not None:
            self.intent_model.reset()
            if state.get("intent_model") is not None:
                self.intent_model.load_state(state["intent_model"])
        self._last_probs = np.asarray(state.get("last_probs", _WAKE_PROBS), dtype=np.float64)
        self.origin = origin
        self.presence, self.session = fresh.presence, fresh.session
        self.intent, self.features = fresh.intent, fresh.features
        self.intent.onset_offset = self.teaching.onset_offset_epochs
        self.records = records
        self.room = room
        self._sleep_intent_onset = state["sleep_intent_onset"]
        self._sleep_intent_detected = state.get("sleep_intent_detected", self._sleep_intent_onset)
        self.last_t = None if state["last_t"] is None else float(state["last_t"])
        self._epoch = None
        self.last_update = last_update

    def reset(self) -> None:
        """Forget the night in progress (standby, data deleted).

        Its buffered frames, epochs and context, and what the learning observed of it.
        """
        self._epoch = None
        self.followed, self.targets_seen = None, 0
        if self.learning is not None:
            self.learning.forget_night()
        self.records = []
        self.room = {}
        self._sleep_intent_onset = None
        self._sleep_intent_detected = None
        self.presence.reset()
        self.session.load_state(
            {"state": SessionState.IDLE, "run_start": None, "away_since": None, "last_index": None}
        )
        self.intent.reset()
        self.stager.reset()
        if self.intent_model is not None:
            self.intent_model.reset()
        self._last_probs = np.array(_WAKE_PROBS)
        self.features.reset()

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


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def _record_from_list(item: list[Any]) -> EpochRecord:
    """An epoch record as :meth:`SleepPipeline.snapshot` writes it.

    Snapshots from before the stage explanations lack the movement and breathing irregularity.
    """
    i, present, stage, p, trying, score, rate = item[:7]
    movement, irregularity = (*item[7:9], None, None)[:2]
    return EpochRecord(
        index=int(i),
        present=bool(present),
        stage=Stage(int(stage)),
        probabilities=(float(p[0]), float(p[1]), float(p[2]), float(p[3])),
        trying=bool(trying),
        intent_score=_optional(score),
        breathing_rate_bpm=_optional(rate),
        movement=_optional(movement),
        irregularity=_optional(irregularity),
    )


def _note(record: EpochRecord | None, stage: Stage) -> str:
    """The stored note of an epoch of the hypnogram (:func:`.explain.encode_note`)."""
    if record is None or not record.present:
        return "-" * NOTE_LENGTH
    return encode_note(record.movement, record.irregularity, record.probabilities[stage])
