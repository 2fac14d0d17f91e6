"""Presence on the user's side of the bed, frame by frame (O(1), allocation-free)."""

from __future__ import annotations

import math
from typing import Any

from ..contracts import TargetVitals, VitalsFrame
from .config import UserZone
from .user import PrimaryUserTracker

GAP_SECONDS = 10.0
"""A pause in the frame stream longer than this resets presence: the device saw nothing."""
RELEASE_FRACTION = 0.6
"""Presence switches off below this fraction of the threshold (hysteresis)."""


class PresenceDetector:
    """Confidence that someone is on the user's side, from motion and breathing quality.

    Each frame gives evidence ``e`` = the user's target's ``max(signal_quality, movement)``
    (the target :attr:`tracker` chose, :class:`.user.PrimaryUserTracker`), or 1 when the
    device itself reports presence, unless it reports targets none of which is the user; the
    confidence is an exponential moving average of ``e`` with time constant ``tau`` in frame
    time, and ``present`` switches on at ``threshold`` and off below
    ``RELEASE_FRACTION * threshold`` (hysteresis, so breathing pauses or a brief drop of signal
    do not flicker).
    """

    def __init__(self, zone: UserZone, threshold: float = 0.5, tau_s: float = 5.0) -> None:
        """Start empty."""
        self.zone = zone
        self.threshold = threshold
        self.tau_s = tau_s
        self.confidence = 0.0
        self.present = False
        self._last_t: float | None = None
        self.tracker = PrimaryUserTracker(zone)
        """Which target is the user (its state is saved by the pipeline under ``"user"``)."""

    def best_target(self, frame: VitalsFrame) -> TargetVitals | None:
        """The in-zone target with the strongest evidence, if any.

        The naive attribution (no tracking, no breathing comparison), kept as the baseline
        that ``python -m training.evaluate user`` compares :attr:`tracker` with.
        """
        best: TargetVitals | None = None
        best_e = -1.0
        for target in frame.targets:
            if self.zone.contains(target.distance_m, target.angle_deg):
                e = max(target.signal_quality, target.movement)
                if e > best_e:
                    best, best_e = target, e
        return best

    def update(self, frame: VitalsFrame, target: TargetVitals | None) -> bool:
        """Fold one frame in; return whether ``present`` changed."""
        evidence = max(target.signal_quality, target.movement) if target is not None else 0.0
        if frame.device_presence and (target is not None or not frame.targets):
            evidence = 1.0  # the device's own opinion, unless its targets are all someone else
        last, self._last_t = self._last_t, frame.t
        if last is None or frame.t - last > GAP_SECONDS:
            self.confidence = evidence
        else:
            alpha = 1.0 - math.exp(-max(frame.t - last, 0.0) / self.tau_s)
            self.confidence += alpha * (evidence - self.confidence)
        was = self.present
        if self.confidence >= self.threshold:
            self.present = True
        elif self.confidence < RELEASE_FRACTION * self.threshold:
            self.present = False
        return self.present != was

    def dump_state(self) -> dict[str, float | bool | None]:
        """What a restart needs to carry on (JSON-serialisable)."""
        return {"confidence": self.confidence, "present": self.present, "last_t": self._last_t}

    def load_state(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`dump_state`."""
        self.confidence = float(state["confidence"])
        self.present = bool(state["present"])
        self._last_t = None if state["last_t"] is None else float(state["last_t"])

    def reset(self) -> None:
        """Forget everything (standby, reconfiguration)."""
        self.confidence = 0.0
        self.present = False
        self._last_t = None
        self.tracker.reset()
