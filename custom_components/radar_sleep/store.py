"""What a tracker keeps across restarts: one versioned Home Assistant store per config entry.

The file (``.storage/radar_sleep.<entry id>``, version ``STORAGE_VERSION``) holds

- ``nights``: the past nights' summaries, oldest first, at most the retention option's number
  (a file from before the history was kept has a single ``last_night`` instead);
- ``in_progress``: the latest snapshot of the night in progress (``SleepPipeline.snapshot``,
  with the sleep event tracker's place under ``sleep_events``);
- ``standby``: whether sensing is switched off;
- ``alarm``: the smart alarm's settings, the alarm in progress and its policy's state
  (``AlarmController.as_dict``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import (
    CONF_HISTORY_NIGHTS,
    DEFAULT_HISTORY_NIGHTS,
    DOMAIN,
    LOGGER,
    SAVE_DELAY_SECONDS,
    STORAGE_VERSION,
)
from .contracts import NightSummary
from .sleep.serialize import summary_from_dict, summary_to_dict

type AlarmDump = Callable[[], dict[str, Any] | None]


class RadarSleepStore:
    """The tracker's storage: past nights, the night in progress, standby and the alarm.

    The coordinator puts nights, snapshots and standby here; the alarm's part is read from
    the alarm at each write (:attr:`dump_alarm`), so that a write always holds its current
    state.
    """

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """An empty store; :meth:`async_load` reads the file."""
        self._entry = entry
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}"
        )
        self.nights: list[NightSummary] = []
        """Past nights, oldest first, at most the retention option's number (a new list at
        every night, so that readers can tell a change by identity)."""
        self._nights_data: list[dict[str, Any]] = []
        """``nights`` as stored (built once per night, not at every save in the loop)."""
        self.in_progress: dict[str, Any] | None = None
        """The night in progress as the file held it at start-up (to restore)."""
        self.snapshot: dict[str, Any] | None = None
        """The latest snapshot of the night in progress (what the next write holds)."""
        self.standby = False
        self.alarm: dict[str, Any] | None = None
        """The alarm as the file held it at start-up."""
        self.dump_alarm: AlarmDump = lambda: self.alarm
        """What is written for the alarm (set to the running alarm's ``as_dict``)."""

    @property
    def retention(self) -> int:
        """How many past nights are kept (the history option)."""
        return int(self._entry.options.get(CONF_HISTORY_NIGHTS, DEFAULT_HISTORY_NIGHTS))

    async def async_load(self) -> None:
        """Read the file; unreadable nights are skipped with a warning."""
        stored = await self._store.async_load() or {}
        nights: list[NightSummary] = []
        for item in stored.get("nights") or (
            [stored["last_night"]] if stored.get("last_night") else []
        ):
            try:
                nights.append(summary_from_dict(item))
            except (KeyError, ValueError, TypeError) as err:
                LOGGER.warning(
                    "%s: ignoring an unreadable stored night: %s", self._entry.title, err
                )
        self.nights = nights[-self.retention :]
        self._nights_data = [summary_to_dict(n) for n in self.nights]
        self.standby = bool(stored.get("standby", False))
        self.alarm = stored.get("alarm")
        self.in_progress = stored.get("in_progress")

    def add_night(self, summary: NightSummary) -> None:
        """A night ended: keep it (the oldest beyond the retention are dropped)."""
        self.nights = [*self.nights, summary][-self.retention :]
        self._nights_data = [*self._nights_data, summary_to_dict(summary)][-self.retention :]

    def forget_nights(self) -> None:
        """Drop the past nights and the night in progress (written at the next save)."""
        self.nights = []
        self._nights_data = []
        self.in_progress = None
        self.snapshot = None

    def _data_to_store(self) -> dict[str, Any]:
        return {
            "nights": self._nights_data,
            "in_progress": self.snapshot,
            "standby": self.standby,
            "alarm": self.dump_alarm(),
        }

    def async_delay_save(self) -> None:
        """Write a little later (a new snapshot of the night in progress)."""
        self._store.async_delay_save(self._data_to_store, SAVE_DELAY_SECONDS)

    async def async_save(self) -> None:
        """Write everything now."""
        await self._store.async_save(self._data_to_store())


async def async_remove_store(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Delete the tracker's storage file (the config entry is being removed)."""
    await Store[dict[str, Any]](hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}").async_remove()
