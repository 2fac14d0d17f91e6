"""The tracker's storage file: an existing user's file loads unchanged and is written back as is;
an unreadable one is kept in a copy, reported in a repair, and the tracker starts anyway."""

from __future__ import annotations

import copy
from dataclasses import replace
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import DOMAIN as HOMEASSISTANT_DOMAIN, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.radar_sleep.alarm_core.learning import AlarmLearning
from custom_components.radar_sleep.const import DOMAIN, STORAGE_VERSION
from custom_components.radar_sleep.sleep.serialize import summary_to_dict
from custom_components.radar_sleep.store import RadarSleepStore

from .conftest import SilentSource
from .fixed import ALARM, NIGHTS


async def test_a_stored_file_loads_and_is_written_back_unchanged(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    data = {
        "nights": [summary_to_dict(n) for n in NIGHTS],
        "in_progress": {"kind": "a pipeline snapshot"},
        "standby": True,
        "alarm": ALARM,
    }
    hass_storage[key] = {"version": 1, "key": key, "data": copy.deepcopy(data)}
    store = RadarSleepStore(hass, mock_config_entry)
    await store.async_load()
    assert store.nights == list(NIGHTS)
    assert store.standby
    assert store.alarm == ALARM
    assert store.in_progress == data["in_progress"]
    # What is written for the night in progress is the latest snapshot (here: the same).
    store.snapshot = data["in_progress"]
    await store.async_save()
    assert hass_storage[key]["version"] == 1
    assert hass_storage[key]["data"] == data


async def test_a_night_is_kept_once(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """The same night (date and session start) handed over twice is kept and written once,
    the second time as it was handed last; it is unsaved until a write holds it."""
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    store = RadarSleepStore(hass, mock_config_entry)
    await store.async_load()
    first, second = NIGHTS[0], NIGHTS[1]
    store.add_night(first)
    store.add_night(second)
    assert store.unsaved == [first, second]
    again = replace(first, mean_breathing_rate_bpm=12.5)
    assert again != first
    store.add_night(again)
    assert store.nights == [again, second]
    assert store.unsaved == [second, again]
    await store.async_save()
    assert store.unsaved == []
    assert hass_storage[key]["data"]["nights"] == [summary_to_dict(again), summary_to_dict(second)]


async def test_a_file_from_before_the_history_has_its_last_night(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    last = summary_to_dict(NIGHTS[-1])
    hass_storage[key] = {"version": 1, "key": key, "data": {"last_night": last}}
    store = RadarSleepStore(hass, mock_config_entry)
    await store.async_load()
    assert store.nights == [NIGHTS[-1]]
    assert not store.standby
    assert store.alarm is None
    store.dump_alarm = lambda: {"settings": {}}
    await store.async_save()
    assert hass_storage[key]["data"] == {
        "nights": [last],
        "in_progress": None,
        "standby": False,
        "alarm": {"settings": {}},
    }


# --------------------------------------------------------------------------- unreadable files

_REAL_LOAD = Store._async_load
"""Home Assistant's own loading (the test storage replaces it once the fixture is active)."""


def _storage_file(
    hass: HomeAssistant, entry: MockConfigEntry, tmp_path: Path, text: str, part: str = ""
) -> Path:
    """Put a file of the tracker (``part``: of another store) in a folder of the test's own."""
    hass.config.config_dir = str(tmp_path)
    path = tmp_path / ".storage" / f"{DOMAIN}.{entry.entry_id}{'.' + part if part else ''}"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    with (
        patch("custom_components.radar_sleep.runtime.PLATFORMS", [Platform.SENSOR]),
        patch("custom_components.radar_sleep.runtime.build_source", return_value=SilentSource()),
    ):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.freeze_time("2026-11-24 04:30:00+00:00")
async def test_a_file_from_a_newer_version_is_kept_and_reported(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    tmp_path: Path,
) -> None:
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    future = {"version": 2, "minor_version": 1, "key": key, "data": {"nights": [], "new": 1}}
    text = json.dumps(future)
    path = _storage_file(hass, mock_config_entry, tmp_path, text)
    hass_storage[key] = future
    await _setup(hass, mock_config_entry)
    copy = path.with_name(f"{path.name}.corrupt-20261124T043000Z")
    assert copy.read_text() == text
    issue = issue_registry.async_get_issue(
        DOMAIN, f"store_newer_version_{mock_config_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "store_newer_version"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["copy"] == str(copy)
    assert mock_config_entry.runtime_data.store.nights == []
    # The tracker writes its own file from now on; the copy stays.
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert hass_storage[key]["version"] == STORAGE_VERSION
    assert copy.read_text() == text


@pytest.mark.freeze_time("2026-11-24 04:30:00+00:00")
async def test_a_file_with_unreadable_parts_keeps_what_reads(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    tmp_path: Path,
) -> None:
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    good = summary_to_dict(NIGHTS[-1])
    data = {
        "version": 1,
        "key": key,
        "data": {"nights": [{"night": "yesterday"}, good], "standby": "yes", "alarm": ALARM},
    }
    text = json.dumps(data)
    path = _storage_file(hass, mock_config_entry, tmp_path, text)
    hass_storage[key] = data
    await _setup(hass, mock_config_entry)
    store = mock_config_entry.runtime_data.store
    assert store.nights == [NIGHTS[-1]]
    assert store.standby is False
    assert store.alarm == ALARM
    issue = issue_registry.async_get_issue(DOMAIN, f"store_unreadable_{mock_config_entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "store_unreadable"
    assert issue.translation_placeholders is not None
    assert "standby is a str" in issue.translation_placeholders["error"]
    assert path.with_name(f"{path.name}.corrupt-20261124T043000Z").read_text() == text


@pytest.mark.parametrize("data", [["a", "list"], "text", 3])
async def test_a_store_that_is_not_an_object_starts_afresh(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    tmp_path: Path,
    data: object,
) -> None:
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    stored = {"version": 1, "key": key, "data": data}
    _storage_file(hass, mock_config_entry, tmp_path, json.dumps(stored))
    hass_storage[key] = stored
    await _setup(hass, mock_config_entry)
    assert mock_config_entry.runtime_data.store.nights == []
    assert issue_registry.async_get_issue(DOMAIN, f"store_unreadable_{mock_config_entry.entry_id}")
    assert len(list((tmp_path / ".storage").glob("*.corrupt-*"))) == 1


async def test_a_file_that_is_not_json_is_renamed_and_reported_by_home_assistant(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    tmp_path: Path,
) -> None:
    """Home Assistant's own storage renames it and raises its repair; the tracker starts."""
    text = '{"version": 1, "key": "radar_sleep.x", "data": {"nights": [{"night": '
    path = _storage_file(hass, mock_config_entry, tmp_path, text)
    with patch.object(Store, "_async_load", _REAL_LOAD):
        await _setup(hass, mock_config_entry)
    assert mock_config_entry.runtime_data.store.nights == []
    (renamed,) = (tmp_path / ".storage").glob(f"{path.name}.corrupt.*")
    assert renamed.read_text() == text
    issues = [
        i
        for i in issue_registry.issues.values()
        if i.translation_key == "storage_corruption" and i.issue_domain == DOMAIN
    ]
    assert len(issues) == 1
    assert issues[0].domain == HOMEASSISTANT_DOMAIN


def _is_empty(runtime: Any, part: str) -> bool:
    """Whether the part of the tracker that ``part``'s store holds starts with nothing."""
    learning = runtime.learning.learning
    return {
        "calibration": lambda: learning.calibration.nights == [],
        "stage_adaptation": lambda: learning.adaptation.medians == [],
        "hunches": lambda: runtime.hunches.pending == {} and runtime.hunches.memory.records == {},
        "alarm_learning": lambda: (
            runtime.alarm.learning_store.learning.to_dict() == AlarmLearning().to_dict()
        ),
    }[part]()


@pytest.mark.freeze_time("2026-11-24 04:30:00+00:00")
@pytest.mark.parametrize("part", ["calibration", "stage_adaptation", "hunches", "alarm_learning"])
@pytest.mark.parametrize(
    ("version", "data", "translation_key"),
    [
        (1, ["a", "list"], "store_unreadable"),
        (2, {"nights": []}, "store_newer_version"),
    ],
)
async def test_an_unreadable_store_of_what_was_learned_is_kept_and_starts_empty(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    tmp_path: Path,
    part: str,
    version: int,
    data: object,
    translation_key: str,
) -> None:
    """The tracker sets up; the file is copied, a repair names the copy, the part is empty."""
    key = f"{DOMAIN}.{mock_config_entry.entry_id}.{part}"
    stored = {"version": version, "minor_version": 1, "key": key, "data": data}
    text = json.dumps(stored)
    path = _storage_file(hass, mock_config_entry, tmp_path, text, part)
    hass_storage[key] = stored
    await _setup(hass, mock_config_entry)  # loaded
    copy = path.with_name(f"{path.name}.corrupt-20261124T043000Z")
    assert copy.read_text() == text
    issue = issue_registry.async_get_issue(
        DOMAIN, f"{translation_key}_{mock_config_entry.entry_id}_{part}"
    )
    assert issue is not None
    assert issue.translation_key == translation_key
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["copy"] == str(copy)
    assert issue.translation_placeholders["name"] == mock_config_entry.title
    if version == 1:
        assert issue.translation_placeholders["error"] == (
            "the stored data is a list, not an object"
        )
    assert _is_empty(mock_config_entry.runtime_data, part)
    assert not issue_registry.async_get_issue(
        DOMAIN, f"{translation_key}_{mock_config_entry.entry_id}"
    ), "the main store read"


@pytest.mark.parametrize("part", ["calibration", "stage_adaptation", "hunches", "alarm_learning"])
async def test_an_unreadable_part_is_written_afresh_and_not_reported_at_the_next_start(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
    part: str,
) -> None:
    """A few seconds after the copy, the part's file holds what the part holds (nothing), even
    if nothing else is learned: the next start reads it; no second copy, no repair again once
    the user dismissed it (Home Assistant does not unload the tracker when it stops, so a file
    left broken was copied and reported again at every restart)."""
    freezer.move_to("2026-11-24 04:30:00+00:00")
    key = f"{DOMAIN}.{mock_config_entry.entry_id}.{part}"
    stored = {"version": 1, "minor_version": 1, "key": key, "data": ["a", "list"]}
    _storage_file(hass, mock_config_entry, tmp_path, json.dumps(stored), part)
    hass_storage[key] = stored
    await _setup(hass, mock_config_entry)
    issue_id = f"store_unreadable_{mock_config_entry.entry_id}_{part}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id)
    freezer.tick(10)  # the store's delayed write (5 s)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert isinstance(hass_storage[key]["data"], dict)
    assert hass_storage[key]["version"] == 1
    # The user dismisses the repair; the tracker starts again.
    ir.async_delete_issue(hass, DOMAIN, issue_id)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert len(list((tmp_path / ".storage").glob("*.corrupt-*"))) == 1
    assert _is_empty(mock_config_entry.runtime_data, part)


@pytest.mark.freeze_time("2026-11-24 04:30:00+00:00")
@pytest.mark.parametrize("how", ["remove", "forget_data"])
async def test_copies_of_unreadable_files_go_with_the_data(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    tmp_path: Path,
    how: str,
) -> None:
    """Removing the tracker or forgetting its data deletes the copies and their repairs."""
    entry_id = mock_config_entry.entry_id
    key = f"{DOMAIN}.{entry_id}"
    future = {"version": 2, "minor_version": 1, "key": key, "data": {}}
    _storage_file(hass, mock_config_entry, tmp_path, json.dumps(future))
    hass_storage[key] = future
    hunches = {"version": 1, "key": f"{key}.hunches", "data": ["a", "list"]}
    _storage_file(hass, mock_config_entry, tmp_path, json.dumps(hunches), "hunches")
    hass_storage[f"{key}.hunches"] = hunches
    folder = tmp_path / ".storage"
    home_assistants = folder / f"{key}.calibration.corrupt.2026-11-20T01:00:00.000000+00:00"
    home_assistants.write_text("{")
    other = folder / f"{DOMAIN}.another_entry.corrupt-20261120T010000Z"
    other.write_text("{}")
    other_issue = "store_unreadable_another_entry"
    ir.async_create_issue(
        hass,
        DOMAIN,
        other_issue,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="store_unreadable",
    )
    core_issue = f"storage_corruption_{key}.calibration_2026-11-20T01:00:00.000000+00:00"
    ir.async_create_issue(
        hass,
        HOMEASSISTANT_DOMAIN,
        core_issue,
        is_fixable=True,
        issue_domain=DOMAIN,
        severity=ir.IssueSeverity.CRITICAL,
        translation_key="storage_corruption",
    )
    await _setup(hass, mock_config_entry)
    ours = {f"store_newer_version_{entry_id}", f"store_unreadable_{entry_id}_hunches"}
    assert ours <= {i for d, i in issue_registry.issues if d == DOMAIN}
    assert len(list(folder.glob(f"{key}*.corrupt*"))) == 3
    assert issue_registry.async_get_issue(HOMEASSISTANT_DOMAIN, core_issue)

    if how == "remove":
        assert await hass.config_entries.async_remove(entry_id)
    else:
        await hass.services.async_call(
            DOMAIN, "forget_data", {"config_entry_id": entry_id}, blocking=True
        )
    await hass.async_block_till_done()
    assert list(folder.glob(f"{key}*.corrupt*")) == []
    assert {i for d, i in issue_registry.issues if d == DOMAIN} == {other_issue}
    assert not issue_registry.async_get_issue(HOMEASSISTANT_DOMAIN, core_issue)
    assert other.read_text() == "{}", "another tracker's copy stays"
