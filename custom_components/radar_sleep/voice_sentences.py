"""What Assist understands and says about sleep, per language (English so far).

Pure data, read by ``intents.py``: the sentence templates that reach Home Assistant's default
conversation agent (registered as sentence triggers, so the user installs no file), and the
answers' wording. To add a language, add its entry to :data:`SENTENCES`, :data:`RESPONSES`
and :data:`WORDS`; answers fall back to English where a language has no wording.

Sentence templates use Home Assistant's template syntax (hassil): ``(a|b)`` alternatives,
``[x]`` optional words, ``{name}`` a wildcard slot. Two markers are expanded before the
templates are registered:

- ``<night>``: an optional "last night", "yesterday", "this morning"...
- ``<tracker>``: an optional "in the Bedroom" naming a tracker (its name, or its device's
  area) where several trackers are set up; empty with one tracker.

Each group names the intent it asks and the fixed slot values its sentences stand for; the
wildcard slots (``time``, ``earliest``) are filled from what was said.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from .alarm_core.schedule import WEEKDAYS as ALARM_WEEKDAYS

INTENT_GET_NIGHT: Final = "RadarSleepGetNight"
INTENT_GET_STAGE: Final = "RadarSleepGetStage"
INTENT_GET_TIME: Final = "RadarSleepGetTime"
INTENT_GET_LATENCY: Final = "RadarSleepGetLatency"
INTENT_GET_AWAKENINGS: Final = "RadarSleepGetAwakenings"
INTENT_GET_BREATHING: Final = "RadarSleepGetBreathing"
INTENT_GET_IN_BED: Final = "RadarSleepGetInBed"
INTENT_GET_ROOM: Final = "RadarSleepGetRoom"
INTENT_GET_ALARM: Final = "RadarSleepGetAlarm"
INTENT_SET_ALARM: Final = "RadarSleepSetAlarm"
INTENT_ALARM_OFF: Final = "RadarSleepAlarmOff"
INTENT_SKIP_ALARM: Final = "RadarSleepSkipAlarm"
INTENT_UNSKIP_ALARM: Final = "RadarSleepUnskipAlarm"
INTENT_ALARM_REASON: Final = "RadarSleepGetAlarmReason"
INTENT_TEACH: Final = "RadarSleepTeach"
INTENT_EXPLAIN: Final = "RadarSleepExplainStage"

STAGES: Final = ("light", "deep", "rem")
MOMENTS: Final = ("bed", "lights_off", "sleep_onset", "final_wake", "out_of_bed")
"""Went to bed (the session's start), started trying to sleep, fell asleep, woke for the
last time, got up (the session's end)."""
WHO: Final = ("me", "anyone")
MEASURES: Final = ("temperature", "humidity", "light", "all")
LABEL_KINDS: Final = ("reading_until", "fell_asleep_at", "awake_at", "was_partner", "slept_badly")
"""What the user can teach about last night (``contracts.LabelKind``)."""
ALARM_DAYS: Final = {
    "weekdays": ALARM_WEEKDAYS[:5],
    "weekends": ALARM_WEEKDAYS[5:],
    "every_day": ALARM_WEEKDAYS,
}
"""The alarm's days a sentence can set (its day names, Monday first)."""
EXPLAIN_STATES: Final = ("awake", "asleep", "light", "deep", "rem")
"""What "why do you think I was ... at 3" can ask about."""


@dataclass(frozen=True, slots=True)
class SentenceGroup:
    """Templates asking one intent, with the slot values they stand for."""

    intent: str
    sentences: tuple[str, ...]
    slots: dict[str, str] = field(default_factory=dict)


NIGHT_MARKER: Final = "<night>"
TRACKER_MARKER: Final = "<tracker>"

_NIGHT_EN = "[last night|yesterday|this morning|tonight|in the night|during the night]"

_MY = "(my|the)"
_ALARM = f"{_MY} [smart] alarm [clock]"
_DAYS_WORDS = {
    "weekdays": "(on weekdays|on week days|on workdays|on work days|during the week|"
    "(from|on) monday to friday)",
    "weekends": "(on weekends|on the weekend|at weekends|at the weekend|on saturdays and sundays)",
    "every_day": "(every day|daily|every morning|all week)",
}
_STAGE_WORDS = {"light": "light", "deep": "(deep|slow wave)", "rem": "(rem|r e m|dream)"}
_ROOM = "[it in] [(the|my)] [bed]room"
_AROUND = "[(at|around|about|by|at about|at around)]"
_PARTNER = "(my partner|my husband|my wife|my boyfriend|my girlfriend|my other half)"
_WHY = "(why|how come) (do|did) you (think|say|believe) I was"
_WHY_STAGE = {
    "awake": ("awake", "up"),
    "asleep": ("asleep", "sleeping"),
    "light": ("in light sleep",),
    "deep": ("in deep sleep", "in slow wave sleep"),
    "rem": ("in rem [sleep]", "in r e m [sleep]", "dreaming"),
}


def _why_sentences(state: str) -> tuple[str, ...]:
    words = "|".join(_WHY_STAGE[state])
    return (
        f"{_WHY} ({words}) {_AROUND} {{time}}",
        f"why (was|were) I ({words}) {_AROUND} {{time}}",
        f"why (am|was) I (shown|marked) [as] ({words}) {_AROUND} {{time}}",
    )


def _alarm_days_sentences(days: str) -> tuple[str, ...]:
    words = _DAYS_WORDS[days]
    return (
        f"wake me [up] (at|by) {{time}} {words}",
        f"set {_ALARM} (for|to|at) {{time}} {words}",
        f"wake me [up] (between|from) {{earliest}} (and|to|until) {{time}} {words}",
        f"set {_ALARM} (between|from) {{earliest}} (and|to|until) {{time}} {words}",
        f"{words} wake me [up] (at|by) {{time}}",
        f"(set|turn on) {_ALARM} {words}",
    )


def _stage_sentences(stage: str) -> tuple[str, ...]:
    words = _STAGE_WORDS[stage]
    return (
        f"how much {words} sleep did I (get|have) <night> <tracker>",
        f"how (long|many minutes|many hours) (was I|did I spend|did I sleep) in {words} "
        "sleep <night> <tracker>",
        f"(what|how much) (was|is) my {words} sleep <night> <tracker>",
        f"how much time did I spend in {words} sleep <night> <tracker>",
        f"how much {words} <night> <tracker>",
    )


SENTENCES: Final[dict[str, tuple[SentenceGroup, ...]]] = {
    "en": (
        SentenceGroup(
            INTENT_GET_NIGHT,
            (
                "how (did|do) I sleep <night> <tracker>",
                "how well did I sleep <night> <tracker>",
                "how (was|did) my (sleep|night) [go] <night> <tracker>",
                "how (was|did) (last night|my sleep last night) [go] <tracker>",
                "did I sleep well <night> <tracker>",
                "(how much|how long) did I sleep <night> <tracker>",
                "how many hours (did I sleep|of sleep did I get) <night> <tracker>",
                "(what|how) was my (sleep efficiency|total sleep [time]) <night> <tracker>",
                "(give me|tell me|what is|what's|what was) my sleep (summary|report) "
                "<night> <tracker>",
                "how did I sleep <night> compared (to|with) [my] (usual|normal) <tracker>",
                "how was my sleep <night> compared (to|with) [my] (usual|normal) <tracker>",
            ),
        ),
        *(SentenceGroup(INTENT_GET_STAGE, _stage_sentences(s), {"stage": s}) for s in STAGES),
        SentenceGroup(
            INTENT_GET_TIME,
            (
                "(when|what time) did I (go|get) to bed <night> <tracker>",
                "(when|what time) did I get into bed <night> <tracker>",
                "(when|what time) was my bedtime <night> <tracker>",
                "(when|what time) did I turn in <night> <tracker>",
            ),
            {"moment": "bed"},
        ),
        SentenceGroup(
            INTENT_GET_TIME,
            (
                "(when|what time) did I (start|begin) trying to (sleep|fall asleep|get to sleep) "
                "<night> <tracker>",
                "(when|what time) did I (try|start to try) to (sleep|fall asleep) <night> "
                "<tracker>",
                "(when|what time) did I (turn|switch) (off the lights|the lights off) <night> "
                "<tracker>",
                "(when|what time) did I settle down [to sleep] <night> <tracker>",
            ),
            {"moment": "lights_off"},
        ),
        SentenceGroup(
            INTENT_GET_TIME,
            (
                "(when|what time) did I fall asleep <night> <tracker>",
                "(when|what time) did I (get|go) to sleep <night> <tracker>",
                "(when|what time) did I (drift|nod) off <night> <tracker>",
                "(when|what time) was I asleep <night> <tracker>",
            ),
            {"moment": "sleep_onset"},
        ),
        SentenceGroup(
            INTENT_GET_TIME,
            (
                "(when|what time) did I [finally] wake [up] [this morning] <tracker>",
                "(when|what time) was I awake [this morning] <tracker>",
                "(when|what time) was my (final|last) (wake|wake up|awakening) <night> <tracker>",
                "(when|what time) did I (stop sleeping|wake up for good) <night> <tracker>",
            ),
            {"moment": "final_wake"},
        ),
        SentenceGroup(
            INTENT_GET_TIME,
            (
                "(when|what time) did I get (up|out of bed) [this morning] <tracker>",
                "(when|what time) did I (leave|get out of) [the] bed [this morning] <tracker>",
                "(when|what time) was I up [this morning] <tracker>",
            ),
            {"moment": "out_of_bed"},
        ),
        SentenceGroup(
            INTENT_GET_LATENCY,
            (
                "how long did it take [me] to (fall asleep|get to sleep) <night> <tracker>",
                "how (long|quickly|fast) did I fall asleep <night> <tracker>",
                "how many minutes did it take [me] to (fall asleep|get to sleep) <night> <tracker>",
                "what was my [sleep] [onset] latency <night> <tracker>",
            ),
        ),
        SentenceGroup(
            INTENT_GET_AWAKENINGS,
            (
                "how (often|many times) did I wake [up] <night> <tracker>",
                "how (often|many times) was I awake <night> <tracker>",
                "how long was I awake [for] <night> <tracker>",
                "did I wake [up] <night> <tracker>",
                "how many (awakenings|wake ups) did I have <night> <tracker>",
                "was I awake (in|during) the night <tracker>",
            ),
        ),
        SentenceGroup(
            INTENT_GET_BREATHING,
            (
                "(what was|what is|what's) my (breathing|respiration|respiratory) rate <night> "
                "<tracker>",
                "how (fast|quickly) (did|do) I (breathe|breath) <night> <tracker>",
                "how many breaths (per|a) minute (did|do) I (take|breathe) <night> <tracker>",
                "how was my breathing <night> <tracker>",
            ),
        ),
        SentenceGroup(
            INTENT_GET_IN_BED,
            (
                "am I [still] in bed <tracker>",
                "(do|can) you see me in bed <tracker>",
                "have I gone to bed <tracker>",
            ),
            {"who": "me"},
        ),
        SentenceGroup(
            INTENT_GET_IN_BED,
            (
                "is (anyone|anybody|someone|somebody) in [the] bed <tracker>",
                "is there (anyone|anybody|someone|somebody) in [the] bed <tracker>",
                "is the bed occupied <tracker>",
                "is my side of the bed occupied <tracker>",
                "who is in [the] bed <tracker>",
            ),
            {"who": "anyone"},
        ),
        SentenceGroup(
            INTENT_GET_ROOM,
            (
                f"how (warm|cold|hot) was {_ROOM} <night> <tracker>",
                "what was the [bed]room temperature <night> <tracker>",
                "what was the temperature in [the|my] [bed]room <night> <tracker>",
                "how (warm|cold|hot) was it <night> <tracker>",
            ),
            {"measure": "temperature"},
        ),
        SentenceGroup(
            INTENT_GET_ROOM,
            (
                f"how (humid|dry) was {_ROOM} <night> <tracker>",
                "what was the [bed]room humidity <night> <tracker>",
                "what was the humidity in [the|my] [bed]room <night> <tracker>",
                "how humid was it <night> <tracker>",
            ),
            {"measure": "humidity"},
        ),
        SentenceGroup(
            INTENT_GET_ROOM,
            (
                f"how (bright|dark|light) was {_ROOM} <night> <tracker>",
                "what was the [bed]room (light|light level|brightness|illuminance) <night> "
                "<tracker>",
                "what was the (light|light level|brightness) in [the|my] [bed]room <night> "
                "<tracker>",
                "how (bright|dark) was it <night> <tracker>",
            ),
            {"measure": "light"},
        ),
        SentenceGroup(
            INTENT_GET_ROOM,
            (
                "(what|how) was [the|my] [bed]room [climate|environment] like <night> <tracker>",
                "how was [the|my] [bed]room (climate|environment) <night> <tracker>",
                "what were the [bed]room conditions <night> <tracker>",
            ),
            {"measure": "all"},
        ),
        SentenceGroup(
            INTENT_GET_ALARM,
            (
                f"(when|what time) is {_ALARM} [set] [for] <tracker>",
                f"(when|what time) (does|will) {_ALARM} (go off|ring) <tracker>",
                f"(when|what time) (does|will) {_ALARM} wake me [up] <tracker>",
                f"is {_ALARM} (set|on) <tracker>",
                f"what is {_ALARM} set (to|for) <tracker>",
                "when will you wake me [up] <tracker>",
            ),
        ),
        *(
            SentenceGroup(INTENT_SET_ALARM, _alarm_days_sentences(d), {"days": d})
            for d in ALARM_DAYS
        ),
        SentenceGroup(
            INTENT_SET_ALARM,
            (
                "wake me [up] (between|from) {earliest} (and|to|until) {time}",
                f"set {_ALARM} (between|from) {{earliest}} (and|to|until) {{time}}",
                "I want to (wake|get) up between {earliest} and {time}",
            ),
        ),
        SentenceGroup(
            INTENT_SET_ALARM,
            (
                "wake me [up] (at|by) {time}",
                f"set {_ALARM} (for|to|at) {{time}}",
                f"(change|move) {_ALARM} to {{time}}",
                "set an alarm (for|at) {time}",
                "I want to (wake|get) up at {time}",
            ),
        ),
        SentenceGroup(
            INTENT_SET_ALARM,
            (
                f"(turn|switch) on {_ALARM} <tracker>",
                f"(turn|switch) {_ALARM} on <tracker>",
                f"(enable|activate) {_ALARM} <tracker>",
            ),
        ),
        SentenceGroup(
            INTENT_ALARM_OFF,
            (
                f"(turn|switch) off {_ALARM} <tracker>",
                f"(turn|switch) {_ALARM} off <tracker>",
                f"(disable|deactivate|cancel) {_ALARM} <tracker>",
                "I (don't|do not) need an alarm any more <tracker>",
            ),
        ),
        SentenceGroup(
            INTENT_SKIP_ALARM,
            (
                f"skip {_ALARM} [for] (tomorrow|tomorrow morning) <tracker>",
                "skip [(my|the)] tomorrow's [smart] alarm <tracker>",
                "(cancel|skip) tomorrow's alarm <tracker>",
                "(don't|do not) wake me [up] tomorrow <tracker>",
                "no alarm tomorrow <tracker>",
            ),
            {"when": "tomorrow"},
        ),
        SentenceGroup(
            INTENT_SKIP_ALARM,
            (
                "skip [(my|the)] (next|next morning's) [smart] alarm <tracker>",
                f"skip {_ALARM} <tracker>",
            ),
        ),
        SentenceGroup(
            INTENT_UNSKIP_ALARM,
            (
                f"(don't|do not) skip {_ALARM} [(tomorrow|after all)] <tracker>",
                f"undo [the] skip[ping] [of {_ALARM}] <tracker>",
                f"unskip {_ALARM} <tracker>",
            ),
        ),
        SentenceGroup(
            INTENT_ALARM_REASON,
            (
                f"why did {_ALARM} (go off|ring|wake me [up]) [at {{time}}]",
                f"why did {_ALARM} (go off|ring|wake me [up]) (so early|this morning|then)",
                "why did you wake me [up] [at {time}]",
                "why did you wake me [up] (so early|this morning|then)",
                f"(why|how come) {_ALARM} (went off|rang) [at {{time}}]",
                f"(why|how come) {_ALARM} (went off|rang) (so early|this morning|then)",
                "what woke me [up] [this morning]",
            ),
        ),
        SentenceGroup(
            INTENT_TEACH,
            (
                "I was (reading|on my phone|watching tv|watching television) (until|till) {time}",
                "I (read|stayed up) (until|till) {time}",
                "I (started|began) trying to (sleep|fall asleep) " + _AROUND + " {time}",
                "I (turned|switched) (off the light|the light off|off the lights|the lights "
                "off) " + _AROUND + " {time}",
                "I didn't try to sleep (until|till|before) {time}",
            ),
            {"kind": "reading_until"},
        ),
        SentenceGroup(
            INTENT_TEACH,
            (
                "I fell asleep " + _AROUND + " {time}",
                "I (went|got) to sleep " + _AROUND + " {time}",
                "I was asleep by {time}",
                "I (dozed|drifted|nodded) off " + _AROUND + " {time}",
            ),
            {"kind": "fell_asleep_at"},
        ),
        SentenceGroup(
            INTENT_TEACH,
            (
                "I was awake (from|between) {earliest} (to|until|till|and) {time}",
                "I was (awake|up) " + _AROUND + " {time}",
                "I woke [up] " + _AROUND + " {time}",
                "I (couldn't|could not) sleep " + _AROUND + " {time}",
            ),
            {"kind": "awake_at"},
        ),
        SentenceGroup(
            INTENT_TEACH,
            (
                f"(that|this|it) was {_PARTNER}",
                f"(that|this|it) was {_PARTNER} {_AROUND} {{time}}",
                f"(that|this|it) was {_PARTNER} (from|between) {{earliest}} (to|until|till|and) "
                "{time}",
                f"(that|this|it) was {_PARTNER} [in my place] (last night|all night)",
            ),
            {"kind": "was_partner"},
        ),
        SentenceGroup(
            INTENT_TEACH,
            (
                "I slept (badly|poorly|terribly|awfully|bad) <night>",
                "I (didn't|did not) sleep well <night>",
                "I had a (bad|terrible|rough|awful) night",
                "(last night|my sleep) was (bad|terrible|awful)",
            ),
            {"kind": "slept_badly"},
        ),
        *(
            SentenceGroup(INTENT_EXPLAIN, _why_sentences(state), {"state": state})
            for state in EXPLAIN_STATES
        ),
    ),
}
"""Sentence templates per language."""

NIGHT_WORDS: Final[dict[str, str]] = {"en": _NIGHT_EN}
TRACKER_PREPOSITIONS: Final[dict[str, tuple[str, ...]]] = {"en": ("in", "on", "for", "from")}
"""The words before a tracker's name at the end of a sentence ("... in the guest room")."""
TRACKER_ARTICLES: Final[dict[str, tuple[str, ...]]] = {"en": ("the",)}

RESPONSES: Final[dict[str, dict[str, str]]] = {
    "en": {
        # Which tracker
        "no_tracker": "Radar Sleep has no sleep tracker set up.",
        "which_tracker": "Which sleep tracker do you mean: {names}?",
        "unknown_tracker": "I don't know a sleep tracker called {name}. I know {names}.",
        # Last night, and when there is none
        "no_night": "I didn't track your sleep last night.",
        "no_night_since": (
            "I didn't track your sleep last night. The last night I have is the night of {date}."
        ),
        "night_going": "The night is still going: ask me again when you're up.",
        "night_ending": (
            "Your night ends when you've been out of bed for {minutes}: ask me again then."
        ),
        "not_staged": (
            "You were in bed from {start} to {end}, {tib}. This radar can't tell sleep "
            "stages, so I don't know how long you slept."
        ),
        "night": (
            "You slept {tst} last night, {se} percent of your {tib} in bed: {light} light, "
            "{deep} deep and {rem} REM sleep."
        ),
        "usual_more": "That's {diff} more than your usual {usual}.",
        "usual_less": "That's {diff} less than your usual {usual}.",
        "usual_same": "That's about your usual {usual}.",
        "usual_later": "That's {diff} later than usual.",
        "usual_earlier": "That's {diff} earlier than usual.",
        "usual_same_time": "That's about your usual time.",
        "usual_unknown": "After {nights}, I can compare with your usual.",
        "stage": ("You got {minutes} of {stage} sleep last night, {pct} percent of your sleep."),
        "stage_usual": "Your usual is {usual}.",
        "moment_bed": "You went to bed at {time}.",
        "moment_lights_off": "You started trying to sleep at {time}.",
        "moment_sleep_onset": "You fell asleep at {time}.",
        "moment_final_wake": "You woke up for the last time at {time}.",
        "moment_out_of_bed": "You got up at {time}.",
        "no_lights_off": (
            "I couldn't tell when you started trying to sleep. You went to bed at {time}."
        ),
        "no_sleep_onset": "I didn't see you fall asleep last night.",
        "no_final_wake": "You slept until you got up at {time}.",
        "latency": "It took you {sol} to fall asleep last night.",
        "latency_usual": "Usually it takes {usual}.",
        "awakenings_none": "You didn't wake up in the night.",
        "awakenings": "You woke up {count} in the night, awake for {waso} in all.",
        "breathing": (
            "Your breathing rate while asleep last night was {rate} breaths per minute on average."
        ),
        "no_breathing": "I have no breathing rate for last night.",
        "breathing_now": "Right now it is {rate} breaths per minute.",
        # Room
        "room_temperature": "The bedroom was {value} on average while you slept.",
        "room_humidity": "The bedroom's humidity was {value} on average while you slept.",
        "room_light": "The bedroom's light was {value} on average while you slept.",
        "room_in_range": "That's within the range recommended for sleep ({low} to {high}).",
        "room_dark": "That's dark enough for sleep (below {high}).",
        "room_too_cold": "That's cooler than the range recommended for sleep ({low} to {high}).",
        "room_too_warm": "That's warmer than the range recommended for sleep ({low} to {high}).",
        "room_too_dry": "That's drier than the range recommended for sleep ({low} to {high}).",
        "room_too_humid": (
            "That's more humid than the range recommended for sleep ({low} to {high})."
        ),
        "room_too_bright": "That's brighter than the {high} recommended for sleep.",
        "room_missing": (
            "I didn't record the bedroom's {measures} last night: no sensor for it is set up "
            "for {name}, or it had no readings while you slept."
        ),
        # Live
        "standby": "{name} is in standby and not sensing, so I can't tell.",
        "not_delivering": "The radar of {name} isn't sending data right now, so I can't tell.",
        "in_bed_yes": "Yes, you're in bed.",
        "in_bed_starting": "Yes, you've just got into bed.",
        "in_bed_away": "No, you're out of bed, but your night is still going.",
        "in_bed_no": "No, you're not in bed.",
        "anyone_you": "Yes, you're in bed.",
        "anyone_someone": "Yes, someone is on your side of the bed.",
        "anyone_no": "No, I don't see anyone on your side of the bed.",
        # Alarm
        "alarm_off": "Your alarm is off.",
        "alarm_set": "Your alarm is set for {time} {day}.",
        "alarm_window": "It can wake you in light sleep from {start}.",
        "alarm_days_weekdays": "It rings on weekdays.",
        "alarm_days_weekends": "It rings at weekends.",
        "alarm_days_every_day": "It rings every day.",
        "alarm_days_list": "It rings on {days}.",
        "alarm_window_open": (
            "Your alarm's window is open: it wakes you in light sleep, at {time} at the latest."
        ),
        "alarm_ringing": "Your alarm is ringing.",
        "alarm_snoozed": "Your alarm is snoozed until {time}.",
        "alarm_now_set": "OK, your alarm is set for {time} {day}.",
        "alarm_now_off": "OK, your alarm is off.",
        "alarm_was_off": "Your alarm was already off.",
        "alarm_bad_time": "Sorry, I didn't understand the time {text}.",
        "alarm_window_too_long": (
            "The smart window can be at most {max} minutes, and {earliest} to {time} is {minutes}."
        ),
        "alarm_skipped": "OK, I'll skip the alarm at {time} {day}.",
        "alarm_next": "The next one is at {time} {day}.",
        "alarm_nothing_to_skip": "Your alarm is off, so there is no alarm to skip.",
        "alarm_unskipped": "OK, your alarm at {time} {day} is on again.",
        "alarm_not_skipped": "No alarm is skipped. Your next alarm is at {time} {day}.",
        "alarm_unskip_off": "Your alarm is off. Turn it on and it rings on its days again.",
        "alarm_not_tomorrow": (
            "There is no alarm tomorrow, so I skipped nothing. Your next alarm is at {time} {day}."
        ),
        "alarm_not_rung": "Your alarm hasn't gone off yet.",
        "alarm_not_at": "Your alarm didn't go off at {asked}.",
        "alarm_rang": "Your alarm went off at {time} {because}.",
        "because_light_sleep": "because you were in light sleep, {early} before the set time",
        "because_wakeable_event": (
            "because you stirred in its window, a good moment to wake, {early} before the set time"
        ),
        "because_deadline": "because the set time had come",
        "because_failsafe": (
            "because the set time had come, and without sleep data it rang to be safe"
        ),
        "because_snooze_over": "again, because your snooze was over",
        "alarm_first_rang": "It first went off at {time} {because}.",
        "because_unknown": "({reason})",
        "alarm_details": "In detail: {explanation}.",
        # Teaching
        "taught_reading_until": (
            "Thanks. I've noted that you weren't trying to sleep until {time}. I'll learn when "
            "you really start trying to sleep."
        ),
        "taught_fell_asleep_at": "Thanks. I've noted that you fell asleep around {time}.",
        "taught_awake_at": "Thanks. I've noted that you were awake at {time}.",
        "taught_awake_at_range": "Thanks. I've noted that you were awake from {start} to {end}.",
        "taught_was_partner": "Thanks. I've noted that it was your partner at {time}.",
        "taught_was_partner_range": (
            "Thanks. I've noted that it was your partner from {start} to {end}."
        ),
        "taught_was_partner_night": "Thanks. I've noted that it was your partner last night.",
        "taught_slept_badly": "Sorry to hear that. I've noted that you slept badly last night.",
        "teach_no_night": (
            "I didn't track your sleep last night, so I have no night to note that in."
        ),
        "teach_no_night_since": (
            "I didn't track your sleep last night, so I didn't note that. The last night I "
            "have is the night of {date}."
        ),
        "teach_night_going": (
            "Your night is still going: tell me again when you're up, and I'll note it with "
            "the night."
        ),
        "teach_night_ending": (
            "Your night ends when you've been out of bed for {minutes}: tell me again then."
        ),
        "teach_bad_time": "Sorry, I didn't understand the time {text}.",
        "teach_needs_time": "Please tell me when, for example at 23:10.",
        "teach_outside_night": (
            "{time} isn't in your night of {night}: you were in bed from {start} to {end}. I "
            "didn't note it."
        ),
        "teach_bad_range": "The end of that time range comes before its start. I didn't note it.",
        # Explanations
        "why_stage": "At {time} I had you {stage}: {reason}.",
        "why_not": "At {time} I didn't have you {asked} but {stage}: {reason}.",
        "why_stage_no_details": (
            "At {time} I had you {stage}. I kept no details of that night to say why."
        ),
        "why_not_no_details": (
            "At {time} I didn't have you {asked} but {stage}. I kept no details of that night "
            "to say why."
        ),
        "why_outside": (
            "I have no stages for {time} last night: I scored your night from {start} to {end}."
        ),
        "why_taught_awake": "You told me you were awake then, and I learn from that.",
        "why_taught_asleep": "You told me you were asleep by then, and I learn from that.",
    }
}
"""Answers per language: Python format strings with named fields."""

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "hour": "1 hour",
        "hours": "{n} hours",
        "minute": "1 minute",
        "minutes": "{n} minutes",
        "duration": "{hours} {minutes}",
        "night": "1 more night",
        "nights": "{n} more nights",
        "once": "once",
        "twice": "twice",
        "times": "{n} times",
        "today": "today",
        "tomorrow": "tomorrow",
        "weekday": "on {weekday}",
        "weekday_next": "next {weekday}",
        "on_date": "on {date}",
        "list": "{rest} and {last}",
        "list_or": "{rest} or {last}",
        "stage_light": "light",
        "stage_deep": "deep",
        "stage_rem": "REM",
        "state_awake": "awake",
        "state_asleep": "asleep",
        "state_light": "in light sleep",
        "state_deep": "in deep sleep",
        "state_rem": "in REM sleep",
        "measure_temperature": "temperature",
        "measure_humidity": "humidity",
        "measure_light": "light",
        "time": "{hour:02d}:{minute:02d}",
        "date": "{weekday} {day} {month}",
    }
}
"""Words the answers are built from."""
WEEKDAYS: Final[dict[str, tuple[str, ...]]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
