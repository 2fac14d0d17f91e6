"""What a tracker keeps across restarts: one versioned Home Assistant store per config entry.

The file (``.storage/radar_sleep.<entry id>``, version ``STORAGE_VERSION``) holds

- ``nights``: the past nights' summaries, oldest first, at most the retention option's number
  (a file from before the history was kept has a single ``last_night`` instead);
- ``in_progress``: the latest snapshot of the night in progress (``SleepPipeline.snapshot``,
  with the sleep event tracker's place under ``sleep_events``);
- ``standby``: whether sensing is switched off;
- ``alarm``: the smart alarm's settings, the alarm in progress and its policy's state
  (``AlarmController.as_dict``).

A write that fails (a full disk, a read-only file system) does not lose a finished night: the
night stays in memory, marked unsaved (:attr:`RadarSleepStore.unsaved`), and every write holds
it until one succeeds. While a night is unsaved a failed write raises a repair
(``night_not_saved``) and is tried again with a growing delay (``SAVE_RETRY_SECONDS`` doubling
up to ``SAVE_RETRY_MAX_SECONDS``, and when Home Assistant stops); the write that succeeds
removes the repair. When the entry is reloaded meanwhile, the unsaved nights are handed to the
next load in ``hass.data``, so only stopping Home Assistant before the storage can be written
again loses them (nothing is written outside Home Assistant's storage). The nights and the
night in progress are one file, written whole or not at all: there is no other place in it to
keep a night that could not be written. A night is kept once, by its date and session start,
however often it is handed over.

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
from datetime import datetime
from pathlib import Path
import shutil
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import (
    CALLBACK_TYPE,
    DOMAIN as HOMEASSISTANT_DOMAIN,
    Event,
    HomeAssistant,
)
from homeassistant.exceptions import HomeAssistantError, UnsupportedStorageVersionError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_HISTORY_NIGHTS,
    DEFAULT_HISTORY_NIGHTS,
    DOMAIN,
    LOGGER,
    SAVE_DELAY_SECONDS,
    SAVE_RETRY_MAX_SECONDS,
    SAVE_RETRY_SECONDS,
    STORAGE_VERSION,
)
from .contracts import NightSummary
from .sleep.serialize import summary_from_dict, summary_to_dict

type AlarmDump = Callable[[], dict[str, Any] | None]

UNREADABLE_ISSUES = ("store_unreadable", "store_newer_version")
"""The repairs raised for a store that could not be read."""
READ_ERRORS = (KeyError, ValueError, TypeError, AttributeError)
"""What reading stored data that is not of the expected shape raises."""
NOT_SAVED_ISSUE = "night_not_saved"
"""The repair raised while a finished night could not be written."""
UNSAVED_NIGHTS: HassKey[dict[str, list[NightSummary]]] = HassKey(f"{DOMAIN}_unsaved_nights")
"""Finished nights not yet written, by entry ID, from an unloaded entry to its next load."""

type NightKey = tuple[str, str]


def night_key(summary: NightSummary) -> NightKey:
    """What tells a night from another: its date and session start (as stored)."""
    return summary.night.isoformat(), summary.session_start.isoformat()


def _stored_keys(data: object) -> set[NightKey]:
    """The keys of the nights in a written ``data`` (:meth:`RadarSleepStore._data_to_store`)."""
    nights = data.get("nights") if isinstance(data, dict) else None
    return {
        (str(night.get("night")), str(night.get("session_start")))
        for night in nights or ()
        if isinstance(night, dict)
    }


def not_saved_issue_id(entry_id: str) -> str:
    """The ``night_not_saved`` repair's ID for an entry."""
    return f"{NOT_SAVED_ISSUE}_{entry_id}"


class _TrackerFile(Store[dict[str, Any]]):
    """Home Assistant's store, telling its owner how each write went.

    Home Assistant's store logs a write that fails and carries on (the caller of
    ``async_save`` or ``async_delay_save`` is not told): ``written`` is called after each
    write with the data written and ``None``, or with the error.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        key: str,
        written: Callable[[object, Exception | None], None],
    ) -> None:
        super().__init__(hass, STORAGE_VERSION, key)
        self._written = written

    @override
    async def _async_write_data(self, data: dict[str, Any]) -> None:
        try:
            await super()._async_write_data(data)
        except Exception as err:
            self._written(data.get("data"), err)
            raise
        self._written(data.get("data"), None)


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
        self._store: Store[dict[str, Any]] = _TrackerFile(
            hass, f"{DOMAIN}.{entry.entry_id}", self._written
        )
        self.unsaved: list[NightSummary] = []
        """Finished nights not yet written (a write failed): every write holds them."""
        self._retry: CALLBACK_TYPE | None = None
        self._final_write: CALLBACK_TYPE | None = None
        self._retry_seconds = SAVE_RETRY_SECONDS
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
        if handed := self._hass.data.get(UNSAVED_NIGHTS, {}).pop(self._entry.entry_id, None):
            # The entry was reloaded before these could be written: write them now.
            for night in handed:
                self.add_night(night)
            self.async_delay_save()

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
        """A night ended: keep it (the oldest beyond the retention are dropped).

        It is unsaved until a write holds it. A night already kept (same date and session
        start) is replaced, never kept twice.
        """
        key = night_key(summary)
        self.unsaved = [*(n for n in self.unsaved if night_key(n) != key), summary]
        if any(night_key(n) == key for n in self.nights):
            self.replace_night(summary)
            return
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
        self.unsaved = []
        self._saved()

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
        """Write everything now (a failure is logged, and retried while a night is unsaved)."""
        try:
            await self._store.async_save(self._data_to_store())
        except (HomeAssistantError, OSError) as err:
            # Home Assistant's store logs the usual write errors itself; these are the others.
            LOGGER.error("%s: the tracker's data could not be written: %s", self._entry.title, err)

    async def async_unload(self) -> None:
        """The entry unloads: write; nights still unsaved go to the next load of the entry."""
        await self.async_save()
        self._cancel_retry()
        if self.unsaved:
            self._hass.data.setdefault(UNSAVED_NIGHTS, {})[self._entry.entry_id] = self.unsaved

    def _written(self, data: object, error: Exception | None) -> None:
        """A write ended: the unsaved nights it held are saved; a failure is retried."""
        if error is None:
            written = _stored_keys(data)
            kept = {night_key(n) for n in self.nights}
            self.unsaved = [
                n for n in self.unsaved if night_key(n) not in written and night_key(n) in kept
            ]
            if not self.unsaved:
                self._saved()
            return
        if not self.unsaved:
            return  # the next snapshot writes again; no finished night waits
        LOGGER.error(
            "%s: the night of %s could not be written (%s); it is kept and written again in %d s",
            self._entry.title,
            ", ".join(n.night.isoformat() for n in self.unsaved),
            error,
            self._retry_seconds,
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            not_saved_issue_id(self._entry.entry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=NOT_SAVED_ISSUE,
            translation_placeholders={
                "name": self._entry.title,
                "nights": ", ".join(n.night.isoformat() for n in self.unsaved),
                "error": str(error) or type(error).__name__,
            },
        )
        if self._retry is None:
            self._retry = async_call_later(self._hass, self._retry_seconds, self._async_retry)
            self._retry_seconds = min(2 * self._retry_seconds, SAVE_RETRY_MAX_SECONDS)
        if self._final_write is None:  # Home Assistant stops before the retry: try then
            self._final_write = self._hass.bus.async_listen_once(
                EVENT_HOMEASSISTANT_FINAL_WRITE, self._async_final_write
            )

    async def _async_retry(self, _now: datetime) -> None:
        self._retry = None
        await self.async_save()

    async def _async_final_write(self, _event: Event) -> None:
        self._final_write = None
        await self.async_save()

    def _cancel_retry(self) -> None:
        if self._retry is not None:
            self._retry()
            self._retry = None
        if self._final_write is not None:
            self._final_write()
            self._final_write = None

    def _saved(self) -> None:
        """No night waits to be written: no retry, no repair."""
        self._cancel_retry()
        self._retry_seconds = SAVE_RETRY_SECONDS
        ir.async_delete_issue(self._hass, DOMAIN, not_saved_issue_id(self._entry.entry_id))


async def async_remove_store(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Delete the tracker's storage file (the config entry is being removed).

    With the nights that could not be written and their repair.
    """
    hass.data.get(UNSAVED_NIGHTS, {}).pop(entry.entry_id, None)
    ir.async_delete_issue(hass, DOMAIN, not_saved_issue_id(entry.entry_id))
    await Store[dict[str, Any]](hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}").async_remove()
