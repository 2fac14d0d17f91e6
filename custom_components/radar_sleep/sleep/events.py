"""The night's life as events: consecutive epoch updates in, sleep events out.

:class:`SleepEventTracker` follows the live updates of a session epoch by epoch (one
:class:`~..contracts.SleepUpdate` per completed epoch, and the night's summary on the epoch
that ends the session) and announces each moment once, as soon as it is known, with the time
it happened and the pipeline's reason:

- ``session_started``: the session began (dated to the start of the presence run that opened
  it, as the night summary's session start);
- ``trying_to_sleep``: the sleep intent came on (again, if the user got active before falling
  asleep), or, when sleep is staged before the intent comes on, with the sleep onset and just
  before it (so it always precedes ``fell_asleep``);
- ``fell_asleep``: the first epoch staged as sleep (the summary's sleep onset);
- ``awake`` and ``back_asleep``: a wake run after sleep onset begins, and sleep resumes. This is
  the awakening of the night metrics (:func:`.metrics.sleep_metrics`: runs of wake between sleep
  epochs), announced causally at the first wake epoch; stage changes between light, deep and
  REM are not events;
- ``final_wake``: the last wake run of the night. It is only known afterwards: it is announced
  when the pipeline decides the user is up for the day (sleep intent off after sleep,
  :class:`.intent.IntentTracker`) or at the end of the session, whichever comes first, and
  dated to the start of that wake run (the summary's final wake). After it, the night's sleep
  and wake events stop;
- ``out_of_bed`` and ``back_in_bed``: the session went away and came back (a night-time trip);
- ``session_ended``: the session closed (dated to when the user left, as the summary).

A night of ``n`` metric awakenings therefore shows ``n + 1`` ``awake`` events when it ends in
wake (the last is the final wake's run). Times assume the stage model has no lookahead (the
shipped one has none): the stage of an update is the stage of its own epoch.

The tracker's state is a handful of fields (:meth:`SleepEventTracker.dump_state`), saved with
the night in progress so that a restart neither replays nor loses an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ..contracts import (
    EPOCH_SECONDS,
    REASON_INTENT,
    REASON_SESSION,
    REASON_STAGE,
    NightSummary,
    SessionState,
    SleepUpdate,
    Stage,
)


class SleepEventType(StrEnum):
    """What happened in the night."""

    SESSION_STARTED = "session_started"
    TRYING_TO_SLEEP = "trying_to_sleep"
    FELL_ASLEEP = "fell_asleep"
    AWAKE = "awake"
    BACK_ASLEEP = "back_asleep"
    FINAL_WAKE = "final_wake"
    OUT_OF_BED = "out_of_bed"
    BACK_IN_BED = "back_in_bed"
    SESSION_ENDED = "session_ended"


@dataclass(frozen=True, slots=True)
class SleepEvent:
    """One moment of the night."""

    type: SleepEventType
    time: datetime
    """When it happened (UTC); may be earlier than when it was announced."""
    reason: str
    """The pipeline's reason for the decision behind it."""


class NightPhase(StrEnum):
    """Where the tracked night is, as far as sleep goes."""

    NONE = "none"
    """No session."""
    AWAKE = "awake"
    """In a session, not asleep yet."""
    ASLEEP = "asleep"
    WOKEN = "woken"
    """A wake run after sleep onset (an awakening, or the final one)."""
    UP = "up"
    """The final wake was announced."""


_SESSION = (SessionState.ACTIVE, SessionState.AWAY)


class SleepEventTracker:
    """State machine from consecutive epoch updates to :class:`SleepEvent` s."""

    def __init__(self, epoch_seconds: int = EPOCH_SECONDS) -> None:
        """Start with no session."""
        self.epoch = timedelta(seconds=epoch_seconds)
        self.reset()

    def reset(self) -> None:
        """Forget the night (standby, or a new tracker)."""
        self.phase = NightPhase.NONE
        self.in_bed = False
        self.trying = False
        self.starting_since: datetime | None = None
        """Start of the presence run that may open a session."""
        self.wake_since: datetime | None = None
        """Start of the current wake run after sleep onset."""

    def dump_state(self) -> dict[str, Any]:
        """What a restart needs to carry on (JSON types)."""
        return {
            "phase": str(self.phase),
            "in_bed": self.in_bed,
            "trying": self.trying,
            "starting_since": _iso(self.starting_since),
            "wake_since": _iso(self.wake_since),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state` (``ValueError``/``KeyError`` on bad data)."""
        phase = NightPhase(state["phase"])
        starting = _parse(state["starting_since"])
        wake = _parse(state["wake_since"])
        self.phase, self.in_bed, self.trying = phase, bool(state["in_bed"]), bool(state["trying"])
        self.starting_since, self.wake_since = starting, wake

    def prime(self, update: SleepUpdate) -> None:
        """Carry on from a live state alone (a saved night without the tracker's state).

        Nothing that ``update`` already shows is announced again.
        """
        self.reset()
        if update.session_state not in _SESSION:
            return
        self.in_bed = update.session_state is SessionState.ACTIVE
        self.trying = update.trying_to_sleep
        asleep = update.stage is not None and update.stage is not Stage.WAKE
        self.phase = NightPhase.ASLEEP if asleep else NightPhase.AWAKE

    def step(self, update: SleepUpdate, summary: NightSummary | None = None) -> list[SleepEvent]:
        """Fold in the update of one completed epoch; the events it announces, in order.

        ``summary`` is the night's summary when this epoch ended the session.
        """
        start = update.time - self.epoch
        reasons = update.reasons
        events: list[SleepEvent] = []
        if summary is not None and self.phase is not NightPhase.NONE:
            events.extend(self._ended(summary, reasons.get(REASON_SESSION, "")))
        state = update.session_state
        if state not in _SESSION:
            if summary is None and self.phase is not NightPhase.NONE:
                self.reset()  # the session was dropped without a night (standby)
            if state is SessionState.STARTING:
                if self.starting_since is None:
                    self.starting_since = start
            else:
                self.starting_since = None
            return events
        if self.phase is NightPhase.NONE:
            events.append(
                SleepEvent(
                    SleepEventType.SESSION_STARTED,
                    self.starting_since or start,
                    reasons.get(REASON_SESSION, ""),
                )
            )
            self.phase, self.in_bed, self.starting_since = NightPhase.AWAKE, True, None
        if update.trying_to_sleep and not self.trying and self.phase is NightPhase.AWAKE:
            events.append(
                SleepEvent(SleepEventType.TRYING_TO_SLEEP, start, reasons.get(REASON_INTENT, ""))
            )
        trying = self.trying or update.trying_to_sleep
        events.extend(self._stage(update.stage, start, reasons.get(REASON_STAGE, ""), trying))
        away = state is SessionState.AWAY
        if away == self.in_bed:
            kind = SleepEventType.OUT_OF_BED if away else SleepEventType.BACK_IN_BED
            events.append(SleepEvent(kind, start, reasons.get(REASON_SESSION, "")))
            self.in_bed = not away
        if self.trying and not update.trying_to_sleep and self.phase is NightPhase.WOKEN:
            # Sleep intent off after sleep: the pipeline's "up for the day".
            events.append(
                SleepEvent(
                    SleepEventType.FINAL_WAKE,
                    self.wake_since or start,
                    reasons.get(REASON_INTENT, ""),
                )
            )
            self.phase = NightPhase.UP
        self.trying = update.trying_to_sleep
        return events

    def _stage(
        self, stage: Stage | None, start: datetime, reason: str, trying: bool
    ) -> list[SleepEvent]:
        """Sleep onset, awakenings and returns to sleep.

        Asleep before the sleep intent came on (sleep staged before the settling is long enough
        to decide it, or sensing resumed with the sleeper asleep): ``trying_to_sleep`` is
        announced with the onset, just before it, so that the two keep their order; the intent
        coming on afterwards is no new event.
        """
        if stage is None or self.phase in (NightPhase.NONE, NightPhase.UP):
            return []
        asleep = stage is not Stage.WAKE
        if asleep and self.phase is NightPhase.AWAKE:
            self.phase = NightPhase.ASLEEP
            onset = SleepEvent(SleepEventType.FELL_ASLEEP, start, reason)
            if trying:
                return [onset]
            return [SleepEvent(SleepEventType.TRYING_TO_SLEEP, start, reason), onset]
        if not asleep and self.phase is NightPhase.ASLEEP:
            self.phase, self.wake_since = NightPhase.WOKEN, start
            return [SleepEvent(SleepEventType.AWAKE, start, reason)]
        if asleep and self.phase is NightPhase.WOKEN:
            self.phase, self.wake_since = NightPhase.ASLEEP, None
            return [SleepEvent(SleepEventType.BACK_ASLEEP, start, reason)]
        return []

    def _ended(self, summary: NightSummary, reason: str) -> list[SleepEvent]:
        """The session closed: the final wake if it is still to come, and the end."""
        events: list[SleepEvent] = []
        if self.phase in (NightPhase.ASLEEP, NightPhase.WOKEN):
            final = summary.final_wake or self.wake_since or summary.session_end
            events.append(SleepEvent(SleepEventType.FINAL_WAKE, final, reason))
        events.append(SleepEvent(SleepEventType.SESSION_ENDED, summary.session_end, reason))
        self.reset()
        return events


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
