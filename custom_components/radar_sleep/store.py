"""What a tracker keeps across restarts: one versioned Home Assistant store per config entry.

The file (``.storage/radar_sleep.<entry id>``, version ``STORAGE_VERSION``) holds

- ``nights``: the past nights' summaries, oldest first, at most the retention option's number
  (a file from before the history was kept has a single ``last_night`` instead);
- ``in_progress``: the latest snapshot of the night in progress (``SleepPipeline.snapshot``,
  with the sleep event tracker's place under ``sleep_events``);
- ``standby``: whether sensing is switched off;
- ``alarm``: the smart alarm's settings, the alarm in progress and its policy's state
  (``AlarmController.as_dict``).

A file that cannot be read does not stop the tracker: it starts with what could be read, a
copy of the file is kept next to it (``radar_sleep.<entry id>.corrupt-<UTC time>``, before the
next write replaces it) and a repair says so. That covers a file written by a newer version
(``store_newer_version``), a file that is JSON but not a store of this shape, and stored
nights that do not read (``store_unreadable``). A file that is not JSON at all is handled by
Home Assistant's own storage before this code sees it: it renames the file to
``<name>.corrupt.<time>`` and raises its own "storage corruption" repair; the tracker then
starts afresh.

The other stores of the entry (what was learned: ``.calibration``, ``.stage_adaptation``,
``.hunches``, ``.alarm_learning``) are read through :func:`async_load_part` the same way: one
that cannot be read is kept in a copy and reported, and that part starts empty. The copies
and the repairs are deleted with the data (:func:`async_clear_unreadable`: the entry is
removed, or ``radar_sleep.forget_data``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import shutil
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import DOMAIN as HOMEASSISTANT_DOMAIN, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, UnsupportedStorageVersionError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.util import dt as dt_util

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

UNREADABLE_ISSUES = ("store_unreadable", "store_newer_version")
"""The repairs raised for a store that could not be read."""
READ_ERRORS = (KeyError, ValueError, TypeError, AttributeError)
"""What reading stored data that is not of the expected shape raises."""


def _part(store: Store[Any], entry_id: str) -> str:
    """The part of the tracker's storage ``store`` holds (``""`` for the main store)."""
    return store.key.removeprefix(f"{DOMAIN}.{entry_id}").lstrip(".")


def unreadable_issue_id(translation_key: str, entry_id: str, part: str = "") -> str:
    """The repair's ID for an unreadable store (``part``: ``""`` for the main store)."""
    return f"{translation_key}_{entry_id}" + (f"_{part}" if part else "")


async def async_keep_unreadable(
    hass: HomeAssistant,
    entry: ConfigEntry,
    store: Store[Any],
    translation_key: str,
    error: str,
) -> None:
    """Keep a copy of ``store``'s file next to it and raise a repair saying what happened.

    The copy is ``<file>.corrupt-<UTC time>``, made before the next write replaces the file
    (:func:`async_clear_unreadable` deletes copies and repairs with the tracker's data).
    """
    path = Path(store.path)
    copy = path.with_name(f"{path.name}.corrupt-{dt_util.utcnow():%Y%m%dT%H%M%SZ}")

    def keep_copy() -> bool:
        try:
            shutil.copy2(path, copy)
        except FileNotFoundError:
            return False
        return True

    kept = await hass.async_add_executor_job(keep_copy)
    LOGGER.error(
        "%s: the stored data in %s could not be read (%s); %s",
        entry.title,
        store.key,
        error,
        f"a copy is kept in {copy}" if kept else "there was no file to copy",
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        unreadable_issue_id(translation_key, entry.entry_id, _part(store, entry.entry_id)),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=translation_key,
        translation_placeholders={
            "name": entry.title,
            "copy": str(copy) if kept else "-",
            "error": error,
        },
    )


async def async_load_part[T](
    hass: HomeAssistant,
    entry: ConfigEntry,
    store: Store[Any],
    read: Callable[[Any], T],
    rewrite: Callable[[], Any],
) -> T | None:
    """``read`` of what ``store`` holds; ``None`` when it holds nothing or cannot be read.

    A file that cannot be read (newer version, not of the shape ``read`` takes) is kept in a
    copy and reported (:func:`async_keep_unreadable`): that part of the tracker starts empty,
    and the file is written afresh a few seconds later with what ``rewrite`` gives then (the
    part as it is), so that the next start reads it instead of copying and reporting it again.
    """
    try:
        stored = await store.async_load()
    except UnsupportedStorageVersionError as err:
        await async_keep_unreadable(hass, entry, store, "store_newer_version", str(err))
        store.async_delay_save(rewrite, SAVE_DELAY_SECONDS)
        return None
    except (HomeAssistantError, *READ_ERRORS) as err:
        await async_keep_unreadable(
            hass, entry, store, "store_unreadable", str(err) or type(err).__name__
        )
        store.async_delay_save(rewrite, SAVE_DELAY_SECONDS)
        return None
    if stored is None:
        return None
    try:
        if not isinstance(stored, dict):
            raise TypeError(f"the stored data is a {type(stored).__name__}, not an object")
        return read(stored)
    except READ_ERRORS as err:
        await async_keep_unreadable(hass, entry, store, "store_unreadable", str(err) or repr(err))
        store.async_delay_save(rewrite, SAVE_DELAY_SECONDS)
        return None


async def async_clear_unreadable(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the copies of the entry's unreadable files and their repairs (data deleted).

    Both this integration's copies (``.corrupt-<time>``) and those Home Assistant makes of a
    file that is not JSON (``.corrupt.<time>``, with its "storage corruption" repair), of
    every store of the entry.
    """
    folder = Path(hass.config.path(STORAGE_DIR))

    def delete_copies() -> None:
        for copy in folder.glob(f"{DOMAIN}.{entry_id}*.corrupt[-.]*"):
            copy.unlink(missing_ok=True)

    await hass.async_add_executor_job(delete_copies)
    ids = {unreadable_issue_id(key, entry_id) for key in UNREADABLE_ISSUES}
    core = f"storage_corruption_{DOMAIN}.{entry_id}"  # Home Assistant's, naming a copy
    for domain, issue_id in list(ir.async_get(hass).issues):
        if (
            domain == DOMAIN and any(issue_id == i or issue_id.startswith(f"{i}_") for i in ids)
        ) or (domain == HOMEASSISTANT_DOMAIN and issue_id.startswith((f"{core}_", f"{core}."))):
            ir.async_delete_issue(hass, domain, issue_id)


class RadarSleepStore:
    """The tracker's storage: past nights, the night in progress, standby and the alarm.

    The coordinator puts nights, snapshots and standby here; the alarm's part is read from
    the alarm at each write (:attr:`dump_alarm`), so that a write always holds its current
    state.
    """

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """An empty store; :meth:`async_load` reads the file."""
        self._entry = entry
        self._hass = hass
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
        """Read the file; what cannot be read is kept in a copy and reported (module doc)."""
        try:
            stored: object = await self._store.async_load()
        except UnsupportedStorageVersionError as err:
            await self._async_unreadable("store_newer_version", str(err))
            stored = None
        except (HomeAssistantError, *READ_ERRORS) as err:
            await self._async_unreadable("store_unreadable", str(err) or type(err).__name__)
            stored = None
        if stored is None:
            stored = {}
        problems: list[str] = []
        if not isinstance(stored, dict):
            problems.append(f"the stored data is a {type(stored).__name__}, not an object")
            stored = {}
        nights = self._read_nights(stored, problems)
        standby = stored.get("standby", False)
        alarm = stored.get("alarm")
        in_progress = stored.get("in_progress")
        for key, value, kind in (
            ("standby", standby, bool),
            ("alarm", alarm, dict | None),
            ("in_progress", in_progress, dict | None),
        ):
            if not isinstance(value, kind):
                problems.append(f"{key} is a {type(value).__name__}")
        if problems:
            await self._async_unreadable("store_unreadable", "; ".join(problems))
        self.nights = nights[-self.retention :]
        self._nights_data = [summary_to_dict(n) for n in self.nights]
        self.standby = standby if isinstance(standby, bool) else False
        self.alarm = alarm if isinstance(alarm, dict) else None
        self.in_progress = in_progress if isinstance(in_progress, dict) else None

    def _read_nights(self, stored: dict[str, Any], problems: list[str]) -> list[NightSummary]:
        """The stored nights that read; each one that does not adds to ``problems``."""
        items = stored.get("nights") or ([stored["last_night"]] if stored.get("last_night") else [])
        if not isinstance(items, list):
            problems.append(f"nights is a {type(items).__name__}")
            return []
        nights: list[NightSummary] = []
        for item in items:
            try:
                nights.append(summary_from_dict(item))
            except READ_ERRORS as err:
                LOGGER.warning(
                    "%s: ignoring an unreadable stored night: %s", self._entry.title, err
                )
                problems.append(f"a stored night does not read ({err!r})")
        return nights

    async def _async_unreadable(self, translation_key: str, error: str) -> None:
        await async_keep_unreadable(self._hass, self._entry, self._store, translation_key, error)

    def add_night(self, summary: NightSummary) -> None:
        """A night ended: keep it (the oldest beyond the retention are dropped)."""
        self.nights = [*self.nights, summary][-self.retention :]
        self._nights_data = [*self._nights_data, summary_to_dict(summary)][-self.retention :]

    def replace_night(self, summary: NightSummary) -> None:
        """A stored night changed (what the user taught about it): keep the new one.

        The night is found by its date and session start; an unknown night is added.
        """
        for k, old in enumerate(self.nights):
            if old.night == summary.night and old.session_start == summary.session_start:
                nights = list(self.nights)
                nights[k] = summary
                self.nights = nights
                self._nights_data = [*self._nights_data]
                self._nights_data[k] = summary_to_dict(summary)
                return
        self.add_night(summary)

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
