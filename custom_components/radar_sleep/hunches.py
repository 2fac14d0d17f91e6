"""Hunches in Home Assistant: look at the chosen entities at bedtime, suggest or act, learn.

When the tracker announces that the sleeper started trying to sleep, and again when they fell
asleep (:mod:`.sleep.events`), the entities chosen in the options' *Bedtime hunches* section
are read and handed to :func:`.sleep.hunches.hunches_for`. Each hunch is either

- suggested: a persistent notification in Home Assistant and, when a notify action is chosen,
  an actionable notification on the phone (``mobile_app``) with *Yes* and *No*; the answer comes
  back as a ``mobile_app_notification_action`` event or through the action
  ``radar_sleep.answer_hunch``; *Yes* does it;
- or, for the kinds the user opted into, done at once and reported the same ways.

Once the sleeper is asleep the phone is left alone: what the second look finds is shown in
Home Assistant only. A suggestion nobody answered is withdrawn at the next night's look.

Nothing is ever done to an entity the user did not choose: every service call is checked
against the options at the moment it is made. The answers' lessons (:class:`.sleep.hunches.
HunchMemory`), the suggestions waiting for an answer and the recent outcomes are kept in their
own store, ``.storage/radar_sleep.<entry id>.hunches`` (docs/hunches.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components import persistent_notification
from homeassistant.const import ATTR_ENTITY_ID, ATTR_FRIENDLY_NAME
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .alarm import AlarmController
from .alarm_core.schedule import WEEKDAYS
from .const import (
    CONF_AUTOMATIC,
    CONF_CHECK_ALARM,
    CONF_CLIMATE_ENTITY,
    CONF_COVERS,
    CONF_HUNCHES,
    CONF_LIGHTS,
    CONF_LOCKS,
    CONF_MEDIA_PLAYERS,
    CONF_NOTIFY_SERVICE,
    CONF_OPENINGS,
    CONF_SLEEP_TEMPERATURE,
    DOMAIN,
    LOGGER,
    SAVE_DELAY_SECONDS,
)
from .sleep.events import SleepEvent, SleepEventType
from .sleep.hunches import (
    AlarmOutlook,
    Answer,
    Hunch,
    HunchKind,
    HunchMemory,
    HunchSettings,
    Moment,
    Observed,
    automatic_offer,
    hunches_for,
    morning_of,
    usual_alarm_weekdays,
)
from .store import async_load_part

if TYPE_CHECKING:
    from .runtime import RadarSleepConfigEntry

HUNCHES_STORAGE_VERSION: Final = 1
MOBILE_APP_ACTION_EVENT: Final = "mobile_app_notification_action"
"""The event the Home Assistant Companion app fires when a notification's button is pressed."""
ACTION_PREFIX: Final = "RADAR_SLEEP_HUNCH"
"""Action ids of the phone's buttons: ``RADAR_SLEEP_HUNCH:<entry id>:<answer>:<hunch>``."""
HISTORY_KEPT: Final = 20
"""Outcomes kept for diagnostics."""
EXPIRE_AFTER: Final = timedelta(hours=12)
"""A suggestion nobody answered is withdrawn at the next look this long after it was made."""


@dataclass(frozen=True, slots=True)
class WatchedKind:
    """One kind of entity watched: its option in the section, its domain, what acting does."""

    kind: HunchKind
    option: str
    domain: str
    service: str | None
    """The service of ``domain`` that puts it right (``None``: a reminder only)."""


WATCHED: Final = (
    WatchedKind(HunchKind.LIGHT, CONF_LIGHTS, "light", "turn_off"),
    WatchedKind(HunchKind.MEDIA, CONF_MEDIA_PLAYERS, "media_player", "media_pause"),
    WatchedKind(HunchKind.LOCK, CONF_LOCKS, "lock", "lock"),
    WatchedKind(HunchKind.COVER, CONF_COVERS, "cover", "close_cover"),
    WatchedKind(HunchKind.OPENING, CONF_OPENINGS, "binary_sensor", None),
    WatchedKind(HunchKind.CLIMATE, CONF_CLIMATE_ENTITY, "climate", "set_temperature"),
)
_BY_KIND: Final = {w.kind: w for w in WATCHED}
_MOMENTS: Final = {
    SleepEventType.TRYING_TO_SLEEP: Moment.TRYING_TO_SLEEP,
    SleepEventType.FELL_ASLEEP: Moment.FELL_ASLEEP,
}

type HunchListener = Callable[[str, dict[str, Any]], None]


def hunch_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options' *Bedtime hunches* section (empty when never set)."""
    return dict(options.get(CONF_HUNCHES) or {})


def hunch_settings(hass: HomeAssistant, options: Mapping[str, Any]) -> HunchSettings:
    """What the user chose to watch and to have done automatically."""
    section = hunch_options(options)
    chosen: dict[HunchKind, tuple[str, ...]] = {}
    for watched in WATCHED:
        value = section.get(watched.option)
        ids = [value] if isinstance(value, str) else list(value or [])
        if ids := [i for i in ids if i]:
            chosen[watched.kind] = tuple(ids)
    temperature = section.get(CONF_SLEEP_TEMPERATURE)
    kinds = {k.value for k in HunchKind}
    automatic = frozenset(HunchKind(k) for k in section.get(CONF_AUTOMATIC) or () if k in kinds)
    return HunchSettings(
        chosen=chosen,
        sleep_temperature=None if temperature is None else float(temperature),
        temperature_unit=hass.config.units.temperature_unit,
        check_alarm=bool(section.get(CONF_CHECK_ALARM, False)),
        automatic=automatic,
    )


class HunchController:
    """One tracker's hunches: looks at bedtime, suggestions, answers, lessons, the store."""

    def __init__(
        self, hass: HomeAssistant, entry: RadarSleepConfigEntry, alarm: AlarmController
    ) -> None:
        """Nothing is read until :meth:`async_load`."""
        self.hass = hass
        self.entry = entry
        self.alarm = alarm
        self._store: Store[dict[str, Any]] = Store(
            hass, HUNCHES_STORAGE_VERSION, hunches_storage_key(entry.entry_id)
        )
        self.memory = HunchMemory()
        self.pending: dict[str, Hunch] = {}
        """Suggestions waiting for an answer, by hunch key."""
        self.history: list[dict[str, Any]] = []
        """The recent outcomes (newest last), for diagnostics."""
        self._looked: set[str] = set()
        """Hunches already raised tonight (the second look raises only new ones; kept across a
        restart, cleared when the next night's session starts)."""
        self._listeners: list[HunchListener] = []

    # Lifecycle --------------------------------------------------------------------------------

    async def async_load(self) -> None:
        """Read the store; unreadable suggestions are dropped.

        A store that cannot be read is kept in a copy and reported
        (:func:`.store.async_load_part`): hunches start empty.
        """
        await async_load_part(self.hass, self.entry, self._store, self._read, self._data_to_store)

    def _read(self, stored: dict[str, Any]) -> None:
        """Carry on from :meth:`_data_to_store` (``KeyError``/``TypeError``... if malformed)."""
        memory = HunchMemory.from_dict(stored.get("memory") or {})
        pending: dict[str, Hunch] = {}
        for item in stored.get("pending") or ():
            try:
                hunch = Hunch.from_dict(item)
            except (KeyError, ValueError, TypeError) as err:
                LOGGER.warning("%s: dropping an unreadable hunch: %s", self.entry.title, err)
                continue
            pending[hunch.key] = hunch
        history = list(stored.get("history") or ())[-HISTORY_KEPT:]
        looked = {str(k) for k in stored.get("looked") or ()}
        self.memory, self.pending, self.history, self._looked = memory, pending, history, looked

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Listen for the phone's answers. Returns the remover."""
        return self.hass.bus.async_listen(MOBILE_APP_ACTION_EVENT, self._async_phone_answer)

    def _data_to_store(self) -> dict[str, Any]:
        return {
            "memory": self.memory.as_dict(),
            "pending": [h.as_dict() for h in self.pending.values()],
            "history": self.history,
            "looked": sorted(self._looked),
        }

    @callback
    def _save(self) -> None:
        self._store.async_delay_save(self._data_to_store, SAVE_DELAY_SECONDS)

    async def async_save(self) -> None:
        """Write now (entry unload)."""
        await self._store.async_save(self._data_to_store())

    @callback
    def async_add_listener(self, listener: HunchListener) -> CALLBACK_TYPE:
        """Hand ``listener`` each outcome (event type, attributes). Returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _outcome(self, outcome: str, hunch: Hunch, message: str) -> None:
        attributes = {
            "hunch": hunch.key,
            "kind": hunch.kind.value,
            "reason": hunch.reason,
            "message": message,
        }
        self.history = [
            *self.history,
            {"outcome": outcome, "at": dt_util.utcnow().isoformat(), **attributes},
        ][-HISTORY_KEPT:]
        LOGGER.debug("%s: hunch %s %s: %s", self.entry.title, hunch.key, outcome, hunch.reason)
        for listener in list(self._listeners):
            listener(outcome, attributes)

    # Looking at the home ----------------------------------------------------------------------

    @callback
    def async_on_sleep_event(self, event: SleepEvent) -> None:
        """Look at the home when the sleeper starts trying to sleep and when they fall asleep."""
        if event.type is SleepEventType.SESSION_STARTED:
            self._looked.clear()
            self._save()
            return
        if (moment := _MOMENTS.get(event.type)) is None:
            return
        self.entry.async_create_task(
            self.hass,
            self.async_look(moment, event.time),
            f"{DOMAIN} hunches {self.entry.title}",
        )

    def _observe(self, settings: HunchSettings) -> list[Observed]:
        observed: list[Observed] = []
        for kind, entity_ids in settings.chosen.items():
            for entity_id in entity_ids:
                if (state := self.hass.states.get(entity_id)) is None:
                    continue
                target = state.attributes.get("temperature") if kind is HunchKind.CLIMATE else None
                observed.append(
                    Observed(
                        kind=kind,
                        entity_id=entity_id,
                        name=str(state.attributes.get(ATTR_FRIENDLY_NAME) or entity_id),
                        state=state.state,
                        target=float(target) if isinstance(target, int | float) else None,
                    )
                )
        return observed

    def _alarm_outlook(self, at: datetime) -> AlarmOutlook:
        """The coming morning's alarm; that morning is recorded for the usual alarm days.

        Recorded at every look, the alarm check chosen or not, so that the usual days are
        known when it is turned on (the tracker's own alarm; no other entity is read).
        """
        morning = morning_of(at)
        tz = at.tzinfo or dt_util.get_default_time_zone()
        upcoming = self.alarm.next_alarm
        set_for = upcoming is not None and upcoming.astimezone(tz).date() == morning
        skip = self.alarm.state.skip_through
        skipped = self.alarm.settings.enabled and skip is not None and skip >= morning
        usual = morning.weekday() in usual_alarm_weekdays(self.memory.alarm_mornings)
        self.memory.record_morning(morning, set_for or skipped)
        return AlarmOutlook(morning, set_for, usual, skipped)

    async def async_look(self, moment: Moment, when: datetime) -> list[Hunch]:
        """Look at the chosen entities now; suggest or act on what looks left undone."""
        settings = hunch_settings(self.hass, self.entry.options)
        at = dt_util.as_local(when)
        self._expire(at)
        outlook = self._alarm_outlook(at)
        found = hunches_for(self._observe(settings), settings, moment, at, outlook)
        raised: list[Hunch] = []
        for hunch in found:
            if hunch.key in self._looked or hunch.key in self.pending:
                continue
            self._looked.add(hunch.key)
            if self.memory.is_muted(hunch.key):
                self._outcome("muted", hunch, "Not suggested: dismissed too often.")
                continue
            raised.append(hunch)
            if hunch.kind in settings.automatic:
                await self._async_do(hunch, settings, automatic=True)
            else:
                self._suggest(hunch)
        self._save()
        return raised

    def _expire(self, now: datetime) -> None:
        """Withdraw the suggestions of an earlier night that nobody answered (not a lesson)."""
        for key, hunch in list(self.pending.items()):
            if hunch.offer or now - hunch.at < EXPIRE_AFTER:
                continue
            del self.pending[key]
            persistent_notification.async_dismiss(self.hass, self._notification_id(hunch))
            self._outcome("expired", hunch, "Not answered: withdrawn.")

    # Suggesting and answering -----------------------------------------------------------------

    def _notification_id(self, hunch: Hunch) -> str:
        return f"{DOMAIN}_{self.entry.entry_id}_hunch_{hunch.key}"

    def _title(self) -> str:
        return f"{self.entry.title}: bedtime"

    def _suggest(self, hunch: Hunch) -> None:
        self.pending[hunch.key] = hunch
        how = (
            f"Answer with the action *Radar Sleep: Answer a hunch* (hunch `{hunch.key}`, "
            "answer *accept* or *dismiss*)"
        )
        if self._phone_service() is not None:
            how = f"{how}, or on your phone"
        persistent_notification.async_create(
            self.hass,
            f"**{hunch.question}**\n\n{hunch.reason}\n\n{how}.",
            self._title(),
            self._notification_id(hunch),
        )
        actions = [
            {"action": self._action_id(Answer.ACCEPT, hunch), "title": "Yes"},
            {"action": self._action_id(Answer.DISMISS, hunch), "title": "No"},
        ]
        if hunch.offer or hunch.moment is not Moment.FELL_ASLEEP:
            self._phone(f"{hunch.question} {hunch.reason}", {"tag": hunch.key, "actions": actions})
        self._outcome("suggested", hunch, hunch.question)

    def _action_id(self, answer: Answer, hunch: Hunch) -> str:
        return f"{ACTION_PREFIX}:{self.entry.entry_id}:{answer.value}:{hunch.key}"

    def _phone(self, message: str, data: dict[str, Any]) -> None:
        """Send to the chosen notify action (the phone), if any, without waiting."""
        if (service := self._phone_service()) is None:
            return
        self.hass.async_create_task(
            self.hass.services.async_call(
                "notify", service, {"title": self._title(), "message": message, "data": data}
            ),
            eager_start=True,
        )

    def _phone_service(self) -> str | None:
        """The chosen notify action (without ``notify.``), if chosen and there (else logged)."""
        service = hunch_options(self.entry.options).get(CONF_NOTIFY_SERVICE)
        if not service:
            return None
        service = str(service).removeprefix("notify.")
        if not self.hass.services.has_service("notify", service):
            LOGGER.warning("%s: the notify action notify.%s is missing", self.entry.title, service)
            return None
        return service

    @callback
    def _async_phone_answer(self, event: Event[Mapping[str, Any]]) -> None:
        parts = str(event.data.get("action", "")).split(":", 3)
        if len(parts) != 4 or parts[0] != ACTION_PREFIX or parts[1] != self.entry.entry_id:
            return
        if parts[2] not in {a.value for a in Answer} or parts[3] not in self.pending:
            return  # answered already (in Home Assistant), or an old notification
        self.entry.async_create_task(
            self.hass,
            self.async_answer(parts[3], Answer(parts[2]), from_phone=True),
            f"{DOMAIN} hunch answer {self.entry.title}",
        )

    async def async_answer(self, key: str, answer: Answer, *, from_phone: bool = False) -> None:
        """The user answered the suggestion ``key``: do it on *Yes*, learn either way."""
        hunch = self.pending.pop(key, None)
        if hunch is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="no_such_hunch",
                translation_placeholders={"name": self.entry.title, "hunch": key},
            )
        persistent_notification.async_dismiss(self.hass, self._notification_id(hunch))
        if not from_phone:
            self._phone("clear_notification", {"tag": hunch.key})
        settings = hunch_settings(self.hass, self.entry.options)
        if hunch.offer:
            if answer is Answer.ACCEPT:
                self._opt_in(hunch.kind)
                self._outcome("automatic", hunch, hunch.done)
                self._report(hunch, hunch.done)
            else:
                self._outcome("dismissed", hunch, "Kept asking.")
            self._save()
            return
        if answer is Answer.ACCEPT:
            self._outcome("accepted", hunch, hunch.question)
            await self._async_do(hunch, settings, automatic=False)
        else:
            self._outcome("dismissed", hunch, hunch.question)
        learned = self.memory.answer(hunch, answer)
        if learned.muted:
            self._outcome(
                "muted",
                hunch,
                f"Dismissed {self.memory.records[hunch.key].dismissed_in_row} "
                "times in a row: no longer suggested.",
            )
        if learned.offer_automatic:
            self._suggest(automatic_offer(hunch))
        self._save()

    def _opt_in(self, kind: HunchKind) -> None:
        """Add ``kind`` to the kinds done automatically (the options; no reload)."""
        section = hunch_options(self.entry.options)
        automatic = [*(section.get(CONF_AUTOMATIC) or ()), kind.value]
        self.hass.config_entries.async_update_entry(
            self.entry,
            options={
                **self.entry.options,
                CONF_HUNCHES: {**section, CONF_AUTOMATIC: sorted(set(automatic))},
            },
        )

    # Acting -----------------------------------------------------------------------------------

    async def _async_do(self, hunch: Hunch, settings: HunchSettings, *, automatic: bool) -> None:
        """Put ``hunch`` right, if it is about something chosen; report what was done."""
        if not settings.is_chosen(hunch.kind, hunch.entity_id):
            LOGGER.warning(
                "%s: not acting on %s, which is not chosen in the options",
                self.entry.title,
                hunch.key,
            )
            return
        try:
            done = await self._async_call(hunch)
        except HomeAssistantError as err:
            LOGGER.warning("%s: could not act on %s: %s", self.entry.title, hunch.key, err)
            self._report(hunch, f"Could not do it: {err}")
            return
        if not done:
            return
        if automatic:
            self._outcome("acted", hunch, hunch.done)
            self._report(hunch, hunch.done)

    async def _async_call(self, hunch: Hunch) -> bool:
        """The service call for ``hunch``; whether anything was done."""
        if hunch.kind is HunchKind.ALARM:
            # An alarm that rings that morning: on, that weekday among its days, and not
            # skipped (a skip from before the answer would silence it).
            morning = morning_of(hunch.at)
            days = {*self.alarm.settings.days, WEEKDAYS[morning.weekday()]}
            skip = self.alarm.state.skip_through
            unskip = skip is not None and skip >= morning
            self.alarm.async_set(enabled=True, days=days, unskip=unskip)
            return True
        watched = _BY_KIND[hunch.kind]
        if watched.service is None or hunch.entity_id is None:
            return False
        data: dict[str, Any] = {ATTR_ENTITY_ID: hunch.entity_id}
        if hunch.kind is HunchKind.CLIMATE:
            if hunch.target is None:
                return False
            data["temperature"] = hunch.target
        await self.hass.services.async_call(watched.domain, watched.service, data, blocking=True)
        return True

    def _report(self, hunch: Hunch, message: str) -> None:
        """Say what was done: in Home Assistant, and on the phone unless the sleeper is asleep."""
        persistent_notification.async_create(
            self.hass,
            f"**{message}**\n\n{hunch.reason}",
            self._title(),
            self._notification_id(hunch),
        )
        if hunch.moment is not Moment.FELL_ASLEEP or hunch.offer:
            self._phone(f"{message} {hunch.reason}", {"tag": hunch.key})

    # Reset and diagnostics --------------------------------------------------------------------

    async def async_reset(self) -> None:
        """Forget what the answers taught (muted hunches are suggested again)."""
        self.memory.reset()
        await self._store.async_save(self._data_to_store())

    def diagnostics(self) -> dict[str, Any]:
        """The lessons, the suggestions waiting and the recent outcomes with their reasons."""
        return {
            "memory": self.memory.as_dict(),
            "pending": [h.as_dict() for h in self.pending.values()],
            "history": self.history,
        }


def hunches_storage_key(entry_id: str) -> str:
    """The store of an entry's hunches (``.storage/radar_sleep.<entry id>.hunches``)."""
    return f"{DOMAIN}.{entry_id}.hunches"


async def async_reset_hunches(entry: RadarSleepConfigEntry) -> None:
    """``reset_learning`` with ``hunches``: forget the answers' lessons."""
    await entry.runtime_data.hunches.async_reset()


async def async_remove_hunches(hass: HomeAssistant, entry_id: str) -> None:
    """The entry is deleted: remove its hunches' store."""
    await Store[dict[str, Any]](
        hass, HUNCHES_STORAGE_VERSION, hunches_storage_key(entry_id)
    ).async_remove()
