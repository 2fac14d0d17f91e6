"""Collecting frames into 30-s epochs (per frame: O(1) appends) for batched processing."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..contracts import TargetVitals
from .user import Decision, Verdict, describe


@dataclass(slots=True)
class EpochInput:
    """The raw material of one epoch, handed to the executor when the epoch closes.

    Only the user's target (as :class:`.user.PrimaryUserTracker` chose it) is kept; every
    frame's attribution decision is counted, for ``reasons["user"]`` and the confidence.
    """

    index: int
    """Epoch number since the source's time zero (``floor(t / epoch_seconds)``)."""
    start_t: float
    n_frames: int = 0
    present_frames: int = 0
    """Frames in which presence was on (processing happens only above the threshold)."""
    confidence_sum: float = 0.0
    respiration: list[float] = field(default_factory=list)
    respiration_rate_hz: float = 0.0
    movement: list[float] = field(default_factory=list)
    quality: list[float] = field(default_factory=list)
    distance: list[float] = field(default_factory=list)
    angle: list[float] = field(default_factory=list)
    device_breath_rate: list[float] = field(default_factory=list)
    target_frames: dict[int, int] = field(default_factory=dict)
    """Present frames attributed to the user, per target id."""
    attribution: dict[Decision, int] = field(default_factory=dict)
    """Frames per attribution decision (:class:`.user.Decision`), over every frame."""
    excluded_distance: dict[Decision, float] = field(default_factory=dict)
    """Sum of the range of the body behind each exclusion decision (for the reason)."""
    you_confidence: float = 0.0
    """Sum of the tracker's confidence over the frames attributed to the user."""
    ignored: dict[Decision, int] = field(default_factory=dict)
    """Frames attributed to the user in which another body was seen, per decision about it."""
    ignored_distance: dict[Decision, float] = field(default_factory=dict)

    @property
    def presence_fraction(self) -> float:
        """Fraction of the epoch's frames with presence on."""
        return self.present_frames / self.n_frames if self.n_frames else 0.0

    @property
    def user_confidence(self) -> float | None:
        """How sure the tracker is that the epoch's data are the user's (0..1).

        The mean frame confidence of the frames attributed to the user; ``None`` when no frame
        was (nobody on your side, someone else's, or a device that reports presence only).
        Epochs collected without attribution decisions give the share of frames from one
        target.
        """
        if self.attribution:
            you = self.attribution.get(Decision.YOU, 0)
            return self.you_confidence / you if you else None
        with_target = sum(self.target_frames.values())
        if not with_target:
            return None
        return max(self.target_frames.values()) / with_target

    @property
    def user_reason(self) -> str:
        """Why the epoch's data are (not) the user's, e.g. ``you: 0.62 m, -12°, quality 0.80``.

        Computed on demand (in the executor): medians of the attributed frames, or the most
        frequent exclusion with the mean range of the body behind it.
        """
        counts = self.attribution
        if not counts:
            return "the in-zone target on your side of the bed"
        you = counts.get(Decision.YOU, 0)
        others = sorted(
            ((n, d) for d, n in counts.items() if d != Decision.YOU), key=lambda item: -item[0]
        )
        if you * 2 >= self.n_frames and you:
            if self.distance:
                text = f"you: {_median(self.distance):.2f} m"
                if self.angle:
                    text += f", {_median(self.angle):.0f}°"
                text += f", quality {_median(self.quality):.2f}"
            else:
                text = "you (presence not yet confirmed)"
            if self.ignored:
                d, n = max(self.ignored.items(), key=lambda item: item[1])
                if n * 10 >= you:
                    text += "; ignored: " + describe(d, self.ignored_distance[d] / n)[10:]
            return text
        if not others:
            return describe(Decision.NOBODY, None)
        informative = [(n, d) for n, d in others if d != Decision.NOBODY] or others
        n, d = informative[0]
        distance = self.excluded_distance.get(d)
        return describe(d, None if distance is None else distance / n)

    def add(
        self,
        target: TargetVitals | None,
        present: bool,
        confidence: float,
        verdict: Verdict | None = None,
    ) -> None:
        """Append one frame (O(1) amortised), with the tracker's decision about it."""
        self.n_frames += 1
        self.confidence_sum += confidence
        if verdict is not None:
            decision = verdict.decision
            self.attribution[decision] = self.attribution.get(decision, 0) + 1
            if decision == Decision.YOU:
                self.you_confidence += verdict.confidence
                other = verdict.ignored
                if other != Decision.NOBODY and verdict.ignored_distance_m is not None:
                    self.ignored[other] = self.ignored.get(other, 0) + 1
                    self.ignored_distance[other] = (
                        self.ignored_distance.get(other, 0.0) + verdict.ignored_distance_m
                    )
            elif verdict.distance_m is not None:
                self.excluded_distance[decision] = (
                    self.excluded_distance.get(decision, 0.0) + verdict.distance_m
                )
        if not present:
            return
        self.present_frames += 1
        if target is None:  # presence from the device's own flag, no target data
            return
        self.respiration.extend(target.respiration_mm)
        if target.respiration_mm:
            self.respiration_rate_hz = target.respiration_rate_hz
        self.movement.append(target.movement)
        self.quality.append(target.signal_quality)
        self.distance.append(target.distance_m)
        if target.angle_deg is not None:
            self.angle.append(target.angle_deg)
        if target.breath_rate_bpm is not None:
            self.device_breath_rate.append(target.breath_rate_bpm)
        self.target_frames[target.target_id] = self.target_frames.get(target.target_id, 0) + 1


def _median(values: list[float]) -> float:
    """Median of a non-empty list (no numpy: this module is per frame)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else 0.5 * (ordered[mid - 1] + ordered[mid])
