"""One body as the device reports it, and what the tracker believes it is."""

from __future__ import annotations

from typing import Any

from ...contracts import TargetVitals
from ...dsp import BreathMeter
from .decisions import Label
from .signature import Profile


class Track:
    """One body as the device reports it, and what the tracker believes it is."""

    __slots__ = (
        "angle",
        "cusum",
        "distance",
        "inside",
        "inside_margin",
        "label",
        "last_t",
        "meter",
        "out_since",
        "quality",
        "review",
        "short_amp",
        "short_n",
        "short_period",
        "sig",
        "status",
        "target",
        "target_id",
        "velocity",
        "why",
    )

    def __init__(self, target: TargetVitals, t: float) -> None:
        self.target_id = target.target_id
        self.target = target
        """The track's target in the latest frame that had it."""
        self.inside = False
        """Whether that target was in your zone (``inside_margin``: with the hysteresis)."""
        self.inside_margin = False
        self.distance = target.distance_m
        self.velocity = 0.0
        """Range rate (m/s) from the alpha-beta filter."""
        self.angle = target.angle_deg
        self.quality = target.signal_quality
        self.last_t = t
        self.label = Label.NEW
        self.status = ""
        """For ``Label.USER``: ``verified``, ``continuous`` or ``provisional``."""
        self.why = ""
        """For ``Label.OTHER``: ``far side``, ``followed``, ``breathing``, ``changed``."""
        self.out_since: float | None = None
        self.meter = BreathMeter()
        self.sig = Profile()
        """The breathing signature of the body behind the track (``Label.OTHER``, ``Label.PET``)."""
        self.cusum = 0.0
        self.review = False
        self.short_period = 0.0
        self.short_amp = 0.0
        self.short_n = 0

    def open_review(self) -> None:
        """Reopen the question of whose track this is (decided on the next breaths)."""
        self.review = True
        self.short_n = 0
        self.cusum = 0.0

    def dump(self) -> dict[str, Any]:
        """What a restart needs of this track (JSON types)."""
        return {
            "id": self.target_id,
            "d": self.distance,
            "a": self.angle,
            "t": self.last_t,
            "label": self.label.value,
            "status": self.status,
            "why": self.why,
            "out_since": self.out_since,
            "sig": self.sig.dump(),
        }

    @classmethod
    def load(cls, state: dict[str, Any]) -> Track:
        """A track from :meth:`dump`."""
        angle = state["a"]
        target = TargetVitals(
            int(state["id"]),
            float(state["d"]),
            None if angle is None else float(angle),
            (),
            0,
            0,
            0,
        )
        track = cls(target, float(state["t"]))
        track.label = Label(state["label"])
        track.status = str(state["status"])
        track.why = str(state["why"])
        track.out_since = None if state["out_since"] is None else float(state["out_since"])
        track.sig.load(state["sig"])
        return track
