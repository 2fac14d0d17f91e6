"""The alarm always rings: without a radar, with a failing pipeline, across restarts, clock
jumps and daylight-saving changes; and never twice.

Time is Home Assistant's (``freezer`` and ``async_fire_time_changed``); the radar sources
below deliver their frames as that clock moves.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Generator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.radar_sleep.alarm_core.policy import AlarmDecision, SmartAlarmPolicy
from custom_components.radar_sleep.alarm_core.state import AlarmPhase
from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.contracts import TargetVitals, VitalsFrame
from custom_components.radar_sleep.sleep import SleepPipeline

from .conftest import Pacer, SilentSource

EVENT = "event.bedroom_alarm"
# Monday 2026-11-23, 21:00 in Berlin (CET, UTC+1); the alarm at 07:00 is 06:00 UTC.
EVENING = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
SET_TIME = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


class HangingSource:
    """A radar that is plugged in but never says anything (or an unplugged network bridge)."""

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        await asyncio.Event().wait()
        yield  # pragma: no cover


class UnpluggedSource:
    """A serial radar that is not there: every attempt to open it fails."""

    def __init__(self) -> None:
        self.attempts = 0

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        self.attempts += 1
        raise OSError("[Errno 2] could not open port /dev/ttyUSB0")
        yield  # pragma: no cover


class ClockedSource:
    """A still sleeper delivered as the clock moves: 30 s of frames per 30 s of the clock.

    Paced by a :class:`Pacer` (``move_to`` releases one batch per step, and returns when the
    batch has been processed), or, where the coordinator's source fails and never comes
    back to the pacer, free-running on the loop's timer.
    """

    def __init__(self, *, paced: bool = True) -> None:
        self.t = 0.0
        self.pacer = Pacer() if paced else None

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        while True:
            for k in range(300):
                target = TargetVitals(
                    target_id=1,
                    distance_m=0.6,
                    angle_deg=-10.0,
                    respiration_mm=(2.0 * ((k % 40) / 40 - 0.5),),
                    respiration_rate_hz=10.0,
                    movement=0.0,
                    signal_quality=0.9,
                )
                yield VitalsFrame(t=self.t, targets=(target,))
                self.t += 0.1
            if self.pacer is not None:
                await self.pacer.park()
            else:
                await asyncio.sleep(30)


class AlarmLog:
    """The alarm's events, in order, with the wall-clock time each happened at."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.events: list[tuple[str, dict[str, Any], datetime]] = []
        seen: set[str] = set()

        @callback
        def changed(event: Event[Any]) -> None:
            new = event.data["new_state"]
            if event.data["entity_id"] == EVENT and new is not None:
                if new.state in ("unknown", "unavailable") or new.state in seen:
                    return  # no event yet, or one restored after a restart
                seen.add(new.state)
                self.events.append(
                    (new.attributes["event_type"], dict(new.attributes), new.last_changed)
                )

        hass.bus.async_listen(EVENT_STATE_CHANGED, changed)

    @property
    def types(self) -> list[str]:
        return [e[0] for e in self.events]

    def of(self, event_type: str) -> list[tuple[dict[str, Any], datetime]]:
        return [(attrs, at) for t, attrs, at in self.events if t == event_type]


@pytest.fixture
def log(hass: HomeAssistant) -> AlarmLog:
    return AlarmLog(hass)


@pytest.fixture
def source() -> object:
    """The radar of the tracker (overridden per test)."""
    return SilentSource()


@pytest.fixture
def use_source(source: object) -> Generator[None]:
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=source):
        yield


async def start(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    at: datetime = EVENING,
    *,
    alarm: str = "07:00",
    window: int = 30,
    time_zone: str = "Europe/Berlin",
) -> None:
    """Set up the tracker at ``at`` and set its alarm."""
    await hass.config.async_set_time_zone(time_zone)
    freezer.move_to(at)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "set_alarm",
        {"config_entry_id": entry.entry_id, "time": alarm, "window": window},
        blocking=True,
    )
    await hass.async_block_till_done()


async def move_to(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    when: datetime,
    step: timedelta,
    source: object = None,
) -> None:
    """Let the clock run to ``when`` in steps; timers fire on the way, and a paced
    ``source`` delivers one batch per step (processed before the next step)."""
    pacer = getattr(source, "pacer", None)
    now = datetime.now(UTC)
    while now < when:
        now = min(now + step, when)
        freezer.move_to(now)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        if pacer is not None:
            await pacer.release()
        else:
            for _ in range(3):  # let a free-running source resume after its timer
                await asyncio.sleep(0)
                await hass.async_block_till_done()


async def jump_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime) -> None:
    """Move the clock to ``when`` at once."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def only_trigger(log: AlarmLog) -> tuple[dict[str, Any], datetime]:
    triggers = log.of("triggered")
    assert len(triggers) == 1, log.types
    return triggers[0]


@pytest.mark.parametrize("source", [HangingSource()])
@pytest.mark.usefixtures("use_source")
async def test_rings_at_the_set_time_when_the_radar_sends_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
) -> None:
    await start(hass, mock_config_entry, freezer)
    await jump_to(hass, freezer, SET_TIME - timedelta(minutes=30, seconds=1))
    assert log.types == []
    await jump_to(hass, freezer, SET_TIME - timedelta(minutes=30))
    assert log.types == ["window_opened"]
    await move_to(hass, freezer, SET_TIME - timedelta(seconds=1), timedelta(minutes=5))
    assert log.types == ["window_opened"]
    await jump_to(hass, freezer, SET_TIME)
    attrs, at = only_trigger(log)
    assert at == SET_TIME
    assert attrs["reason"] == "failsafe"
    assert "no sleep data" in attrs["explanation"]
    assert attrs["alarm_time"] == SET_TIME.isoformat()


@pytest.mark.parametrize("source", [UnpluggedSource()])
@pytest.mark.usefixtures("use_source")
async def test_rings_at_the_set_time_with_the_radar_unplugged(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
    source: UnpluggedSource,
) -> None:
    await start(hass, mock_config_entry, freezer, SET_TIME - timedelta(minutes=40))
    await move_to(hass, freezer, SET_TIME, timedelta(minutes=1))
    assert source.attempts > 10, "the coordinator keeps trying to reconnect"
    assert hass.states.get("sensor.bedroom_sleep_stage").state == "unavailable"
    assert hass.states.get("sensor.bedroom_next_alarm").state != "unavailable"
    attrs, at = only_trigger(log)
    assert at == SET_TIME
    assert attrs["reason"] == "failsafe"
    assert "could not open port" in attrs["explanation"]


@pytest.mark.parametrize("source", [ClockedSource(paced=False)])
@pytest.mark.usefixtures("use_source")
async def test_rings_at_the_set_time_when_the_pipeline_raises(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
) -> None:
    with patch.object(SleepPipeline, "process_epoch", side_effect=RuntimeError("model broke")):
        await start(hass, mock_config_entry, freezer, SET_TIME - timedelta(minutes=10))
        await move_to(hass, freezer, SET_TIME, timedelta(seconds=30))
    coordinator = mock_config_entry.runtime_data.coordinator
    assert coordinator.stats.source_errors > 0
    attrs, at = only_trigger(log)
    assert at == SET_TIME
    assert attrs["reason"] == "failsafe"
    assert "model broke" in attrs["explanation"]


@pytest.mark.parametrize("source", [ClockedSource()])
@pytest.mark.usefixtures("use_source")
async def test_rings_at_the_set_time_when_the_policy_raises(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
    source: ClockedSource,
) -> None:
    with patch.object(SmartAlarmPolicy, "observe", side_effect=ValueError("bad epoch")):
        await start(hass, mock_config_entry, freezer, SET_TIME - timedelta(minutes=10))
        await move_to(hass, freezer, SET_TIME, timedelta(seconds=30), source)
    attrs, _ = only_trigger(log)
    assert attrs["reason"] == "failsafe"
    assert "policy failed" in attrs["explanation"]


@pytest.mark.parametrize("source", [ClockedSource()])
@pytest.mark.usefixtures("use_source")
async def test_healthy_data_without_light_sleep_rings_at_the_set_time_as_deadline(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
    source: ClockedSource,
) -> None:
    deep = AlarmDecision(trigger=False, reason=None, explanation="deep sleep", light_sleep=False)
    with patch.object(SmartAlarmPolicy, "observe", return_value=deep) as observe:
        await start(hass, mock_config_entry, freezer, SET_TIME - timedelta(minutes=10))
        # Set inside its window: the window opens at once.
        assert log.types == ["window_opened"]
        await move_to(hass, freezer, SET_TIME, timedelta(seconds=30), source)
    assert observe.call_count >= 19, "every epoch of the 10 minutes goes to the policy"
    attrs, at = only_trigger(log)
    assert at == SET_TIME
    assert attrs["reason"] == "deadline"
    assert "deep sleep" in attrs["explanation"]


@pytest.mark.parametrize("source", [ClockedSource()])
@pytest.mark.usefixtures("use_source")
async def test_light_sleep_is_announced_once_per_window(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
    source: ClockedSource,
) -> None:
    light = AlarmDecision(trigger=False, reason=None, explanation="light", light_sleep=True)
    deep = AlarmDecision(trigger=False, reason=None, explanation="deep", light_sleep=False)
    flicker = [deep, light, deep, light, light, deep, light] + [deep] * 100
    with patch.object(SmartAlarmPolicy, "observe", side_effect=flicker):
        await start(hass, mock_config_entry, freezer, SET_TIME - timedelta(minutes=10))
        await move_to(hass, freezer, SET_TIME, timedelta(seconds=30), source)
    # Light sleep began three times in the window; the event says it once.
    assert log.types.count("light_sleep_detected") == 1
    assert log.types[:2] == ["window_opened", "light_sleep_detected"]


@pytest.mark.usefixtures("silent_source")
async def test_restart_inside_the_window_still_rings_at_the_set_time_once(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
    hass_storage: dict[str, Any],
) -> None:
    await start(hass, mock_config_entry, freezer)
    await jump_to(hass, freezer, SET_TIME - timedelta(minutes=20))
    assert log.types == ["window_opened"]
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)  # HA stops
    stored = hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"]["data"]["alarm"]
    assert stored["state"]["phase"] == "window"
    assert stored["policy"] is not None

    freezer.move_to(SET_TIME - timedelta(minutes=12))  # and comes back 8 minutes later
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    alarm = mock_config_entry.runtime_data.alarm
    assert alarm.state.phase is AlarmPhase.WINDOW
    assert log.types == ["window_opened"], "the window carries on; it does not open again"
    # The policy carries on from its saved state: its window opened when the clock reached
    # the window (20 min before the set time), not now.
    assert alarm.policy.window_start == (SET_TIME - timedelta(minutes=20)).timestamp()
    await jump_to(hass, freezer, SET_TIME)
    attrs, at = only_trigger(log)
    assert at == SET_TIME
    assert attrs["reason"] == "failsafe", "the radar sent nothing in the window"

    # Restarted while ringing: it keeps ringing (the state says so), but does not ring again.
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    freezer.move_to(SET_TIME + timedelta(minutes=2))
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await move_to(hass, freezer, SET_TIME + timedelta(minutes=30), timedelta(minutes=1))
    alarm = mock_config_entry.runtime_data.alarm
    assert alarm.state.phase is AlarmPhase.RINGING
    only_trigger(log)
    await hass.services.async_call(
        DOMAIN, "dismiss", {"config_entry_id": mock_config_entry.entry_id}, blocking=True
    )
    assert log.types == ["window_opened", "triggered", "dismissed"]


@pytest.mark.usefixtures("silent_source")
async def test_home_assistant_down_at_the_set_time_rings_when_it_is_back(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
) -> None:
    await start(hass, mock_config_entry, freezer)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    freezer.move_to(SET_TIME + timedelta(minutes=25))
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    attrs, at = only_trigger(log)
    assert at == SET_TIME + timedelta(minutes=25)
    assert attrs["reason"] == "failsafe"
    assert "25 min after the set time" in attrs["explanation"]


@pytest.mark.usefixtures("silent_source")
async def test_an_alarm_missed_by_hours_is_given_up_for_the_next_one(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
) -> None:
    await start(hass, mock_config_entry, freezer)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    freezer.move_to(SET_TIME + timedelta(hours=5))  # 12:00: too late to wake anyone
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert log.types == []
    assert hass.states.get("sensor.bedroom_next_alarm").state == (
        (SET_TIME + timedelta(days=1)).isoformat()
    )


@pytest.mark.usefixtures("silent_source")
async def test_clock_jump_past_the_set_time_rings_once_immediately(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
) -> None:
    await start(hass, mock_config_entry, freezer)
    await jump_to(hass, freezer, SET_TIME - timedelta(hours=1))
    assert log.types == []
    jumped = SET_TIME + timedelta(minutes=20)
    await jump_to(hass, freezer, jumped)  # NTP corrects a clock that was 80 min slow
    attrs, at = only_trigger(log)
    assert at == jumped
    assert attrs["reason"] == "failsafe"
    assert "after the set time" in attrs["explanation"]
    await move_to(hass, freezer, jumped + timedelta(minutes=10), timedelta(seconds=30))
    only_trigger(log)


@pytest.mark.usefixtures("silent_source")
async def test_watchdog_rings_when_the_timer_did_not_fire(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
) -> None:
    """The wall clock jumped but the monotonic timer has not: the watchdog notices."""
    await start(hass, mock_config_entry, freezer)
    await jump_to(hass, freezer, SET_TIME - timedelta(minutes=5))
    alarm = mock_config_entry.runtime_data.alarm
    assert alarm._timer is not None
    alarm._timer()  # the timer is still waiting on the monotonic clock
    alarm._timer = None
    await jump_to(hass, freezer, SET_TIME + timedelta(seconds=30))
    attrs, _ = only_trigger(log)
    assert attrs["reason"] == "failsafe"


@pytest.mark.usefixtures("silent_source")
async def test_spring_forward_alarm_in_the_gap_rings_when_the_clock_shows_three(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
) -> None:
    # Saturday 2026-03-28, 22:00 CET. At 02:00 CET on Sunday the clocks go to 03:00 CEST.
    await start(
        hass, mock_config_entry, freezer, datetime(2026, 3, 28, 21, 0, tzinfo=UTC), alarm="02:30"
    )
    rings = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST, the end of the gap
    assert hass.states.get("sensor.bedroom_next_alarm").state == rings.isoformat()
    await jump_to(hass, freezer, rings - timedelta(seconds=1))
    assert log.types == ["window_opened"]
    await jump_to(hass, freezer, rings)
    _, at = only_trigger(log)
    assert at == rings
    await hass.services.async_call(
        DOMAIN, "dismiss", {"config_entry_id": mock_config_entry.entry_id}, blocking=True
    )
    # Monday 02:30 CEST.
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-03-30T00:30:00+00:00"


@pytest.mark.usefixtures("silent_source")
async def test_spring_forward_seven_oclock_rings_at_seven_summer_time(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
) -> None:
    await start(hass, mock_config_entry, freezer, datetime(2026, 3, 28, 21, 0, tzinfo=UTC))
    rings = datetime(2026, 3, 29, 5, 0, tzinfo=UTC)  # 07:00 CEST
    await move_to(hass, freezer, rings - timedelta(seconds=1), timedelta(hours=1))
    assert "triggered" not in log.types
    await jump_to(hass, freezer, rings)
    _, at = only_trigger(log)
    assert at == rings


@pytest.mark.usefixtures("silent_source")
async def test_fall_back_seven_oclock_rings_at_seven_winter_time(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
) -> None:
    # Saturday 2026-10-24, 22:00 CEST. At 03:00 CEST on Sunday the clocks go back to 02:00.
    await start(hass, mock_config_entry, freezer, datetime(2026, 10, 24, 20, 0, tzinfo=UTC))
    rings = datetime(2026, 10, 25, 6, 0, tzinfo=UTC)  # 07:00 CET
    await move_to(hass, freezer, rings - timedelta(seconds=1), timedelta(hours=1))
    assert "triggered" not in log.types
    await jump_to(hass, freezer, rings)
    _, at = only_trigger(log)
    assert at == rings


@pytest.mark.usefixtures("silent_source")
async def test_fall_back_alarm_in_the_repeated_hour_rings_once(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
) -> None:
    await start(
        hass,
        mock_config_entry,
        freezer,
        datetime(2026, 10, 24, 20, 0, tzinfo=UTC),
        alarm="02:30",
        window=0,
    )
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    await jump_to(hass, freezer, first)
    _, at = only_trigger(log)
    assert at == first
    await hass.services.async_call(
        DOMAIN, "dismiss", {"config_entry_id": mock_config_entry.entry_id}, blocking=True
    )
    # 02:30 CET, an hour later, is the same wall-clock time: it does not ring again.
    await move_to(hass, freezer, first + timedelta(hours=2), timedelta(minutes=15))
    only_trigger(log)
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-10-26T01:30:00+00:00"
