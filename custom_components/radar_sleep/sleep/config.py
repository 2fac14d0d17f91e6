"""Settings of the sleep pipeline (plain data; the Home Assistant layer maps options to it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo

from ..contracts import EPOCH_SECONDS, BedSide, RadarPosition


@dataclass(frozen=True, slots=True)
class UserZone:
    """Where the user's chest is expected, as the radar sees it."""

    min_distance_m: float
    max_distance_m: float
    min_angle_deg: float | None = None
    """Angle limits apply only to frames that carry an angle."""
    max_angle_deg: float | None = None

    def contains(self, distance_m: float, angle_deg: float | None) -> bool:
        """Whether a target at this range and azimuth is on the user's side of the bed."""
        if not self.min_distance_m <= distance_m <= self.max_distance_m:
            return False
        if angle_deg is None or self.min_angle_deg is None or self.max_angle_deg is None:
            return True
        return self.min_angle_deg <= angle_deg <= self.max_angle_deg


def user_zone(side: BedSide, radar_position: RadarPosition) -> UserZone:
    """The user's zone for a bed of up to 1.8 m with the radar at chest height.

    On a bedside table the radar looks across the bed: the sleeper on its side is within about
    1 m, the one on the other side beyond it, both near boresight. At the headboard centre it
    looks down the bed and the two sleepers are told apart by angle (positive to the radar's
    right, which is the sleepers' right); single-antenna devices cannot, see the docs.
    """
    if radar_position == "headboard":
        if side == "left":
            return UserZone(0.3, 1.6, -75.0, -5.0)
        return UserZone(0.3, 1.6, 5.0, 75.0)
    near = (radar_position == "left_table") == (side == "left")
    return UserZone(0.15, 1.05) if near else UserZone(1.05, 2.4)


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    """Everything the pipeline needs to know about the bedroom and the user's preferences."""

    side: BedSide = "left"
    radar_position: RadarPosition = "left_table"
    presence_threshold: float = 0.5
    """Presence confidence above which the user's side counts as occupied."""
    learn_presence_threshold: bool = True
    """Use the presence threshold learned for this radar and bed
    (:mod:`.learning.calibration`) instead of ``presence_threshold`` once it is learned."""
    presence_time_constant_s: float = 5.0
    session_start_minutes: float = 5.0
    """Presence needed before a session starts."""
    session_end_minutes: float = 20.0
    """Absence that ends the night's session (a bathroom trip is shorter)."""
    stages_available: bool = True
    """False for devices without a breathing waveform (presence-only or rate-only): the
    pipeline then tracks presence, sessions and breathing rate but reports no stages, intent
    or sleep metrics rather than guessing them."""
    epoch_seconds: int = EPOCH_SECONDS
    time_zone: tzinfo = UTC
    """Used only to assign a session to its calendar night."""

    @property
    def zone(self) -> UserZone:
        """The user's zone for this bed."""
        return user_zone(self.side, self.radar_position)
