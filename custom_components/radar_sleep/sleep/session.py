"""The night's session: starts after sustained presence, survives short absences."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from ..contracts import SessionState

MAX_GAP_EPOCHS = 360
"""The longest stretch without data (3 h) after which a user found in bed is still in the same
session; after a longer one the session ends where the data stopped."""
PRESENT_FRACTION = 0.5
"""An epoch counts as present when presence was on for at least half of it."""
IN_BED_REASONS: Final = {True: "back in bed", False: "left the bed"}
"""What In bed's reason says when the user comes back to bed, or leaves it, during a session."""


class SessionEvent(StrEnum):
    """What a session step did."""

    NONE = "none"
    STARTED = "started"
    ENDED = "ended"


@dataclass(slots=True)
class SessionStep:
    """Outcome of one epoch for the session."""

    state: SessionState
    event: SessionEvent
    reason: str
    start_index: int | None = None
    """First epoch of the session (set while it runs and on ``ENDED``)."""
    end_index: int | None = None
    """First epoch after the session (on ``ENDED``): the user left at its start."""


class SessionTracker:
    """State machine over epochs: idle -> starting -> active <-> away -> (ended) idle.

    A session starts once the user has been present for ``start_epochs`` consecutive epochs
    and is backdated to the first of them; it ends once the user has been absent for
    ``end_epochs`` consecutive epochs, dated to the first absent one. Epochs missing from the
    stream (a gap in frames: the radar unplugged or silent, Home Assistant down) say nothing:
    a user in bed when the data comes back is in the same session (after a gap of up to
    :data:`MAX_GAP_EPOCHS`); one who is not left when the data stopped.
    """

    def __init__(self, start_epochs: int, end_epochs: int) -> None:
        """Start idle."""
        self.start_epochs = start_epochs
        self.end_epochs = end_epochs
        self.state = SessionState.IDLE
        self.run_start: int | None = None
        """First epoch of the current presence run (starting) or of the session."""
        self.away_since: int | None = None
        self._last_index: int | None = None

    def dump_state(self) -> dict[str, str | int | None]:
        """What a restart needs to carry on (JSON-serialisable)."""
        return {
            "state": str(self.state),
            "run_start": self.run_start,
            "away_since": self.away_since,
            "last_index": self._last_index,
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state`."""
        self.state = SessionState(state["state"])
        self.run_start = state["run_start"]
        self.away_since = state["away_since"]
        self._last_index = state["last_index"]

    def step(self, index: int, presence_fraction: float) -> SessionStep:
        """Advance to epoch ``index``."""
        gap = 0 if self._last_index is None else max(0, index - self._last_index - 1)
        self._last_index = index
        present = presence_fraction >= PRESENT_FRACTION
        if self.state in (SessionState.ACTIVE, SessionState.AWAY):
            if gap and self.state is SessionState.ACTIVE and (not present or gap > MAX_GAP_EPOCHS):
                self.state, self.away_since = SessionState.AWAY, index - gap
            if present:
                if self.state is SessionState.AWAY and index - (self.away_since or index) < (
                    self.end_epochs
                ):
                    self.state, self.away_since = SessionState.ACTIVE, None
                    return SessionStep(
                        self.state, SessionEvent.NONE, IN_BED_REASONS[True], self.run_start
                    )
            elif self.state is SessionState.ACTIVE:
                self.state, self.away_since = SessionState.AWAY, index
            away_since = self.away_since
            if away_since is not None and index + 1 - away_since >= self.end_epochs:
                start = self.run_start
                self.state, self.run_start, self.away_since = SessionState.IDLE, None, None
                minutes = self.end_epochs / 2
                step = SessionStep(
                    SessionState.IDLE,
                    SessionEvent.ENDED,
                    f"out of bed for {minutes:g} min",
                    start,
                    away_since,
                )
                if present:  # came back after the session closed: a new presence run
                    self.state, self.run_start = SessionState.STARTING, index
                return step
            if self.state is SessionState.AWAY:
                return SessionStep(
                    self.state, SessionEvent.NONE, IN_BED_REASONS[False], self.run_start
                )
            return SessionStep(self.state, SessionEvent.NONE, "in bed", self.run_start)

        if not present or gap:
            self.state, self.run_start = SessionState.IDLE, None
            if not present:
                return SessionStep(self.state, SessionEvent.NONE, "nobody on your side of the bed")
        if self.state is SessionState.IDLE:
            self.state, self.run_start = SessionState.STARTING, index
        run_start = self.run_start if self.run_start is not None else index
        if index + 1 - run_start >= self.start_epochs:
            self.state = SessionState.ACTIVE
            minutes = self.start_epochs / 2
            return SessionStep(
                self.state, SessionEvent.STARTED, f"present for {minutes:g} min", run_start
            )
        return SessionStep(
            self.state,
            SessionEvent.NONE,
            f"present for less than {self.start_epochs / 2:g} min",
            run_start,
        )
