"""Sleep intent: when the user starts trying to sleep, and when they finally get up.

Baseline rule on the intent model's per-epoch score: intent starts after ``on_epochs``
consecutive epochs scoring at least 0.5 and is backdated to the first of them (lights off);
before sleep onset it is withdrawn after ``off_epochs_before_sleep`` low epochs (back to
reading); after sleep it ends after ``off_epochs_after_sleep`` consecutive low-scoring wake
epochs (the final awakening). A later issue replaces this with penalised change-point
detection over the whole score sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..contracts import Stage


@dataclass(slots=True)
class IntentState:
    """Intent after one epoch."""

    trying: bool
    onset_index: int | None
    reason: str


class IntentTracker:
    """Turns per-epoch intent scores into the ``trying_to_sleep`` flag and its onset."""

    def __init__(
        self,
        on_epochs: int = 4,
        off_epochs_before_sleep: int = 10,
        off_epochs_after_sleep: int = 20,
    ) -> None:
        """Start with no intent."""
        self.on_epochs = on_epochs
        self.off_before = off_epochs_before_sleep
        self.off_after = off_epochs_after_sleep
        self.reset()

    def reset(self) -> None:
        """Start a new night."""
        self.trying = False
        self.onset_index: int | None = None
        self.slept = False
        self._high_run_start: int | None = None
        self._low_run = 0

    def dump_state(self) -> dict[str, bool | int | None]:
        """What a restart needs to carry on (JSON-serialisable)."""
        return {
            "trying": self.trying,
            "onset_index": self.onset_index,
            "slept": self.slept,
            "high_run_start": self._high_run_start,
            "low_run": self._low_run,
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state`."""
        self.trying = bool(state["trying"])
        self.onset_index = state["onset_index"]
        self.slept = bool(state["slept"])
        self._high_run_start = state["high_run_start"]
        self._low_run = int(state["low_run"])

    def step(self, index: int, score: float, stage: Stage) -> IntentState:
        """Fold in one epoch."""
        high = score >= 0.5
        if not self.trying:
            if not high:
                self._high_run_start = None
                return IntentState(False, None, f"not trying to sleep (score {score:.2f})")
            if self._high_run_start is None:
                self._high_run_start = index
            if index + 1 - self._high_run_start >= self.on_epochs:
                self.trying, self.onset_index, self._low_run = True, self._high_run_start, 0
                return IntentState(True, self.onset_index, "still, settled breathing: lights off")
            return IntentState(False, None, "settling down")
        if stage is not Stage.WAKE:
            self.slept = True
        self._low_run = self._low_run + 1 if (not high and stage is Stage.WAKE) else 0
        limit = self.off_after if self.slept else self.off_before
        if self._low_run >= limit:
            self.trying, self._high_run_start = False, None
            if self.slept:
                return IntentState(False, self.onset_index, "awake and active: up for the day")
            self.onset_index = None
            return IntentState(False, None, "active again before falling asleep")
        return IntentState(True, self.onset_index, "trying to sleep")
