"""Intents: questions about last night and the smart alarm, and their answers.

One intent handler per question (``RadarSleepGetNight``, ``RadarSleepSetAlarm``...) holds the
only implementation of its answer, worded from ``voice_sentences.py``. Three ways reach them:

- Home Assistant's default conversation agent, through the sentences ``assist.py`` registers.
- LLM conversation agents, through the Assist API's tools (``llm.py``).
- Anyone calling ``intent.async_handle`` (tests, scripts through ``conversation.process``).

The answers use the numbers the entities show: whole minutes whose parts add up
(:func:`.sleep.metrics.whole_minutes`), times in Home Assistant's time zone, temperatures in
its unit system, "usual" as the median of the nights before (:mod:`.sleep.usual`). The alarm
is changed through the same :class:`~.alarm.AlarmController` methods as the actions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import re
from typing import TYPE_CHECKING, Any, ClassVar, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import LIGHT_LUX, PERCENTAGE, UnitOfTemperature
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import (
    area_registry as ar,
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    intent,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey
import probatio

from .alarm_core.policy import TriggerReason
from .alarm_core.schedule import WEEKDAYS as ALARM_WEEKDAYS, local_instant
from .alarm_core.spoken import clock_minutes_before, minutes_between, parse_clock_time
from .alarm_core.state import SNOOZE_OVER, AlarmEvent, AlarmPhase
from .const import (
    CONF_SESSION_END_MINUTES,
    DEFAULT_SESSION_END_MINUTES,
    DOMAIN,
    MAX_WINDOW_MINUTES,
)
from .contracts import EPOCH_SECONDS, LabelKind, NightSummary, SessionState, Stage
from .sleep.explain import epoch_at, explain_epoch
from .sleep.metrics import whole_minutes
from .sleep.pipeline import NIGHT_BOUNDARY_HOURS
from .sleep.room import RoomQuantity, room_insights
from .sleep.teach import night_instant, taught_epochs
from .sleep.usual import (
    USUAL_MIN_NIGHTS,
    USUAL_NIGHTS,
    clock_difference_minutes,
    usual_clock_minutes,
    usual_night,
)
from .teaching import TeachError, async_teach
from .voice_sentences import (
    ALARM_DAYS,
    EXPLAIN_STATES,
    INTENT_ALARM_OFF,
    INTENT_ALARM_REASON,
    INTENT_EXPLAIN,
    INTENT_GET_ALARM,
    INTENT_GET_AWAKENINGS,
    INTENT_GET_BREATHING,
    INTENT_GET_IN_BED,
    INTENT_GET_LATENCY,
    INTENT_GET_NIGHT,
    INTENT_GET_ROOM,
    INTENT_GET_STAGE,
    INTENT_GET_TIME,
    INTENT_SET_ALARM,
    INTENT_SKIP_ALARM,
    INTENT_TEACH,
    INTENT_UNSKIP_ALARM,
    LABEL_KINDS,
    MEASURES,
    MOMENTS,
    MONTHS,
    RESPONSES,
    STAGES,
    WEEKDAYS,
    WHO,
    WORDS,
)

if TYPE_CHECKING:
    from .runtime import RadarSleepConfigEntry

ALARM_RINGS: HassKey[dict[str, deque[Ring]]] = HassKey(f"{DOMAIN}_alarm_rings")
"""Each tracker's recent alarm rings, by config entry id."""

SLOT_TRACKER = "tracker"
SAME_MINUTES = 10
"""Within this many minutes of the usual, an answer says "about your usual"."""
DAYS_IN_WEEK = 7
RINGS_KEPT = 10
"""How many of a tracker's recent alarm rings are kept to answer "why did my alarm go off"."""
_WORD = re.compile(r"[^\w]+")


def normalize(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces."""
    return " ".join(_WORD.sub(" ", text.lower()).split())


# Speaking: the answers' wording in the asker's language -----------------------------------


class Phrases:
    """The wording of answers in one language (English where the language has none)."""

    def __init__(self, language: str) -> None:
        """Pick the language's wording by its main tag (``en-GB`` → ``en``)."""
        lang = language.split("-", maxsplit=1)[0].lower()
        self.lang = lang if lang in RESPONSES else "en"

    def say(self, key: str, **fields: object) -> str:
        """One answer sentence."""
        text = RESPONSES[self.lang].get(key) or RESPONSES["en"][key]
        return text.format(**fields)

    def word(self, key: str, **fields: object) -> str:
        """One word or phrase the answers are built from."""
        text = WORDS[self.lang].get(key) or WORDS["en"][key]
        return text.format(**fields)

    def duration(self, minutes: int) -> str:
        """Whole minutes as spoken: "7 hours 12 minutes", "1 hour", "45 minutes"."""
        hours, rest = divmod(max(minutes, 0), 60)
        spoken_hours = self.word("hour") if hours == 1 else self.word("hours", n=hours)
        spoken_minutes = self.word("minute") if rest == 1 else self.word("minutes", n=rest)
        if not hours:
            return spoken_minutes
        if not rest:
            return spoken_hours
        return self.word("duration", hours=spoken_hours, minutes=spoken_minutes)

    def clock(self, value: datetime | time) -> str:
        """A time of day: an instant in Home Assistant's time zone, as "23:40"."""
        if isinstance(value, datetime):
            value = dt_util.as_local(value).time()
        return self.word("time", hour=value.hour, minute=value.minute)

    def day(self, instant: datetime, now: datetime) -> str:
        """The local day of ``instant`` seen from ``now``, never ambiguous.

        "today", "tomorrow", "on Monday" within the week; a week ahead, "next Monday" (on a
        Monday, "on Monday" would be today's name); further, the date ("on Tuesday 1
        December").
        """
        day = dt_util.as_local(instant).date()
        today = dt_util.as_local(now).date()
        ahead = (day - today).days
        if ahead == 0:
            return self.word("today")
        if ahead == 1:
            return self.word("tomorrow")
        weekday = (WEEKDAYS.get(self.lang) or WEEKDAYS["en"])[day.weekday()]
        if ahead == DAYS_IN_WEEK:
            return self.word("weekday_next", weekday=weekday)
        if ahead > DAYS_IN_WEEK:
            return self.word("on_date", date=self.date(day))
        return self.word("weekday", weekday=weekday)

    def date(self, day: date) -> str:
        """A calendar date: "Sunday 22 November"."""
        weekdays = WEEKDAYS.get(self.lang) or WEEKDAYS["en"]
        months = MONTHS.get(self.lang) or MONTHS["en"]
        return self.word(
            "date", weekday=weekdays[day.weekday()], day=day.day, month=months[day.month - 1]
        )

    def times(self, count: int) -> str:
        """How often: "once", "twice", "3 times"."""
        if count == 1:
            return self.word("once")
        if count == 2:
            return self.word("twice")
        return self.word("times", n=count)

    def join(self, items: list[str], key: str = "list") -> str:
        """Join words as "a, b and c" (with ``key`` ``list_or``: "a, b or c")."""
        if len(items) < 2:
            return "".join(items)
        return self.word(key, rest=", ".join(items[:-1]), last=items[-1])


# Which tracker -------------------------------------------------------------------------


def trackers(hass: HomeAssistant, exclude: str | None = None) -> list[RadarSleepConfigEntry]:
    """The loaded trackers (``exclude``: an entry being unloaded)."""
    return [
        entry
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        if entry.entry_id != exclude
    ]


def exposed_trackers(hass: HomeAssistant, assistant: str) -> list[RadarSleepConfigEntry]:
    """The loaded trackers ``assistant`` may see: those with an entity exposed to it.

    What a user hides from Assist (Settings → Voice assistants → Expose) stays hidden from the
    agents that use it, LLM agents included (their answers may leave the house).
    """
    # Imported here: the exposure settings belong to Home Assistant's core integration, set up
    # wherever an assistant is.
    from homeassistant.components.homeassistant.exposed_entities import (  # noqa: PLC0415
        async_should_expose,
    )

    registry = er.async_get(hass)
    return [
        entry
        for entry in trackers(hass)
        if any(
            async_should_expose(hass, assistant, e.entity_id)
            for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        )
    ]


def _tracker_area(hass: HomeAssistant, entry: ConfigEntry) -> str | None:
    """The area of a tracker's device."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    return device.area_id if device else None


def _asker_area(hass: HomeAssistant, device_id: str | None, satellite_id: str | None) -> str | None:
    """The area of the voice satellite (an entity) or device the question came from."""
    devices = dr.async_get(hass)
    if satellite_id and (entity := er.async_get(hass).async_get(satellite_id)):
        if entity.area_id:
            return entity.area_id
        if entity.device_id and (device := devices.async_get(entity.device_id)):
            return device.area_id
    if device_id and (device := devices.async_get(device_id)):
        return device.area_id
    return None


def tracker_names(hass: HomeAssistant, entry: ConfigEntry) -> list[str]:
    """What a tracker can be called: its name, and its device's area's name."""
    names = [entry.title]
    if (area_id := _tracker_area(hass, entry)) and (
        area := ar.async_get(hass).async_get_area(area_id)
    ):
        names.append(area.name)
    return names


@dataclass(frozen=True, slots=True)
class NoTracker:
    """Why no single tracker was picked (the answer says so)."""

    message_key: str
    fields: dict[str, str]


def pick_tracker(
    hass: HomeAssistant,
    name: str | None,
    device_id: str | None,
    satellite_id: str | None,
    phrases: Phrases,
    *,
    entries: list[RadarSleepConfigEntry] | None = None,
) -> RadarSleepConfigEntry | NoTracker:
    """The tracker a question is about, among ``entries`` (default: every loaded tracker).

    The one named (by its name or its device's area), else the one in the area of the voice
    satellite asking, else the only one; with several and no clue, the answer asks which.
    """
    entries = trackers(hass) if entries is None else entries
    if not entries:
        return NoTracker("no_tracker", {})
    if name:
        wanted = normalize(name).removeprefix("the ")
        # A tracker's own name before the areas: new trackers all go to the Bedroom area, so
        # "Bedroom" is the area of every tracker but the name of one.
        titled = [e for e in entries if normalize(e.title) == wanted]
        if len(titled) == 1:
            return titled[0]
        named = [e for e in entries if wanted in (normalize(n) for n in tracker_names(hass, e))]
        if len(named) == 1:
            return named[0]
        if not named:
            return NoTracker(
                "unknown_tracker", {"name": name, "names": phrases.join([e.title for e in entries])}
            )
        entries = named
    if len(entries) == 1:
        return entries[0]
    if area := _asker_area(hass, device_id, satellite_id):
        here = [e for e in entries if _tracker_area(hass, e) == area]
        if len(here) == 1:
            return here[0]
    return NoTracker(
        "which_tracker", {"names": phrases.join([e.title for e in entries], "list_or")}
    )


# What the handlers are handed ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ask:
    """A question about one tracker."""

    hass: HomeAssistant
    entry: RadarSleepConfigEntry
    slots: dict[str, Any]
    phrases: Phrases

    def say(self, key: str, **fields: object) -> str:
        """One answer sentence."""
        return self.phrases.say(key, **fields)

    def say_when(self, key: str, when: datetime) -> str:
        """An answer sentence about an alarm's ``when``: its ``{time}`` and ``{day}``."""
        return self.say(key, time=self.phrases.clock(when), day=self.phrases.day(when, self.now()))

    def now(self) -> datetime:
        """Now on the tracker's clock (Home Assistant's, except for a demo played at a speed)."""
        return self.entry.runtime_data.coordinator.clock.now()


def _last_night(ask: Ask, *, teaching: bool = False) -> NightSummary | str:
    """Last night's summary, or what to say instead (not tracked, still going).

    ``teaching``: what to say instead is worded for something the user told (``teach_...``).
    """
    said = "teach_" if teaching else ""
    runtime = ask.entry.runtime_data
    data = runtime.coordinator.data
    last = data.last_night
    now = dt_util.as_local(ask.now())
    today = now.date()
    if last is not None and last.night >= today - timedelta(days=1):
        return last
    # Before noon a running session is last night's, still going; in the evening it is
    # tonight's, and last night was not tracked (the night boundary of the summaries).
    if now.hour < NIGHT_BOUNDARY_HOURS:
        if data.update.session_state is SessionState.ACTIVE:
            return ask.say(f"{said}night_going")
        if data.update.session_state is SessionState.AWAY:
            minutes = int(
                ask.entry.options.get(CONF_SESSION_END_MINUTES, DEFAULT_SESSION_END_MINUTES)
            )
            return ask.say(f"{said}night_ending", minutes=ask.phrases.duration(minutes))
    if last is None:
        return ask.say(f"{said}no_night")
    return ask.say(f"{said}no_night_since", date=ask.phrases.date(last.night))


def _nights_before(ask: Ask, night: NightSummary) -> list[NightSummary]:
    """The stored nights before ``night`` (the "usual" it is compared with)."""
    return [n for n in ask.entry.runtime_data.store.nights if n.night < night.night]


def _compare_minutes(ask: Ask, value: int, usual: float) -> str:
    """Say how ``value`` compares with the ``usual`` minutes (more, less, about the same)."""
    shown = int(usual + 0.5)
    diff = value - shown
    usual_text = ask.phrases.duration(shown)
    if abs(diff) < SAME_MINUTES:
        return ask.say("usual_same", usual=usual_text)
    key = "usual_more" if diff > 0 else "usual_less"
    return ask.say(key, diff=ask.phrases.duration(abs(diff)), usual=usual_text)


def _not_staged(ask: Ask, night: NightSummary) -> str:
    """Last night from a radar that cannot stage sleep: only the time in bed."""
    tib = round((night.session_end - night.session_start).total_seconds() / 60)
    return ask.say(
        "not_staged",
        start=ask.phrases.clock(night.session_start),
        end=ask.phrases.clock(night.session_end),
        tib=ask.phrases.duration(tib),
    )


def _usual_unknown(ask: Ask, before: list[NightSummary]) -> str:
    staged = sum(1 for n in before[-USUAL_NIGHTS:] if n.metrics is not None)
    missing = max(USUAL_MIN_NIGHTS - staged, 1)
    nights = ask.phrases.word("night") if missing == 1 else ask.phrases.word("nights", n=missing)
    return ask.say("usual_unknown", nights=nights)


# The handlers --------------------------------------------------------------------------


class RadarSleepIntentHandler(intent.IntentHandler):
    """An intent about one tracker; the ``tracker`` slot names it where there are several."""

    tool_name: ClassVar[str]
    """The LLM tool's name (after ``radar_sleep__``)."""
    query: ClassVar[bool] = True
    """Answers a question (rather than changing something)."""
    extra_slots: ClassVar[dict[Any, Any]] = {}

    @property
    @override
    def slot_schema(self) -> dict[Any, Any]:
        """The tracker's name (optional) and the intent's own slots."""
        return {
            probatio.Optional(
                SLOT_TRACKER,
                description="The sleep tracker's name, when there are several",
            ): cv.string,
            **self.extra_slots,
        }

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Pick the tracker, then answer."""
        hass = intent_obj.hass
        slots = {
            key: value.get("value")
            for key, value in self.async_validate_slots(intent_obj.slots).items()
        }
        phrases = Phrases(intent_obj.language)
        response = intent_obj.create_response()
        # Radar Sleep's own sentences (platform DOMAIN) reach every tracker, as a dashboard
        # does; other callers (LLM agents' tools) only the trackers exposed to the assistant.
        entries = (
            exposed_trackers(hass, intent_obj.assistant)
            if intent_obj.platform != DOMAIN and intent_obj.assistant
            else None
        )
        picked = pick_tracker(
            hass,
            slots.get(SLOT_TRACKER),
            intent_obj.device_id,
            intent_obj.satellite_id,
            phrases,
            entries=entries,
        )
        if isinstance(picked, NoTracker):
            response.async_set_error(
                intent.IntentResponseErrorCode.NO_VALID_TARGETS,
                phrases.say(picked.message_key, **picked.fields),
            )
            return response
        if self.query:
            response.response_type = intent.IntentResponseType.QUERY_ANSWER
        response.async_set_speech(self.answer(Ask(hass, picked, slots, phrases)))
        return response

    def answer(self, ask: Ask) -> str:
        """The answer's text."""
        raise NotImplementedError


class LastNightHandler(RadarSleepIntentHandler):
    """A question about last night, answered from its summary.

    When there is none, the answer says why instead (not tracked, still going).
    """

    @override
    def answer(self, ask: Ask) -> str:
        night = _last_night(ask)
        return night if isinstance(night, str) else self.answer_night(ask, night)

    def answer_night(self, ask: Ask, night: NightSummary) -> str:
        """The answer from last night's summary."""
        raise NotImplementedError


class GetNightHandler(LastNightHandler):
    """How did I sleep last night."""

    intent_type = INTENT_GET_NIGHT
    tool_name = "get_night"
    description = (
        "Tells how the user slept last night: total sleep, sleep efficiency, time in light, "
        "deep and REM sleep, compared with their usual night"
    )

    @override
    def answer_night(self, ask: Ask, night: NightSummary) -> str:
        if night.metrics is None:
            return _not_staged(ask, night)
        phrases = ask.phrases
        shown = whole_minutes(night.metrics)
        parts = [
            ask.say(
                "night",
                tst=phrases.duration(shown.tst),
                se=round(night.metrics.se_pct),
                tib=phrases.duration(shown.tib),
                light=phrases.duration(shown.light),
                deep=phrases.duration(shown.deep),
                rem=phrases.duration(shown.rem),
            )
        ]
        before = _nights_before(ask, night)
        usual = usual_night(before)
        if usual is None:
            parts.append(_usual_unknown(ask, before))
        else:
            parts.append(_compare_minutes(ask, shown.tst, usual.tst))
        return " ".join(parts)


class GetStageHandler(LastNightHandler):
    """How much deep / REM / light sleep did I get."""

    intent_type = INTENT_GET_STAGE
    tool_name = "get_sleep_stage"
    description = "Tells how much light, deep or REM sleep the user got last night"
    extra_slots: ClassVar[dict[Any, Any]] = {
        probatio.Required("stage", description="The sleep stage"): probatio.In(list(STAGES)),
    }

    @override
    def answer_night(self, ask: Ask, night: NightSummary) -> str:
        if night.metrics is None:
            return _not_staged(ask, night)
        stage = ask.slots["stage"]
        shown = whole_minutes(night.metrics)
        minutes = {"light": shown.light, "deep": shown.deep, "rem": shown.rem}[stage]
        pct = {
            "light": night.metrics.light_pct,
            "deep": night.metrics.deep_pct,
            "rem": night.metrics.rem_pct,
        }[stage]
        parts = [
            ask.say(
                "stage",
                minutes=ask.phrases.duration(minutes),
                stage=ask.phrases.word(f"stage_{stage}"),
                pct=round(pct),
            )
        ]
        if (usual := usual_night(_nights_before(ask, night))) is not None:
            value = {"light": usual.light, "deep": usual.deep, "rem": usual.rem}[stage]
            parts.append(ask.say("stage_usual", usual=ask.phrases.duration(int(value + 0.5))))
        return " ".join(parts)


_MOMENT_OF: dict[str, Callable[[NightSummary], datetime | None]] = {
    "bed": lambda n: n.session_start,
    "lights_off": lambda n: n.intent_start,
    "sleep_onset": lambda n: n.sleep_onset,
    "final_wake": lambda n: n.final_wake,
    "out_of_bed": lambda n: n.session_end,
}


class GetTimeHandler(LastNightHandler):
    """When did I go to bed, start trying to sleep, fall asleep, wake up, get up."""

    intent_type = INTENT_GET_TIME
    tool_name = "get_sleep_time"
    description = (
        "Tells when the user went to bed (bed), started trying to sleep (lights_off), fell "
        "asleep (sleep_onset), woke up for the last time (final_wake) or got up (out_of_bed) "
        "last night, compared with their usual time"
    )
    extra_slots: ClassVar[dict[Any, Any]] = {
        probatio.Required("moment", description="Which moment of the night"): probatio.In(
            list(MOMENTS)
        ),
    }

    @override
    def answer_night(self, ask: Ask, night: NightSummary) -> str:
        moment: str = ask.slots["moment"]
        when = _MOMENT_OF[moment](night)
        phrases = ask.phrases
        if when is None:
            if moment == "lights_off":
                return ask.say("no_lights_off", time=phrases.clock(night.session_start))
            if moment == "final_wake" and night.sleep_onset is not None:
                return ask.say("no_final_wake", time=phrases.clock(night.session_end))
            return ask.say("no_sleep_onset")
        parts = [ask.say(f"moment_{moment}", time=phrases.clock(when))]
        tz = dt_util.get_default_time_zone()
        usual = usual_clock_minutes(_nights_before(ask, night), _MOMENT_OF[moment], tz)
        if usual is not None:
            local = dt_util.as_local(when)
            diff = round(clock_difference_minutes(local.hour * 60 + local.minute, round(usual)))
            if abs(diff) < SAME_MINUTES:
                parts.append(ask.say("usual_same_time"))
            else:
                key = "usual_later" if diff > 0 else "usual_earlier"
                parts.append(ask.say(key, diff=phrases.duration(abs(diff))))
        return " ".join(parts)


class GetLatencyHandler(LastNightHandler):
    """How long did it take me to fall asleep."""

    intent_type = INTENT_GET_LATENCY
    tool_name = "get_sleep_latency"
    description = "Tells how long the user took to fall asleep last night (sleep onset latency)"

    @override
    def answer_night(self, ask: Ask, night: NightSummary) -> str:
        if night.metrics is None or night.metrics.sol_min is None:
            return ask.say("no_sleep_onset")
        shown = whole_minutes(night.metrics)
        assert shown.sol is not None
        parts = [ask.say("latency", sol=ask.phrases.duration(shown.sol))]
        usual = usual_night(_nights_before(ask, night))
        if usual is not None and usual.sol is not None:
            parts.append(ask.say("latency_usual", usual=ask.phrases.duration(int(usual.sol + 0.5))))
        return " ".join(parts)


class GetAwakeningsHandler(LastNightHandler):
    """How often and how long was I awake in the night."""

    intent_type = INTENT_GET_AWAKENINGS
    tool_name = "get_awakenings"
    description = (
        "Tells how often the user woke up in the night and how long they were awake in all "
        "(wake after sleep onset)"
    )

    @override
    def answer_night(self, ask: Ask, night: NightSummary) -> str:
        if night.metrics is None:
            return _not_staged(ask, night)
        if night.metrics.awakenings == 0:
            return ask.say("awakenings_none")
        shown = whole_minutes(night.metrics)
        return ask.say(
            "awakenings",
            count=ask.phrases.times(night.metrics.awakenings),
            waso=ask.phrases.duration(shown.waso),
        )


class GetBreathingHandler(RadarSleepIntentHandler):
    """What was my breathing rate (last night's mean while asleep, and now if in bed)."""

    intent_type = INTENT_GET_BREATHING
    tool_name = "get_breathing_rate"
    description = (
        "Tells the user's mean breathing rate while asleep last night, and the current one "
        "when they are in bed"
    )

    @override
    def answer(self, ask: Ask) -> str:
        night = _last_night(ask)
        update = ask.entry.runtime_data.coordinator.data.update
        live = update.breathing_rate_bpm if update.in_bed else None
        parts: list[str] = []
        if isinstance(night, str):
            if live is None:
                return night
        elif night.mean_breathing_rate_bpm is None:
            parts.append(ask.say("no_breathing"))
        else:
            parts.append(ask.say("breathing", rate=f"{night.mean_breathing_rate_bpm:.1f}"))
        if live is not None:
            parts.append(ask.say("breathing_now", rate=f"{live:.1f}"))
        return " ".join(parts)


class GetInBedHandler(RadarSleepIntentHandler):
    """Am I in bed / is anyone in bed (the radar watches the user's side)."""

    intent_type = INTENT_GET_IN_BED
    tool_name = "get_in_bed"
    description = (
        "Tells whether the user is in bed now (who: me), or whether anyone is on the user's "
        "side of the bed (who: anyone)"
    )
    extra_slots: ClassVar[dict[Any, Any]] = {
        probatio.Optional("who", description="The user (me) or anyone"): probatio.In(list(WHO)),
    }

    @override
    def answer(self, ask: Ask) -> str:
        coordinator = ask.entry.runtime_data.coordinator
        if coordinator.standby:
            return ask.say("standby", name=ask.entry.title)
        if not coordinator.last_update_success:
            return ask.say("not_delivering", name=ask.entry.title)
        update = coordinator.data.update
        if ask.slots.get("who", "me") == "anyone":
            if update.in_bed:
                return ask.say("anyone_you")
            return ask.say("anyone_someone" if update.present else "anyone_no")
        if update.in_bed:
            return ask.say("in_bed_yes")
        if update.session_state is SessionState.STARTING and update.present:
            return ask.say("in_bed_starting")
        if update.session_state is SessionState.AWAY:
            return ask.say("in_bed_away")
        return ask.say("in_bed_no")


class GetRoomHandler(LastNightHandler):
    """How warm, humid and bright was the bedroom last night (means while asleep)."""

    intent_type = INTENT_GET_ROOM
    tool_name = "get_bedroom"
    description = (
        "Tells how warm, humid and bright the bedroom was on average while the user slept "
        "last night"
    )
    extra_slots: ClassVar[dict[Any, Any]] = {
        probatio.Optional("measure", description="What to tell (all: everything)"): probatio.In(
            list(MEASURES)
        ),
    }

    @override
    def answer_night(self, ask: Ask, night: NightSummary) -> str:
        wanted: str = ask.slots.get("measure") or "all"
        measures = [m for m in MEASURES if m != "all" and wanted in (m, "all")]
        units = ask.hass.config.units

        def temperature(celsius: float) -> str:
            shown = units.temperature(celsius, UnitOfTemperature.CELSIUS)
            return f"{shown:.1f} {units.temperature_unit}"

        def light(lux: float) -> str:
            return f"{lux:.1f} {LIGHT_LUX}" if lux < 10 else f"{lux:.0f} {LIGHT_LUX}"

        def humidity(pct: float) -> str:
            return f"{pct:.0f} {PERCENTAGE}"

        shown: dict[str, Callable[[float], str]] = {
            RoomQuantity.TEMPERATURE: temperature,
            RoomQuantity.HUMIDITY: humidity,
            RoomQuantity.LIGHT: light,
        }
        insights = {i.quantity.value: i for i in room_insights(night)}
        parts: list[str] = []
        for m in measures:
            if (insight := insights.get(m)) is None:
                continue
            say = shown[insight.quantity]
            parts.append(ask.say(f"room_{m}", value=say(insight.mean)))
            verdict = insight.verdict.value
            if verdict == "in_range" and insight.low is None:
                verdict = "dark"
            # The range's ends, as the answer's own numbers are shown (temperature in the
            # user's unit); a range with one end (light) is "below" its upper end.
            low = "" if insight.low is None else say(insight.low)
            parts.append(ask.say(f"room_{verdict}", low=low, high=say(insight.high)))
        values = {m: insights.get(m) for m in measures}
        missing = [ask.phrases.word(f"measure_{m}") for m in measures if values[m] is None]
        if missing:
            parts.append(
                ask.say("room_missing", measures=ask.phrases.join(missing), name=ask.entry.title)
            )
        return " ".join(parts)


# The alarm -----------------------------------------------------------------------------


def _alarm_status(ask: Ask, key: str = "alarm_set", days: str | None = None) -> str:
    """Where the alarm is: off, ringing, snoozed, its window open, or the next one.

    ``days``: the days just set (a key of ``ALARM_DAYS``), said last.
    """
    alarm = ask.entry.runtime_data.alarm
    phrases = ask.phrases
    if not alarm.settings.enabled:
        return ask.say("alarm_off")
    phase = alarm.state.phase
    if phase is AlarmPhase.RINGING:
        return ask.say("alarm_ringing")
    if phase is AlarmPhase.SNOOZED and alarm.state.snooze_until is not None:
        return ask.say("alarm_snoozed", time=phrases.clock(alarm.state.snooze_until))
    if phase is AlarmPhase.WINDOW and alarm.state.deadline is not None:
        return ask.say("alarm_window_open", time=phrases.clock(alarm.state.deadline))
    if (next_alarm := alarm.next_alarm) is None:
        return ask.say("alarm_off")
    parts = [ask.say_when(key, next_alarm)]
    if alarm.settings.window_minutes > 0:
        start = next_alarm - timedelta(minutes=alarm.settings.window_minutes)
        parts.append(ask.say("alarm_window", start=phrases.clock(start)))
    if days:
        parts.append(ask.say(f"alarm_days_{days}"))
    elif key == "alarm_set":
        parts.append(_alarm_days(ask, alarm.settings.days))
    return " ".join(parts)


def _alarm_days(ask: Ask, days: tuple[str, ...]) -> str:
    """The days the alarm rings: "It rings on weekdays." or "It rings on Monday and Friday"."""
    for name, chosen in ALARM_DAYS.items():
        if days == chosen:
            return ask.say(f"alarm_days_{name}")
    names = WEEKDAYS.get(ask.phrases.lang) or WEEKDAYS["en"]
    listed = [names[ALARM_WEEKDAYS.index(d)] for d in days]
    return ask.say("alarm_days_list", days=ask.phrases.join(listed))


class GetAlarmHandler(RadarSleepIntentHandler):
    """When is my alarm."""

    intent_type = INTENT_GET_ALARM
    tool_name = "get_alarm"
    description = "Tells when the user's smart alarm rings next, and its smart window"

    @override
    def answer(self, ask: Ask) -> str:
        return _alarm_status(ask)


class SetAlarmHandler(RadarSleepIntentHandler):
    """Set my alarm for 7; wake me up between 6:30 and 7; turn on my alarm."""

    intent_type = INTENT_SET_ALARM
    tool_name = "set_alarm"
    query = False
    description = (
        "Turns the user's smart alarm on, optionally setting its time (the latest time to "
        "wake) and the start of its smart window (the earliest time to wake, in light sleep)"
    )
    extra_slots: ClassVar[dict[Any, Any]] = {
        probatio.Optional("time", description="The latest wake-up time, e.g. 07:00"): cv.string,
        probatio.Optional(
            "earliest", description="The earliest wake-up time (start of the smart window)"
        ): cv.string,
        probatio.Optional(
            "days", description="The days it rings: weekdays, weekends or every_day"
        ): probatio.In(list(ALARM_DAYS)),
    }

    @override
    def answer(self, ask: Ask) -> str:
        alarm = ask.entry.runtime_data.alarm
        text = ask.slots.get("time")
        days_key: str | None = ask.slots.get("days")
        days = ALARM_DAYS[days_key] if days_key else None
        if not text:
            alarm.async_set(enabled=True, days=days, unskip=True)
            return _alarm_status(ask, "alarm_now_set", days_key)
        at = parse_clock_time(text)
        if at is None:
            return ask.say("alarm_bad_time", text=text)
        window: int | None = None
        if earliest_text := ask.slots.get("earliest"):
            earliest = parse_clock_time(earliest_text)
            if earliest is None:
                return ask.say("alarm_bad_time", text=earliest_text)
            window = minutes_between(earliest, at)
            if window > MAX_WINDOW_MINUTES:
                return ask.say(
                    "alarm_window_too_long",
                    max=MAX_WINDOW_MINUTES,
                    earliest=ask.phrases.clock(earliest),
                    time=ask.phrases.clock(at),
                    minutes=ask.phrases.duration(window),
                )
        alarm.async_set(at=at, window_minutes=window, enabled=True, days=days, unskip=True)
        return _alarm_status(ask, "alarm_now_set", days_key)


class AlarmOffHandler(RadarSleepIntentHandler):
    """Turn off my alarm."""

    intent_type = INTENT_ALARM_OFF
    tool_name = "turn_off_alarm"
    query = False
    description = "Turns the user's smart alarm off (it stops ringing if it rings)"

    @override
    def answer(self, ask: Ask) -> str:
        alarm = ask.entry.runtime_data.alarm
        if not alarm.settings.enabled:
            return ask.say("alarm_was_off")
        alarm.async_set(enabled=False)
        return ask.say("alarm_now_off")


class SkipAlarmHandler(RadarSleepIntentHandler):
    """Skip tomorrow's alarm (the next one that has not rung)."""

    intent_type = INTENT_SKIP_ALARM
    tool_name = "skip_alarm"
    query = False
    description = "Skips the next alarm (usually tomorrow's); the alarm stays on for later days"
    extra_slots: ClassVar[dict[Any, Any]] = {
        probatio.Optional(
            "when",
            description="tomorrow: skip only an alarm of tomorrow morning (or of this morning "
            "after midnight), not a later one",
        ): probatio.In(["tomorrow"]),
    }

    @override
    def answer(self, ask: Ask) -> str:
        alarm = ask.entry.runtime_data.alarm
        if not alarm.settings.enabled:
            return ask.say("alarm_nothing_to_skip")
        upcoming = alarm.next_alarm
        if ask.slots.get("when") == "tomorrow" and upcoming is not None:
            today = dt_util.as_local(ask.now()).date()
            if dt_util.as_local(upcoming).date() - today > timedelta(days=1):
                return ask.say_when("alarm_not_tomorrow", upcoming)
        alarm.async_skip_next()
        parts: list[str] = []
        if (skipped_day := alarm.state.skip_through) is not None:
            skipped = local_instant(
                skipped_day, alarm.settings.time, dt_util.get_default_time_zone()
            )
            parts.append(ask.say_when("alarm_skipped", skipped))
        if (next_alarm := alarm.next_alarm) is not None:
            parts.append(ask.say_when("alarm_next", next_alarm))
        return " ".join(parts)


class UnskipAlarmHandler(RadarSleepIntentHandler):
    """Don't skip my alarm; undo the skip."""

    intent_type = INTENT_UNSKIP_ALARM
    tool_name = "unskip_alarm"
    query = False
    description = "Undoes a skip of the user's alarm: the skipped alarm rings again"

    @override
    def answer(self, ask: Ask) -> str:
        alarm = ask.entry.runtime_data.alarm
        if not alarm.settings.enabled:
            return ask.say("alarm_unskip_off")
        unskipped = alarm.async_unskip()
        if (next_alarm := alarm.next_alarm) is None:
            return ask.say("alarm_off")
        return ask.say_when("alarm_unskipped" if unskipped else "alarm_not_skipped", next_alarm)


@dataclass(frozen=True, slots=True)
class Ring:
    """One time the alarm rang, as its ``triggered`` event told."""

    at: datetime
    reason: str
    explanation: str | None
    alarm_time: datetime | None


class AlarmReasonHandler(RadarSleepIntentHandler):
    """Why did my alarm go off (at 6:42)."""

    intent_type = INTENT_ALARM_REASON
    tool_name = "get_alarm_reason"
    description = (
        "Explains why the smart alarm went off when it did (light sleep in its window, a "
        "good moment to wake, or the set time)"
    )
    extra_slots: ClassVar[dict[Any, Any]] = {
        probatio.Optional("time", description="When it went off, e.g. 06:42"): cv.string,
    }

    @override
    def answer(self, ask: Ask) -> str:
        rings = self._rings(ask)
        phrases = ask.phrases
        if not rings:
            return ask.say("alarm_not_rung")
        parts: list[str] = []
        ring: Ring | None = None
        if (text := ask.slots.get("time")) and (asked := parse_clock_time(text)) is not None:
            at = [
                r
                for r in rings
                if abs(
                    clock_difference_minutes(_minute_of_day(r.at), asked.hour * 60 + asked.minute)
                )
                <= 1
            ]
            if at:
                ring = at[-1]
            else:
                parts.append(ask.say("alarm_not_at", asked=phrases.clock(asked)))
        if ring is None:
            # The latest alarm's first ring, when it decided to wake (later ones are the ends
            # of snoozes).
            latest = rings[-1]
            ring = self._first(rings, latest) or latest
        parts.append(
            ask.say("alarm_rang", time=phrases.clock(ring.at), because=self._because(ask, ring))
        )
        if ring.reason == SNOOZE_OVER and (first := self._first(rings, ring)) is not None:
            parts.append(
                ask.say(
                    "alarm_first_rang",
                    time=phrases.clock(first.at),
                    because=self._because(ask, first),
                )
            )
            ring = first
        if ring.explanation:
            parts.append(ask.say("alarm_details", explanation=ring.explanation.rstrip(".")))
        return " ".join(parts)

    @staticmethod
    def _first(rings: list[Ring], ring: Ring) -> Ring | None:
        """The first ring of ``ring``'s alarm (not the end of a snooze), if it is kept."""
        return next(
            (r for r in rings if r.alarm_time == ring.alarm_time and r.reason != SNOOZE_OVER),
            None,
        )

    @staticmethod
    def _rings(ask: Ask) -> list[Ring]:
        """The recent rings, oldest first; after a restart, the last alarm's as it was saved.

        That is its first ring, with its reason and explanation, and the end of its last
        snooze if it was snoozed.
        """
        rings = list(ask.hass.data.get(ALARM_RINGS, {}).get(ask.entry.entry_id, ()))
        if rings:
            return rings
        state = ask.entry.runtime_data.alarm.state
        if (first := state.woke_at) is None or state.reason is None:
            return []
        saved = [Ring(first, state.reason, state.explanation, state.triggered_for)]
        if state.rang_at is not None and state.rang_at > first:
            saved.append(Ring(state.rang_at, SNOOZE_OVER, None, state.triggered_for))
        return saved

    @staticmethod
    def _because(ask: Ask, ring: Ring) -> str:
        if ring.reason in (TriggerReason.LIGHT_SLEEP, TriggerReason.WAKEABLE_EVENT):
            early = 0
            if ring.alarm_time is not None:
                # Between the clock times the answer says ("at 05:50", set for 06:00).
                early = clock_minutes_before(ring.at.timestamp(), ring.alarm_time.timestamp())
            return ask.say(f"because_{ring.reason}", early=ask.phrases.duration(early))
        if ring.reason in (TriggerReason.DEADLINE, TriggerReason.FAILSAFE, SNOOZE_OVER):
            return ask.say(f"because_{ring.reason}")
        return ask.say("because_unknown", reason=ring.reason)


def _minute_of_day(instant: datetime) -> int:
    local = dt_util.as_local(instant)
    return local.hour * 60 + local.minute


# Teaching and explanations ---------------------------------------------------------------

_RANGE = re.compile(r"^(?:from |between )?(.+?) (?:to|until|till|and) (.+)$")


class TeachHandler(RadarSleepIntentHandler):
    """What really happened last night, kept with it and learned from.

    I was reading until 23:10; I fell asleep around 23:20; I was awake at 3; that was my
    partner; I slept badly.
    """

    intent_type = INTENT_TEACH
    tool_name = "teach"
    query = False
    description = (
        "Tells the sleep tracker what really happened last night, so that it learns: "
        "reading_until (not trying to sleep until a time), fell_asleep_at, awake_at (a time, "
        "or from earliest to time), was_partner (what it saw was the partner: at a time, a "
        "range, or all night), slept_badly"
    )
    extra_slots: ClassVar[dict[Any, Any]] = {
        probatio.Required("kind", description="What happened"): probatio.In(list(LABEL_KINDS)),
        probatio.Optional("time", description="When (the end of a range), e.g. 23:10"): cv.string,
        probatio.Optional("earliest", description="The start of a time range"): cv.string,
    }

    @override
    def answer(self, ask: Ask) -> str:
        night = _last_night(ask, teaching=True)
        if isinstance(night, str):
            return night
        kind = LabelKind(ask.slots["kind"])
        texts = [ask.slots.get("earliest"), ask.slots.get("time")]
        if texts[0] is None and texts[1] and (split := _RANGE.match(normalize(texts[1]))):
            texts = [split.group(1), split.group(2)]
        said: list[time | None] = []
        for text in texts:
            if not text:
                said.append(None)
                continue
            if (parsed := parse_clock_time(text)) is None:
                return ask.say("teach_bad_time", text=text)
            said.append(parsed)
        at, end = said if said[0] is not None else (said[1], None)
        try:
            _, label = async_teach(ask.entry, kind, night=night.night, at=at, end=end)
        except TeachError as err:
            # Spoken: the night's date in words ("Sunday 22 November"), not as in an error.
            return ask.say(err.key, **{**err.placeholders, "night": ask.phrases.date(night.night)})
        clock = ask.phrases.clock
        if label.start is None:
            return ask.say(f"taught_{kind}" + ("_night" if kind is LabelKind.WAS_PARTNER else ""))
        if label.end is not None:
            return ask.say(f"taught_{kind}_range", start=clock(label.start), end=clock(label.end))
        return ask.say(f"taught_{kind}", time=clock(label.start))


_STATE_OF = {Stage.WAKE: "awake", Stage.LIGHT: "light", Stage.DEEP: "deep", Stage.REM: "rem"}


class ExplainStageHandler(LastNightHandler):
    """Why do you think I was awake (asleep, in deep sleep...) at 3."""

    intent_type = INTENT_EXPLAIN
    tool_name = "explain_stage"
    description = (
        "Explains why the sleep tracker scored the user awake, asleep, or in light, deep or "
        "REM sleep at a time last night: how much they moved and how regular their breathing was"
    )
    extra_slots: ClassVar[dict[Any, Any]] = {
        probatio.Required("time", description="The time asked about, e.g. 03:00"): cv.string,
        probatio.Optional("state", description="What the user was said to be"): probatio.In(
            list(EXPLAIN_STATES)
        ),
    }

    @override
    def answer_night(self, ask: Ask, night: NightSummary) -> str:
        text = ask.slots["time"]
        if (asked := parse_clock_time(text)) is None:
            return ask.say("teach_bad_time", text=text)
        phrases = ask.phrases
        when = night_instant(night, asked, dt_util.get_default_time_zone())
        index = epoch_at(night, when) if night.hypnogram else None
        if index is None:
            if not night.hypnogram:
                return _not_staged(ask, night)
            end = night.hypnogram_start + timedelta(seconds=EPOCH_SECONDS * len(night.hypnogram))
            return ask.say(
                "why_outside",
                time=phrases.clock(asked),
                start=phrases.clock(night.hypnogram_start),
                end=phrases.clock(end),
            )
        explained = explain_epoch(night, index)
        state = ask.slots.get("state")
        stage = explained.stage
        agrees = (
            state is None
            or {
                "awake": stage is Stage.WAKE,
                "asleep": stage is not Stage.WAKE,
                "light": stage is Stage.LIGHT,
                "deep": stage is Stage.DEEP,
                "rem": stage is Stage.REM,
            }[state]
        )
        fields = {
            "time": phrases.clock(asked),
            "stage": phrases.word(f"state_{_STATE_OF[stage]}"),
            "reason": explained.because,
        }
        key = "why_stage" if agrees else "why_not"
        if explained.because is None:
            key += "_no_details"
        parts = [ask.say(key, asked=phrases.word(f"state_{state}") if state else "", **fields)]
        taught = taught_epochs(night).get(index)
        if taught is not None:
            parts.append(ask.say("why_taught_awake" if taught else "why_taught_asleep"))
        return " ".join(parts)


HANDLERS: tuple[type[RadarSleepIntentHandler], ...] = (
    GetNightHandler,
    GetStageHandler,
    GetTimeHandler,
    GetLatencyHandler,
    GetAwakeningsHandler,
    GetBreathingHandler,
    GetInBedHandler,
    GetRoomHandler,
    GetAlarmHandler,
    SetAlarmHandler,
    AlarmOffHandler,
    SkipAlarmHandler,
    UnskipAlarmHandler,
    AlarmReasonHandler,
    TeachHandler,
    ExplainStageHandler,
)


@callback
def async_register_intents(hass: HomeAssistant) -> None:
    """Register the intents (once, for every tracker)."""
    for handler in HANDLERS:
        intent.async_register(hass, handler())


@callback
def async_follow_alarm_rings(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> CALLBACK_TYPE:
    """Keep the tracker's recent rings (reason and explanation); returns the remover."""
    rings: deque[Ring] = hass.data.setdefault(ALARM_RINGS, {}).setdefault(
        entry.entry_id, deque(maxlen=RINGS_KEPT)
    )

    @callback
    def _on_event(event: AlarmEvent, attributes: dict[str, Any]) -> None:
        if event is not AlarmEvent.TRIGGERED:
            return
        alarm_time = attributes.get("alarm_time")
        rings.append(
            Ring(
                at=entry.runtime_data.coordinator.clock.now(),
                reason=str(attributes.get("reason")),
                explanation=attributes.get("explanation"),
                alarm_time=datetime.fromisoformat(alarm_time) if alarm_time else None,
            )
        )

    remove = entry.runtime_data.alarm.async_add_event_listener(_on_event)

    @callback
    def _remove() -> None:
        remove()
        hass.data[ALARM_RINGS].pop(entry.entry_id, None)

    return _remove
