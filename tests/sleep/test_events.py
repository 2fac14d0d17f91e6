"""Sleep events from hand-made epoch updates: each moment once, in order, at hand-worked times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
import json

from custom_components.radar_sleep.contracts import (
    NightSummary,
    SessionState,
    SleepUpdate,
    Stage,
)
from custom_components.radar_sleep.sleep.events import (
    SleepEvent,
    SleepEventTracker,
    SleepEventType as E,
)

T0 = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)
"""Start of epoch 0."""

N, S, A, W = SessionState.IDLE, SessionState.STARTING, SessionState.ACTIVE, SessionState.AWAY
WAKE, LIGHT, DEEP, REM = Stage.WAKE, Stage.LIGHT, Stage.DEEP, Stage.REM

# One epoch per row: session state (N nobody, S starting, A active, W away), trying to sleep,
# stage shown.
NIGHT: list[tuple[SessionState, bool, Stage | None]] = [
    (N, False, None),  # 0 nobody
    (S, False, None),  # 1 present: the presence run begins (22:00:30)
    (S, False, None),  # 2
    (A, False, WAKE),  # 3 session started, dated 22:00:30
    (A, False, WAKE),  # 4
    (A, True, WAKE),  # 5 trying to sleep 22:02:30
    (A, True, LIGHT),  # 6 fell asleep 22:03
    (A, True, DEEP),  # 7 a stage change within sleep: no event
    (A, True, WAKE),  # 8 awake 22:04
    (A, True, LIGHT),  # 9 back asleep 22:04:30
    (A, True, REM),  # 10
    (A, True, WAKE),  # 11 awake 22:05:30
    (W, True, WAKE),  # 12 out of bed 22:06
    (A, True, WAKE),  # 13 back in bed 22:06:30
    (A, True, LIGHT),  # 14 back asleep 22:07
    (A, True, WAKE),  # 15 awake 22:07:30
    (A, False, WAKE),  # 16 intent off after sleep: final wake, dated 22:07:30
    (A, False, LIGHT),  # 17 dozing after the final wake: no more sleep events
    (W, False, WAKE),  # 18 out of bed 22:09
    (N, False, None),  # 19 the session ends (summary), dated 22:09
]

EXPECTED = [
    (E.SESSION_STARTED, "22:00:30"),
    (E.TRYING_TO_SLEEP, "22:02:30"),
    (E.FELL_ASLEEP, "22:03:00"),
    (E.AWAKE, "22:04:00"),
    (E.BACK_ASLEEP, "22:04:30"),
    (E.AWAKE, "22:05:30"),
    (E.OUT_OF_BED, "22:06:00"),
    (E.BACK_IN_BED, "22:06:30"),
    (E.BACK_ASLEEP, "22:07:00"),
    (E.AWAKE, "22:07:30"),
    (E.FINAL_WAKE, "22:07:30"),
    (E.OUT_OF_BED, "22:09:00"),
    (E.SESSION_ENDED, "22:09:00"),
]


def update(k: int, state: SessionState, trying: bool, stage: Stage | None) -> SleepUpdate:
    """The live update at the end of epoch ``k``."""
    end = T0 + timedelta(seconds=30 * (k + 1))
    return SleepUpdate(
        t=30.0 * (k + 1),
        time=end,
        present=state in (S, A),
        presence_confidence=0.9,
        in_bed=state is A,
        session_state=state,
        trying_to_sleep=trying,
        intent_score=0.8 if trying else 0.2,
        stage=stage,
        stage_probabilities=None,
        breathing_rate_bpm=None,
        primary_user_confidence=None,
        epoch_index=k,
        reasons={"session": f"session {k}", "intent": f"intent {k}", "stage": f"stage {k}"},
    )


def summary(session_end: datetime, final_wake: datetime | None) -> NightSummary:
    return NightSummary(
        night=date(2026, 11, 20),
        session_start=T0 + timedelta(seconds=30),
        session_end=session_end,
        intent_start=None,
        sleep_onset=None,
        final_wake=final_wake,
        hypnogram_start=T0,
        hypnogram=(),
        metrics=None,
        mean_breathing_rate_bpm=None,
    )


END = summary(T0 + timedelta(minutes=9), T0 + timedelta(minutes=7, seconds=30))


def play(
    tracker: SleepEventTracker, rows: list[tuple[SessionState, bool, Stage | None]], first: int = 0
) -> list[SleepEvent]:
    events: list[SleepEvent] = []
    for k, (state, trying, stage) in enumerate(rows, first):
        night = END if k == 19 else None
        events += tracker.step(update(k, state, trying, stage), night)
    return events


def clock(events: list[SleepEvent]) -> list[tuple[E, str]]:
    return [(e.type, e.time.strftime("%H:%M:%S")) for e in events]


def test_a_night_in_order_at_the_hand_worked_times() -> None:
    events = play(SleepEventTracker(), NIGHT)
    assert clock(events) == EXPECTED
    assert events[0].reason == "session 3"
    assert events[1].reason == "intent 5"
    assert events[2].reason == "stage 6"
    assert events[-1].reason == "session 19"


def test_the_session_end_announces_the_final_wake_when_intent_never_went_off() -> None:
    # Asleep until epoch 11, then up and away until the session closes at epoch 19.
    rows = NIGHT[:11] + [(A, True, WAKE)] + [(W, True, WAKE)] * 7 + [(N, False, None)]
    events = play(SleepEventTracker(), rows)
    assert clock(events)[-4:] == [
        (E.AWAKE, "22:05:30"),
        (E.OUT_OF_BED, "22:06:00"),
        (E.FINAL_WAKE, "22:07:30"),  # the summary's final wake
        (E.SESSION_ENDED, "22:09:00"),
    ]


def test_a_restart_mid_night_neither_replays_nor_loses_events() -> None:
    for cut in range(1, len(NIGHT)):
        first = SleepEventTracker()
        before = play(first, NIGHT[:cut])
        saved = json.loads(json.dumps(first.dump_state()))
        second = SleepEventTracker()
        second.load_state(saved)
        after = play(second, NIGHT[cut:], first=cut)
        assert clock(before + after) == EXPECTED, cut


def test_priming_from_the_live_state_announces_nothing_already_shown() -> None:
    tracker = SleepEventTracker()
    tracker.prime(update(10, A, True, REM))  # restored asleep, without the tracker's state
    events = tracker.step(update(11, A, True, WAKE))
    assert clock(events) == [(E.AWAKE, "22:05:30")]


def test_getting_active_again_before_sleep_announces_trying_again() -> None:
    rows = [(A, False, WAKE), (A, True, WAKE), (A, False, WAKE), (A, True, WAKE), (A, True, WAKE)]
    events = play(SleepEventTracker(), rows, first=3)
    assert [e.type for e in events] == [E.SESSION_STARTED, E.TRYING_TO_SLEEP, E.TRYING_TO_SLEEP]
    assert events[0].time == T0 + timedelta(seconds=90)  # no presence run seen: this epoch


def test_a_dropped_session_without_a_night_is_forgotten_silently() -> None:
    tracker = SleepEventTracker()
    play(tracker, NIGHT[:8])
    assert tracker.step(update(8, N, False, None)) == []  # standby: no summary, no events
    events = tracker.step(update(9, A, False, WAKE))
    assert [e.type for e in events] == [E.SESSION_STARTED]


def test_asleep_before_the_intent_announces_trying_to_sleep_first() -> None:
    # Sensing starts with the sleeper asleep (standby off in the night): sleep is staged at
    # epoch 4, the intent comes on one epoch later.
    rows = [(S, False, None), (A, False, WAKE), (A, False, DEEP), (A, True, DEEP), (A, True, WAKE)]
    events = play(SleepEventTracker(), rows, first=2)
    assert clock(events) == [
        (E.SESSION_STARTED, "22:01:00"),
        (E.TRYING_TO_SLEEP, "22:02:00"),
        (E.FELL_ASLEEP, "22:02:00"),
        (E.AWAKE, "22:03:00"),
    ]
    assert events[1].reason == "stage 4"  # what decided it: the sleep
