"""Fixed inputs for entity snapshots: one live update, three stored nights, a set alarm.

Written out by hand (not computed by the pipeline or a model), so that retraining a model or
retuning the pipeline never changes a snapshot; only a change of what the entities show does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.radar_sleep.const import DOMAIN, STORAGE_VERSION
from custom_components.radar_sleep.contracts import (
    NightSummary,
    SessionState,
    SleepMetrics,
    SleepUpdate,
    Stage,
)
from custom_components.radar_sleep.coordinator import RadarSleepData
from custom_components.radar_sleep.sleep.serialize import summary_to_dict

from .conftest import SilentSource

NOW = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
"""Tuesday 05:30 in Berlin, in the night after the last stored one."""

UPDATE = SleepUpdate(
    t=25_200.0,
    time=NOW,
    present=True,
    presence_confidence=0.93,
    in_bed=True,
    session_state=SessionState.ACTIVE,
    trying_to_sleep=True,
    intent_score=0.88,
    stage=Stage.LIGHT,
    stage_probabilities=(0.05, 0.71, 0.14, 0.1),
    breathing_rate_bpm=14.2,
    primary_user_confidence=0.97,
    epoch_index=410,
    movement=0.02,
    reasons={
        "presence": "breathing at 0.6 m",
        "session": "in bed since 22:41",
        "user": "the tracked breathing is on the user's side",
        "intent": "still and dark since 22:55",
        "stage": "regular breathing, little movement",
    },
)

_HYPNOGRAM = (
    (Stage.WAKE,) * 6
    + (Stage.LIGHT,) * 10
    + (Stage.DEEP,) * 8
    + (Stage.LIGHT,) * 4
    + (Stage.REM,) * 6
    + (Stage.WAKE,) * 2
    + (Stage.LIGHT,) * 4
)
NIGHT = NightSummary(
    night=date(2026, 11, 22),
    session_start=datetime(2026, 11, 22, 21, 40, tzinfo=UTC),
    session_end=datetime(2026, 11, 23, 5, 55, tzinfo=UTC),
    intent_start=datetime(2026, 11, 22, 21, 55, tzinfo=UTC),
    sleep_onset=datetime(2026, 11, 22, 21, 58, tzinfo=UTC),
    final_wake=None,
    hypnogram_start=datetime(2026, 11, 22, 21, 55, tzinfo=UTC),
    hypnogram=_HYPNOGRAM,
    metrics=SleepMetrics(
        tib_min=20.0,
        tst_min=16.0,
        se_pct=80.0,
        sol_min=3.0,
        waso_min=1.0,
        light_min=9.0,
        deep_min=4.0,
        rem_min=3.0,
        light_pct=56.25,
        deep_pct=25.0,
        rem_pct=18.75,
        awakenings=1,
        after_final_wake_min=0.0,
    ),
    mean_breathing_rate_bpm=13.6,
)
NIGHTS = tuple(
    replace(
        NIGHT,
        night=NIGHT.night - timedelta(days=back),
        session_start=NIGHT.session_start - timedelta(days=back, minutes=10 * back),
        intent_start=None
        if NIGHT.intent_start is None
        else NIGHT.intent_start - timedelta(days=back, minutes=10 * back),
    )
    for back in (2, 1, 0)
)
"""Three nights, the last one :data:`NIGHT`: enough for a usual bedtime."""

ALARM: dict[str, Any] = {
    "settings": {
        "time": "06:30:00",
        "enabled": True,
        "window_minutes": 30,
        "sunrise_minutes": 20,
        "days": ["mon", "tue", "wed", "thu", "fri"],
    },
    "state": {"phase": "off"},
    "policy": None,
    "volumes": {},
}


def stored_file(entry: MockConfigEntry) -> dict[str, Any]:
    """The tracker's storage file holding :data:`NIGHTS` and :data:`ALARM`."""
    return {
        "version": STORAGE_VERSION,
        "key": f"{DOMAIN}.{entry.entry_id}",
        "data": {
            "nights": [summary_to_dict(n) for n in NIGHTS],
            "in_progress": None,
            "standby": False,
            "alarm": ALARM,
        },
    }


async def async_setup_fixed(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    platforms: list[Platform],
) -> None:
    """Set up ``platforms`` of a tracker in Berlin at :data:`NOW` showing :data:`UPDATE`.

    The source sends nothing; the nights and the alarm come from storage.
    """
    await hass.config.async_set_time_zone("Europe/Berlin")
    hass_storage[f"{DOMAIN}.{entry.entry_id}"] = stored_file(entry)
    entry.add_to_hass(hass)
    with (
        patch("custom_components.radar_sleep.runtime.PLATFORMS", platforms),
        patch("custom_components.radar_sleep.runtime.build_source", return_value=SilentSource()),
    ):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    coordinator.async_set_updated_data(RadarSleepData(UPDATE, coordinator.data.last_night))
    await hass.async_block_till_done()


async def async_respond(
    hass: HomeAssistant, entry: MockConfigEntry, action: str, **data: Any
) -> dict[str, Any]:
    """Call one of the tracker's actions that respond (``get_night``, ``teach``); its answer."""
    response = await hass.services.async_call(
        DOMAIN,
        action,
        {"config_entry_id": entry.entry_id, **data},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


async def async_setup_assist(hass: HomeAssistant) -> None:
    """Set up Assist (the default conversation agent) next to the tracker."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()


async def async_setup_in_berlin(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory, at: datetime
) -> MockConfigEntry:
    """Set ``entry`` up at ``at`` with Home Assistant in Berlin's time zone (radar as given)."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(at)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
