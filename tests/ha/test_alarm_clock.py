"""The smart alarm on the tracker's clock: the simulated bedroom played at speed 60.

At speed 60 an hour of the simulated night passes in a minute of Home Assistant's clock. The
alarm's set time and window are times of the simulated night (the tracker's clock,
``clock.py``), its timers go where those times fall on Home Assistant's clock, and it wakes
the simulated sleeper in light sleep before the set time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.radar_sleep.alarm_core.state import AlarmPhase
from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.contracts import NightSummary, VitalsFrame
from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator, SimulatorConfig
from custom_components.radar_sleep.simulation.source import SimulatorSource
from custom_components.radar_sleep.sleep import SleepPipeline
from custom_components.radar_sleep.sleep.serialize import summary_to_dict

from .conftest import PacedNight
from .fixed import stored_file

SPEED = 60.0
STEP = timedelta(seconds=30 / SPEED)
"""Home Assistant's time one epoch (30 s of the night) takes at speed 60."""
# Home Assistant is started on Friday 2026-11-20 at 18:00 in Berlin (CET, UTC+1)...
START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
# ...and the simulated nights start in that evening, at 23:00 in Berlin.
EVENING = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)
CLOCK_SENSOR = "sensor.bedroom_tracker_clock"


class FastNight(PacedNight):
    """The simulated bedroom at speed 60 (its tracker clock runs 60 times Home Assistant's),
    handed over one epoch of frames per :class:`Pacer` step, i.e. per half second of Home
    Assistant's clock, after ``pace_from`` source seconds played as fast as possible."""

    speed = SPEED


async def _start(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    night: FastNight,
) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(START)
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=night):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    await night.pacer.wait_parked()  # the night up to ``pace_from``, as fast as it goes


async def _set_alarm(hass: HomeAssistant, entry: MockConfigEntry, at: datetime) -> None:
    await hass.services.async_call(
        DOMAIN,
        "set_alarm",
        {
            "config_entry_id": entry.entry_id,
            "time": dt_util.as_local(at).time().isoformat(),
            "window": 30,
        },
        blocking=True,
    )


@pytest.mark.slow
async def test_demo_alarm_wakes_the_simulated_sleeper_in_light_sleep(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    config = SimulatorConfig(seed=int(mock_config_entry.data["seed"]), partner=True)
    truth = BedroomSimulator(config).truth
    # The set time a few minutes before the simulated sleeper wakes by themselves, a time of
    # the simulated morning: the half hour before it ends in light sleep.
    deadline = (EVENING + timedelta(seconds=truth.final_wake_s - 120)).replace(second=0)
    window_start = deadline - timedelta(minutes=30)
    pace_from = (window_start - EVENING).total_seconds() - 300
    night = FastNight(SimulatorSource(config, speed=0, nights=1), pace_from)
    await _start(hass, mock_config_entry, freezer, night)
    clock = mock_config_entry.runtime_data.coordinator.clock
    # The last epoch closed with the frame at pace_from - 30 s; Home Assistant's clock has
    # not moved, so neither has the tracker's.
    first = EVENING + timedelta(seconds=pace_from - 30)
    assert clock.now() == first
    assert hass.states.get(CLOCK_SENSOR).state == dt_util.as_local(first).strftime("%H:%M")
    # Long before the alarm, in Home Assistant's time (the tracker's runs ahead).
    assert dt_util.utcnow() == START

    await _set_alarm(hass, mock_config_entry, deadline)
    alarm = mock_config_entry.runtime_data.alarm
    assert alarm.state.deadline == deadline
    assert hass.states.get("sensor.bedroom_next_alarm").state == deadline.isoformat()
    events: list[tuple[str, dict[str, Any]]] = []
    alarm.async_add_event_listener(lambda e, attrs: events.append((e.value, attrs)))

    steps = 0
    while clock.now() < deadline and alarm.state.phase is not AlarmPhase.RINGING:
        freezer.tick(STEP)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        await night.pacer.release()
        steps += 1
    rang_at = alarm.state.rang_at
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)

    types = [t for t, _ in events]
    assert types[0] == "window_opened"
    assert "light_sleep_detected" in types
    assert types[-1] == "triggered"
    assert events[-1][1]["reason"] == "light_sleep", events[-1][1]
    assert "light sleep" in events[-1][1]["explanation"]
    assert rang_at is not None
    assert window_start <= rang_at < deadline, "rang inside the window, before the set time"
    # Each half second of Home Assistant's clock was 30 s of the night.
    assert rang_at == first + steps * timedelta(seconds=30)
    assert dt_util.utcnow() == START + steps * STEP


async def test_demo_alarm_rings_at_the_set_time_when_the_night_stops(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No more frames: the alarm's own timer rings at the set time on the tracker's clock."""
    config = SimulatorConfig(seed=int(mock_config_entry.data["seed"]), partner=True)
    night = FastNight(SimulatorSource(config, speed=0, nights=1), 3600)
    await _start(hass, mock_config_entry, freezer, night)
    # The last epoch closed with the frame at 3570 s: 23:59:30 in Berlin on the tracker's
    # clock. The alarm at 00:10 is 630 s of the night later: 10.5 s of Home Assistant's.
    assert mock_config_entry.runtime_data.coordinator.clock.now() == EVENING + timedelta(
        seconds=3570
    )
    set_time = datetime(2026, 11, 20, 23, 10, tzinfo=UTC)
    await _set_alarm(hass, mock_config_entry, set_time)
    alarm = mock_config_entry.runtime_data.alarm
    assert alarm.state.phase is AlarmPhase.WINDOW
    freezer.move_to(START + timedelta(seconds=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert alarm.state.phase is AlarmPhase.WINDOW
    # Without data the tracker's clock runs on: 600 s of the night later, 00:09:30.
    assert hass.states.get(CLOCK_SENSOR).state == "00:09"
    freezer.move_to(START + timedelta(seconds=10.5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert alarm.state.phase is AlarmPhase.RINGING
    assert alarm.state.rang_at == set_time
    assert alarm.state.reason == "failsafe"
    event = hass.states.get("event.bedroom_alarm")
    assert event.attributes["event_type"] == "triggered"
    assert event.attributes["explanation"] == (
        "set time reached; no sleep data in the last 5 minutes"
    )
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


class SilentSimulator:
    """A simulated bedroom at speed 60 that has not sent anything yet, and says where it is
    asked to carry on."""

    speed = SPEED

    def __init__(self) -> None:
        self.resumed_at: list[float] = []

    def resume_at(self, t: float) -> None:
        self.resumed_at.append(t)

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        return
        yield  # pragma: no cover - makes this an async generator


async def _start_silent(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> SilentSimulator:
    """The tracker set up at :data:`START` in Berlin on a :class:`SilentSimulator`; the source."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(START)
    source = SilentSimulator()
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=source):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    return source


async def test_after_standby_the_simulated_night_carries_on_at_the_trackers_time(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The tracker's clock ran on during standby (the alarm followed it): the simulated night
    carries on at its time, not where it stopped."""
    source = await _start_silent(hass, mock_config_entry, freezer)
    coordinator = mock_config_entry.runtime_data.coordinator
    # Anchored at setup: source time 0 is 23:00 in Berlin, now.
    assert coordinator.clock.now() == EVENING
    await coordinator.async_set_standby(True)
    freezer.move_to(START + timedelta(seconds=60))  # an hour of the night
    await coordinator.async_set_standby(False)
    await hass.async_block_till_done()
    assert source.resumed_at[-1] == 3600.0
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_alarm_is_armed_again_when_the_simulated_nights_start_over(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Restarted between two simulated nights, the simulated bedroom starts again this
    evening: an alarm that rang for a simulated morning weeks ahead is armed for the next."""
    stored = stored_file(mock_config_entry)
    stored["data"]["nights"] = []
    stored["data"]["alarm"] = {
        "settings": {"time": "06:00:00", "enabled": True, "window_minutes": 30},
        "state": {
            "phase": "armed",
            "deadline": "2026-12-20T05:00:00+00:00",
            "window_start": "2026-12-20T04:30:00+00:00",
            "triggered_for": "2026-12-19T05:00:00+00:00",
        },
    }
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"] = stored
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(START)
    with patch(
        "custom_components.radar_sleep.runtime.build_source", return_value=SilentSimulator()
    ):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    alarm = mock_config_entry.runtime_data.alarm
    assert alarm.state.phase is AlarmPhase.ARMED
    # 06:00 in Berlin the morning after this evening's 23:00.
    assert alarm.state.deadline == datetime(2026, 11, 21, 5, 0, tzinfo=UTC)
    assert alarm.state.triggered_for is None
    # ... and shown: Next alarm is not left at the stored morning weeks ahead.
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-11-21T05:00:00+00:00"
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_an_alarm_that_rang_does_not_ring_again_when_the_night_carries_on(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Reloaded (options changed) on the morning after a simulated night: the night carries on
    from its last saved frame, 06:50 in Berlin, before the alarm's 07:00 that already rang and
    was dismissed. The alarm stays armed for the next morning and does not ring again."""
    pipeline = SleepPipeline(origin=EVENING)
    pipeline.last_t = 7 * 3600 + 50 * 60.0  # 23:00 + 7 h 50 min: 06:50 in Berlin
    stored = stored_file(mock_config_entry)
    stored["data"]["nights"] = []
    stored["data"]["in_progress"] = pipeline.snapshot()
    stored["data"]["alarm"] = {
        "settings": {"time": "07:00:00", "enabled": True, "window_minutes": 30},
        "state": {
            "phase": "armed",
            "deadline": "2026-11-22T06:00:00+00:00",  # 07:00 in Berlin, the morning after
            "window_start": "2026-11-22T05:30:00+00:00",
            "triggered_for": "2026-11-21T06:00:00+00:00",  # rang this morning
            "rang_at": "2026-11-21T06:00:00+00:00",
            "first_rang_at": "2026-11-21T06:00:00+00:00",
        },
    }
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"] = stored
    source = await _start_silent(hass, mock_config_entry, freezer)
    assert source.resumed_at == [28200.0]  # the night carries on at 06:50
    alarm = mock_config_entry.runtime_data.alarm
    assert alarm.state.phase is AlarmPhase.ARMED
    assert alarm.state.deadline == datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
    # 07:00 of this morning passes on the tracker's clock (10 min at speed 60: 10 s).
    freezer.tick(timedelta(seconds=15))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert alarm.state.phase is AlarmPhase.ARMED
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-11-22T06:00:00+00:00"
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


def _night_to_bed_at(day: int, lights_off: datetime) -> NightSummary:
    """A stored night of November ``day`` whose "lights off" was at ``lights_off``."""
    return NightSummary(
        night=date(2026, 11, day),
        session_start=lights_off - timedelta(minutes=30),
        session_end=lights_off + timedelta(hours=8),
        intent_start=lights_off,
        sleep_onset=None,
        final_wake=None,
        hypnogram_start=lights_off,
        hypnogram=(),
        metrics=None,
        mean_breathing_rate_bpm=None,
    )


async def test_usual_bedtime_is_dated_on_the_trackers_clock(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant's clock says 18:00 on Friday, the simulated night 23:00: the usual
    bedtime of 22:30 (Berlin) comes next on Saturday, as the alarm's times do, and moves on
    to Sunday when the tracker's clock passes it (23.5 hours of the night: 23.5 minutes)."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(START)
    nights = [  # 22:30 in Berlin (CET) is 21:30 UTC
        _night_to_bed_at(day, datetime(2026, 11, day, 21, 30, tzinfo=UTC)) for day in (15, 16, 17)
    ]
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {"nights": [summary_to_dict(n) for n in nights], "in_progress": None},
    }
    with patch(
        "custom_components.radar_sleep.runtime.build_source", return_value=SilentSimulator()
    ):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        state = hass.states.get("sensor.bedroom_usual_bedtime")
        assert state.attributes["time"] == "22:30:00"
        assert state.state == "2026-11-21T21:30:00+00:00"
        freezer.move_to(START + timedelta(minutes=23, seconds=29))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        assert hass.states.get("sensor.bedroom_usual_bedtime").state == (
            "2026-11-21T21:30:00+00:00"
        )
        freezer.move_to(START + timedelta(minutes=23, seconds=31))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        assert hass.states.get("sensor.bedroom_usual_bedtime").state == (
            "2026-11-22T21:30:00+00:00"
        )
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
