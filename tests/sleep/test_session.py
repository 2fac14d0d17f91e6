"""Session state machine: 5-minute start, survives short absences, ends after the set absence."""

from __future__ import annotations

from custom_components.radar_sleep.contracts import SessionState
from custom_components.radar_sleep.sleep.session import MAX_GAP_EPOCHS, SessionEvent, SessionTracker


def run(presence: list[float], start: int = 10, end: int = 40) -> list:
    tracker = SessionTracker(start, end)
    return [tracker.step(i, p) for i, p in enumerate(presence)]


def test_starts_after_five_minutes_backdated() -> None:
    steps = run([0.0] * 3 + [1.0] * 12)
    started = [i for i, s in enumerate(steps) if s.event is SessionEvent.STARTED]
    assert started == [3 + 9]  # the tenth present epoch
    assert steps[12].start_index == 3
    assert steps[11].state is SessionState.STARTING
    assert steps[13].state is SessionState.ACTIVE


def test_short_presence_never_starts() -> None:
    steps = run(([1.0] * 9 + [0.0]) * 5)
    assert all(s.event is SessionEvent.NONE for s in steps)
    assert all(s.state in (SessionState.IDLE, SessionState.STARTING) for s in steps)


def test_bathroom_trip_keeps_the_session() -> None:
    steps = run([1.0] * 100 + [0.0] * 16 + [1.0] * 100)
    assert [s.event for s in steps].count(SessionEvent.STARTED) == 1
    assert SessionEvent.ENDED not in [s.event for s in steps]
    assert steps[105].state is SessionState.AWAY
    assert steps[150].state is SessionState.ACTIVE


def test_ends_after_absence_dated_to_leaving() -> None:
    steps = run([1.0] * 100 + [0.0] * 45)
    ended = [s for s in steps if s.event is SessionEvent.ENDED]
    assert len(ended) == 1
    assert ended[0].start_index == 0
    assert ended[0].end_index == 100
    assert steps[-1].state is SessionState.IDLE


def test_a_gap_in_frames_with_the_user_in_bed_after_it_keeps_the_session() -> None:
    tracker = SessionTracker(10, 40)
    for i in range(20):
        tracker.step(i, 1.0)
    step = tracker.step(140, 1.0)  # the radar was silent for an hour; the user is in bed
    assert step.event is SessionEvent.NONE
    assert step.start_index == 0
    assert tracker.state is SessionState.ACTIVE


def test_a_gap_in_frames_with_nobody_after_it_ended_the_session_where_it_began() -> None:
    tracker = SessionTracker(10, 40)
    for i in range(20):
        tracker.step(i, 1.0)
    step = tracker.step(200, 0.0)  # frames resume 90 minutes later: nobody
    assert step.event is SessionEvent.ENDED
    assert step.end_index == 20
    assert tracker.state is SessionState.IDLE


def test_a_gap_longer_than_three_hours_ends_the_session_where_it_began() -> None:
    tracker = SessionTracker(10, 40)
    for i in range(20):
        tracker.step(i, 1.0)
    step = tracker.step(20 + MAX_GAP_EPOCHS + 1, 1.0)  # the next evening, say
    assert MAX_GAP_EPOCHS == 3 * 120
    assert step.event is SessionEvent.ENDED
    assert step.end_index == 20
    assert tracker.state is SessionState.STARTING


def test_half_present_epoch_counts() -> None:
    steps = run([0.5] * 10)
    assert steps[-1].event is SessionEvent.STARTED
    steps = run([0.49] * 10)
    assert steps[-1].state is SessionState.IDLE
