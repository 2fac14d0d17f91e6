"""Presence: zone, confidence, hysteresis and gaps."""

from __future__ import annotations

from custom_components.radar_sleep.contracts import TargetVitals, VitalsFrame
from custom_components.radar_sleep.sleep.config import user_zone
from custom_components.radar_sleep.sleep.presence import PresenceDetector


def target(distance: float, quality: float = 0.9, angle: float | None = 0.0) -> TargetVitals:
    return TargetVitals(1, distance, angle, (0.0,), 10.0, 0.0, quality)


def feed(det: PresenceDetector, t0: float, seconds: float, *targets: TargetVitals) -> float:
    t = t0
    while t < t0 + seconds:
        frame = VitalsFrame(t, targets)
        det.update(frame, det.best_target(frame))
        t += 0.1
    return t


def test_user_zone_by_placement() -> None:
    near = user_zone("left", "left_table")
    far = user_zone("left", "right_table")
    assert near.contains(0.6, None)
    assert not near.contains(1.5, None)
    assert far.contains(1.5, None)
    assert not far.contains(0.6, None)
    head_left = user_zone("left", "headboard")
    assert head_left.contains(0.9, -25.0)
    assert not head_left.contains(0.9, 25.0)
    assert head_left.contains(0.9, None)  # single antenna: no angle to check


def test_turns_on_for_user_not_for_partner() -> None:
    det = PresenceDetector(user_zone("left", "left_table"))
    t = feed(det, 0.0, 30.0, target(1.5))  # partner on the far side only
    assert not det.present
    assert det.confidence < 0.1
    feed(det, t, 30.0, target(0.6), target(1.5))
    assert det.present
    assert det.confidence > 0.8


def test_hysteresis_and_time_constant() -> None:
    det = PresenceDetector(user_zone("left", "left_table"), threshold=0.5, tau_s=5.0)
    t = feed(det, 0.0, 60.0, target(0.6, quality=0.9))
    assert det.present
    # Quality drops to 0.35: between off (0.3) and on (0.5) thresholds, presence holds.
    t = feed(det, t, 60.0, target(0.6, quality=0.35))
    assert det.present
    t = feed(det, t, 60.0, target(0.6, quality=0.9))
    # Empty: off within a few time constants, not at once.
    t2 = feed(det, t, 2.0)
    assert det.present
    feed(det, t2, 20.0)
    assert not det.present


def test_gap_resets_to_current_evidence() -> None:
    det = PresenceDetector(user_zone("left", "left_table"))
    feed(det, 0.0, 30.0, target(0.6))
    assert det.present
    det.update(VitalsFrame(1000.0, ()), None)
    assert not det.present
    assert det.confidence == 0.0


def test_device_presence_flag_is_evidence() -> None:
    det = PresenceDetector(user_zone("left", "left_table"))
    for i in range(300):
        det.update(VitalsFrame(i * 0.1, (), device_presence=True), None)
    assert det.present
