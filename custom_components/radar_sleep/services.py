"""Actions of the smart alarm: set it, snooze, dismiss, skip the next one.

Each action targets one tracker by its config entry (``config_entry_id``), as core
integrations with per-entry actions do. Validation problems raise a translated
:class:`ServiceValidationError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_TIME
from homeassistant.core import HomeAssistant, ServiceCall, callback
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

if TYPE_CHECKING:
    from .runtime import RadarSleepConfigEntry

SERVICE_SET_ALARM = "set_alarm"
SERVICE_SNOOZE = "snooze"
SERVICE_DISMISS = "dismiss"
SERVICE_SKIP_NEXT = "skip_next"

ATTR_WINDOW = "window"
ATTR_DAYS = "days"
ATTR_MINUTES = "minutes"

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


def _alarm(call: ServiceCall) -> AlarmController:
    """The alarm of the tracker the call targets (loaded, of this integration)."""
    entry: RadarSleepConfigEntry = async_get_config_entry(
        call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID]
    )
    return entry.runtime_data.alarm


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


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the alarm's actions (once, for every tracker)."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_ALARM, _async_set_alarm, schema=SET_ALARM_SCHEMA
    )
    hass.services.async_register(DOMAIN, SERVICE_SNOOZE, _async_snooze, schema=SNOOZE_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_DISMISS, _async_dismiss, schema=_ENTRY_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_SKIP_NEXT, _async_skip_next, schema=_ENTRY_SCHEMA)
