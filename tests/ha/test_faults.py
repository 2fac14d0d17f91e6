"""Faults during a night: each test ends with the alarm on time, the night kept (the stretch
without data marked in its summary, not filled in) and the entities unavailable only while
the fault lasts.

The night is a still sleeper on the user's side, one frame a second, from 06:20 to 07:00 in
Berlin (05:20 to 06:00 UTC), then nobody: the night ends five minutes later (the *End the
night* option is 5 minutes). The alarm is at 07:00 with a 30-minute window. Home Assistant's
clock follows the frames (moved and its timers fired at every epoch), so that the alarm's
window, the watchdog and the set time fall where they would in a real night.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
import json
import math
from pathlib import Path
import random
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store, WriteError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.radar_sleep.const import (
    CONF_FAMILY,
    CONF_PORT,
    CONF_RADAR_POSITION,
    CONF_SESSION_END_MINUTES,
    CONF_SIDE,
    CONF_SOURCE,
    DOMAIN,
)
from custom_components.radar_sleep.contracts import (
    NightSummary,
    SessionState,
    TargetVitals,
    VitalsFrame,
)
from custom_components.radar_sleep.radar.drivers import mr60bha2
from custom_components.radar_sleep.sleep import SleepPipeline

from .conftest import tracker_entry
from .test_alarm_failsafe import AlarmLog, only_trigger
from .test_hardware_sources import start_user_flow

START = datetime(2026, 11, 24, 5, 20, tzinfo=UTC)
"""06:20 in Berlin: frame time 0."""
SET_TIME = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
"""07:00 in Berlin, frame time 2400: the sleeper leaves the bed then."""
IN_BED = 2400
AWAY = 330
"""Seconds of nobody after the sleeper left: the night ends after five (and its epoch)."""
TRANSLATIONS = (
    Path(__file__).resolve().parents[2] / "custom_components/radar_sleep/translations/en.json"
)
STAGE = "sensor.bedroom_sleep_stage"
NEXT_ALARM = "sensor.bedroom_next_alarm"
TIME_IN_BED = "sensor.bedroom_last_night_time_in_bed"


def at(t: float) -> datetime:
    """The time of frame time ``t``."""
    return START + timedelta(seconds=t)


def sleeper(t: float, device_t: float) -> VitalsFrame:
    """One second of a still sleeper breathing 15 times a minute, 0.6 m away."""
    breath = tuple(3.0 * math.sin(2 * math.pi * 0.25 * (t + i / 10)) for i in range(10))
    target = TargetVitals(
        target_id=1,
        distance_m=0.6,
        angle_deg=-10.0,
        respiration_mm=breath,
        respiration_rate_hz=10.0,
        movement=0.0,
        signal_quality=0.9,
    )
    return VitalsFrame(t=device_t, targets=(target,))


type Step = Callable[["FaultyNight"], Awaitable[None]]


class FaultyNight:
    """The night's radar, with ``faults`` (frame time: what happens there) on the way.

    A device that says when it connects and goes (``on_connection``, as a serial radar
    does). Its frame times count from the device's start (``device_start``, night time), as
    a live device's do; the night's time goes on across the restarts of :meth:`frames`.
    """

    def __init__(
        self, freezer: FrozenDateTimeFactory, faults: dict[float, Step], in_bed: float = IN_BED
    ) -> None:
        self.freezer = freezer
        self.in_bed = in_bed
        self.start = START
        """The wall-clock time of night time 0 (moves when the clock jumps)."""
        self.hass: HomeAssistant | None = None
        self.faults = dict(faults)
        self.t = 0.0
        self.device_start = 0.0
        self.on_connection: Callable[[bool, str | None], None] | None = None
        self.done = asyncio.Event()
        self.begun = asyncio.Event()
        """Set once the alarm is set: the first frame waits for it (:func:`setup_night`)."""
        self._reached: dict[str, asyncio.Event] = {}
        self._go: dict[str, asyncio.Event] = {}

    def tick(self) -> None:
        """Home Assistant's clock to the night's time, its due timers fired."""
        self.freezer.move_to(self.start + timedelta(seconds=self.t))
        assert self.hass is not None
        async_fire_time_changed(self.hass)

    async def skip(self, seconds: float) -> None:
        """``seconds`` without frames; the clock goes on an epoch at a time."""
        end = self.t + seconds
        while self.t < end:
            self.t = min(self.t + 30, end)
            self.tick()
            await asyncio.sleep(0)

    async def checkpoint(self, name: str) -> None:
        """Let the test look at Home Assistant here, then carry on when it says so."""
        self._reached.setdefault(name, asyncio.Event()).set()
        await self._go.setdefault(name, asyncio.Event()).wait()

    async def reached(self, name: str) -> None:
        """Test side: until the night is at ``name``."""
        # No timeout: the night moves the clock, which fires the loop's timers (a timeout's
        # too); a failing source fails the test at once (``source_errors_fail_the_test``).
        await self._reached.setdefault(name, asyncio.Event()).wait()

    def go(self, name: str) -> None:
        """Test side: carry on after ``name``."""
        self._go.setdefault(name, asyncio.Event()).set()

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        await self.begun.wait()
        while self.t < self.in_bed + AWAY:
            if (fault := self.faults.pop(self.t, None)) is not None:
                await fault(self)
                continue
            if self.t % 30 == 0:
                self.tick()
            device_t = self.t - self.device_start
            if self.t < self.in_bed:
                yield sleeper(self.t, device_t)
            else:
                yield VitalsFrame(t=device_t, targets=())
            self.t += 1
        self.done.set()
        await asyncio.Event().wait()  # the radar goes on seeing nobody


def session_end_option() -> MockConfigEntry:
    """The test tracker, its night ending after five minutes out of bed."""
    return tracker_entry({CONF_SESSION_END_MINUTES: 5})


async def setup_night(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    night: FaultyNight,
    freezer: FrozenDateTimeFactory,
    alarm: str = "07:00",
) -> None:
    """Set the tracker up at the night's start with the alarm at ``alarm``; the night begins.

    Only then: frames sent while the alarm is being set could run the night past the alarm
    window (the source does not wait for the clock) before the alarm exists.
    """
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(night.start)
    night.hass = hass
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.services.async_call(
        DOMAIN,
        "set_alarm",
        {"config_entry_id": entry.entry_id, "time": alarm, "window": 30},
        blocking=True,
    )
    night.begun.set()


async def end_night(
    hass: HomeAssistant, entry: MockConfigEntry, night: FaultyNight
) -> NightSummary:
    """Until the night has ended; the night's summary."""
    await night.done.wait()
    await hass.async_block_till_done()
    summary = entry.runtime_data.coordinator.data.last_night
    assert summary is not None, "the night was lost"
    assert summary.session_start == START
    assert summary.session_end == at(night.in_bed)
    assert entry.runtime_data.store.nights[-1] == summary
    assert hass.states.get(STAGE).state != "unavailable"
    return summary


def rang_on_time(log: AlarmLog, set_time: datetime = SET_TIME) -> dict[str, Any]:
    """The alarm rang once, at the set time (the still sleeper never sleeps lightly)."""
    attrs, rang = only_trigger(log)
    assert rang == set_time
    assert log.types.count("window_opened") == 1
    return attrs


def gap(start: float, end: float) -> tuple[datetime, datetime]:
    return (at(start), at(end))


@pytest.fixture
def log(hass: HomeAssistant) -> AlarmLog:
    return AlarmLog(hass)


async def test_radar_unplugged_and_plugged_in_again(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, log: AlarmLog
) -> None:
    async def unplug(night: FaultyNight) -> None:
        assert night.on_connection is not None
        night.on_connection(False, "device unplugged")
        await night.skip(600)
        await night.checkpoint("unplugged")
        night.on_connection(True, None)

    night = FaultyNight(freezer, {900: unplug})
    entry = session_end_option()
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=night):
        await setup_night(hass, entry, night, freezer)
        await night.reached("unplugged")
        await hass.async_block_till_done()
        assert hass.states.get(STAGE).state == "unavailable"
        assert hass.states.get(NEXT_ALARM).state == SET_TIME.isoformat()
        night.go("unplugged")
        summary = await end_night(hass, entry, night)
    assert summary.gaps == (gap(900, 1500),)
    rang_on_time(log)


async def test_the_radar_silent_for_an_hour(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, log: AlarmLog
) -> None:
    """Nothing for an hour; the connection says "no data" after ten seconds, as a serial
    radar's does. The sleeper stays in bed until 08:00, the alarm's set time."""

    async def silent(night: FaultyNight) -> None:
        await night.skip(10)
        assert night.on_connection is not None
        night.on_connection(False, "no data")
        await night.skip(3590)
        await night.checkpoint("silent")
        night.on_connection(True, None)

    night = FaultyNight(freezer, {600: silent}, in_bed=IN_BED + 3600)
    entry = session_end_option()
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=night):
        await setup_night(hass, entry, night, freezer, alarm="08:00")
        await night.reached("silent")
        await hass.async_block_till_done()
        assert hass.states.get(STAGE).state == "unavailable"
        night.go("silent")
        summary = await end_night(hass, entry, night)
    assert summary.gaps == (gap(600, 4200),)
    rang_on_time(log, SET_TIME + timedelta(hours=1))


async def test_the_pipeline_raises_on_one_epoch(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, log: AlarmLog
) -> None:
    """The epoch from 06:40:00 to 06:40:30 cannot be processed: it is a gap of one epoch;
    the next epoch is shown as usual."""
    process = SleepPipeline.process_epoch

    def fails_once(pipeline: SleepPipeline, epoch: Any, room: Any = None) -> Any:
        if epoch.index == 40:
            raise RuntimeError("model broke")
        return process(pipeline, epoch, room)

    async def look(night: FaultyNight) -> None:
        await night.checkpoint("failed")

    night = FaultyNight(freezer, {1231: look})
    entry = session_end_option()
    with (
        patch("custom_components.radar_sleep.runtime.build_source", return_value=night),
        patch.object(SleepPipeline, "process_epoch", fails_once),
    ):
        await setup_night(hass, entry, night, freezer)
        await night.reached("failed")
        await hass.async_block_till_done()
        assert hass.states.get(STAGE).state == "unavailable"
        night.go("failed")
        summary = await end_night(hass, entry, night)
    coordinator = entry.runtime_data.coordinator
    assert coordinator.stats.source_errors == 1
    assert coordinator.stats.last_error == "RuntimeError('model broke')"
    assert summary.gaps == (gap(1200, 1230),)
    rang_on_time(log)


async def test_home_assistant_restarted_in_the_night_inside_the_alarm_window(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, log: AlarmLog
) -> None:
    """Home Assistant stops at 06:40 (the alarm's window opened at 06:30) and is back three
    minutes later; the radar's clock starts again with it."""

    async def stop(night: FaultyNight) -> None:
        await night.checkpoint("stopping")

    night = FaultyNight(freezer, {1200: stop})
    entry = session_end_option()
    with (
        patch("custom_components.radar_sleep.runtime.build_source", return_value=night),
        patch("custom_components.radar_sleep.coordinator.SAVE_INTERVAL_SECONDS", 0.0),
    ):
        await setup_night(hass, entry, night, freezer)
        await night.reached("stopping")
        await hass.async_block_till_done()
        assert log.types == ["window_opened"]
        assert await hass.config_entries.async_unload(entry.entry_id)
        await night.skip(180)
        night.device_start = night.t
        assert await hass.config_entries.async_setup(entry.entry_id)
        summary = await end_night(hass, entry, night)
    # The epoch open when it stopped (06:39:30 to 06:40) and the three minutes are a gap.
    assert summary.gaps == (gap(1170, 1380),)
    rang_on_time(log)


class FullDisk:
    """Home Assistant's storage on a disk that is full while ``full`` (its writes fail)."""

    def __init__(self, key: str) -> None:
        self.full = False
        self.failed = 0
        """Failed writes of the tracker's main store (``key``)."""
        write = Store._async_write_data

        async def write_or_fail(store: Store[Any], data: dict[str, Any]) -> None:
            if self.full:
                self.failed += store.key == key
                raise WriteError("[Errno 28] No space left on device")
            await write(store, data)

        self.write = write_or_fail


def not_saved(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"night_not_saved_{entry.entry_id}")


def in_bed_minutes(hass: HomeAssistant) -> float:
    """The last night's time in bed, in minutes (the sensor shows hours)."""
    state = hass.states.get(TIME_IN_BED)
    assert state is not None
    return float(state.state) * 60


@contextmanager
def full_from_0658(
    freezer: FrozenDateTimeFactory, key: str
) -> Iterator[tuple[FullDisk, FaultyNight]]:
    """A night whose disk is full from 06:58 (its epoch 2280) until the test frees it."""
    disk = FullDisk(key)

    async def disk_full(night: FaultyNight) -> None:
        disk.full = True

    night = FaultyNight(freezer, {2280: disk_full})
    with (
        patch("custom_components.radar_sleep.runtime.build_source", return_value=night),
        patch.object(Store, "_async_write_data", disk.write),
    ):
        yield disk, night


async def async_later(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(seconds)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_a_storage_write_fails(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The disk is full from 06:58 until after the night has ended: its write fails, a repair
    says so and the write is tried again a minute later, then two minutes after that; the
    disk is freed and the next try writes the night, once, and removes the repair. Sensing is
    not a storage matter: nothing is unavailable, and the night is shown all along."""
    entry = session_end_option()
    key = f"{DOMAIN}.{entry.entry_id}"
    disk = FullDisk(key)

    async def disk_full(night: FaultyNight) -> None:
        disk.full = True
        await night.checkpoint("full")

    night = FaultyNight(freezer, {2280: disk_full})
    with (
        patch("custom_components.radar_sleep.runtime.build_source", return_value=night),
        patch.object(Store, "_async_write_data", disk.write),
    ):
        await setup_night(hass, entry, night, freezer)
        await night.reached("full")
        await hass.async_block_till_done()
        assert hass.states.get(STAGE).state != "unavailable"
        night.go("full")
        summary = await end_night(hass, entry, night)
        assert "No space left on device" in caplog.text
        assert hass_storage[key]["data"]["nights"] == [], "the night's own write failed"
        issue = not_saved(hass, entry)
        assert issue is not None
        assert issue.translation_placeholders == {
            "name": "Bedroom",
            "nights": "2026-11-23",
            "error": "[Errno 28] No space left on device",
        }
        # Shown while it waits: 06:20 to 07:00 in bed.
        assert in_bed_minutes(hass) == pytest.approx(40)
        failed = disk.failed
        await async_later(hass, freezer, 60)
        assert disk.failed == failed + 1, "tried again after a minute"
        await async_later(hass, freezer, 60)
        assert disk.failed == failed + 1, "then after two"
        disk.full = False
        await async_later(hass, freezer, 60)
        [stored] = hass_storage[key]["data"]["nights"]
        assert not_saved(hass, entry) is None
        assert entry.runtime_data.store.unsaved == []
        await async_later(hass, freezer, 3600)
        assert len(hass_storage[key]["data"]["nights"]) == 1
        assert in_bed_minutes(hass) == pytest.approx(40)
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        assert len(hass_storage[key]["data"]["nights"]) == 1
    assert stored["session_start"] == "2026-11-24T05:20:00+00:00"
    assert stored["session_end"] == summary.session_end.isoformat() == "2026-11-24T06:00:00+00:00"
    assert summary.gaps == ()
    rang_on_time(log)


async def test_home_assistant_stops_while_a_night_could_not_be_written(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
    hass_storage: dict[str, Any],
) -> None:
    """The night's write failed; the disk is freed and Home Assistant stops before the minute
    is over: its last writes hold the night."""
    entry = session_end_option()
    key = f"{DOMAIN}.{entry.entry_id}"
    with full_from_0658(freezer, key) as (disk, night):
        await setup_night(hass, entry, night, freezer)
        await end_night(hass, entry, night)
        assert not_saved(hass, entry) is not None
        disk.full = False
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await hass.async_block_till_done()
        [stored] = hass_storage[key]["data"]["nights"]
        assert not_saved(hass, entry) is None
    assert stored["session_end"] == "2026-11-24T06:00:00+00:00"


async def test_a_reload_while_a_night_could_not_be_written(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    log: AlarmLog,
    hass_storage: dict[str, Any],
) -> None:
    """The disk is full when the night ends and when the tracker is reloaded (an option is
    changed): the reloaded tracker still has the night, shows it and keeps the repair; when
    the disk is freed, the next try writes the night once."""
    entry = session_end_option()
    key = f"{DOMAIN}.{entry.entry_id}"
    with full_from_0658(freezer, key) as (disk, night):
        await setup_night(hass, entry, night, freezer)
        summary = await end_night(hass, entry, night)
        assert not_saved(hass, entry) is not None
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        assert hass_storage[key]["data"]["nights"] == [], "the unload's write failed too"
        assert entry.runtime_data.store.nights == [summary]
        assert entry.runtime_data.coordinator.data.last_night == summary
        assert in_bed_minutes(hass) == pytest.approx(40)
        assert not_saved(hass, entry) is not None
        disk.full = False
        await async_later(hass, freezer, 60)
        [stored] = hass_storage[key]["data"]["nights"]
        assert not_saved(hass, entry) is None
        assert entry.runtime_data.store.nights == [summary]
    assert stored["session_end"] == "2026-11-24T06:00:00+00:00"


async def test_the_clock_jumps_forward_in_the_night(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, log: AlarmLog
) -> None:
    """At 06:40 the system clock is put 20 minutes forward (NTP correcting a slow clock): the
    alarm rings at once, at the set time on the corrected clock; the night follows the radar's
    frames, which know nothing of the jump."""

    async def jump(night: FaultyNight) -> None:
        night.start += timedelta(minutes=20)
        night.tick()

    night = FaultyNight(freezer, {1200: jump})
    entry = session_end_option()
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=night):
        await setup_night(hass, entry, night, freezer)
        summary = await end_night(hass, entry, night)
    assert summary.gaps == ()
    rang_on_time(log)


async def test_a_night_across_the_change_to_winter_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, log: AlarmLog
) -> None:
    """From 02:40 summer time to 02:20 winter time (the clocks go back at 03:00): a night of
    40 minutes, not 20 or 100; the alarm at 07:00 winter time rings at 07:00."""
    night = FaultyNight(freezer, {})
    entry = session_end_option()
    start = datetime(2026, 10, 25, 0, 40, tzinfo=UTC)  # 02:40 CEST
    with (
        patch("custom_components.radar_sleep.runtime.build_source", return_value=night),
        patch(f"{__name__}.START", start),
    ):
        night.start = start
        await setup_night(hass, entry, night, freezer)
        summary = await end_night(hass, entry, night)
    assert summary.session_end - summary.session_start == timedelta(minutes=40)
    assert summary.night.isoformat() == "2026-10-24"
    assert summary.gaps == ()
    rings = datetime(2026, 10, 25, 6, 0, tzinfo=UTC)  # 07:00 CET
    freezer.move_to(rings - timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert "triggered" not in log.types
    freezer.move_to(rings)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    rang_on_time(log, rings)


@pytest.mark.usefixtures("silent_source")
async def test_a_second_tracker_on_the_same_port_is_refused(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """The port is refused before the device is listened to (which would take bytes from
    the running tracker), also under another name of the same device."""
    tty = tmp_path / "ttyUSB0"
    tty.touch()
    by_id = tmp_path / "usb-Silicon_Labs_CP2102-if00-port0"
    by_id.symlink_to(tty)
    first = MockConfigEntry(
        domain=DOMAIN,
        title="Bedroom",
        unique_id=f"serial_{tty}",
        data={
            CONF_SOURCE: "serial",
            CONF_SIDE: "left",
            CONF_RADAR_POSITION: "left_table",
            CONF_FAMILY: "mr60bha2",
            CONF_PORT: str(tty),
        },
    )
    first.add_to_hass(hass)
    with (
        patch("custom_components.radar_sleep.sources._list_ports", return_value=[str(by_id)]),
        patch("custom_components.radar_sleep.sources.probe_port") as probe,
    ):
        flow_id = await start_user_flow(hass, "serial", name="Guest room")
        for port in (str(tty), str(by_id)):
            result = await hass.config_entries.flow.async_configure(
                flow_id, {CONF_FAMILY: "mr60bha2", CONF_PORT: port}
            )
            assert result["type"] is FlowResultType.FORM
            assert result["errors"] == {"base": "port_in_use"}
            assert result["description_placeholders"]["port"] == port
            assert result["description_placeholders"]["tracker"] == "Bedroom"
    probe.assert_not_called()
    assert hass.config_entries.async_entries(DOMAIN) == [first]
    message = json.loads(TRANSLATIONS.read_text())["config"]["error"]["port_in_use"]
    assert message.format(port=by_id, tracker="Bedroom").startswith(
        f"{by_id} is already read by the tracker Bedroom"
    )


class Line:
    """A serial line carrying one second of bytes per read: an MR60BHA2 with a still sleeper,
    or, from ``garbage[0]`` to ``garbage[1]``, noise; ``seconds`` in all, then nothing more.
    Home Assistant's clock moves a second per read (``night``'s clock)."""

    def __init__(self, night: FaultyNight, garbage: tuple[int, int], seconds: int) -> None:
        self.night = night
        self.garbage = garbage
        self.seconds = seconds
        self.k = 0

    def second(self, k: int) -> bytes:
        if self.garbage[0] <= k < self.garbage[1]:
            return random.Random(k).randbytes(200)
        out = bytearray()
        for i in range(20):
            phase = 0.8 * math.sin(2 * math.pi * 0.25 * (k + i / 20))
            out += mr60bha2.encode_phase(phase, phase, 0.0, frame_id=20 * k + i)
        out += mr60bha2.encode_presence(True)
        out += mr60bha2.encode_distance(0.6)
        out += mr60bha2.encode_breath_rate(15.0)
        return bytes(out)

    async def read(self, _n: int) -> bytes:
        if self.k in (self.garbage[0] + 60, self.seconds):
            await self.night.checkpoint(str(self.k))
        self.night.t = float(self.k)
        if self.k % 30 == 0:
            self.night.tick()
        chunk = self.second(self.k)
        self.k += 1
        return chunk


class Writer:
    def close(self) -> None:
        """Nothing to close."""


async def test_garbage_on_the_wire_for_ten_minutes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, log: AlarmLog
) -> None:
    """Six minutes of a sleeper, ten of noise, then the sleeper again: no frame is made of the
    noise, the tracker is unavailable while it lasts, and the night goes on."""
    night = FaultyNight(freezer, {})
    line = Line(night, (360, 960), 1080)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Bedroom",
        unique_id="serial_/dev/ttyUSB0",
        data={
            CONF_SOURCE: "serial",
            CONF_SIDE: "left",
            CONF_RADAR_POSITION: "left_table",
            CONF_FAMILY: "mr60bha2",
            CONF_PORT: "/dev/ttyUSB0",
        },
        options={CONF_SESSION_END_MINUTES: 5},
    )
    with patch("serialx.open_serial_connection", return_value=(line, Writer())):
        await setup_night(hass, entry, night, freezer)
        await night.reached("420")  # a minute into the noise
        await hass.async_block_till_done()
        coordinator = entry.runtime_data.coordinator
        assert hass.states.get(STAGE).state == "unavailable"
        assert coordinator.stats.last_error == "no valid mr60bha2 frame in 10 s"
        frames = coordinator.stats.frames
        night_start = coordinator.pipeline.session.run_start
        assert coordinator.pipeline.session.state is SessionState.ACTIVE
        night.go("420")
        await night.reached("1080")
        await hass.async_block_till_done()
        assert hass.states.get(STAGE).state != "unavailable"
        # 20 frames a second from the sleeper only (the noise may end mid-frame).
        assert coordinator.stats.frames - frames == pytest.approx(120 * 20, abs=2)
        pipeline = coordinator.pipeline
        assert pipeline.session.state is SessionState.ACTIVE
        assert pipeline.session.run_start == night_start, "the same night"
        seen = {r.index for r in pipeline.records}
        assert seen.isdisjoint(range(12, 32)), "no epoch made of the noise"
        assert {11, 32, 33, 34} <= seen
        night.go("1080")
    night.t = 2370
    await night.skip(30)  # 07:00
    await hass.async_block_till_done()
    rang_on_time(log)
