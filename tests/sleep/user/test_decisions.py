"""Labels and decisions are stored in snapshots and shown in reasons: their values never change."""

from __future__ import annotations

import json

from custom_components.radar_sleep.contracts import TargetVitals, VitalsFrame
from custom_components.radar_sleep.sleep.config import user_zone
from custom_components.radar_sleep.sleep.user import Decision, Label, PrimaryUserTracker, describe


def test_values_are_the_stored_strings() -> None:
    assert [d.value for d in Decision] == [
        "you",
        "far_side",
        "other_here",
        "not_you",
        "pet",
        "changed",
        "unknown_here",
        "outside",
        "nobody",
        "device",
    ]
    assert [label.value for label in Label] == ["user", "other", "pet", "new"]


def test_describe_takes_the_stored_strings_too() -> None:
    """A restored epoch holds plain strings where a live one holds members."""
    for decision in Decision:
        assert describe(decision, 1.2) == describe(Decision(decision.value), 1.2)
    assert describe(Decision.FAR_SIDE, 1.5) == "excluded: partner's breathing (far side, 1.50 m)"
    assert describe(Decision.NOBODY, None) == "excluded: out of bed"


def test_tracker_state_holds_plain_strings() -> None:
    tracker = PrimaryUserTracker(user_zone("left", "left_table"))
    target = TargetVitals(1, 0.6, None, (0.0,), 10.0, 0.0, 0.9)
    tracker.choose(VitalsFrame(0.0, (target,)))
    state = tracker.dump_state()
    [track] = state["tracks"]
    assert type(track["label"]) is str
    assert json.loads(json.dumps(state)) == state
