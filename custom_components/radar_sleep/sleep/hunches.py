"""Hunches: what in the home looks left undone at bedtime, and what the answers taught.

When the sleeper starts trying to sleep, and again at sleep onset, the Home Assistant layer
reads the entities the user chose and hands them here as :class:`Observed` states. Each one
that looks left undone becomes a :class:`Hunch` with its reason in words ("Kitchen light was on
when you started trying to sleep at 23:12"), the question to ask and what acting on it means.
The missing alarm is one too: on a morning the user usually has an alarm
(:func:`usual_alarm_weekdays`, from the mornings this module recorded) and none is set.

:class:`HunchMemory` learns from the answers, per hunch (a kind and an entity): dismissed
:data:`DISMISSALS_TO_MUTE` times in a row, it is no longer suggested until reset; accepted
:data:`ACCEPTANCES_TO_OFFER` times in a row, acting automatically on that kind is offered once.

Nothing here decides to act on anything: the caller acts only on the kinds the user opted
into, and only on entities the user chose (:func:`hunches_for` ignores any other).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final

DISMISSALS_TO_MUTE: Final = 3
"""A hunch dismissed this many times in a row is no longer suggested (until reset)."""
ACCEPTANCES_TO_OFFER: Final = 5
"""A hunch accepted this many times in a row gets its kind offered as automatic."""
ALARM_WEEKS: Final = 4
"""The usual alarm days look at this many most recent recorded mornings of each weekday..."""
ALARM_MIN_SET: Final = 3
"""...and a weekday with an alarm on at least this many of them is a usual alarm day."""
ALARM_MORNINGS_KEPT: Final = 7 * ALARM_WEEKS
"""Recorded mornings beyond this many are dropped (oldest first)."""
TEMPERATURE_TOLERANCE: Final = 0.25
"""A thermostat set this little above the sleep temperature is not a hunch (rounding)."""


class HunchKind(StrEnum):
    """What a hunch is about (one option of the options' section each)."""

    LIGHT = "light"
    MEDIA = "media"
    LOCK = "lock"
    COVER = "cover"
    OPENING = "opening"
    """A door or window sensor: nothing to act on, a reminder only."""
    CLIMATE = "climate"
    ALARM = "alarm"


ACTIONABLE: Final = frozenset(
    {
        HunchKind.LIGHT,
        HunchKind.MEDIA,
        HunchKind.LOCK,
        HunchKind.COVER,
        HunchKind.CLIMATE,
        HunchKind.ALARM,
    }
)
"""The kinds that can be acted on (and so opted into acting automatically)."""


class Moment(StrEnum):
    """When the home is looked at."""

    TRYING_TO_SLEEP = "trying_to_sleep"
    FELL_ASLEEP = "fell_asleep"


_MOMENT_WORDS: Final = {
    Moment.TRYING_TO_SLEEP: "when you started trying to sleep",
    Moment.FELL_ASLEEP: "when you fell asleep",
}


class Answer(StrEnum):
    """How a suggestion was answered."""

    ACCEPT = "accept"
    DISMISS = "dismiss"


@dataclass(frozen=True, slots=True)
class Observed:
    """One chosen entity's state as Home Assistant shows it."""

    kind: HunchKind
    entity_id: str
    name: str
    state: str
    target: float | None = None
    """A thermostat's target temperature (in Home Assistant's unit)."""


@dataclass(frozen=True, slots=True)
class HunchSettings:
    """What the user chose to watch (the options' section)."""

    chosen: Mapping[HunchKind, tuple[str, ...]] = field(default_factory=dict)
    """The entities chosen per kind (the alarm has none)."""
    sleep_temperature: float | None = None
    temperature_unit: str = "°C"
    check_alarm: bool = False
    automatic: frozenset[HunchKind] = frozenset()
    """The kinds the user opted into acting on without asking."""

    def is_chosen(self, kind: HunchKind, entity_id: str | None) -> bool:
        """Whether ``entity_id`` is one the user chose for ``kind`` (the alarm: if checked)."""
        if kind is HunchKind.ALARM:
            return self.check_alarm and entity_id is None
        return entity_id is not None and entity_id in self.chosen.get(kind, ())


@dataclass(frozen=True, slots=True)
class AlarmOutlook:
    """The alarm as it stands for the coming morning."""

    morning: date
    """The local date of the coming morning (:func:`morning_of`)."""
    set_for_morning: bool
    """Whether an alarm rings that morning."""
    usual: bool
    """Whether that morning's weekday is a usual alarm day."""
    skipped: bool = False
    """The user skipped that morning's alarm on purpose (never a hunch)."""


@dataclass(frozen=True, slots=True)
class Hunch:
    """Something that looks left undone, with its reason and what acting on it means."""

    key: str
    """The entity id, or ``alarm``: one hunch per thing watched."""
    kind: HunchKind
    entity_id: str | None
    name: str
    moment: Moment
    at: datetime
    """When the home was looked at (local time)."""
    reason: str
    """Why, in words: what was seen and when."""
    question: str
    """The suggestion ("Turn off Kitchen light?")."""
    done: str
    """What acting on it did, in words ("Turned off Kitchen light.")."""
    target: float | None = None
    """The temperature to set (thermostat)."""
    offer: bool = False
    """An offer to act on :attr:`kind` automatically from now on (nothing else to act on)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON for the store and diagnostics."""
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Hunch:
        """Read :meth:`as_dict` (``KeyError``/``ValueError`` on bad data)."""
        return cls(
            key=str(data["key"]),
            kind=HunchKind(data["kind"]),
            entity_id=None if data.get("entity_id") is None else str(data["entity_id"]),
            name=str(data["name"]),
            moment=Moment(data["moment"]),
            at=datetime.fromisoformat(data["at"]),
            reason=str(data["reason"]),
            question=str(data["question"]),
            done=str(data["done"]),
            target=None if data.get("target") is None else float(data["target"]),
            offer=bool(data.get("offer", False)),
        )


def _number(value: float) -> str:
    return f"{value:g}"


def _left_undone(observed: Observed, settings: HunchSettings) -> str | None:
    """What looks left undone about one entity, in words (``None``: nothing)."""
    state = observed.state
    match observed.kind:
        case HunchKind.LIGHT if state == "on":
            return "was on"
        case HunchKind.MEDIA if state == "playing":
            return "was playing"
        case HunchKind.LOCK if state in ("unlocked", "open", "opening", "unlocking"):
            return "was unlocked" if state in ("unlocked", "unlocking") else "was open"
        case HunchKind.COVER if state in ("open", "opening"):
            return "was open"
        case HunchKind.OPENING if state == "on":
            return "was open"
        case HunchKind.CLIMATE:
            wanted, target = settings.sleep_temperature, observed.target
            if state in ("off", "unavailable", "unknown") or wanted is None or target is None:
                return None
            if target <= wanted + TEMPERATURE_TOLERANCE:
                return None
            unit = settings.temperature_unit
            return (
                f"was set to {_number(target)} {unit}, above your sleep temperature of "
                f"{_number(wanted)} {unit}"
            )
    return None


def _wording(kind: HunchKind, name: str, settings: HunchSettings) -> tuple[str, str]:
    """The question and what acting did, for an entity hunch."""
    if kind is HunchKind.CLIMATE and settings.sleep_temperature is not None:
        to = f"{_number(settings.sleep_temperature)} {settings.temperature_unit}"
        return f"Set {name} to {to}?", f"Set {name} to {to}."
    verb, did = {
        HunchKind.LIGHT: ("Turn off", "Turned off"),
        HunchKind.MEDIA: ("Pause", "Paused"),
        HunchKind.LOCK: ("Lock", "Locked"),
        HunchKind.COVER: ("Close", "Closed"),
    }.get(kind, ("", ""))
    if not verb:
        return f"{name} is open. Have a look?", f"Noted that {name} is open."
    return f"{verb} {name}?", f"{did} {name}."


def hunches_for(
    observed: Iterable[Observed],
    settings: HunchSettings,
    moment: Moment,
    at: datetime,
    alarm: AlarmOutlook | None = None,
) -> list[Hunch]:
    """The hunches of one look at the home, in the order observed (the alarm last).

    ``at`` is when the moment happened, in local time. Entities the user did not choose are
    ignored whatever their state.
    """
    when = f"{_MOMENT_WORDS[moment]} at {at:%H:%M}"
    found: list[Hunch] = []
    for item in observed:
        if not settings.is_chosen(item.kind, item.entity_id):
            continue
        undone = _left_undone(item, settings)
        if undone is None:
            continue
        question, done = _wording(item.kind, item.name, settings)
        found.append(
            Hunch(
                key=item.entity_id,
                kind=item.kind,
                entity_id=item.entity_id,
                name=item.name,
                moment=moment,
                at=at,
                reason=f"{item.name} {undone} {when}.",
                question=question,
                done=done,
                target=settings.sleep_temperature if item.kind is HunchKind.CLIMATE else None,
            )
        )
    if (
        settings.check_alarm
        and alarm is not None
        and alarm.usual
        and not alarm.set_for_morning
        and not alarm.skipped
    ):
        day = f"{alarm.morning:%A}"
        found.append(
            Hunch(
                key="alarm",
                kind=HunchKind.ALARM,
                entity_id=None,
                name="the alarm",
                moment=moment,
                at=at,
                reason=(f"No alarm was set for {day} {when}, and you usually have one on {day}s."),
                question=f"Turn on the alarm for {day}?",
                done=f"Turned on the alarm for {day}.",
            )
        )
    return found


_AUTOMATIC_WORDS: Final = {
    HunchKind.LIGHT: ("turn off the lights", "The lights are"),
    HunchKind.MEDIA: ("pause the media players", "The media players are"),
    HunchKind.LOCK: ("lock the locks", "The locks are"),
    HunchKind.COVER: ("close the covers", "The covers are"),
    HunchKind.CLIMATE: ("set the thermostat to your sleep temperature", "The thermostat is"),
    HunchKind.ALARM: ("turn on the alarm on your usual alarm days", "The alarm is"),
}
_AUTOMATIC_DONE: Final = {
    HunchKind.LIGHT: "turned off",
    HunchKind.MEDIA: "paused",
    HunchKind.LOCK: "locked",
    HunchKind.COVER: "closed",
    HunchKind.CLIMATE: "set",
    HunchKind.ALARM: "turned on",
}


def automatic_offer(accepted: Hunch) -> Hunch:
    """The offer to act on ``accepted``'s kind automatically, after a run of acceptances."""
    kind = accepted.kind
    what, subject = _AUTOMATIC_WORDS[kind]
    return Hunch(
        key=f"automatic_{kind}",
        kind=kind,
        entity_id=None,
        name=accepted.name,
        moment=accepted.moment,
        at=accepted.at,
        reason=(
            f"You answered yes to \u201c{accepted.question}\u201d {ACCEPTANCES_TO_OFFER} times "
            "in a row."
        ),
        question=f"From now on, {what} at bedtime without asking?",
        done=f"{subject} {_AUTOMATIC_DONE[kind]} at bedtime without asking from now on.",
        offer=True,
    )


def morning_of(at: datetime) -> date:
    """The coming morning of a bedtime (local): tomorrow from noon on, else the same day."""
    return at.date() + timedelta(days=1) if at.time() >= time(12) else at.date()


def usual_alarm_weekdays(mornings: Mapping[date, bool]) -> frozenset[int]:
    """The weekdays (Monday 0) on which the user usually has an alarm.

    From the recorded mornings (whether an alarm was set for each): a weekday is usual when
    the alarm was set on at least :data:`ALARM_MIN_SET` of its :data:`ALARM_WEEKS` most
    recent recorded mornings.
    """
    usual: set[int] = set()
    for weekday in range(7):
        recent = sorted((d for d in mornings if d.weekday() == weekday), reverse=True)
        if sum(mornings[d] for d in recent[:ALARM_WEEKS]) >= ALARM_MIN_SET:
            usual.add(weekday)
    return frozenset(usual)


@dataclass(slots=True)
class HunchRecord:
    """What the answers to one hunch taught."""

    kind: HunchKind
    accepted: int = 0
    dismissed: int = 0
    accepted_in_row: int = 0
    dismissed_in_row: int = 0
    muted: bool = False
    """Dismissed :data:`DISMISSALS_TO_MUTE` times in a row: no longer suggested."""
    last_reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON for the store."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HunchRecord:
        """Read :meth:`as_dict` (``KeyError``/``ValueError`` on bad data)."""
        return cls(
            kind=HunchKind(data["kind"]),
            accepted=int(data.get("accepted", 0)),
            dismissed=int(data.get("dismissed", 0)),
            accepted_in_row=int(data.get("accepted_in_row", 0)),
            dismissed_in_row=int(data.get("dismissed_in_row", 0)),
            muted=bool(data.get("muted", False)),
            last_reason=str(data.get("last_reason", "")),
        )


@dataclass(frozen=True, slots=True)
class Learned:
    """What one answer changed."""

    muted: bool = False
    """The hunch is no longer suggested from now on."""
    offer_automatic: bool = False
    """Offer to act on this kind automatically (once per kind until reset)."""


@dataclass(slots=True)
class HunchMemory:
    """The answers' lessons and the recorded alarm mornings (kept in the hunches store)."""

    records: dict[str, HunchRecord] = field(default_factory=dict)
    offered: set[HunchKind] = field(default_factory=set)
    """Kinds already offered as automatic (accepted or not: not offered again until reset)."""
    alarm_mornings: dict[date, bool] = field(default_factory=dict)

    def is_muted(self, key: str) -> bool:
        """Whether the hunch ``key`` is no longer suggested."""
        record = self.records.get(key)
        return record is not None and record.muted

    def answer(self, hunch: Hunch, answer: Answer) -> Learned:
        """Fold in one answer to ``hunch``; what it changed."""
        record = self.records.setdefault(hunch.key, HunchRecord(hunch.kind))
        record.last_reason = hunch.reason
        if answer is Answer.DISMISS:
            record.dismissed += 1
            record.dismissed_in_row += 1
            record.accepted_in_row = 0
            if not record.muted and record.dismissed_in_row >= DISMISSALS_TO_MUTE:
                record.muted = True
                return Learned(muted=True)
            return Learned()
        record.accepted += 1
        record.accepted_in_row += 1
        record.dismissed_in_row = 0
        if (
            record.accepted_in_row >= ACCEPTANCES_TO_OFFER
            and hunch.kind in ACTIONABLE
            and hunch.kind not in self.offered
        ):
            self.offered.add(hunch.kind)
            return Learned(offer_automatic=True)
        return Learned()

    def record_morning(self, morning: date, alarm_set: bool) -> None:
        """Remember whether an alarm was set for ``morning`` (the latest look wins)."""
        self.alarm_mornings[morning] = alarm_set
        for old in sorted(self.alarm_mornings)[:-ALARM_MORNINGS_KEPT]:
            del self.alarm_mornings[old]

    def reset(self) -> None:
        """Forget every lesson and the recorded mornings."""
        self.records.clear()
        self.offered.clear()
        self.alarm_mornings.clear()

    def as_dict(self) -> dict[str, Any]:
        """JSON for the store."""
        return {
            "records": {key: r.as_dict() for key, r in self.records.items()},
            "offered": sorted(self.offered),
            "alarm_mornings": {d.isoformat(): s for d, s in sorted(self.alarm_mornings.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HunchMemory:
        """Read :meth:`as_dict`; unreadable parts are skipped."""
        memory = cls()
        for key, item in (data.get("records") or {}).items():
            try:
                memory.records[str(key)] = HunchRecord.from_dict(item)
            except KeyError, ValueError, TypeError:
                continue
        kinds = {k.value for k in HunchKind}
        memory.offered.update(HunchKind(k) for k in data.get("offered") or () if k in kinds)
        for day, alarm_set in (data.get("alarm_mornings") or {}).items():
            try:
                memory.alarm_mornings[date.fromisoformat(day)] = bool(alarm_set)
            except TypeError, ValueError:
                continue
        return memory
