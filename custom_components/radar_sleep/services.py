"""Actions: the smart alarm's (set it, snooze, dismiss, skip the next one) and ``get_night``.

Each action targets one tracker by its config entry (``config_entry_id``), as core
integrations with per-entry actions do. Validation problems raise a translated
:class:`ServiceValidationError`. ``get_night`` answers with response data: a stored night's
summary and hypnogram, for scripts and automations.
"""

from __future__ import annotations

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
from .const import (
    DEFAULT_SNOOZE_MINUTES,
    DOMAIN,
    MAX_SNOOZE_MINUTES,
    MAX_WINDOW_MINUTES,
)
from .contracts import EPOCH_SECONDS
from .image import async_show_night
from .learning import async_reset_calibration, async_reset_stage_model
from .sleep.room import room_insights
from .sleep.serialize import summary_to_dict

if TYPE_CHECKING:
    from .runtime import RadarSleepConfigEntry

SERVICE_SET_ALARM = "set_alarm"
SERVICE_SNOOZE = "snooze"
SERVICE_DISMISS = "dismiss"
SERVICE_SKIP_NEXT = "skip_next"
SERVICE_GET_NIGHT = "get_night"
SERVICE_RESET_LEARNING = "reset_learning"

ATTR_WINDOW = "window"
ATTR_DAYS = "days"
ATTR_MINUTES = "minutes"
ATTR_NIGHT = "night"
ATTR_SHOW_PICTURE = "show_picture"
ATTR_WHAT = "what"

LEARNING_PARTS = ("calibration", "stage_model")
"""What ``reset_learning`` can forget (``what``; empty: all of them)."""

_ENTRY_SCHEMA = probatio.Schema({probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string})
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
GET_NIGHT_SCHEMA = _ENTRY_SCHEMA.extend(
    {
        probatio.Optional(ATTR_NIGHT): cv.date,
        probatio.Optional(ATTR_SHOW_PICTURE, default=False): cv.boolean,
    }
)

RESET_LEARNING_SCHEMA = _ENTRY_SCHEMA.extend(
    {
        probatio.Optional(ATTR_WHAT, default=list): probatio.All(
            cv.ensure_list, [probatio.In(LEARNING_PARTS)]
        ),
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


async def _async_reset_learning(call: ServiceCall) -> None:
    """Forget what was learned from the user's nights (``what``; empty: everything)."""
    entry = _entry(call)
    what = set(call.data[ATTR_WHAT]) or set(LEARNING_PARTS)
    if "calibration" in what:
        await async_reset_calibration(call.hass, entry)
    if "stage_model" in what:
        await async_reset_stage_model(call.hass, entry)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the alarm's actions (once, for every tracker)."""
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
        DOMAIN, SERVICE_RESET_LEARNING, _async_reset_learning, schema=RESET_LEARNING_SCHEMA
    )
