"""Assist: sentences end to end through Home Assistant's default conversation agent.

Every expected answer is worked out by hand from the fixed inputs (``fixed.py``): the stored
night :data:`NIGHT` is 22 November 2026 in Berlin (UTC+1): in bed 22:40, trying to sleep
22:55, asleep 22:58, up 06:55 with no final wake; 20 minutes scored, of which 16 asleep (80 %):
9 light (56.25 %), 4 deep (25 %), 3 REM (18.75 %); 3 minutes to fall asleep, one awakening
of 1 minute; 13.6 breaths per minute. Two nights are stored before it: too few for a usual.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    intent,
    llm,
)
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.radar_sleep.alarm_core.state import AlarmPhase
from custom_components.radar_sleep.assist import DATA_VOICE, expand_templates
from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.contracts import NightSummary, SessionState, SleepMetrics, Stage
from custom_components.radar_sleep.coordinator import RadarSleepData
from custom_components.radar_sleep.intents import ALARM_RINGS, HANDLERS, Phrases, Ring
from tests.alarm_core.test_policy import UNLIKELY, update as policy_update

from . import fixed
from .fixed import NIGHT, UPDATE, async_setup_assist, async_setup_fixed

MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
"""Monday 09:00 in Berlin, the morning after :data:`NIGHT`; the alarm (06:30 on weekdays,
30-minute window) rings next on Tuesday 24 November."""
ALL = [Platform.BINARY_SENSOR, Platform.NUMBER, Platform.SENSOR, Platform.SWITCH, Platform.TIME]
ALL_WITH_EVENT = [*ALL, Platform.EVENT]


async def ask(
    hass: HomeAssistant, text: str, device_id: str | None = None, satellite_id: str | None = None
) -> str:
    """What Assist answers to ``text`` (the default agent, English)."""
    result = await conversation.async_converse(
        hass,
        text,
        None,
        Context(),
        language="en",
        device_id=device_id,
        satellite_id=satellite_id,
    )
    await hass.async_block_till_done()
    speech: str = result.response.speech["plain"]["speech"]
    return speech


@pytest.fixture
async def tracker(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    """The fixed tracker on the morning after :data:`NIGHT`, Assist set up after it."""
    freezer.move_to(MORNING)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, ALL_WITH_EVENT)
    await async_setup_assist(hass)
    return mock_config_entry


async def setup_with_nights(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    nights: list[NightSummary],
    platforms: list[Platform] = ALL,
) -> None:
    """:func:`async_setup_fixed` with ``nights`` stored instead of the fixed ones."""
    with patch.object(fixed, "NIGHTS", tuple(nights)):
        await async_setup_fixed(hass, entry, hass_storage, platforms)


def show(hass: HomeAssistant, entry: MockConfigEntry, **changes: Any) -> None:
    """Let the tracker show :data:`UPDATE` with ``changes`` as its live state."""
    coordinator = entry.runtime_data.coordinator
    coordinator.async_set_updated_data(
        RadarSleepData(replace(UPDATE, **changes), coordinator.data.last_night)
    )


# Every question, at least three ways --------------------------------------------------

NIGHT_ANSWER = (
    "You slept 16 minutes last night, 80 percent of your 20 minutes in bed: 9 minutes light, "
    "4 minutes deep and 3 minutes REM sleep. After 1 more night, I can compare with your usual."
)
DEEP = "You got 4 minutes of deep sleep last night, 25 percent of your sleep."
REM = "You got 3 minutes of REM sleep last night, 19 percent of your sleep."
LIGHT = "You got 9 minutes of light sleep last night, 56 percent of your sleep."
BREATHING = (
    "Your breathing rate while asleep last night was 13.6 breaths per minute on average. "
    "Right now it is 14.2 breaths per minute."
)

QUESTIONS: dict[str, list[tuple[str, str]]] = {
    "RadarSleepGetNight": [
        ("How did I sleep last night?", NIGHT_ANSWER),
        ("how was my sleep", NIGHT_ANSWER),
        ("Did I sleep well last night", NIGHT_ANSWER),
        ("how many hours did I sleep", NIGHT_ANSWER),
        ("How did I sleep last night compared to my usual?", NIGHT_ANSWER),
    ],
    "RadarSleepGetStage": [
        ("How much deep sleep did I get last night?", DEEP),
        ("how long was I in deep sleep", DEEP),
        ("What was my REM sleep last night?", REM),
        ("how much time did I spend in REM sleep", REM),
        ("How much light sleep did I have?", LIGHT),
        ("how long was I in REM sleep", REM),
    ],
    "RadarSleepGetTime": [
        ("When did I go to bed last night?", "You went to bed at 22:40."),
        ("What time did I get into bed", "You went to bed at 22:40."),
        ("When did I start trying to sleep?", "You started trying to sleep at 22:55."),
        ("When did I fall asleep last night?", "You fell asleep at 22:58."),
        ("what time did I get to sleep", "You fell asleep at 22:58."),
        ("When did I wake up?", "You slept until you got up at 06:55."),
        ("when was my last awakening", "You slept until you got up at 06:55."),
        ("When did I turn off the lights?", "You started trying to sleep at 22:55."),
        ("when did I settle down", "You started trying to sleep at 22:55."),
        ("when did I drift off", "You fell asleep at 22:58."),
        ("When did I get up this morning?", "You got up at 06:55."),
        ("what time did I get out of bed", "You got up at 06:55."),
    ],
    "RadarSleepGetLatency": [
        (
            "How long did it take me to fall asleep?",
            "It took you 3 minutes to fall asleep last night.",
        ),
        (
            "how quickly did I fall asleep last night",
            "It took you 3 minutes to fall asleep last night.",
        ),
        ("What was my sleep latency?", "It took you 3 minutes to fall asleep last night."),
    ],
    "RadarSleepGetAwakenings": [
        (
            "How often did I wake up in the night?",
            "You woke up once in the night, awake for 1 minute in all.",
        ),
        (
            "how long was I awake during the night",
            "You woke up once in the night, awake for 1 minute in all.",
        ),
        ("Did I wake up last night?", "You woke up once in the night, awake for 1 minute in all."),
        (
            "how many times did I wake up",
            "You woke up once in the night, awake for 1 minute in all.",
        ),
    ],
    "RadarSleepGetBreathing": [
        ("What was my breathing rate last night?", BREATHING),
        ("what's my respiratory rate", BREATHING),
        ("How fast did I breathe last night?", BREATHING),
    ],
    "RadarSleepGetInBed": [
        ("Am I in bed?", "Yes, you're in bed."),
        ("am I still in bed", "Yes, you're in bed."),
        ("Is anyone in bed?", "Yes, you're in bed."),
        ("is the bed occupied", "Yes, you're in bed."),
        ("is my side of the bed occupied", "Yes, you're in bed."),
    ],
    "RadarSleepGetRoom": [
        (
            "How warm was the bedroom last night?",
            "I didn't record the bedroom's temperature last night: no sensor for it is set up "
            "for Bedroom, or it had no readings while you slept.",
        ),
        (
            "how humid was it last night",
            "I didn't record the bedroom's humidity last night: no sensor for it is set up for "
            "Bedroom, or it had no readings while you slept.",
        ),
        (
            "What was the room like last night?",
            "I didn't record the bedroom's temperature, humidity and light last night: no "
            "sensor for it is set up for Bedroom, or it had no readings while you slept.",
        ),
    ],
    "RadarSleepGetAlarm": [
        (
            "When is my alarm?",
            "Your alarm is set for 06:30 tomorrow. It can wake you in light sleep from 06:00. "
            "It rings on weekdays.",
        ),
        (
            "what time does the alarm go off",
            "Your alarm is set for 06:30 tomorrow. It can wake you in light sleep from 06:00. "
            "It rings on weekdays.",
        ),
        (
            "Is my alarm set?",
            "Your alarm is set for 06:30 tomorrow. It can wake you in light sleep from 06:00. "
            "It rings on weekdays.",
        ),
    ],
    "RadarSleepGetAlarmReason": [
        ("Why did my alarm go off?", "Your alarm hasn't gone off yet."),
        ("why did you wake me up so early", "Your alarm hasn't gone off yet."),
        ("What woke me up this morning?", "Your alarm hasn't gone off yet."),
    ],
}
"""Questions (several phrasings each) and their answers on the morning after NIGHT; the
alarm's changing sentences are in their own tests below."""


def test_every_question_has_three_phrasings() -> None:
    asked = {
        *QUESTIONS,
        "RadarSleepSetAlarm",
        "RadarSleepAlarmOff",
        "RadarSleepSkipAlarm",
        "RadarSleepUnskipAlarm",
        "RadarSleepTeach",  # tests/ha/test_teach.py
        "RadarSleepExplainStage",
    }
    assert asked == {h.intent_type for h in HANDLERS}
    for intent_type, phrasings in QUESTIONS.items():
        assert len(phrasings) >= 3, intent_type


def test_templates_are_unique_per_group() -> None:
    one = expand_templates([])
    two = expand_templates(["Bedroom", "Guest room"])
    assert len(one) == len(two) > 100
    assert all("<" not in t and ">" not in t for t in two)
    assert sum("(Bedroom|Guest room)" in t for t in two) > 80


@pytest.mark.parametrize(
    ("text", "expected"),
    [pair for pairs in QUESTIONS.values() for pair in pairs],
    ids=[text for pairs in QUESTIONS.values() for text, _ in pairs],
)
async def test_question(
    hass: HomeAssistant, tracker: MockConfigEntry, text: str, expected: str
) -> None:
    assert await ask(hass, text) == expected


async def set_alarm(hass: HomeAssistant, tracker: MockConfigEntry, **data: Any) -> None:
    """The ``set_alarm`` action on ``tracker``."""
    await hass.services.async_call(
        DOMAIN, "set_alarm", {"config_entry_id": tracker.entry_id, **data}, blocking=True
    )


async def test_one_tracker_can_be_named_too(hass: HomeAssistant, tracker: MockConfigEntry) -> None:
    """With a single tracker, naming it (or its room) at the end is understood, not handed to
    Home Assistant's own sentences ("not aware of any device called ... in the bedroom
    area")."""
    assert await ask(hass, "how did I sleep last night in the bedroom") == NIGHT_ANSWER
    assert await ask(hass, "how did I sleep last night for Bedroom") == NIGHT_ANSWER
    assert await ask(hass, "turn off the alarm in the bedroom") == "OK, your alarm is off."


async def test_anyone_in_bed_while_in_bed_is_on(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    """The built-in "is anyone in bed" state question no longer answers "No" here."""
    assert hass.states.get("binary_sensor.bedroom_in_bed").state == "on"
    assert await ask(hass, "is anyone in bed") == "Yes, you're in bed."
    show(hass, tracker, in_bed=False, session_state=SessionState.STARTING)
    assert await ask(hass, "is anyone in bed") == "Yes, someone is on your side of the bed."
    assert await ask(hass, "am I in bed") == "Yes, you've just got into bed."
    show(hass, tracker, in_bed=False, present=False, session_state=SessionState.AWAY)
    assert await ask(hass, "is somebody in the bed") == (
        "No, I don't see anyone on your side of the bed."
    )
    assert await ask(hass, "am I in bed") == "No, you're out of bed, but your night is still going."
    show(hass, tracker, in_bed=False, present=False, session_state=SessionState.IDLE)
    assert await ask(hass, "am I in bed") == "No, you're not in bed."


async def test_in_bed_in_standby(hass: HomeAssistant, tracker: MockConfigEntry) -> None:
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.bedroom_standby"}, blocking=True
    )
    assert (
        await ask(hass, "am I in bed") == "Bedroom is in standby and not sensing, so I can't tell."
    )


# No data -------------------------------------------------------------------------------


async def test_no_night_tracked(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(MORNING)
    await setup_with_nights(hass, mock_config_entry, hass_storage, [])
    show(hass, mock_config_entry, in_bed=False, present=False, session_state=SessionState.IDLE)
    await async_setup_assist(hass)
    for text in (
        "how did I sleep last night",
        "how much deep sleep did I get",
        "when did I fall asleep",
    ):
        assert await ask(hass, text) == "I didn't track your sleep last night."
    # Something told (not asked) is answered as such: there is nothing to note it in.
    assert await ask(hass, "I was awake at 3") == (
        "I didn't track your sleep last night, so I have no night to note that in."
    )


async def test_the_night_is_still_going(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """At 05:30 in bed, the night after the last stored one."""
    freezer.move_to(datetime(2026, 11, 24, 4, 30, tzinfo=UTC))
    await async_setup_fixed(hass, mock_config_entry, hass_storage, ALL)
    await async_setup_assist(hass)
    assert (
        await ask(hass, "how did I sleep")
        == "The night is still going: ask me again when you're up."
    )
    assert (
        await ask(hass, "what is my breathing rate") == "Right now it is 14.2 breaths per minute."
    )
    # Told, not asked: tell it again (the night in progress is not stored yet).
    assert await ask(hass, "I was reading until 23:10") == (
        "Your night is still going: tell me again when you're up, and I'll note it with the night."
    )
    show(hass, mock_config_entry, in_bed=False, session_state=SessionState.AWAY)
    assert await ask(hass, "how did I sleep") == (
        "Your night ends when you've been out of bed for 20 minutes: ask me again then."
    )
    assert await ask(hass, "I slept badly") == (
        "Your night ends when you've been out of bed for 20 minutes: tell me again then."
    )


async def test_last_tracked_night_was_earlier(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(datetime(2026, 11, 26, 11, 0, tzinfo=UTC))
    await async_setup_fixed(hass, mock_config_entry, hass_storage, ALL)
    show(hass, mock_config_entry, in_bed=False, present=False, session_state=SessionState.IDLE)
    await async_setup_assist(hass)
    assert await ask(hass, "how did I sleep last night") == (
        "I didn't track your sleep last night. The last night I have is the night of "
        "Sunday 22 November."
    )


# Compared with the usual night, and the room -------------------------------------------


def usual_night(
    day: int, bed: tuple[int, int], tst: float, stages: tuple[float, float, float]
) -> NightSummary:
    """A stored night in November with hand-made metrics; ``bed`` is the local (UTC+1) time."""
    light, deep, rem = stages
    start = datetime(2026, 11, day, bed[0] - 1, bed[1], tzinfo=UTC)
    metrics = SleepMetrics(
        tib_min=500.0,
        tst_min=tst,
        se_pct=100 * tst / 500,
        sol_min=12.0,
        waso_min=30.0,
        light_min=light,
        deep_min=deep,
        rem_min=rem,
        light_pct=100 * light / tst,
        deep_pct=100 * deep / tst,
        rem_pct=100 * rem / tst,
        awakenings=3,
        after_final_wake_min=5.0,
    )
    return replace(
        NIGHT,
        night=date(2026, 11, day),
        session_start=start,
        intent_start=start + timedelta(minutes=10),
        sleep_onset=start + timedelta(minutes=22),
        hypnogram_start=start + timedelta(minutes=10),
        metrics=metrics,
    )


USUAL_NIGHTS = [
    usual_night(19, (22, 30), 400.0, (220.0, 80.0, 100.0)),
    usual_night(20, (22, 40), 420.0, (230.0, 90.0, 100.0)),
    usual_night(21, (22, 50), 440.0, (240.0, 100.0, 100.0)),
    # Last night: 452 minutes asleep; 250.5 + 95.5 + 106 shown as 251 + 95 + 106 (the tie of
    # halves goes to the earlier stage). Usual: medians 420 asleep, 90 deep, 22:40 to bed.
    replace(
        usual_night(22, (23, 10), 452.0, (250.5, 95.5, 106.0)),
        room_temperature_c=19.44,
        room_humidity_pct=48.4,
        room_illuminance_lx=0.4,
    ),
]


@pytest.fixture
async def usual_tracker(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    freezer.move_to(MORNING)
    await setup_with_nights(hass, mock_config_entry, hass_storage, USUAL_NIGHTS)
    await async_setup_assist(hass)
    return mock_config_entry


async def test_compared_with_the_usual_night(
    hass: HomeAssistant, usual_tracker: MockConfigEntry
) -> None:
    total = hass.states.get("sensor.bedroom_last_night_total_sleep_time")
    assert total.attributes["unit_of_measurement"] == "h"
    assert round(float(total.state) * 60, 6) == 452
    assert await ask(hass, "how did I sleep last night compared with my usual") == (
        "You slept 7 hours 32 minutes last night, 90 percent of your 8 hours 20 minutes in "
        "bed: 4 hours 11 minutes light, 1 hour 35 minutes deep and 1 hour 46 minutes REM "
        "sleep. That's 32 minutes more than your usual 7 hours."
    )
    assert await ask(hass, "how much deep sleep did I get") == (
        "You got 1 hour 35 minutes of deep sleep last night, 21 percent of your sleep. "
        "Your usual is 1 hour 30 minutes."
    )
    assert await ask(hass, "when did I go to bed") == (
        "You went to bed at 23:10. That's 30 minutes later than usual."
    )
    assert await ask(hass, "how long did it take me to fall asleep") == (
        "It took you 12 minutes to fall asleep last night. Usually it takes 12 minutes."
    )
    assert await ask(hass, "how often did I wake up") == (
        "You woke up 3 times in the night, awake for 30 minutes in all."
    )


async def test_the_room_last_night(hass: HomeAssistant, usual_tracker: MockConfigEntry) -> None:
    assert await ask(hass, "how warm was the bedroom last night") == (
        "The bedroom was 19.4 °C on average while you slept. That's within the range "
        "recommended for sleep (17.0 °C to 28.0 °C)."
    )
    assert await ask(hass, "what was the humidity in the bedroom") == (
        "The bedroom's humidity was 48 % on average while you slept. That's within the range "
        "recommended for sleep (40 % to 60 %)."
    )
    assert await ask(hass, "how dark was it last night") == (
        "The bedroom's light was 0.4 lx on average while you slept. That's dark enough for "
        "sleep (below 3.0 lx)."
    )
    hass.config.units = __import__(
        "homeassistant.util.unit_system", fromlist=["US_CUSTOMARY_SYSTEM"]
    ).US_CUSTOMARY_SYSTEM
    # 19.44 °C = 66.99 °F; the range 17-28 °C is 62.6-82.4 °F.
    assert await ask(hass, "what was the bedroom temperature last night") == (
        "The bedroom was 67.0 °F on average while you slept. That's within the range "
        "recommended for sleep (62.6 °F to 82.4 °F)."
    )


async def test_the_room_out_of_its_ranges(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    warm = replace(
        USUAL_NIGHTS[-1], room_temperature_c=29.0, room_humidity_pct=35.0, room_illuminance_lx=12.0
    )
    freezer.move_to(MORNING)
    await setup_with_nights(hass, mock_config_entry, hass_storage, [*USUAL_NIGHTS[:-1], warm])
    await async_setup_assist(hass)
    assert await ask(hass, "how was the bedroom climate last night") == (
        "The bedroom was 29.0 °C on average while you slept. That's warmer than the range "
        "recommended for sleep (17.0 °C to 28.0 °C). The bedroom's humidity was 35 % on "
        "average while you slept. That's drier than the range recommended for sleep (40 % to "
        "60 %). The bedroom's light was 12 lx on average while you slept. That's brighter "
        "than the 3.0 lx recommended for sleep."
    )


# The alarm's sentences change the alarm's entities -------------------------------------


async def test_alarm_sentences_change_the_alarm(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    assert await ask(hass, "wake me up between 6:15 and 7") == (
        "OK, your alarm is set for 07:00 tomorrow. It can wake you in light sleep from 06:15."
    )
    assert hass.states.get("time.bedroom_alarm_time").state == "07:00:00"
    assert hass.states.get("number.bedroom_alarm_window").state == "45"
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-11-24T06:00:00+00:00"

    assert await ask(hass, "set my alarm for half past seven") == (
        "OK, your alarm is set for 07:30 tomorrow. It can wake you in light sleep from 06:45."
    )
    assert hass.states.get("time.bedroom_alarm_time").state == "07:30:00"
    assert hass.states.get("number.bedroom_alarm_window").state == "45"

    assert await ask(hass, "set the alarm to 7") == (
        "OK, your alarm is set for 07:00 tomorrow. It can wake you in light sleep from 06:15."
    )
    assert await ask(hass, "wake me up between 6:30 and 7") == (
        "OK, your alarm is set for 07:00 tomorrow. It can wake you in light sleep from 06:30."
    )
    assert hass.states.get("number.bedroom_alarm_window").state == "30"

    assert await ask(hass, "skip tomorrow's alarm") == (
        "OK, I'll skip the alarm at 07:00 tomorrow. The next one is at 07:00 on Wednesday."
    )
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-11-25T06:00:00+00:00"

    assert await ask(hass, "turn off my alarm") == "OK, your alarm is off."
    assert hass.states.get("switch.bedroom_alarm").state == "off"
    assert await ask(hass, "disable the alarm") == "Your alarm was already off."
    assert await ask(hass, "When is my alarm?") == "Your alarm is off."
    assert await ask(hass, "skip my alarm") == "Your alarm is off, so there is no alarm to skip."

    # Turned on again from off, the alarm rings on its days: tomorrow's skip is undone.
    assert await ask(hass, "turn on my alarm") == (
        "OK, your alarm is set for 07:00 tomorrow. It can wake you in light sleep from 06:30."
    )
    assert hass.states.get("switch.bedroom_alarm").state == "on"


async def test_alarm_sentences_set_the_days(hass: HomeAssistant, tracker: MockConfigEntry) -> None:
    """The morning after the fixed night is Monday 23 November 2026."""

    def days() -> list[str]:
        return hass.states.get("sensor.bedroom_next_alarm").attributes["days"]

    assert await ask(hass, "wake me up at 9 at the weekend") == (
        "OK, your alarm is set for 09:00 on Saturday. It can wake you in light sleep from 08:30. "
        "It rings at weekends."
    )
    assert days() == ["sat", "sun"]
    assert hass.states.get("time.bedroom_alarm_time").state == "09:00:00"
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-11-28T08:00:00+00:00"

    assert await ask(hass, "set my alarm for 7 on weekdays") == (
        "OK, your alarm is set for 07:00 tomorrow. It can wake you in light sleep from 06:30. "
        "It rings on weekdays."
    )
    assert days() == ["mon", "tue", "wed", "thu", "fri"]

    assert await ask(hass, "wake me up between 6:15 and 7 every day") == (
        "OK, your alarm is set for 07:00 tomorrow. It can wake you in light sleep from 06:15. "
        "It rings every day."
    )
    assert days() == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert hass.states.get("number.bedroom_alarm_window").state == "45"

    assert await ask(hass, "turn off my alarm") == "OK, your alarm is off."
    assert await ask(hass, "turn on my alarm at weekends") == (
        "OK, your alarm is set for 07:00 on Saturday. It can wake you in light sleep from 06:15. "
        "It rings at weekends."
    )
    assert days() == ["sat", "sun"]
    assert hass.states.get("switch.bedroom_alarm").state == "on"


async def test_when_is_my_alarm_names_other_days(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    """Days that are no weekdays, weekends or every day are named one by one."""
    await set_alarm(hass, tracker, time="06:30", days=["fri", "mon", "wed"])
    assert await ask(hass, "when is my alarm") == (
        "Your alarm is set for 06:30 on Wednesday. It can wake you in light sleep from 06:00. "
        "It rings on Monday, Wednesday and Friday."
    )


async def test_alarm_sentences_refuse_what_they_cannot_do(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    assert await ask(hass, "wake me up between 5 and 7") == (
        "The smart window can be at most 90 minutes, and 05:00 to 07:00 is 2 hours."
    )
    assert (
        await ask(hass, "set my alarm for banana") == "Sorry, I didn't understand the time banana."
    )
    assert hass.states.get("time.bedroom_alarm_time").state == "06:30:00"
    assert hass.states.get("number.bedroom_alarm_window").state == "30"


async def test_why_did_my_alarm_go_off(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    # Tomorrow's alarm rings at its set time: the silent radar sent no sleep data, so it is the
    # failsafe ring.
    await ask(hass, "wake me up at 7")
    freezer.move_to(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get("event.bedroom_alarm").attributes["event_type"] == "triggered"
    answer = await ask(hass, "why did my alarm go off")
    assert answer.startswith(
        "Your alarm went off at 07:00 because the set time had come, and without sleep data "
        "it rang to be safe. In detail: set time reached; "
    )
    assert await ask(hass, "why did the alarm ring at 6:42") == (
        f"Your alarm didn't go off at 06:42. {answer}"
    )
    # A smart ring as the alarm's event reports it (fixed input): light sleep at 06:42.
    hass.data[ALARM_RINGS][tracker.entry_id].append(
        Ring(
            at=datetime(2026, 11, 25, 5, 42, tzinfo=UTC),
            reason="light_sleep",
            explanation="light sleep (p 0.91) inside the window.",
            alarm_time=datetime(2026, 11, 25, 6, 0, tzinfo=UTC),
        )
    )
    expected = (
        "Your alarm went off at 06:42 because you were in light sleep, 18 minutes before the "
        "set time. In detail: light sleep (p 0.91) inside the window."
    )
    assert await ask(hass, "why did my alarm go off at 6:42") == expected
    assert await ask(hass, "why did you wake me up at 6.42") == expected
    assert await ask(hass, "how come my alarm went off this morning") == expected
    # Rung half a minute into 06:50 for a 07:00 alarm: the minutes heard are those between
    # the two clock times said (9.5 minutes would round either way).
    hass.data[ALARM_RINGS][tracker.entry_id].append(
        Ring(
            at=datetime(2026, 11, 25, 5, 50, 30, 400000, tzinfo=UTC),
            reason="light_sleep",
            explanation="light sleep (p=0.97), 10 min before the set time.",
            alarm_time=datetime(2026, 11, 25, 6, 0, tzinfo=UTC),
        )
    )
    assert await ask(hass, "why did my alarm go off at 6:50") == (
        "Your alarm went off at 06:50 because you were in light sleep, 10 minutes before the "
        "set time. In detail: light sleep (p=0.97), 10 min before the set time."
    )


async def restart(hass: HomeAssistant, entry: MockConfigEntry, **patches: Any) -> None:
    """Home Assistant stops and starts again: the tracker from what it saved (nothing in memory).

    ``patches``: ``params``, the alarm policy's parameters for the new start.
    """
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    params = patches.get("params")
    with (
        patch("custom_components.radar_sleep.runtime.PLATFORMS", ALL_WITH_EVENT),
        patch(
            "custom_components.radar_sleep.runtime.build_source", return_value=fixed.SilentSource()
        ),
        patch("custom_components.radar_sleep.runtime.default_params", return_value=params)
        if params is not None
        else nullcontext(),
    ):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()


async def test_why_did_my_alarm_go_off_after_a_snooze_and_a_restart(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Set for 06:00 on Tuesday 24 November (Berlin, UTC+1), it rings in light sleep at 05:51,
    is snoozed at 05:54 for 5 minutes, rings again at 05:59 and is dismissed at 06:00.

    The reason belongs to the first ring, when the alarm decided to wake (9 minutes before
    the set time); 05:59 is the end of the snooze. The answer, the *Alarm* event, *Next
    alarm*'s ``last_reason`` and the diagnostics say so, before and after a restart.
    Policy parameters where light sleep is brief (``UNLIKELY``): it rings at the first light
    epoch.
    """
    await restart(hass, tracker, params=UNLIKELY)
    alarm = tracker.runtime_data.alarm
    await set_alarm(hass, tracker, time="06:00", window=30)

    async def move(at: datetime) -> None:
        freezer.move_to(at)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()

    first = datetime(2026, 11, 24, 4, 51, tzinfo=UTC)  # 05:51 in Berlin
    await move(first - timedelta(minutes=20))
    assert alarm.state.phase is AlarmPhase.WINDOW
    for k in range(40, 0, -1):  # deep sleep until half a minute before 05:51
        alarm.async_on_epoch(policy_update(first - timedelta(seconds=30 * k), Stage.DEEP, 0.99))
    await move(first)
    alarm.async_on_epoch(policy_update(first, Stage.LIGHT, 0.99))
    await hass.async_block_till_done()
    triggered = hass.states.get("event.bedroom_alarm").attributes
    assert triggered["event_type"] == "triggered"
    assert triggered["reason"] == "light_sleep"
    explanation = triggered["explanation"]

    await move(first + timedelta(minutes=3))
    await hass.services.async_call(
        DOMAIN, "snooze", {"config_entry_id": tracker.entry_id, "minutes": 5}, blocking=True
    )
    await move(first + timedelta(minutes=8))  # 05:59: the snooze is over
    again = hass.states.get("event.bedroom_alarm").attributes
    assert (again["event_type"], again["reason"], again["explanation"]) == (
        "triggered",
        "snooze_over",
        "the snooze is over; it first rang at 05:51 (light_sleep)",
    )
    await move(first + timedelta(minutes=9))
    await hass.services.async_call(
        DOMAIN, "dismiss", {"config_entry_id": tracker.entry_id}, blocking=True
    )
    await hass.async_block_till_done()

    why = (
        "Your alarm went off at 05:51 because you were in light sleep, 9 minutes before the set "
        f"time. In detail: {explanation.rstrip('.')}."
    )
    at_5_59 = (
        "Your alarm went off at 05:59 again, because your snooze was over. It first went off at "
        "05:51 because you were in light sleep, 9 minutes before the set time. "
        f"In detail: {explanation.rstrip('.')}."
    )
    for restarted in (False, True):
        if restarted:
            await restart(hass, tracker)
            alarm = tracker.runtime_data.alarm
        assert await ask(hass, "why did my alarm go off") == why, restarted
        assert await ask(hass, "why did my alarm go off at 5:51") == why, restarted
        assert await ask(hass, "why did my alarm go off at 5:59") == at_5_59, restarted
        assert hass.states.get("sensor.bedroom_next_alarm").attributes["last_reason"] == (
            "light_sleep"
        )
        state = alarm.diagnostics()["state"]
        assert state["first_rang_at"] == "2026-11-24T04:51:00+00:00"
        assert state["rang_at"] == "2026-11-24T04:59:00+00:00"
        assert (state["reason"], state["explanation"]) == ("light_sleep", explanation)


def documented_sentences() -> list[str]:
    """The example sentences of the tables in docs/voice.md (their second column)."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "voice.md").read_text()
    found: list[str] = []
    for line in text.splitlines():
        cells = line.strip().strip("|").split("|")
        if line.startswith("|") and len(cells) >= 3:
            found += re.findall(r'"([^"]+)"', cells[1])
    return found


async def test_every_documented_sentence_is_understood(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    """Each example in docs/voice.md is answered by the tracker, its time understood.

    Home Assistant's own answer to a sentence nobody knows, and the tracker's answer to a
    time it did not understand, both start with "Sorry, I".
    """
    sentences = documented_sentences()
    assert len(sentences) > 70
    answers = {text: await ask(hass, text) for text in sentences}
    assert {t: a for t, a in answers.items() if a.startswith("Sorry, I")} == {}


async def test_skipping_tomorrow_skips_nothing_when_no_alarm_rings_tomorrow(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    """On Monday with an alarm on Thursdays only, "tomorrow" (Tuesday) has no alarm to skip.

    Each "no alarm tomorrow" skipped the next alarm, days away, and the one after that when
    said again; "skip my alarm" still skips the next one, whichever day it is.
    """
    alarm = tracker.runtime_data.alarm
    alarm.async_set(enabled=True, at=time(7, 0), days=["thu"])
    await hass.async_block_till_done()
    thursday = "2026-11-26T06:00:00+00:00"
    assert hass.states.get("sensor.bedroom_next_alarm").state == thursday
    for text in ("no alarm tomorrow", "skip tomorrow's alarm", "don't wake me up tomorrow"):
        assert await ask(hass, text) == (
            "There is no alarm tomorrow, so I skipped nothing. "
            "Your next alarm is at 07:00 on Thursday."
        )
    assert alarm.state.skip_through is None
    assert hass.states.get("sensor.bedroom_next_alarm").state == thursday
    assert await ask(hass, "skip my alarm") == (
        "OK, I'll skip the alarm at 07:00 on Thursday. "
        "The next one is at 07:00 on Thursday 3 December."
    )
    assert alarm.state.skip_through == date(2026, 11, 26)


async def test_a_day_a_week_away_is_not_named_as_this_week(
    hass: HomeAssistant, tracker: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """On Saturday 28 November 2026 (09:00 in Berlin) an alarm on Saturdays only is a week away.

    "on Saturday" would name today: a week away is "next Saturday", further the date.
    """
    freezer.move_to(datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    await set_alarm(hass, tracker, time="06:00", days=["sat"])
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-12-05T05:00:00+00:00"
    assert await ask(hass, "when is my alarm") == (
        "Your alarm is set for 06:00 next Saturday. It can wake you in light sleep from 05:30. "
        "It rings on Saturday."
    )
    assert await ask(hass, "skip my alarm") == (
        "OK, I'll skip the alarm at 06:00 next Saturday. "
        "The next one is at 06:00 on Saturday 12 December."
    )
    phrases = Phrases("en")
    now = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    said = {days: phrases.day(now + timedelta(days=days), now) for days in (0, 1, 2, 6, 7, 8, 14)}
    assert said == {
        0: "today",
        1: "tomorrow",
        2: "on Monday",
        6: "on Friday",
        7: "next Saturday",
        8: "on Sunday 6 December",
        14: "on Saturday 12 December",
    }


@pytest.mark.parametrize(
    "text", ["don't skip my alarm", "undo the skip", "unskip my alarm", "do not skip the alarm"]
)
async def test_a_skip_is_undone_by_voice(
    hass: HomeAssistant, tracker: MockConfigEntry, text: str
) -> None:
    """Monday 09:00: Tuesday's 06:30 alarm skipped, Wednesday next; undone, Tuesday again."""
    tuesday = "2026-11-24T05:30:00+00:00"
    assert await ask(hass, text) == "No alarm is skipped. Your next alarm is at 06:30 tomorrow."
    assert await ask(hass, "skip tomorrow's alarm") == (
        "OK, I'll skip the alarm at 06:30 tomorrow. The next one is at 06:30 on Wednesday."
    )
    assert await ask(hass, text) == "OK, your alarm at 06:30 tomorrow is on again."
    assert hass.states.get("sensor.bedroom_next_alarm").state == tuesday
    assert hass.states.get("sensor.bedroom_next_alarm").attributes["skipped_through"] is None
    # Setting the alarm says when to be woken: it undoes a skip too.
    await ask(hass, "skip my alarm")
    assert await ask(hass, "wake me up at 6:30") == (
        "OK, your alarm is set for 06:30 tomorrow. It can wake you in light sleep from 06:00."
    )
    assert hass.states.get("sensor.bedroom_next_alarm").state == tuesday
    await ask(hass, "turn off my alarm")
    assert await ask(hass, text) == "Your alarm is off. Turn it on and it rings on its days again."


# Several trackers ----------------------------------------------------------------------


async def async_add_guest_room(
    hass: HomeAssistant, bedroom: MockConfigEntry, hass_storage: dict[str, Any]
) -> MockConfigEntry:
    """A second tracker, "Guest room", with no night yet and nobody in bed."""
    guest = MockConfigEntry(
        domain=DOMAIN,
        title="Guest room",
        entry_id="01JRADARS1EEPTESTENTRY0002",
        unique_id="simulator_8",
        data={**bedroom.data, "seed": 8},
        options=dict(bedroom.options),
    )
    await setup_with_nights(hass, guest, hass_storage, [])
    show(hass, guest, in_bed=False, present=False, session_state=SessionState.IDLE)
    return guest


async def test_two_trackers_the_satellites_area_decides(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    area_registry: ar.AreaRegistry,
) -> None:
    freezer.move_to(MORNING)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, ALL)
    guest = await async_add_guest_room(hass, mock_config_entry, hass_storage)
    await async_setup_assist(hass)

    bedroom = area_registry.async_create("Main bedroom")
    spare = area_registry.async_create("Spare room")
    for entry, area in ((mock_config_entry, bedroom), (guest, spare)):
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, entry.entry_id), entry.entry_id
        )
        assert device is not None
        device_registry.async_update_device(device.id, area_id=area.id)
    satellites = MockConfigEntry(domain="test")
    satellites.add_to_hass(hass)
    in_bedroom = device_registry.async_get_or_create(
        config_entry_id=satellites.entry_id, identifiers={("test", "bedroom")}
    )
    device_registry.async_update_device(in_bedroom.id, area_id=bedroom.id)
    in_spare = device_registry.async_get_or_create(
        config_entry_id=satellites.entry_id, identifiers={("test", "spare")}
    )
    device_registry.async_update_device(in_spare.id, area_id=spare.id)

    assert await ask(hass, "how did I sleep last night", device_id=in_bedroom.id) == NIGHT_ANSWER
    assert await ask(hass, "how did I sleep last night", device_id=in_spare.id) == (
        "I didn't track your sleep last night."
    )
    which = "Which sleep tracker do you mean: Bedroom or Guest room?"
    assert await ask(hass, "how did I sleep last night") == which
    assert await ask(hass, "when is my alarm") == which
    assert await ask(hass, "how did I sleep last night in the guest room") == (
        "I didn't track your sleep last night."
    )
    assert await ask(hass, "how much deep sleep did I get in the Bedroom") == DEEP
    # The trackers' areas name them too.
    assert await ask(hass, "how much deep sleep did I get in the main bedroom") == DEEP
    assert await ask(hass, "how did I sleep on the spare room") == (
        "I didn't track your sleep last night."
    )
    # A room word that does not end the sentence names no tracker.
    assert await ask(hass, "how warm was the bedroom last night", device_id=in_spare.id) == (
        "I didn't track your sleep last night."
    )
    assert await ask(hass, "turn off the alarm in the guest room") == "OK, your alarm is off."
    assert hass.states.get("switch.guest_room_alarm").state == "off"
    assert hass.states.get("switch.bedroom_alarm").state == "on"

    # With one tracker left, no name is needed.
    await hass.config_entries.async_unload(guest.entry_id)
    await hass.async_block_till_done()
    assert await ask(hass, "how did I sleep last night") == NIGHT_ANSWER


async def test_two_trackers_in_one_room_are_told_apart_by_name(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    area_registry: ar.AreaRegistry,
) -> None:
    """Every new tracker's device goes to the Bedroom area: its own name still picks it.

    And every question, those ending in a time or a set of days too, takes the name.
    """
    freezer.move_to(MORNING)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, ALL)
    guest = await async_add_guest_room(hass, mock_config_entry, hass_storage)
    room = area_registry.async_get_or_create("Bedroom")
    for entry in (mock_config_entry, guest):
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, entry.entry_id), entry.entry_id
        )
        assert device is not None
        device_registry.async_update_device(device.id, area_id=room.id)
    await async_setup_assist(hass)

    assert await ask(hass, "how much deep sleep did I get for Bedroom") == DEEP
    assert await ask(hass, "how much deep sleep did I get in the bedroom") == DEEP
    not_yet = "Your alarm hasn't gone off yet."
    assert await ask(hass, "why did my alarm go off in the guest room") == not_yet
    assert await ask(hass, "why did you wake me up so early in the guest room") == not_yet
    assert await ask(hass, "what woke me up this morning in the guest room") == not_yet
    assert await ask(hass, "I had a rough night in the guest room") == (
        "I didn't track your sleep last night, so I have no night to note that in."
    )
    bedroom_alarm = hass.states.get("time.bedroom_alarm_time").state
    await ask(hass, "wake me up at 6:15 on weekdays in the guest room")
    assert hass.states.get("time.guest_room_alarm_time").state == "06:15:00"
    assert hass.states.get("switch.guest_room_alarm").state == "on"
    assert hass.states.get("time.bedroom_alarm_time").state == bedroom_alarm
    await ask(hass, "set my alarm for 5:45 in the guest room")
    assert hass.states.get("time.guest_room_alarm_time").state == "05:45:00"


async def test_no_tracker_no_sentences(hass: HomeAssistant, tracker: MockConfigEntry) -> None:
    await hass.config_entries.async_unload(tracker.entry_id)
    await hass.async_block_till_done()
    assert hass.data[DATA_VOICE].templates == {}
    response = await intent.async_handle(hass, "test", "RadarSleepGetNight", {})
    assert response.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert response.speech["plain"]["speech"] == "Radar Sleep has no sleep tracker set up."


# LLM agents ----------------------------------------------------------------------------


async def test_llm_tools(hass: HomeAssistant, tracker: MockConfigEntry) -> None:
    context = llm.LLMContext(
        platform="test", context=Context(), language="en", assistant="conversation", device_id=None
    )
    api = await llm.async_get_api(hass, llm.LLM_API_ASSIST, context)
    tools = {tool.name: tool for tool in api.tools}
    assert {f"radar_sleep__{h.tool_name}" for h in HANDLERS} <= set(tools)
    assert tools["radar_sleep__get_night"].annotations.read_only
    assert not tools["radar_sleep__set_alarm"].annotations.read_only
    assert "Radar Sleep" in api.api_prompt
    assert "'Bedroom'" in api.api_prompt

    result = await api.async_call_tool(
        llm.ToolInput(tool_name="radar_sleep__get_sleep_stage", tool_args={"stage": "deep"})
    )
    assert result.data["speech"]["plain"]["speech"] == DEEP
    result = await api.async_call_tool(
        llm.ToolInput(tool_name="radar_sleep__get_night", tool_args={})
    )
    assert result.data["speech"]["plain"]["speech"] == NIGHT_ANSWER
    result = await api.async_call_tool(
        llm.ToolInput(
            tool_name="radar_sleep__set_alarm", tool_args={"time": "07:15", "earliest": "06:50"}
        )
    )
    assert result.data["speech"]["plain"]["speech"] == (
        "OK, your alarm is set for 07:15 tomorrow. It can wake you in light sleep from 06:50."
    )
    await hass.async_block_till_done()
    assert hass.states.get("time.bedroom_alarm_time").state == "07:15:00"
    assert hass.states.get("number.bedroom_alarm_window").state == "25"


ALARM_PHRASES: dict[str, list[tuple[str, dict[str, str]]]] = {
    "RadarSleepSetAlarm": [
        ("Wake me up between 6:30 and 7.", {"time.bedroom_alarm_time": "07:00:00"}),
        (
            "set my alarm from 6 to 7:15",
            {"time.bedroom_alarm_time": "07:15:00", "number.bedroom_alarm_window": "75"},
        ),
        ("I want to wake up between six thirty and seven", {"time.bedroom_alarm_time": "07:00:00"}),
        ("set my alarm for 7", {"time.bedroom_alarm_time": "07:00:00"}),
        ("Wake me up at 6:45 am", {"time.bedroom_alarm_time": "06:45:00"}),
        ("change the smart alarm to 7:20", {"time.bedroom_alarm_time": "07:20:00"}),
    ],
    "RadarSleepAlarmOff": [
        ("Turn off my alarm", {"switch.bedroom_alarm": "off"}),
        ("switch the alarm off", {"switch.bedroom_alarm": "off"}),
        ("disable my smart alarm", {"switch.bedroom_alarm": "off"}),
    ],
    "RadarSleepSkipAlarm": [
        ("Skip tomorrow's alarm", {"sensor.bedroom_next_alarm": "2026-11-25T05:30:00+00:00"}),
        ("don't wake me up tomorrow", {"sensor.bedroom_next_alarm": "2026-11-25T05:30:00+00:00"}),
        ("skip my alarm", {"sensor.bedroom_next_alarm": "2026-11-25T05:30:00+00:00"}),
        ("no alarm tomorrow", {"sensor.bedroom_next_alarm": "2026-11-25T05:30:00+00:00"}),
    ],
}
"""Alarm sentences and the entity states they leave (the alarm starts at 06:30 on weekdays,
30-minute window, next on Tuesday 24 November 05:30 UTC)."""


@pytest.mark.parametrize(
    ("text", "states"),
    [pair for pairs in ALARM_PHRASES.values() for pair in pairs],
    ids=[text for pairs in ALARM_PHRASES.values() for text, _ in pairs],
)
async def test_alarm_phrasing(
    hass: HomeAssistant, tracker: MockConfigEntry, text: str, states: dict[str, str]
) -> None:
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-11-24T05:30:00+00:00"
    await ask(hass, text)
    for entity_id, state in states.items():
        assert hass.states.get(entity_id).state == state, entity_id


def test_alarm_intents_have_three_phrasings() -> None:
    for phrasings in ALARM_PHRASES.values():
        assert len(phrasings) >= 3


# A simulated night: the answer has the sensors' numbers --------------------------------

SPOKEN = re.compile(r"(?:(\d+) hours?)? ?(?:(\d+) minutes?)?")


def spoken_minutes(text: str) -> int:
    """Minutes of "7 hours 12 minutes", "1 hour", "45 minutes"."""
    match = SPOKEN.fullmatch(text)
    assert text
    assert match is not None, text
    return int(match[1] or 0) * 60 + int(match[2] or 0)


@pytest.mark.slow
async def test_simulated_night_answer_matches_the_sensors(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    one_night_source: list[Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(datetime(2026, 11, 20, 21, 30, tzinfo=UTC))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_setup_assist(hass)
    answer = await ask(hass, "how did I sleep last night?")
    match = re.fullmatch(
        r"You slept (.+) last night, (\d+) percent of your (.+) in bed: (.+) light, (.+) deep "
        r"and (.+) REM sleep\. After 3 more nights, I can compare with your usual\.",
        answer,
    )
    assert match is not None, answer
    tst, se, tib, light, deep, rem = match.groups()

    def sensor(key: str) -> float:
        state = hass.states.get(f"sensor.bedroom_last_night_{key}")
        per = {"h": 60.0, "min": 1.0, "%": 1.0}[state.attributes["unit_of_measurement"]]
        return round(float(state.state) * per, 6)

    # The sensors and the answer show the same whole minutes (the durations in hours, as
    # Home Assistant suggests for new sensors), the stages adding up to the total sleep.
    assert spoken_minutes(tst) == sensor("total_sleep_time")
    assert spoken_minutes(tib) == sensor("time_in_bed")
    assert int(se) == round(sensor("sleep_efficiency"))
    stages = {"light_sleep": light, "deep_sleep": deep, "rem_sleep": rem}
    assert sum(spoken_minutes(v) for v in stages.values()) == spoken_minutes(tst)
    for key, spoken in stages.items():
        assert spoken_minutes(spoken) == sensor(key), key


async def test_assist_set_up_before_the_tracker(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """As Home Assistant starts: the conversation integration first, then the tracker."""
    freezer.move_to(MORNING)
    await async_setup_assist(hass)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, ALL_WITH_EVENT)
    assert await ask(hass, "is anyone in bed?") == "Yes, you're in bed."


async def test_an_evening_session_is_tonight_not_last_night(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """In bed at 23:27 on the first evening: last night was not tracked, tonight is not it."""
    freezer.move_to(datetime(2026, 11, 23, 22, 27, tzinfo=UTC))  # 23:27 in Berlin
    await setup_with_nights(hass, mock_config_entry, hass_storage, [])
    show(hass, mock_config_entry, in_bed=True, session_state=SessionState.ACTIVE)
    await async_setup_assist(hass)
    assert await ask(hass, "how did I sleep last night") == "I didn't track your sleep last night."
    show(hass, mock_config_entry, in_bed=False, session_state=SessionState.AWAY)
    assert await ask(hass, "how did I sleep") == "I didn't track your sleep last night."


async def test_llm_agents_do_not_see_a_tracker_hidden_from_assist(
    hass: HomeAssistant, tracker: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Hiding the tracker's entities from Assist hides its sleep and alarm from LLM agents;
    the integration's own sentences still answer (as its dashboard does)."""
    for entry in er.async_entries_for_config_entry(entity_registry, tracker.entry_id):
        async_expose_entity(hass, "conversation", entry.entity_id, False)
    context = llm.LLMContext(
        platform="test", context=Context(), language="en", assistant="conversation", device_id=None
    )
    api = await llm.async_get_api(hass, llm.LLM_API_ASSIST, context)
    assert not [tool for tool in api.tools if tool.name.startswith("radar_sleep__")]
    assert "Radar Sleep" not in api.api_prompt
    response = await intent.async_handle(
        hass, "test_llm", "RadarSleepGetNight", {}, assistant="conversation"
    )
    assert response.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert await ask(hass, "how did I sleep last night") == NIGHT_ANSWER
