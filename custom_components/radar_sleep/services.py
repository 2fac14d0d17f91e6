"""Actions: the smart alarm's, a night's summary, hunches, teaching, forgetting.

The alarm's: set it, snooze, dismiss, skip the next one. ``get_night`` answers with a stored
night; ``answer_hunch`` answers a bedtime suggestion (docs/hunches.md); ``teach`` keeps a label
with a night (docs/learning.md); ``reset_learning`` forgets what the tracker learned;
``forget_data`` deletes the stored nights, the night in progress, their statistics and
everything learned.

Each action targets one tracker by its config entry (``config_entry_id``), as core
integrations with per-entry actions do. Validation problems raise a translated
:class:`ServiceValidationError`. ``get_night`` answers with response data: a stored night's
summary and hypnogram, for scripts and automations.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import TYPE_CHECKING, Any

from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_TIME
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_get_config_entry
import probatio

from .alarm import AlarmController
from .alarm_learning import LEARNING_PART as ALARM_LEARNING, async_reset_alarm
from .const import (
    DEFAULT_SNOOZE_MINUTES,
    DOMAIN,
    MAX_SNOOZE_MINUTES,
    MAX_WINDOW_MINUTES,
)
from .contracts import EPOCH_SECONDS, LabelKind
from .hunches import async_reset_hunches
from .image import async_show_night
from .learning import async_reset_calibration, async_reset_stage_model
from .sleep.hunches import Answer
from .sleep.room import room_insights
from .sleep.serialize import label_to_dict, summary_to_dict
from .teaching import TeachError, async_reset_teaching, async_teach

if TYPE_CHECKING:
    from .runtime import RadarSleepConfigEntry

SERVICE_SET_ALARM = "set_alarm"
SERVICE_SNOOZE = "snooze"
SERVICE_DISMISS = "dismiss"
SERVICE_SKIP_NEXT = "skip_next"
SERVICE_GET_NIGHT = "get_night"
SERVICE_ANSWER_HUNCH = "answer_hunch"
SERVICE_TEACH = "teach"
SERVICE_RESET_LEARNING = "reset_learning"
SERVICE_FORGET_DATA = "forget_data"

ATTR_WINDOW = "window"
ATTR_DAYS = "days"
ATTR_MINUTES = "minutes"
ATTR_NIGHT = "night"
ATTR_SHOW_PICTURE = "show_picture"
ATTR_HUNCH = "hunch"
ATTR_ANSWER = "answer"
ATTR_KIND = "kind"
ATTR_END = "end"
ATTR_WHAT = "what"


async def _async_reset_hunches(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
    await async_reset_hunches(entry)


async def _async_reset_teaching(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
    async_reset_teaching(entry)


LEARNING_RESETS: dict[
    str, Callable[[HomeAssistant, RadarSleepConfigEntry], Coroutine[Any, Any, None]]
] = {
    ALARM_LEARNING: async_reset_alarm,
    "hunches": _async_reset_hunches,
    "teaching": _async_reset_teaching,
    "calibration": async_reset_calibration,
    "stage_model": async_reset_stage_model,
}
"""What ``reset_learning`` can forget (``what``; empty or left out: all), and how."""
LEARNING_PARTS = tuple(LEARNING_RESETS)

FIELD_ERRORS: dict[str, str] = {
    ATTR_CONFIG_ENTRY_ID: "invalid_config_entry_id",
    ATTR_TIME: "invalid_time",
    ATTR_WINDOW: "invalid_window",
    ATTR_DAYS: "invalid_days",
    ATTR_MINUTES: "invalid_minutes",
    ATTR_NIGHT: "invalid_night",
    ATTR_SHOW_PICTURE: "invalid_show_picture",
    ATTR_END: "invalid_time",
    ATTR_WHAT: "invalid_what",
    ATTR_KIND: "invalid_kind",
    ATTR_ANSWER: "invalid_answer",
    ATTR_HUNCH: "invalid_hunch",
}
"""Translation key of the error for a field's invalid value (``invalid_field`` for a field the
action does not have, ``missing_field`` for a required field left out, but the tracker's)."""


FIELD_CHOICES: dict[str, dict[str, str]] = {
    "invalid_window": {"max_window": str(MAX_WINDOW_MINUTES)},
    "invalid_minutes": {"max_minutes": str(MAX_SNOOZE_MINUTES)},
    "invalid_what": {"parts": ", ".join(LEARNING_PARTS)},
    "invalid_kind": {"kinds": ", ".join(LabelKind)},
    "invalid_answer": {"answers": ", ".join(Answer)},
}
"""What the message of a field's error names besides the invalid value (the limits or the
choices)."""


class ActionSchema(probatio.Schema):
    """An action's schema whose errors are translated.

    Home Assistant validates an action's data with its schema before the action runs and
    reports a schema error in the validator's own (English) words. This schema raises a
    :class:`ServiceValidationError` instead, naming the first invalid field and what it takes
    (``exceptions.invalid_<field>`` in the translations); nothing has been changed by then.
    """

    def __call__(self, data: Any, **kwargs: Any) -> Any:
        """Validate ``data``; a translated error for the first invalid field."""
        try:
            return super().__call__(data, **kwargs)
        except probatio.Invalid as err:
            first = err.errors[0] if isinstance(err, probatio.MultipleInvalid) else err
            field = str(first.path[0]) if first.path else ""
            key = FIELD_ERRORS.get(field, "invalid_field")
            if isinstance(first, probatio.ExtraKeysInvalid):
                key = "invalid_field"  # a field of another action
            elif isinstance(first, probatio.RequiredFieldInvalid) and field != ATTR_CONFIG_ENTRY_ID:
                key = "missing_field"  # (the tracker's message says what to give)
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders=_field_error_placeholders(
                    key, field, _invalid_value(data, first.path)
                ),
            ) from err


def _field_error_placeholders(key: str, field: str, value: Any) -> dict[str, str]:
    """The placeholders of the field error ``key``'s message: those it uses, no others."""
    if key in ("invalid_field", "missing_field"):
        return {"field": field}
    if key == "invalid_config_entry_id":
        return {}
    return {"value": str(value), **FIELD_CHOICES.get(key, {})}


def _invalid_value(data: Any, path: list[Any]) -> Any:
    """The value at ``path`` in ``data`` (as deep as it goes: an item of a list field)."""
    value = data
    for step in path:
        if not isinstance(value, list | dict):
            break
        try:
            value = value[step]
        except KeyError, IndexError:
            return None if value is data else value
    return value


_ENTRY_SCHEMA = ActionSchema({probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string})
SET_ALARM_SCHEMA = _ENTRY_SCHEMA.extend(
    {
        probatio.Required(ATTR_TIME): cv.time,
        probatio.Optional(ATTR_WINDOW): probatio.All(
            probatio.Coerce(int), probatio.Range(min=0, max=MAX_WINDOW_MINUTES)
        ),
        probatio.Optional(ATTR_DAYS): cv.weekdays,
    }
)
SNOOZE_SCHEMA = _ENTRY_SCHEMA.extend(
    {
        probatio.Optional(ATTR_MINUTES, default=DEFAULT_SNOOZE_MINUTES): probatio.All(
            probatio.Coerce(int), probatio.Range(min=1, max=MAX_SNOOZE_MINUTES)
        ),
    }
)
RESET_LEARNING_SCHEMA = _ENTRY_SCHEMA.extend(
    {
        probatio.Optional(ATTR_WHAT, default=list): probatio.All(
            cv.ensure_list, [probatio.In(LEARNING_PARTS)]
        ),
    }
)
GET_NIGHT_SCHEMA = _ENTRY_SCHEMA.extend(
    {
        probatio.Optional(ATTR_NIGHT): cv.date,
        probatio.Optional(ATTR_SHOW_PICTURE, default=False): cv.boolean,
    }
)
TEACH_SCHEMA = _ENTRY_SCHEMA.extend(
    {
        probatio.Optional(ATTR_NIGHT): cv.date,
        probatio.Required(ATTR_KIND): probatio.Coerce(LabelKind),
        probatio.Optional(ATTR_TIME): cv.time,
        probatio.Optional(ATTR_END): cv.time,
    }
)

ANSWER_HUNCH_SCHEMA = _ENTRY_SCHEMA.extend(
    {
        probatio.Required(ATTR_HUNCH): cv.string,
        probatio.Required(ATTR_ANSWER): probatio.In([a.value for a in Answer]),
    }
)


def _entry(call: ServiceCall) -> RadarSleepConfigEntry:
    """The tracker the call targets (loaded, of this integration)."""
    entry: RadarSleepConfigEntry = async_get_config_entry(
        call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID]
    )
    return entry


def _alarm(call: ServiceCall) -> AlarmController:
    """The alarm of the tracker the call targets."""
    return _entry(call).runtime_data.alarm


async def _async_set_alarm(call: ServiceCall) -> None:
    alarm = _alarm(call)
    days = call.data.get(ATTR_DAYS)
    if days is not None and not days:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_days",
            translation_placeholders={"name": alarm.entry.title},
        )
    alarm.async_set(
        at=call.data[ATTR_TIME],
        window_minutes=call.data.get(ATTR_WINDOW),
        days=days,
        enabled=True,
        unskip=True,
    )


async def _async_snooze(call: ServiceCall) -> None:
    _alarm(call).async_snooze(call.data[ATTR_MINUTES])


async def _async_dismiss(call: ServiceCall) -> None:
    _alarm(call).async_dismiss()


async def _async_skip_next(call: ServiceCall) -> None:
    _alarm(call).async_skip_next()


async def _async_get_night(call: ServiceCall) -> ServiceResponse:
    """A stored night (the last one unless ``night`` names its date) as response data.

    The summary's fields as JSON types (times in UTC, ISO 8601), the metrics, and the
    hypnogram as one letter per 30-s epoch from ``hypnogram_start``: ``w`` awake, ``l`` light,
    ``d`` deep, ``r`` REM. The room while asleep (``room_*``: mean, minimum, maximum, light at
    sleep onset; null when not recorded) and ``room_verdicts``, each recorded quantity's verdict
    against its range (docs/room.md). With ``show_picture``, the tracker's hypnogram picture
    shows that night until the next night ends, and ``picture`` says where it is
    (:func:`.image.async_show_night`; ``None`` for a night without stages).
    """
    entry = _entry(call)
    nights = entry.runtime_data.store.nights
    wanted: date | None = call.data.get(ATTR_NIGHT)
    found = [n for n in nights if wanted is None or n.night == wanted]
    if not found:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_night" if wanted is None else "no_such_night",
            translation_placeholders={"name": entry.title, "night": str(wanted)},
        )
    night = found[-1]
    verdicts = {i.quantity.value: i.verdict.value for i in room_insights(night)}
    response: dict[str, Any] = {
        **summary_to_dict(night),
        "epoch_seconds": EPOCH_SECONDS,
        "room_verdicts": verdicts,
    }
    if call.data[ATTR_SHOW_PICTURE]:
        response["picture"] = async_show_night(call.hass, entry, night)
    return response


async def _async_answer_hunch(call: ServiceCall) -> None:
    """Answer a bedtime suggestion from Home Assistant (*accept* does it)."""
    hunches = _entry(call).runtime_data.hunches
    await hunches.async_answer(call.data[ATTR_HUNCH], Answer(call.data[ATTR_ANSWER]))


async def _async_teach(call: ServiceCall) -> ServiceResponse:
    """Keep a label with a stored night (the last one unless ``night`` names its date).

    Responds with the night's labels and what the tracker now learns from all of them.
    """
    entry = _entry(call)
    try:
        night, _ = async_teach(
            entry,
            call.data[ATTR_KIND],
            night=call.data.get(ATTR_NIGHT),
            at=call.data.get(ATTR_TIME),
            end=call.data.get(ATTR_END),
        )
    except TeachError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=err.key,
            translation_placeholders=err.placeholders,
        ) from err
    pipeline = entry.runtime_data.coordinator.pipeline
    return {
        "night": night.night.isoformat(),
        "labels": [label_to_dict(label) for label in night.labels],
        "learned": pipeline.teaching.as_dict(),
    }


async def _async_reset_learning(call: ServiceCall) -> None:
    """Forget what the tracker learned: the parts named in ``what`` (all when empty)."""
    entry = _entry(call)
    what = set(call.data[ATTR_WHAT]) or set(LEARNING_PARTS)
    for part, reset in LEARNING_RESETS.items():
        if part in what:
            await reset(call.hass, entry)


async def _async_forget_data(call: ServiceCall) -> None:
    """Delete the tracker's sleep data and everything it learned about its sleeper."""
    from .runtime import async_forget_data  # noqa: PLC0415 - runtime imports this module

    entry = _entry(call)
    for reset in LEARNING_RESETS.values():
        await reset(call.hass, entry)
    # Last: the entities recompute from the nights and the learning, both empty by then.
    await async_forget_data(call.hass, entry)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, for every tracker)."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_ALARM, _async_set_alarm, schema=SET_ALARM_SCHEMA
    )
    hass.services.async_register(DOMAIN, SERVICE_SNOOZE, _async_snooze, schema=SNOOZE_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_DISMISS, _async_dismiss, schema=_ENTRY_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_SKIP_NEXT, _async_skip_next, schema=_ENTRY_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_NIGHT,
        _async_get_night,
        schema=GET_NIGHT_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_ANSWER_HUNCH, _async_answer_hunch, schema=ANSWER_HUNCH_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_TEACH,
        _async_teach,
        schema=TEACH_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_RESET_LEARNING, _async_reset_learning, schema=RESET_LEARNING_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_FORGET_DATA, _async_forget_data, schema=_ENTRY_SCHEMA
    )
