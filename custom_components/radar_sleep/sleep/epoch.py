"""Collecting frames into 30-s epochs (per frame: O(1) appends) for batched processing."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..contracts import TargetVitals


@dataclass(slots=True)
class EpochInput:
    """The raw material of one epoch, handed to the executor when the epoch closes.

    Only the user's candidate target (the best in-zone target of each frame) is kept.
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
    """Frames attributed to each in-zone target id."""

    @property
    def presence_fraction(self) -> float:
        """Fraction of the epoch's frames with presence on."""
        return self.present_frames / self.n_frames if self.n_frames else 0.0

    @property
    def user_confidence(self) -> float | None:
        """Share of the present frames with target data that came from one target (0..1).

        ``None`` when no frame of the epoch had target data (nobody present, or a device that
        reports presence only).
        """
        with_target = sum(self.target_frames.values())
        if not with_target:
            return None
        return max(self.target_frames.values()) / with_target

    def add(self, target: TargetVitals | None, present: bool, confidence: float) -> None:
        """Append one frame (O(1) amortised)."""
        self.n_frames += 1
        self.confidence_sum += confidence
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
