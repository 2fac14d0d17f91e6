"""Where the smart alarm keeps what it learned about the user, and how it is reset.

The learning itself (``alarm_core/learning.py``) is plain data; this module keeps it in its own
Home Assistant store, ``.storage/radar_sleep.<entry id>.alarm_learning`` (versioned): loaded
when the tracker is set up, saved a little after every change, removed with the integration,
emptied by the ``radar_sleep.reset_learning`` action (``what: alarm``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .alarm_core.learning import AlarmLearning
from .const import DOMAIN, SAVE_DELAY_SECONDS
from .store import async_load_part

if TYPE_CHECKING:
    from .runtime import RadarSleepConfigEntry

LEARNING_PART: Final = "alarm"
"""The ``what`` option of ``radar_sleep.reset_learning`` that resets the alarm's learning."""
STORE_VERSION: Final = 1


def _key(entry_id: str) -> str:
    return f"{DOMAIN}.{entry_id}.alarm_learning"


class AlarmLearningStore:
    """The alarm's learning of one tracker and its store."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Nothing learned yet; :meth:`async_load` reads the file."""
        self._hass = hass
        self._entry = entry
        self._store: Store[dict[str, Any]] = Store(hass, STORE_VERSION, _key(entry.entry_id))
        self.learning = AlarmLearning()

    async def async_load(self) -> None:
        """Read what was learned (unreadable: kept in a copy, reported, starts over)."""
        learning = await async_load_part(
            self._hass,
            self._entry,
            self._store,
            AlarmLearning.from_dict,
            self.learning.to_dict,
        )
        if learning is not None:
            self.learning = learning

    @callback
    def async_delay_save(self) -> None:
        """Write a little later."""
        self._store.async_delay_save(self.learning.to_dict, SAVE_DELAY_SECONDS)

    async def async_save(self) -> None:
        """Write now."""
        await self._store.async_save(self.learning.to_dict())


async def async_reset_alarm(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
    """Forget what the alarm learned about this tracker's user (and save that at once)."""
    alarm = entry.runtime_data.alarm
    alarm.async_reset_learning()
    await alarm.learning_store.async_save()


async def async_remove_alarm_learning(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Delete the store (the integration's entry is being removed)."""
    await Store[dict[str, Any]](hass, STORE_VERSION, _key(entry.entry_id)).async_remove()
