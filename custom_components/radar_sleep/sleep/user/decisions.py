"""What the primary-user tracker calls a track and decides about a frame.

The values are those written in snapshots and reasons: they must not change.
"""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    """What the tracker believes a track's body is."""

    USER = "user"
    """You."""
    OTHER = "other"
    """Another person (the partner)."""
    PET = "pet"
    """A pet."""
    NEW = "new"
    """A body not yet told apart."""


class Decision(StrEnum):
    """The tracker's decision about a frame: you, or why nobody's data is yours."""

    YOU = "you"
    """The chosen target is you."""
    FAR_SIDE = "far_side"
    """You are not tracked; another person is seen outside your zone."""
    OTHER_HERE = "other_here"
    """Another person is on your side (followed there, or breathing not yours)."""
    NOT_YOU = "not_you"
    """A body on your side whose breathing is not yours."""
    PET_HERE = "pet"
    """You are not tracked; the body that decided it is a pet (by its breathing)."""
    CHANGED = "changed"
    """The target on your side breathes differently from you since it changed."""
    UNKNOWN_HERE = "unknown_here"
    """Someone not yet told apart is on your side while you are tracked elsewhere."""
    OUTSIDE = "outside"
    """Your track is outside your zone (moved to the middle or beyond)."""
    NOBODY = "nobody"
    """No target at all (out of bed)."""
    DEVICE = "device"
    """A presence-only device reports presence without target data."""


def describe(decision: Decision, distance_m: float | None) -> str:
    """A short explanation of a decision other than ``YOU`` (for ``reasons["user"]``)."""
    at = "" if distance_m is None else f"{distance_m:.2f} m"
    match decision:
        case Decision.FAR_SIDE:
            return f"excluded: partner's breathing (far side, {at})"
        case Decision.OTHER_HERE:
            return f"excluded: partner moved over to your side ({at}), followed from their side"
        case Decision.NOT_YOU:
            return f"excluded: someone on your side ({at}) whose breathing is not yours"
        case Decision.PET_HERE:
            return f"excluded: pet (small, fast breathing, {at})"
        case Decision.CHANGED:
            return f"excluded: breathing on your side changed abruptly ({at}): no longer yours"
        case Decision.UNKNOWN_HERE:
            return f"excluded: someone away from your usual place ({at}), not yet told apart"
        case Decision.OUTSIDE:
            return f"excluded: you are outside your side of the bed ({at})"
        case Decision.DEVICE:
            return "the device's own presence (no target data to tell who it is)"
        case _:
            return "excluded: out of bed"
